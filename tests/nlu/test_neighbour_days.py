"""A day told by the day said before it: 「十八日に退院するので、その次の日に」 is the 19th (the 18th is only the
reason), 「二十日は留守なので前の日で」 the 19th; 翌日 with no day before it names no date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday


def _dates(text: str) -> list[tuple[str, str]]:
    norm = normalize(text)
    return [(e.value, text[e.start:e.end]) for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())
            if e.type == "date"]


@pytest.mark.parametrize(("text", "expected"), [
    ("十八日に退院するので、その次の日にお願いします", [("2026-12-19", "その次の日")]),
    ("二十日は留守なので前の日で", [("2026-12-19", "前の日")]),
    ("明日は仕事なんで、その次の日で", [("2026-12-10", "その次の日")]),
    ("12月20日の翌日", [("2026-12-21", "翌日")]),
    ("じゅうはちにちに たいいんするので そのつぎのひに", [("2026-12-19", "そのつぎのひ")]),
    # a weekday that begins with 日 is no neighbour day
    ("次の日曜日にお願いします", [("2026-12-13", "次の日曜日")]),
    ("翌日に届けて", []),
])
def test_a_day_told_by_its_neighbour(text: str, expected: list[tuple[str, str]]) -> None:
    assert _dates(text) == expected
