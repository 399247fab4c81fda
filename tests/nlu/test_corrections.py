"""Self-corrections in one utterance: after a marker (いや, 違う, じゃなくて, 間違えました, ...) between two
values of one type, only the later value is returned; without a marker both stay."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import entities
from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity, Normalized, Token

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Monday


def _extract(text: str) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())


# (text, type, the values of that type that remain)
CORRECTED: list[tuple[str, str, list[str]]] = [
    ("34567890、あ、ちがう、23456789です", "order_id", ["23456789"]),
    ("明日、いや、あさってでお願いします", "date", ["2026-11-25"]),
    ("12345678じゃなくて12345679です", "order_id", ["12345679"]),
    ("夕方…じゃなかった、午前中で", "time_window", ["08:00-12:00"]),
    ("090-1234-5678、間違えました、080-9876-5432です", "phone_number", ["08098765432"]),
    # keigo
    ("注文番号は12345678、あ、すみません、12345687です", "order_id", ["12345687"]),
    ("月曜、いえ、火曜日でお願いいたします", "date", ["2026-11-24"]),
    ("郵便番号は1500001、失礼しました、1500002でございます", "postal_code", ["1500002"]),
    ("3時、訂正します、4時でお願いします", "time", ["16:00"]),
    ("090-1234-5678、あっ、申し訳ありません、090-1234-5679です", "phone_number", ["09012345679"]),
    # casual, Kansai
    ("明日、ちゃうちゃう、あさってや", "date", ["2026-11-25"]),
    ("夜、じゃなくて、午前中でええわ", "time_window", ["08:00-12:00"]),
    ("渋谷店、いや、梅田店です", "store", ["umeda"]),
    ("午前中、あ、やっぱり夕方で", "time_window", ["16:00-18:00"]),
    ("14時から16時、いや、18時から20時で", "time_window", ["18:00-20:00"]),
    # several types corrected at once: the other values between them do not hide the marker
    ("明日の夕方、いや、あさっての午前中", "date", ["2026-11-25"]),
    ("明日の夕方、いや、あさっての午前中", "time_window", ["08:00-12:00"]),
    # elderly, fillers
    ("ええと、十二月三日、じゃなくて、十二月四日でお願いします", "date", ["2026-12-04"]),
    ("えーっと、12345678、あれ、違います、えー、12345679です", "order_id", ["12345679"]),
    # kana-only ASR
    ("いちにさんよんごーろくななはち あ ちがう いちにさんよんごーろくななきゅう", "order_id", ["12345679"]),
    ("あしたいやあさって", "date", ["2026-11-25"]),
    ("ゆうがた じゃなくて よるで", "time_window", ["18:00-21:00"]),
    # three values, two corrections
    ("明日、いや、あさって、いや、しあさってで", "date", ["2026-11-26"]),
]


@pytest.mark.parametrize(("text", "etype", "values"), CORRECTED)
def test_the_later_value_replaces_the_earlier(text: str, etype: str, values: list[str]) -> None:
    found = [e for e in _extract(text) if e.type == etype]
    assert [e.value for e in found] == values, _extract(text)
    for e in found:
        assert 0 <= e.start < e.end <= len(text)


KEPT: list[tuple[str, str, list[str]]] = [
    ("明日か明後日", "date", ["2026-11-24", "2026-11-25"]),
    ("明日届くと言われたのに、すみません、今日も来なかったです", "date", ["2026-11-24", "2026-11-23"]),
    ("12345678と12345679の二つです", "order_id", ["12345678", "12345679"]),
    ("午前中と夕方、どちらでもいいです", "time_window", ["08:00-12:00", "16:00-18:00"]),
    ("090-1234-5678、いえ電話番号はもう一つあって、03-1234-5678もです", "phone_number", ["09012345678", "0312345678"]),
    ("12345678、12345679", "order_id", ["12345678", "12345679"]),
]


@pytest.mark.parametrize(("text", "etype", "values"), KEPT)
def test_without_a_marker_between_both_stay(text: str, etype: str, values: list[str]) -> None:
    assert [e.value for e in _extract(text) if e.type == etype] == values


def test_a_marker_between_values_of_different_types_drops_nothing() -> None:
    found = _extract("注文番号は12345678、いや、電話番号は09012345678です")
    assert [(e.type, e.value) for e in found] == [("order_id", "12345678"), ("phone_number", "09012345678")]


PIECES = [
    "12345678", "090", "1234", "5678", "いち", "にい", "ごー", "ぜろ", "きゅう", "〇九〇", "一二三四", "、", "…", "‥", "・",
    " ", "の", "ー", "いや", "あ、違う", "じゃなくて", "じゃなかった", "間違えました", "すみません", "夕方", "午前中", "夜",
    "あさ", "ばん", "14時", "から", "16時", "明日", "あさって", "です", "で", "は", "不在",
]  # fmt: skip


def _uncorrected(norm: Normalized, tokens: tuple[Token, ...]) -> tuple[Entity, ...]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(entities, "drop_corrected", lambda _norm, found: tuple(found))
        return extract_entities(norm, tokens, NOW, default_lexicon())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_corrections_only_drop_and_keep_the_last_of_each_type(pieces: list[str]) -> None:
    text = "".join(pieces)
    norm = normalize(text)
    tokens = tokenize(norm.text)
    found = extract_entities(norm, tokens, NOW, default_lexicon())
    raw = _uncorrected(norm, tokens)
    for e in raw:
        assert 0 <= e.start <= e.end <= len(text)
    it = iter(raw)
    assert all(e in it for e in found)  # a subsequence: nothing added, nothing reordered
    assert set({e.type: e for e in raw}.values()) <= set(found)  # the last word of each type stands
