"""The caller lines of the filler, unavailable-day and tail-correction cases through `NLU.parse`, the way
`ivr nlu parse --now 2026-11-24T10:00:00+09:00` reads them: every entity of a digit or date type."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu.pipeline import NLU

NOW = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
TYPES = ("order_id", "phone_number", "postal_code", "digits", "date")

LINES: list[tuple[str, list[tuple[str, str]]]] = [
    ("さんよんごー…ろく、ななはち…えーと、きゅうぜろ", [("order_id", "34567890")]),
    ("ぜろきゅうぜろ、えっと、いちにさんよん、あのー、ごーろくななはち", [("phone_number", "09012345678")]),
    ("いちにさん、うーん、よんごーろくななはち", [("order_id", "12345678")]),
    ("明日は一日留守にするので、別の日にしてほしいんです", []),
    ("明日はいないので、あさってにしてください", [("date", "2026-11-26")]),
    ("土曜は家に誰もいないんです", []),
    ("明日は仕事で家を空けるので金曜日で", [("date", "2026-11-27")]),
    ("一日中いないので", []),
    ("明日でお願いします", [("date", "2026-11-25")]),
    ("一日に届けてください", [("date", "2026-12-01")]),
    ("明日は家にいます", [("date", "2026-11-25")]),
    ("090の1234の5679、あ、間違えました、5678です", [("phone_number", "09012345678")]),
    ("12345679、あ、ちがう、最後は8です", [("order_id", "12345678")]),
    # the last group of a postal code said again, in kana: the groups are gone once written as digits
    ("ゆうびんばんごうは いちろくぜろの ぜろぜろにさん あ ちがう ぜろぜろにに です", [("postal_code", "1600022")]),
    ("ゼロキューゼロいちにさんよん ごーろくななきゅう、いや、ななはちです", [("phone_number", "09012345678")]),
    # typed as after +81, the trunk 0 left off; ten digits of another shape stay digits
    ("9012345678", [("phone_number", "09012345678")]),
    ("電話は80-1234-5678です", [("phone_number", "08012345678")]),
    ("1234567890", [("digits", "1234567890")]),
    # the coming January's day, said in November (not 12/4)
    ("年明けの4日", [("date", "2027-01-04")]),
    ("ねんあけの よっか", [("date", "2027-01-04")]),
    ("らいげつの みっか", [("date", "2026-12-03")]),
    # inside a sentence too, after the month it is in (alone, よっか could be any word)
    ("この でんわに ねんあけ よっかの ごぜんちゅうに おねがいします", [("date", "2027-01-04")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "entities"), LINES)
def test_parse(nlu: NLU, text: str, entities: list[tuple[str, str]]) -> None:
    parsed = nlu.parse(text, NOW)
    assert [(e.type, str(e.value)) for e in parsed.entities if e.type in TYPES] == entities
    for e in parsed.entities:
        assert 0 <= e.start < e.end <= len(text)
