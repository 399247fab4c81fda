"""When the human queues are staffed: weekly windows, Japanese holidays and closures, in Japan time.

Holidays come from `jpholiday` (national, substitute 振替休日 and 国民の休日), not a hand table, so the
calendar stays right when the law moves a holiday. Closures such as the year-end break (12/29-1/3) are
month-day ranges in queues.yaml and may wrap over the new year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import jpholiday

from dialogue.escalation.errors import EscalationError, RuleError
from dialogue.escalation.schema import HoursSpec, QueuesFile
from dialogue.escalation.yamlio import read_yaml, validate
from nlu.timezone import TOKYO

JST = TOKYO
_SEARCH_DAYS = 400  # next_open looks this far ahead; any real calendar opens well within it
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=1024)
def holiday_name(day: date) -> str | None:
    """The national holiday's name (勤労感謝の日, 憲法記念日 振替休日, ...) or None."""
    name = jpholiday.is_holiday_name(day)
    return str(name) if name else None


def _hm(s: str) -> time:
    h, m = int(s[:2]), int(s[3:5])
    return time.max if h == 24 else time(h, m)


@dataclass(frozen=True, slots=True)
class Calendar:
    """One queue's opening hours."""

    weekdays: tuple[tuple[time, time], ...]
    saturday: tuple[tuple[time, time], ...]
    sunday: tuple[tuple[time, time], ...]
    holidays_closed: bool
    closures: tuple[tuple[tuple[int, int], tuple[int, int], str], ...]  # (from m-d, to m-d, name)

    @staticmethod
    def from_spec(spec: HoursSpec) -> Calendar:
        def windows(v: list[str]) -> tuple[tuple[time, time], ...]:
            return tuple(sorted((_hm(w[:5]), _hm(w[6:])) for w in v))

        def md(s: str) -> tuple[int, int]:
            return int(s[:2]), int(s[3:])

        return Calendar(
            weekdays=windows(spec.weekdays),
            saturday=windows(spec.saturday),
            sunday=windows(spec.sunday),
            holidays_closed=spec.holidays == "closed",
            closures=tuple((md(c.from_), md(c.to), c.name or "closure") for c in spec.closures),
        )

    def closed_day(self, day: date) -> str | None:
        """Why the whole day is closed, or None if it has opening windows."""
        md = (day.month, day.day)
        for start, end, name in self.closures:
            inside = start <= md <= end if start <= end else (md >= start or md <= end)
            if inside:
                return f"{name} ({start[0]}/{start[1]}-{end[0]}/{end[1]})"
        if self.holidays_closed and (hol := holiday_name(day)):
            return f"national holiday {hol}"
        if not self.windows(day):
            return f"closed on {_DAY_NAMES[day.weekday()]}"
        return None

    def windows(self, day: date) -> tuple[tuple[time, time], ...]:
        wd = day.weekday()
        return self.sunday if wd == 6 else self.saturday if wd == 5 else self.weekdays


def _jst(now: datetime) -> datetime:
    # a naive clock is taken as Japan time: the bot's clock, not the server's locale
    return now.replace(tzinfo=JST) if now.tzinfo is None else now.astimezone(JST)


class BusinessHours:
    """Opening hours per queue (queues.yaml), plus each queue's longest acceptable wait."""

    def __init__(self, calendars: dict[str, Calendar], max_wait_s: dict[str, float],
                 labels: dict[str, str] | None = None, language_queues: dict[str, str] | None = None) -> None:
        self._calendars = calendars
        self.max_wait_s = max_wait_s
        self.labels = labels or {}  # queue -> its name in agents' words (`label`); a queue without one: its id
        self.language_queues = language_queues or {}  # language -> the queue whose agents speak it (`languages`)

    @staticmethod
    def from_config(cfg: QueuesFile) -> BusinessHours:
        default = Calendar.from_spec(cfg.hours)
        cals = {q: (Calendar.from_spec(s.hours) if s.hours else default) for q, s in cfg.queues.items()}
        spoken = {lang: q for q, s in reversed(cfg.queues.items()) for lang in s.languages}  # the first wins
        return BusinessHours(cals, {q: s.max_wait_s for q, s in cfg.queues.items()},
                             {q: s.label for q, s in cfg.queues.items() if s.label}, spoken)

    @staticmethod
    def load(path: Path) -> BusinessHours:
        """Read a queues.yaml; problems raise RuleError with `path:line:column: message`."""
        data = read_yaml(path)
        cfg, problems = validate(path, data, QueuesFile)
        if cfg is None:
            raise RuleError(problems)
        return BusinessHours.from_config(cfg)

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(self._calendars)

    def _calendar(self, queue: str) -> Calendar:
        try:
            return self._calendars[queue]
        except KeyError:
            raise EscalationError(f"unknown queue '{queue}' (known: {', '.join(self._calendars)})") from None

    def closed_reason(self, queue: str, now: datetime) -> str | None:
        """None when the queue is staffed at `now`; otherwise why not, for the Decision's `why`."""
        cal = self._calendar(queue)
        local = _jst(now)
        day = local.date()
        if reason := cal.closed_day(day):
            return reason
        t = local.time()
        wins = cal.windows(day)
        if any(start <= t < end for start, end in wins):
            return None
        hours = ", ".join(f"{s:%H:%M}-{'24:00' if e == time.max else format(e, '%H:%M')}" for s, e in wins)
        return f"outside hours {hours}"

    def is_open(self, queue: str, now: datetime) -> bool:
        return self.closed_reason(queue, now) is None

    def first_callback(self, queue: str, now: datetime, not_before: datetime | None = None) -> datetime:
        """The first time an agent of `queue` can call back: half an hour from `now` at the soonest, on the half
        hour (a promise the agents can keep), and not before `not_before` (a day the caller named)."""
        soonest = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
        if soonest.minute % 30:
            soonest += timedelta(minutes=30 - soonest.minute % 30)
        return self.next_open(queue, max(soonest, not_before) if not_before is not None else soonest)

    def next_open(self, queue: str, now: datetime) -> datetime:
        """`now` if the queue is open, else the start of its next opening window (Asia/Tokyo)."""
        cal = self._calendar(queue)
        local = _jst(now)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if cal.closed_day(day):
                continue
            for start, end in cal.windows(day):
                opens = datetime.combine(day, start, tzinfo=JST)
                if offset == 0 and local.time() >= end:
                    continue
                return local if offset == 0 and start <= local.time() else opens
        raise EscalationError(f"queue '{queue}' never opens in the next {_SEARCH_DAYS} days")
