"""Values in English prompts (`<key>_en`, issue 14): `{date:endate}` -> Tuesday, December 8;
`{time:entime}` -> 3:30 p.m.; `{time_window:enwindow}` -> between 2 and 4 p.m.; `{amount:enyen}` ->
4,980 yen; `{store:name}` -> Shibuya (an id in words); `{order.item:en}` -> the designers' English for a
value the backend gives in Japanese, from the prompt book's `term_<value>` entries (the value itself when
there is none).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

TERM_PREFIX = "term_"


def _clock(value: str) -> str:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not m:
        return value
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour == 12 and minute == 0:
        return "noon"
    suffix = "a.m." if hour < 12 or hour == 24 else "p.m."
    hour = hour % 12 or 12
    return f"{hour} {suffix}" if minute == 0 else f"{hour}:{minute:02d} {suffix}"


def date_en(value: str, terms: Mapping[str, str]) -> str:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d:%A}, {d:%B} {d.day}"


def time_en(value: str, terms: Mapping[str, str]) -> str:
    return _clock(value)


def window_en(value: str, terms: Mapping[str, str]) -> str:
    """08:00-12:00 -> in the morning; 14:00-16:00 -> between 2 and 4 p.m."""
    m = re.fullmatch(r"(\d{2}:\d{2})-(\d{2}:\d{2})", value)
    if not m:
        return value
    if value == "08:00-12:00":
        return "in the morning"  # the carriers' name for their morning window, as in Japanese 午前中
    start, end = _clock(m.group(1)), _clock(m.group(2))
    if start.endswith(" p.m.") and end.endswith(" p.m."):
        start = start.removesuffix(" p.m.")
    return f"between {start} and {end}"


def yen_en(value: str, terms: Mapping[str, str]) -> str:
    try:
        return f"{int(value):,} yen"
    except ValueError:
        return value


def name(value: str, terms: Mapping[str, str]) -> str:
    return value.replace("_", " ").title()


def term(value: str, terms: Mapping[str, str]) -> str:
    if value in terms or "、" not in value:
        return terms.get(value, value)
    # a list the backend joined with 、 (「ワイヤレスイヤホン、電気ケトル」): each item, joined the English way
    items = [terms.get(v, v) for v in value.split("、") if v]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


EN_FORMATS: dict[str, Callable[[str, Mapping[str, str]], str]] = {
    "endate": date_en, "entime": time_en, "enwindow": window_en, "enyen": yen_en, "name": name, "en": term,
}  # fmt: skip
