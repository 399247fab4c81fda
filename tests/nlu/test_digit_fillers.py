"""A filler or a hesitation between spoken digit groups (いちにさん、えーと、よんごー…) joins the run like a pause
does: one number, its span over the whole said run, and the filler no digit of it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
DIGIT_TYPES = ("order_id", "phone_number", "postal_code", "digits")


def _extract(text: str) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())


def _digits(text: str) -> list[tuple[str, str]]:
    return [(e.type, str(e.value)) for e in _extract(text) if e.type in DIGIT_TYPES]


# (text, type, value, the original substring it covers)
FILLED: list[tuple[str, str, str, str]] = [
    ("さんよんごー…ろく、ななはち…えーと、きゅうぜろ", "order_id", "34567890",
     "さんよんごー…ろく、ななはち…えーと、きゅうぜろ"),
    ("ぜろきゅうぜろ、えっと、いちにさんよん、あのー、ごーろくななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ、えっと、いちにさんよん、あのー、ごーろくななはち"),
    ("いちにさん、うーん、よんごーろくななはち", "order_id", "12345678", "いちにさん、うーん、よんごーろくななはち"),
    # keigo
    ("注文番号は、いちにさんよん、えーとですね、ごーろくななはちでございます", "order_id", "12345678",
     "いちにさんよん、えーとですね、ごーろくななはち"),
    ("ゆうびんばんごうは いちごーまる、えーと、ぜろぜろぜろいちです", "postal_code", "1500001",
     "いちごーまる、えーと、ぜろぜろぜろいち"),
    # casual
    ("いちにさん、まあ、よんごーろくななはち", "order_id", "12345678", "いちにさん、まあ、よんごーろくななはち"),
    ("090、えーと、いちにさんよん、ごーろくななはち", "phone_number", "09012345678",
     "090、えーと、いちにさんよん、ごーろくななはち"),
    # Kansai
    ("ばんごうな、ぜろきゅうぜろの、あのな、いちにさんよんの、ごーろくななはちや", "phone_number", "09012345678",
     "ぜろきゅうぜろの、あのな、いちにさんよんの、ごーろくななはち"),
    ("ちゅうもんばんごうはな、いちにさんよん、えーっと、ごーろくななはちやねん", "order_id", "12345678",
     "いちにさんよん、えーっと、ごーろくななはち"),
    # elderly: one group at a time, looking for the next
    ("ええとね、ぜろきゅうぜろ、ええとね、いちにいさんよん、ええと、ごーろくななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ、ええとね、いちにいさんよん、ええと、ごーろくななはち"),
    ("いちにさん、なんだっけ、よんごーろくななはち", "order_id", "12345678", "いちにさん、なんだっけ、よんごーろくななはち"),
    # kana-only and katakana ASR, with and without the pauses
    ("いちにさんよんえーとごーろくななはち", "order_id", "12345678", "いちにさんよんえーとごーろくななはち"),
    ("ゼロキューゼロ、エート、イチニーサンヨン、アノー、ゴーロクナナハチ", "phone_number", "09012345678",
     "ゼロキューゼロ、エート、イチニーサンヨン、アノー、ゴーロクナナハチ"),
    ("ぜろきゅうぜろ えーと いちにさんよん ごーろくななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ えーと いちにさんよん ごーろくななはち"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "etype", "value", "original"), FILLED)
def test_a_filler_inside_a_digit_run_joins_it(text: str, etype: str, value: str, original: str) -> None:
    found = [e for e in _extract(text) if e.type in DIGIT_TYPES]
    assert [(e.type, e.value) for e in found] == [(etype, value)], found
    assert text[found[0].start : found[0].end] == original
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text) + 1
    assert list(norm.offsets) == sorted(norm.offsets)


FILLERS = [
    "えーと", "えっと", "ええと", "えーっと", "えー", "あのー", "そのー", "うーん", "んー", "エート", "アノー", "ウーン",
    "まあ", "あの", "なんだっけ", "なんやったっけ", "えーとですね", "ええとね", "あのな",
]  # fmt: skip


@pytest.mark.parametrize("filler", FILLERS)
def test_a_filler_is_no_digit(filler: str) -> None:
    assert normalize(f"いちにさん、{filler}、よんごーろくななはち").text == "12345678"
    assert normalize(f"ななはち、{filler}、ななはち").text == "7878"  # not 78?78


# fillers where no digits are said, or beside words that only sound like digits: as before
UNCHANGED: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("いちど、えーと、にど", "いちど、にど", []),
    ("すずきさん、えーと、いちにさんの件です", "すずきさん、123の件です", []),  # さん after a name
    ("ななはち、えーと、に電話してください", "ななはち、に電話してください", []),  # に set apart: a particle
    ("あのー、さんじにおねがいします", "3時におねがいします", []),
    ("えーと、明日の、えーと、さんじに", "明日の、3時に", []),
    ("えーと、えーと、まだ届かないんですけど", "まだ届かないんですけど", []),
    ("あのー、すみません、ちょっといいですか", "すみません、ちょっといいですか", []),
    # two numbers with a filler between stay two
    ("いちにさんよんごーろくななはち、えーと、ぜろきゅうぜろいちにさんよんごーろくななはち", "12345678、09012345678",
     [("order_id", "12345678"), ("phone_number", "09012345678")]),
    ("12345678、あー、ちがう、12345679です", "12345678、ちがう、12345679です", [("order_id", "12345679")]),
    # weak syllables set apart and opening a word are its first mora, not digits
    ("ごーろくななはち、えーと、にしてください", "5678、にしてください", [("digits", "5678")]),
    ("ごーろくななはち、にしてください", "5678、にしてください", [("digits", "5678")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "normalized", "digits"), UNCHANGED)
def test_fillers_elsewhere_change_nothing(text: str, normalized: str, digits: list[tuple[str, str]]) -> None:
    assert normalize(text).text == normalized
    assert _digits(text) == digits


_READINGS = ["ぜろ", "いち", "にー", "さん", "よん", "ごー", "ろく", "なな", "はち", "きゅう"]
_BETWEEN = ["", "、", " ", "…", "、えーと、", "、あのー、", " えっと ", "、うーん、", "…ええとね、", "、えーとですね、"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=8, max_size=11),
    st.lists(st.tuples(st.integers(1, 10), st.sampled_from(_BETWEEN)), max_size=4),
)
def test_any_pauses_and_fillers_between_digit_words_read_as_the_digits(
    digits: list[int], cuts: list[tuple[int, str]]
) -> None:
    seps = dict(cuts)
    text = "".join(seps.get(i, "") + _READINGS[d] for i, d in enumerate(digits))
    assert normalize(text).text == "".join(map(str, digits))
