"""Digits said with pauses between the groups (、 , … ‥ ・ space の), lengthened (にー, ごー, にい):
one number, with its span over the whole said run; two numbers said in a row stay two."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
DIGIT_TYPES = ("order_id", "phone_number", "postal_code")


def _digits(text: str) -> list[Entity]:
    norm = normalize(text)
    return [e for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon()) if e.type in DIGIT_TYPES]


# (text, type, value, the original substring it covers)
PAUSED: list[tuple[str, str, str, str]] = [
    ("ぜろきゅうぜろ、いちにい…さんよん、ごーろくななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ、いちにい…さんよん、ごーろくななはち"),
    ("いちにさんよん ごーろく ななはち", "order_id", "12345678", "いちにさんよん ごーろく ななはち"),
    ("０９０・１２３４・５６７８", "phone_number", "09012345678", "０９０・１２３４・５６７８"),
    ("090 1234 5678", "phone_number", "09012345678", "090 1234 5678"),
    ("いち、に、さん、よん、ご、ろく、なな、はち", "order_id", "12345678", "いち、に、さん、よん、ご、ろく、なな、はち"),
    ("ゼロキューゼロの、イチニーサンヨンの…ゴーロクナナハチです", "phone_number", "09012345678",
     "ゼロキューゼロの、イチニーサンヨンの…ゴーロクナナハチ"),
    ("ぜろきゅうぜろ…いちにーさんよん…ごーろくななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ…いちにーさんよん…ごーろくななはち"),
    ("090…1234‥5678", "phone_number", "09012345678", "090…1234‥5678"),
    # keigo, with fillers
    ("えっと、〇九〇、一二三四、五六七八でございます", "phone_number", "09012345678", "〇九〇、一二三四、五六七八"),
    ("注文番号は、いちにい、さんよん、ごーろく、ななはち、です", "order_id", "12345678", "いちにい、さんよん、ごーろく、ななはち"),
    ("ちゅうもんばんごう、いちにさんよん…ごーろくななはちです", "order_id", "12345678", "いちにさんよん…ごーろくななはち"),
    ("ゆうびんばんごうは いちごーまる‥ぜろぜろぜろいち", "postal_code", "1500001", "いちごーまる‥ぜろぜろぜろいち"),
    ("〒150・0001", "postal_code", "1500001", "150・0001"),
    # casual and Kansai
    ("ばんごうは ぜろきゅうぜろの いちにさんよんの ごーろくななはち やけど", "phone_number", "09012345678",
     "ぜろきゅうぜろの いちにさんよんの ごーろくななはち"),
    ("12345678…です", "order_id", "12345678", "12345678"),
    ("1234、5678でお願い", "order_id", "12345678", "1234、5678"),
    ("ぜろさん、いちにいさんよん、ごーろくななはち", "phone_number", "0312345678", "ぜろさん、いちにいさんよん、ごーろくななはち"),
    # elderly, one digit at a time
    ("ええとね、まる、きゅう、まる、の、いち、に、さん、よん、の、ご、ろく、なな、はち", "phone_number", "09012345678",
     "まる、きゅう、まる、の、いち、に、さん、よん、の、ご、ろく、なな、はち"),
    ("いちにいさんよんごーろくななはちー", "order_id", "12345678", "いちにいさんよんごーろくななはち"),
    ("090ー1234ー5678", "phone_number", "09012345678", "090ー1234ー5678"),
    ("09012345678から電話がありました", "phone_number", "09012345678", "09012345678"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "etype", "value", "original"), PAUSED)
def test_paused_digits_are_one_number(text: str, etype: str, value: str, original: str) -> None:
    found = _digits(text)
    assert [(e.type, e.value) for e in found] == [(etype, value)], found
    assert text[found[0].start : found[0].end] == original


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注文番号は12345678、電話番号は09012345678です", [("order_id", "12345678"), ("phone_number", "09012345678")]),
        ("いちにさんよんごーろくななはち、でんわばんごうは ぜろきゅうぜろ いちにさんよん ごーろくななはち",
         [("order_id", "12345678"), ("phone_number", "09012345678")]),
        ("いちにさんよんごーろくななはち、ぜろきゅうぜろ、いちにさんよん、ごーろくななはち",
         [("order_id", "12345678"), ("phone_number", "09012345678")]),
        ("12345678、09012345678", [("order_id", "12345678"), ("phone_number", "09012345678")]),
        ("1234 5678 090 1234 5678", [("order_id", "12345678"), ("phone_number", "09012345678")]),
        ("12345678、3個です", [("order_id", "12345678")]),
        ("12345678 1234", [("order_id", "12345678")]),
    ],
)  # fmt: skip
def test_separate_numbers_stay_separate(text: str, expected: list[tuple[str, str]]) -> None:
    found = _digits(text)
    assert [(e.type, e.value) for e in found] == expected
    for e in found:
        assert "".join(c for c in normalize(text[e.start : e.end]).text if c.isdigit()) == e.value


@pytest.mark.parametrize(
    "text",
    [
        "にいさんに聞いてみます", "しーでぃーを買った", "3、4日後に届きます", "10時から12時", "1、2個です",
        "1234 5678 90", "3.14159265", "3,980円", "12:30、13:45", "いちど、にど、さんど",
    ],
)  # fmt: skip
def test_no_digit_entity(text: str) -> None:
    assert _digits(text) == []


def test_pauses_keep_offsets_consistent() -> None:
    for text, *_ in PAUSED:
        norm = normalize(text)
        assert len(norm.offsets) == len(norm.text) + 1
        assert list(norm.offsets) == sorted(norm.offsets)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ぜろきゅうぜろ、いちにい…さんよん、ごーろくななはち", "09012345678"),
        ("いち、に、さん、よん、ご、ろく、なな、はち", "12345678"),
        # longer than any number: the groups keep their pauses, for the entity reader to part
        ("いちにさんよんごーろくななはち、ぜろきゅうぜろ、いちにさんよん、ごーろくななはち", "12345678、090、1234、5678"),
        ("いちにさんよんごーろくななはちー", "12345678ー"),
        # 朝一 and 午後一 are words, 朝一時 is a time
        ("朝一でお願いします", "朝一でお願いします"),
        ("午後一番で", "午後一番で"),
        ("朝一時", "朝1時"),
    ],
)  # fmt: skip
def test_normalized_text(text: str, expected: str) -> None:
    assert normalize(text).text == expected


# dev17: a particle right after a lengthened last digit (「…ごーよんさんにーに おりかえし」) made a 12-digit run that
# is no number; one syllable longer than the longest number and weak at the end, it is the particle
@pytest.mark.parametrize(("text", "value"), [
    ("けいたいの ぜろはちぜろの きゅうはちななろくの ごーよんさんにーに おりかえし おねがいします", "08098765432"),
    ("ぜろきゅうぜろいちにさんよんごーろくななはちに かけてください", "09012345678"),
])
def test_a_particle_after_a_phone_number_is_not_its_twelfth_digit(text: str, value: str) -> None:
    assert [(e.type, e.value) for e in _digits(text)] == [("phone_number", value)]
