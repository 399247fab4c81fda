"""The quality view of the supervisor console (`/agent/qa`): every contact of a period scored against the
company's protocol (qa/protocol.yaml, dialogue/qa.py), with the evidence of each broken rule (the turn and
the rule), and the summaries per agent, per flow and per day, as `ivr qa report` prints them.

`GET /agent/api/qa?from=YYYY-MM-DD&to=YYYY-MM-DD[&agent=NAME][&flow=INTENT][&day=YYYY-MM-DD][&only=failed]
[&limit=N]` (supervisors only): `{"from", "to", "summary", "contacts", "matching", "shown", "labels"}` (`labels`: `rules` and
`flows` by their names in the bot's data, qa/protocol.yaml `label:` and prompts `label_<intent>`; `agents`
by their display names). The dates are
Japan days, both included (default: the last 7 days); the summary covers the whole period, the contact list
the filters, newest first, at most `limit` (200). Bad parameters answer 400 with the reason.

Card numbers never show: the records keep `[DTMF 末尾1234]` only (dialogue/payments.py), and a number an
agent or a caller typed in a chat is shown as 「末尾1234」 here too (`mask_cards`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from dialogue.clock import TOKYO
from dialogue.qa import Checker
from dialogue.qa_report import BOT_AGENT, NO_FLOW, day_of, qa_report
from dialogue.qa_rules import load_protocol
from dialogue.records import RecordsUnavailable
from dialogue.yaml_source import SourceError
from ivr.agent_console import AUTH, _json, api_user
from ivr.app_keys import MANAGER
from ivr.ops_views import ComputeCache, bad_request, read_records, supervisor_page

DEFAULT_DAYS = 7
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)  # no contact centre records older than this; keeps date arithmetic in range
DEFAULT_LIMIT = 200
MAX_LIMIT = 2000
QA_CACHE = web.AppKey("qa_cache", ComputeCache[dict[str, Any]])
CHECKER = web.AppKey("qa_checker", dict)  # {"checker": Checker} once the protocol loaded
# a card number typed as digits, maybe in groups (4111 1111-1111 1111); 13-19 digits as card numbers have
_CARD = re.compile(r"(?<![0-9０-９])[0-9０-９](?:[ \-－　]?[0-9０-９]){12,18}(?![0-9０-９])")


def mask_cards(text: str) -> str:
    """「4111111111111111」 -> 「末尾1111」: what the records show for a keyed card (docs/payments.md)."""

    def tail(m: re.Match[str]) -> str:
        digits = [c for c in m.group() if c.isdigit()]
        return "末尾" + "".join(str(int(c)) for c in digits[-4:])

    return _CARD.sub(tail, text)


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), TOKYO)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), TOKYO)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{name} must be a date such as 2026-11-20, not {value[:40]!r}") from None


def period_of(query: Mapping[str, str], today: date) -> Period:
    """`from` and `to` (Japan days, both included); the last DEFAULT_DAYS days when absent."""
    latest = today + timedelta(days=MAX_DAYS)
    last = _day(query["to"], "to") if query.get("to") else today
    if not EARLIEST <= last <= latest:
        raise bad_request(f"to must be between {EARLIEST} and {latest}, not {last}")
    first = _day(query["from"], "from") if query.get("from") else max(EARLIEST, last - timedelta(days=DEFAULT_DAYS - 1))
    if not EARLIEST <= first <= latest:
        raise bad_request(f"from must be between {EARLIEST} and {latest}, not {first}")
    if first > last:
        raise bad_request(f"from ({first}) is after to ({last})")
    if (last - first).days + 1 > MAX_DAYS:
        raise bad_request(f"a period is at most {MAX_DAYS} days; {first} to {last} is {(last - first).days + 1}")
    return Period(first, last)


def _limit(query: Mapping[str, str]) -> int:
    raw = query.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw[:20]!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be from 1 to {MAX_LIMIT}, not {limit}")
    return limit


def _checker(app: web.Application) -> Checker:
    """The protocol, loaded once; a broken file is the designer's to fix (503 with its file:line:col)."""
    held = app[CHECKER]
    if "checker" not in held:
        try:
            held["checker"] = Checker(load_protocol())
        except SourceError as exc:
            raise bad_request("the QA protocol has errors: " + "; ".join(exc.problems), 503) from None
        except FileNotFoundError:
            raise bad_request("this bot has no QA protocol (qa/protocol.yaml)", 503) from None
    checker: Checker = held["checker"]
    return checker


def score_period(rows: Sequence[Mapping[str, Any]], checker: Checker) -> dict[str, Any]:
    """The report of `rows` with card numbers masked in the evidence (runs in a worker thread)."""
    report = qa_report(rows, checker)
    for contact in report["contacts"]:
        for found in contact["failed"]:  # the reason quotes the turn too
            found["text"], found["why"] = mask_cards(found["text"]), mask_cards(found["why"])
    return report


def _matches(contact: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    if "agent" in query and (contact["agent"] or BOT_AGENT) != query["agent"]:
        return False
    if "flow" in query and (contact["flow"] or NO_FLOW) != query["flow"]:
        return False
    if "day" in query and day_of(contact["started_at"]) != query["day"]:
        return False
    return not (query.get("only") == "failed" and not contact["failed"])


async def api_qa(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    query = {k: v for k, v in request.query.items() if v}  # an empty form field is no filter
    period = period_of(query, datetime.now(TOKYO).date())
    limit = _limit(query)
    if query.get("only", "all") not in ("all", "failed"):
        raise bad_request("only must be 'all' or 'failed'")
    if "day" in query:
        _day(query["day"], "day")
    checker = _checker(request.app)
    cache = request.app[QA_CACHE]
    report = cache.fresh(period)
    if report is None:
        try:
            rows, state = await read_records(request.app[MANAGER].store, period.since, period.until)
        except RecordsUnavailable as exc:
            raise bad_request(str(exc), 503) from None
        report = await cache.get(period, state, lambda: score_period(rows, checker))
    matching = [c for c in reversed(report["contacts"]) if _matches(c, query)]
    return _json({"from": period.first.isoformat(), "to": period.last.isoformat(), "summary": report["summary"],
                  "matching": len(matching), "shown": min(limit, len(matching)), "contacts": matching[:limit],
                  # names in the bot's own words: the protocol's rules (`label:`), the requests (`label_<intent>`)
                  "labels": {"rules": checker.protocol.labels(), "flows": request.app[MANAGER].bot.labels,
                             "agents": _agent_names(request.app)}})


def _agent_names(app: web.Application) -> dict[str, str]:
    """Console users by the names the centre gives them (IVR_AGENT_NAMES: alice -> 佐藤), as the console shows."""
    auth = app.get(AUTH)
    return {name: auth.display_name(user) for name, user in auth.users.items()} if auth is not None else {}


def setup(app: web.Application) -> None:
    app[QA_CACHE] = ComputeCache()
    app[CHECKER] = {}
    app.router.add_get("/agent/qa", supervisor_page("qa.html"))
    app.router.add_get("/agent/api/qa", api_qa)
