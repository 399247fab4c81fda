"""Phone numbers written with the area code in brackets (03(1234)5678, 090（1234）5678): one number, as the
Japanese forms and chat callers write them (dev3 D3-84: 「090(1234)5678」 was asked for three times)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _typed(text: str) -> list[tuple[str, str]]:
    norm = normalize(text)
    return [(e.type, str(e.value)) for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())
            if e.type in ("order_id", "phone_number", "postal_code")]


@pytest.mark.parametrize(("text", "value"), [
    ("090(1234)5678", "09012345678"),
    ("090（1234）5678です", "09012345678"),
    ("03(1234)5678", "0312345678"),
    ("(03)1234-5678", "0312345678"),
    ("電話は０６（６１２３）４５６７です", "0661234567"),
])
def test_bracketed_area_code_is_one_phone_number(text: str, value: str) -> None:
    assert _typed(text) == [("phone_number", value)]


def test_a_number_in_brackets_after_a_word_keeps_its_own_type() -> None:
    assert _typed("注文番号(12345678)です") == [("order_id", "12345678")]
    assert _typed("ケトル(23456789)の件") == [("order_id", "23456789")]
