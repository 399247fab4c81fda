"""A particle that ends the word before a spoken number is no digit of it: 「携帯の方に ぜろはちぜろ…」 is
080…, not 2080…; a に said as a digit inside the number stays one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize

NOW = datetime(2027, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _values(text: str) -> list[tuple[str, str]]:
    norm = normalize(text)
    return [(e.type, e.value) for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())
            if e.type in ("order_id", "phone_number", "digits")]


@pytest.mark.parametrize(("text", "expected"), [
    ("いえ この電話じゃなくて携帯の方に ぜろはちぜろ きゅうはちななろく ごーよんさんに", ("phone_number", "08098765432")),
    ("自宅に ぜろさん いちにさんよん ごーろくななはち", ("phone_number", "0312345678")),
    ("もしもし いちにさんよん ごーろくななはち", ("order_id", "12345678")),
    # glued to the digits, に is a digit: 2 opens the number
    ("番号は にーさんよんご ろくななはちいち", ("order_id", "23456781")),
])
def test_a_particle_before_the_number_is_no_digit(text: str, expected: tuple[str, str]) -> None:
    assert _values(text) == [expected]
