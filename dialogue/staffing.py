"""Agents needed per interval for a service level, by Erlang C with the handle times the records show.

Erlang C is the M/M/N queue of the live desk (dialogue.acd.erlang_c): with traffic A = contacts per
second x average handle time, the chance a contact waits is C(N, A), and the share answered within T
seconds is 1 - C(N, A) * exp(-(N - A) * T / AHT). Contacts the bot closed alone need nobody; a queue
needs nobody while it is closed (its contacts become callbacks); e-mail is not a queue that callers wait
on, so it is staffed by workload, spread over the day's open hours.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dialogue.acd import erlang_c
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.rules import DEFAULT_DIR as DEFAULT_RULES_DIR
from dialogue.escalation.rules import QUEUES_FILE
from dialogue.forecast import BOT_QUEUE, SLOT_SECONDS, SLOTS_PER_DAY, Floats, Forecast, Key, series_key

DEFAULT_HANDLE_SECONDS = 300.0
WORKLOAD_CHANNELS = frozenset({"email"})


def service_level(agents: int, traffic: float, handle_s: float, target_s: float) -> float:
    """Share of contacts answered within `target_s` seconds."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * target_s / handle_s)


def agents_needed(contacts: float, handle_s: float, level: float = 0.8, target_s: float = 20.0,
                  interval_s: float = SLOT_SECONDS) -> int:
    """The fewest agents that answer `level` of the contacts within `target_s` in one interval."""
    traffic = contacts * handle_s / interval_s
    if traffic <= 0:
        return 0
    n = max(1, math.ceil(traffic))
    while service_level(n, traffic, handle_s, target_s) < level:
        n += 1
    return n


def handle_times(records: Iterable[Mapping[str, Any]]) -> dict[Key, float]:
    """Mean handle seconds per (channel, queue), from contacts that have one; channel means, then the
    overall mean, stand in where a queue has none."""
    sums: dict[Key, list[float]] = defaultdict(list)
    for r in records:
        h = r.get("handle_seconds")
        if isinstance(h, int | float) and h > 0:
            sums[series_key(r)].append(float(h))
    out = {k: sum(v) / len(v) for k, v in sums.items()}
    by_channel: dict[str, list[float]] = defaultdict(list)
    for (channel, _), v in sums.items():
        by_channel[channel].extend(v)
    out.update({(c, "*"): sum(v) / len(v) for c, v in by_channel.items()})
    every = [x for v in sums.values() for x in v]
    out[("*", "*")] = sum(every) / len(every) if every else DEFAULT_HANDLE_SECONDS
    return out


def handle_for(key: Key, times: Mapping[Key, float]) -> float:
    return times.get(key) or times.get((key[0], "*")) or times.get(("*", "*")) or DEFAULT_HANDLE_SECONDS


@dataclass(frozen=True)
class StaffRow:
    interval: int
    channel: str
    queue: str
    contacts: float
    handle_seconds: float
    traffic: float
    agents: int
    service_level: float | None  # None for workload-staffed channels and closed intervals
    open: bool = True  # the queue's hours (escalation_rules/queues.yaml); closed: contacts become callbacks


OpenAt = Callable[[str, datetime], bool]


def default_hours() -> BusinessHours | None:
    """The sample bot's queue hours (escalation_rules/queues.yaml); None without the file."""
    path = DEFAULT_RULES_DIR / QUEUES_FILE
    return BusinessHours.load(path) if path.exists() else None


def queue_hours(hours: BusinessHours | None) -> OpenAt:
    """`open(queue, when)` from the queues' hours; a queue the file does not name is always open."""
    def is_open(queue: str, when: datetime) -> bool:
        return hours is None or queue not in hours.queues or hours.is_open(queue, when)
    return is_open


def _workload(values: Floats, aht: float, open_: list[bool]) -> list[int]:
    """E-mail waits in a mailbox, not on the line: each day's work (with what closed days left over) is
    spread evenly over that day's open intervals."""
    agents = [0] * len(values)
    carry = 0.0
    for day in range(0, len(values), SLOTS_PER_DAY):
        span = range(day, min(day + SLOTS_PER_DAY, len(values)))
        carry += float(values[span.start:span.stop].sum()) * aht / SLOT_SECONDS
        opened = [i for i in span if open_[i]]
        if opened:
            for i in opened:
                agents[i] = math.ceil(carry / len(opened) - 1e-9)
            carry = 0.0
    return agents


def staffing(fc: Forecast, times: Mapping[Key, float], level: float = 0.8, target_s: float = 20.0,
             hours: BusinessHours | None = None) -> list[StaffRow]:
    """One row per interval and human queue of the forecast: Erlang C agents for the service level where
    the queue is open, none where it is closed; e-mail by workload."""
    is_open = queue_hours(hours)
    rows: list[StaffRow] = []
    for key, values in fc.series.items():
        channel, queue = key
        if queue == BOT_QUEUE:
            continue
        aht = handle_for(key, times)
        open_ = [is_open(queue, fc.interval(i)) for i in range(len(values))]
        mailbox = _workload(values, aht, open_) if channel in WORKLOAD_CHANNELS else None
        for i, contacts in enumerate(values):
            traffic = float(contacts) * aht / SLOT_SECONDS
            if mailbox is not None or not open_[i]:
                rows.append(StaffRow(i, channel, queue, float(contacts), aht, traffic,
                                     mailbox[i] if mailbox is not None else 0, None, open_[i]))
                continue
            n = agents_needed(float(contacts), aht, level, target_s)
            rows.append(StaffRow(i, channel, queue, float(contacts), aht, traffic, n,
                                 service_level(n, traffic, aht, target_s)))
    return rows
