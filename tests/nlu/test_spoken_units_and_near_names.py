"""A kana number read with its unit and the recogniser's pauses inside (「にじゅう ろく にち」), a product
name one slip away from a listed one (コーヒーメカー), and the company sworn at in kana."""

from __future__ import annotations

import pytest

from nlu.normalize import normalize
from nlu.pipeline import NLU


@pytest.mark.parametrize(("said", "read"), [
    ("にじゅう ろく にち", "26日"),
    ("じゅうに がつ にじゅう はち にち", "12月28日"),
    ("ごご に じ", "午後2時"),
    ("ごぜん じゅう じ に", "午前10時に"),
    ("にじゅう ろく にちの じゅうよ じ", "26日の14時"),
    ("にじゅうろくにち", "26日"),  # no pause: the unit reader's, as before
    ("じゅう…ろくにちの どようびで", "16日のどようびで"),  # a pause written as an ellipsis (it was 10 and the 6th)
])
def test_spaced_kana_numbers_with_a_unit(said: str, read: str) -> None:
    assert normalize(said).text == read


@pytest.mark.parametrize(("said", "read"), [
    ("いち に さん よん", "1234"),  # digits read out: the digit reader's
    ("にじゅう ろく にちようび", "にじゅうろくにちようび"),  # a weekday's name, not the 26th
    ("し じ", "しじ"),  # し alone is no 4 before 時
])
def test_what_is_not_a_spaced_number_with_a_unit(said: str, read: str) -> None:
    assert normalize(said).text == read


@pytest.mark.parametrize(("said", "product"), [
    ("コーヒーメカーってざいこあります?", "coffee_maker"),
    ("ワイヤレスイヤフォンありますか", "earphones"),
    ("コーヒーメーカーありますか", "coffee_maker"),
])
def test_a_product_name_one_slip_away_is_that_product(nlu: NLU, said: str, product: str) -> None:
    assert [e.value for e in nlu.parse(said).entities if e.type == "product"] == [product]


@pytest.mark.parametrize("said", ["コーヒーカップありますか", "ワイヤレスマウスありますか", "コーヒーを淹れたい"])
def test_other_katakana_words_are_no_product(nlu: NLU, said: str) -> None:
    assert not [e for e in nlu.parse(said).entities if e.type == "product"]


def test_the_company_sworn_at_in_kana_is_an_insult(nlu: NLU) -> None:
    parse = nlu.parse("まだ はいそうちゅう ちっ つかえねえな この くそがいしゃが")
    assert parse.harassment.detected and parse.harassment.kind == "insult"
    assert not nlu.parse("今日はくそ暑いですね").harassment.detected


@pytest.mark.parametrize(("said", "days"), [("きょうから みっかご で", 3), ("とおかごに", 10), ("いつかご", 5)])
def test_so_many_days_from_today_in_kana(nlu: NLU, said: str, days: int) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime(2027, 1, 12, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    dates = [e.value for e in nlu.parse(said, now).entities if e.type == "date"]
    assert dates == [(now.date() + timedelta(days=days)).isoformat()]
    assert not [e for e in nlu.parse("いつか行きたいです", now).entities if e.type == "date"]


def test_digits_then_a_kanji_number_stay_two_numbers(nlu: NLU) -> None:
    # dev116: 「12345678 三日後の…」 lost its order number (the space dropped, 三 became a ninth digit)
    parse = nlu.parse("12345678 三日後の18-20時で再配達おねがい")
    assert [e.value for e in parse.entities if e.type == "order_id"] == ["12345678"]
    assert any(e.type == "date" for e in parse.entities)
    # a number read partly in kanji digits is still one number
    assert [e.value for e in nlu.parse("1234 五六七八").entities if e.type == "order_id"] == ["12345678"]
