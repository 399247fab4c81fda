"""Phone numbers and dates as callers say them: groups joined by の, a particle after the digits, recent dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.pipeline import NLU

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize(
    ("text", "etype", "value"),
    [
        ("090の1234の5678です", "phone_number", "09012345678"),
        ("〇九〇の一二三四の五六七八です", "phone_number", "09012345678"),
        ("まるきゅうまる いちにさんよん ごろくななはち に電話ください", "phone_number", "09012345678"),
        ("郵便番号は五三〇の〇〇〇一です", "postal_code", "5300001"),
        ("11月20日に注文したケトルがまだ来ない", "date", "2026-11-20"),  # last week, as said
        ("1月5日に届けてほしい", "date", "2027-01-05"),  # long past this year: the coming January
        ("さっぽろてんきょうやってますか", "date", "2026-11-23"),  # kana ASR: 店 then 今日, no pause between
        ("うめだてんってきようはなんじまでやってますか", "date", "2026-11-23"),  # きよう: ASR's きょう
    ],
)
def test_spoken_forms(nlu: NLU, text: str, etype: str, value: str) -> None:
    entity = nlu.parse(text, NOW).entity(etype)
    assert entity is not None and entity.value == value


@pytest.mark.parametrize("text", ["べんきょうしたい", "かんきょうにやさしい", "しんきょうの変化", "手先がきようなんです"])
def test_kyou_inside_a_word_is_no_date(nlu: NLU, text: str) -> None:
    assert nlu.parse(text, NOW).entity("date") is None


def test_order_number_then_particle_is_not_a_phone(nlu: NLU) -> None:
    parsed = nlu.parse("注文番号12345678の荷物です", NOW)
    assert [(e.type, e.value) for e in parsed.entities] == [("order_id", "12345678")]
