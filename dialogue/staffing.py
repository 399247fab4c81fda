"""Agents needed per interval for a service level, by Erlang C with the handle times the records show.

Erlang C is the M/M/N queue of the live desk (dialogue.acd.erlang_c): with traffic A = contacts per
second x average handle time, the chance a contact waits is C(N, A), and the share answered within T
seconds is 1 - C(N, A) * exp(-(N - A) * T / AHT). Contacts the bot closed alone need nobody; e-mail is
not a queue that callers wait on, so it is staffed by workload (A rounded up).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dialogue.acd import erlang_c
from dialogue.forecast import BOT_QUEUE, SLOT_SECONDS, Forecast, Key, series_key

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
    service_level: float | None  # None for workload-staffed channels


def staffing(fc: Forecast, times: Mapping[Key, float], level: float = 0.8,
             target_s: float = 20.0) -> list[StaffRow]:
    """One row per interval and human queue of the forecast."""
    rows: list[StaffRow] = []
    for key, values in fc.series.items():
        channel, queue = key
        if queue == BOT_QUEUE:
            continue
        aht = handle_for(key, times)
        for i, contacts in enumerate(values):
            traffic = float(contacts) * aht / SLOT_SECONDS
            if channel in WORKLOAD_CHANNELS:
                rows.append(StaffRow(i, channel, queue, float(contacts), aht, traffic, math.ceil(traffic - 1e-9), None))
                continue
            n = agents_needed(float(contacts), aht, level, target_s)
            sl = service_level(n, traffic, aht, target_s)
            rows.append(StaffRow(i, channel, queue, float(contacts), aht, traffic, n, sl))
    return rows
