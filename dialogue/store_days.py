"""An action the dialogue answers itself (`BUILTIN_ACTIONS`), from what it already has.

`store_day`: is a store open on the day the caller named (「梅田店って明日やってます？」)? Computed from the
store record a `store_info` action returned (the demo's `demo_data.yaml`, or a webhook's answer): its
optional `closed_weekdays`, `holidays` and `closures` fields (docs/deployment.md, section 4). A record without
`closed_weekdays` says nothing about days: the result is `unknown` and the flow gives the general hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from dialogue.escalation.hours import holiday_name
from nlu.timezone import TOKYO

if TYPE_CHECKING:
    from dialogue.turn import Turn

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

__all__ = ["store_day", "store_day_of"]


def store_day(turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
    """`args`: `date` (YYYY-MM-DD) and `store`, the name a `store_info` result was saved as."""
    record = turn.values().get(str(args.get("store") or "store_info"))
    if not isinstance(record, Mapping):
        return {"result": "unknown"}
    try:
        day = date.fromisoformat(str(args.get("date") or ""))
    except ValueError:
        return {"result": "unknown"}
    if day < turn.now.astimezone(TOKYO).date():
        return {"result": "past"}
    return store_day_of(record, day)


def store_day_of(record: Mapping[str, Any], day: date) -> dict[str, Any]:
    """`open`, or why the store is shut that day: `closure` (with its `name_ja`), `closed` (a weekly closing
    day) or `holiday` (a national holiday, for a store shut on them); `unknown` without closing days."""
    weekdays = record.get("closed_weekdays")
    if not isinstance(weekdays, list | tuple):
        return {"result": "unknown"}
    md = (day.month, day.day)
    for closure in record.get("closures") or ():
        span = _span(closure)
        if span is None:
            continue
        start, end = span
        if start <= md <= end if start <= end else (md >= start or md <= end):
            return {"result": "closure", "name_ja": str(closure.get("name_ja") or "")}
    if WEEKDAYS[day.weekday()] in {str(w).lower()[:3] for w in weekdays}:
        return {"result": "closed"}
    if record.get("holidays") == "closed" and holiday_name(day):
        return {"result": "holiday"}
    return {"result": "open"}


def _span(closure: Any) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if not isinstance(closure, Mapping):
        return None
    try:
        start, end = (str(closure.get(k) or "") for k in ("start", "end"))
        return (int(start[:2]), int(start[3:5])), (int(end[:2]), int(end[3:5]))
    except ValueError:
        return None
