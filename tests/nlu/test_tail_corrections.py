"""A number corrected by its last digits only (「…5679、あ、間違えました、5678です」「12345679、いや、最後は8です」):
the later digits replace the tail of the number said before the marker, as one entity."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
NUMBER_TYPES = ("order_id", "phone_number", "postal_code", "digits")


def _extract(text: str) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())


# (text, type, value, the original substring it covers)
TAILS: list[tuple[str, str, str, str]] = [
    ("090の1234の5679、あ、間違えました、5678です", "phone_number", "09012345678",
     "090の1234の5679、あ、間違えました、5678"),
    ("12345679、あ、ちがう、最後は8です", "order_id", "12345678", "12345679、あ、ちがう、最後は8"),
    ("ゼロキューゼロいちにさんよん ごーろくななきゅう、いや、ななはちです", "phone_number", "09012345678",
     "ゼロキューゼロいちにさんよん ごーろくななきゅう、いや、ななはち"),
    # keigo
    ("注文番号は12345679、あ、すみません、最後は8でございます", "order_id", "12345678",
     "12345679、あ、すみません、最後は8"),
    ("090-1234-5679、失礼しました、下四桁は5678です", "phone_number", "09012345678",
     "090-1234-5679、失礼しました、下四桁は5678"),
    ("郵便番号は150-0001、申し訳ありません、0002です", "postal_code", "1500002", "150-0001、申し訳ありません、0002"),
    # casual
    ("12345679、あ、ちがう、8です", "order_id", "12345678", "12345679、あ、ちがう、8"),
    ("090の1234の5679、いや、1234の5678です", "phone_number", "09012345678", "090の1234の5679、いや、1234の5678"),
    # Kansai
    ("12345679、いや、ちゃうちゃう、最後は8や", "order_id", "12345678", "12345679、いや、ちゃうちゃう、最後は8"),
    ("ぜろきゅうぜろ いちにさんよん ごーろくななきゅう、ちゃうわ、ななはちや", "phone_number", "09012345678",
     "ぜろきゅうぜろ いちにさんよん ごーろくななきゅう、ちゃうわ、ななはち"),
    # elderly
    ("ええと、12345679、あれ、違いますね、えー、最後の数字は8です", "order_id", "12345678",
     "12345679、あれ、違いますね、えー、最後の数字は8"),
    ("いちにさんよんごーろくななきゅう、あ、ちがう、さいごははちです", "order_id", "12345678",
     "いちにさんよんごーろくななきゅう、あ、ちがう、さいごははち"),
    ("12345679、あ、違う違う、おしまいのとこは、はちでございます", "order_id", "12345678",
     "12345679、あ、違う違う、おしまいのとこは、はち"),
    # kana-only ASR, no pauses
    ("ぜろきゅうぜろ いちにさんよん ごーろくななきゅう あ ちがう ななはち", "phone_number", "09012345678",
     "ぜろきゅうぜろ いちにさんよん ごーろくななきゅう あ ちがう ななはち"),
    ("いちにさんよんごーろくななきゅう いや さいごははち", "order_id", "12345678",
     "いちにさんよんごーろくななきゅう いや さいごははち"),
    # corrected twice: the last word stands
    ("12345679、あ、ちがう、最後は8です、いや、9です", "order_id", "12345679",
     "12345679、あ、ちがう、最後は8です、いや、9"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "etype", "value", "original"), TAILS)
def test_the_last_digits_said_again_replace_the_tail(
    text: str, etype: str, value: str, original: str
) -> None:
    found = [e for e in _extract(text) if e.type in NUMBER_TYPES]
    assert [(e.type, e.value) for e in found] == [(etype, value)], found
    assert text[found[0].start : found[0].end] == original


# no marker between, a later run as long as the number or not its tail, a count, a time: as before
UNCHANGED: list[tuple[str, list[tuple[str, str]]]] = [
    ("12345679、最後は8です", [("order_id", "12345679")]),
    ("12345678と、あと、5679も", [("order_id", "12345678"), ("digits", "5679")]),
    ("12345678、いや、12345679です", [("order_id", "12345679")]),
    ("12345678、いや、1500001です", [("order_id", "12345678"), ("postal_code", "1500001")]),
    ("12345678、いや、3個です", [("order_id", "12345678")]),
    ("12345678、いや、明日の3時で", [("order_id", "12345678"), ("date", "2026-11-25"), ("time", "15:00")]),
    ("12345678、いや、ごめんなさい", [("order_id", "12345678")]),
    ("090-1234-5679、いや、下3桁は5678です", [("phone_number", "09012345679"), ("digits", "5678")]),
    ("注文番号は12345678、いや、電話番号は5678", [("order_id", "12345678"), ("digits", "5678")]),
    ("注文番号は12345678、いや、電話番号は09012345678", [("order_id", "12345678"), ("phone_number", "09012345678")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "entities"), UNCHANGED)
def test_other_runs_after_a_marker_change_nothing(text: str, entities: list[tuple[str, str]]) -> None:
    assert [(e.type, str(e.value)) for e in _extract(text)] == entities
