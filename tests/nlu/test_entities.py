"""extract_entities(): normalised values, spans into the original text, and resolution of dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import LexEntry, Lexicon, default_lexicon, extract_entities, load_lexicon
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)  # a Monday


def _extract(text: str, now: datetime = NOW, lexicon: Lexicon | None = None) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), now, lexicon or default_lexicon())


# (text, type, value, the original substring the entity covers)
CASES: list[tuple[str, str, str | int, str]] = [
    # ids and numbers: spoken, kanji, full-width and DTMF forms give the same value
    ("注文番号は12345678です", "order_id", "12345678", "12345678"),
    ("12345678", "order_id", "12345678", "12345678"),
    ("１２３４５６７８", "order_id", "12345678", "１２３４５６７８"),
    ("いちにさんよん ごーろくななはち", "order_id", "12345678", "いちにさんよん ごーろくななはち"),
    ("一二三四五六七八です", "order_id", "12345678", "一二三四五六七八"),
    ("電話番号は090-1234-5678です", "phone_number", "09012345678", "090-1234-5678"),
    ("０９０－１２３４－５６７８", "phone_number", "09012345678", "０９０－１２３４－５６７８"),
    ("ゼロキューゼロ いちにさんよん ごーろくななはち", "phone_number", "09012345678", "ゼロキューゼロ いちにさんよん ごーろくななはち"),
    ("〇九〇一二三四五六七八", "phone_number", "09012345678", "〇九〇一二三四五六七八"),
    ("0312345678に折り返して", "phone_number", "0312345678", "0312345678"),
    ("〒123-4567", "postal_code", "1234567", "123-4567"),
    ("郵便番号は1234567です", "postal_code", "1234567", "1234567"),
    # seven digits are only ever a postal code, said bare when the bot asks for one
    ("1500001", "postal_code", "1500001", "1500001"),
    ("いちごーぜろ ぜろぜろぜろいち", "postal_code", "1500001", "いちごーぜろ ぜろぜろぜろいち"),
    # a weak digit (まる, く) set apart at the end of the turn is still the last digit
    ("さん よん ご ろく なな はち きゅう まる", "order_id", "34567890", "さん よん ご ろく なな はち きゅう まる"),
    ("ぜろ きゅう ぜろ いち に さん よん ご ろく なな く", "phone_number", "09012345679",
     "ぜろ きゅう ぜろ いち に さん よん ご ろく なな く"),
    ("いちにさんよんごーろくななはち に電話して", "order_id", "12345678", "いちにさんよんごーろくななはち"),
    ("三千九百八十円です", "amount", 3980, "三千九百八十円"),
    ("3,980円", "amount", 3980, "3,980円"),
    ("1万円", "amount", 10000, "1万円"),
    ("三千円", "amount", 3000, "三千円"),
    # dates (NOW is Monday 2026-11-23)
    ("十一月三十日に届けて", "date", "2026-11-30", "十一月三十日"),
    ("今日", "date", "2026-11-23", "今日"),
    ("明日の午前中", "date", "2026-11-24", "明日"),
    ("あした", "date", "2026-11-24", "あした"),
    ("あさってで", "date", "2026-11-25", "あさって"),
    ("しあさって", "date", "2026-11-26", "しあさって"),
    ("来週の月曜", "date", "2026-11-30", "来週の月曜"),
    ("らいしゅうのげつようび", "date", "2026-11-30", "らいしゅうのげつようび"),
    ("今週の金曜", "date", "2026-11-27", "今週の金曜"),
    ("今度の土曜日", "date", "2026-11-28", "今度の土曜日"),
    ("次の火曜", "date", "2026-11-24", "次の火曜"),
    ("月曜日に", "date", "2026-11-30", "月曜日"),
    ("12月3日", "date", "2026-12-03", "12月3日"),
    ("じゅうにがつみっか", "date", "2026-12-03", "じゅうにがつみっか"),
    ("じゅうにがつ いつかで", "date", "2026-12-05", "じゅうにがつ いつか"),  # ASR spaces
    ("十二月 五日", "date", "2026-12-05", "十二月 五日"),
    ("きょうとどけて", "date", "2026-11-23", "きょう"),
    ("12/3に", "date", "2026-12-03", "12/3"),
    ("3日に", "date", "2026-12-03", "3日"),
    ("25日に", "date", "2026-11-25", "25日"),
    ("1月5日", "date", "2027-01-05", "1月5日"),
    ("3日後", "date", "2026-11-26", "3日後"),
    # times
    ("午後三時", "time", "15:00", "午後三時"),
    ("夕方五時すぎ", "time", "17:00", "夕方五時すぎ"),
    ("午前10時半", "time", "10:30", "午前10時半"),
    ("15時", "time", "15:00", "15時"),
    ("夜7時", "time", "19:00", "夜7時"),
    ("朝9時", "time", "09:00", "朝9時"),
    ("お昼ごろ", "time", "12:00", "お昼"),
    ("正午に", "time", "12:00", "正午"),
    ("3時", "time", "15:00", "3時"),
    ("9時", "time", "09:00", "9時"),
    ("ごごにじ", "time", "14:00", "ごごにじ"),
    ("ごご はちじ", "time", "20:00", "ごご はちじ"),  # not 55 8時
    ("ごぜん じゅうじ", "time", "10:00", "ごぜん じゅうじ"),
    ("10:30に", "time", "10:30", "10:30"),
    ("げつようびのあさ9じ", "time", "09:00", "あさ9じ"),
    # stores and products, by surface or katakana reading
    ("渋谷店", "store", "shibuya", "渋谷店"),
    ("渋谷のお店は何時まで", "store", "shibuya", "渋谷のお店"),
    ("しぶやてんの営業時間", "store", "shibuya", "しぶやてん"),
    ("シブヤ", "store", "shibuya", "シブヤ"),
    ("うめだ", "store", "umeda", "うめだ"),
    ("大阪の店", "store", "umeda", "大阪の店"),
    ("さっぽろ", "store", "sapporo", "さっぽろ"),
    ("北海道の店", "store", "sapporo", "北海道の店"),
    ("ワイヤレスイヤホン", "product", "earphones", "ワイヤレスイヤホン"),
    ("いやほんの在庫", "product", "earphones", "いやほん"),
    ("ブルートゥースイヤホン", "product", "earphones", "ブルートゥースイヤホン"),
    ("電気ポットはありますか", "product", "kettle", "電気ポット"),
    ("やかん", "product", "kettle", "やかん"),
    ("コーヒーマシン", "product", "coffee_maker", "コーヒーマシン"),
    ("こーひーめーかー", "product", "coffee_maker", "こーひーめーかー"),
]


@pytest.mark.parametrize(("text", "etype", "value", "original"), CASES)
def test_entity(text: str, etype: str, value: str | int, original: str) -> None:
    found = [e for e in _extract(text) if e.type == etype]
    assert [e.value for e in found] == [value], _extract(text)
    assert text[found[0].start : found[0].end] == original


def test_time_range() -> None:
    found = {e.type: e.value for e in _extract("10時から12時の間で")}
    assert found == {"time": "10:00", "time_end": "12:00", "time_window": "10:00-12:00"}
    found = {e.type: e.value for e in _extract("午後1時〜3時")}
    assert found == {"time": "13:00", "time_end": "15:00", "time_window": "13:00-15:00"}


def test_several_entities_in_order() -> None:
    text = "えーっと、注文番号は いちにさんよん ごーろくななはち で、明日の午後三時に渋谷店で"
    found = _extract(text)
    assert [(e.type, e.value) for e in found] == [
        ("order_id", "12345678"),
        ("date", "2026-11-24"),
        ("time", "15:00"),
        ("store", "shibuya"),
    ]
    assert [text[e.start : e.end] for e in found] == ["いちにさんよん ごーろくななはち", "明日", "午後三時", "渋谷店"]


@pytest.mark.parametrize(
    "text",
    [
        "お店の場所を教えて", "スポットライト", "3時間かかる", "いちどお願いします", "はい", "ごめんなさい", "十分です",
        # きょう inside words is not today
        "とうきょうのじたくに", "はいそうじょうきょうをしりたい", "きょうとのみせ", "かんきょうにやさしい",
    ],
)
def test_nothing_found(text: str) -> None:
    assert _extract(text) == ()


def test_past_weekday_this_week_stays_this_week() -> None:
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=JST)
    assert _extract("今週の月曜", friday)[0].value == "2026-11-23"
    assert _extract("月曜", friday)[0].value == "2026-11-30"
    assert _extract("来週の月曜", friday)[0].value == "2026-11-30"


def test_now_in_another_timezone_is_read_in_tokyo() -> None:
    utc_evening = datetime(2026, 11, 23, 16, 0, tzinfo=ZoneInfo("UTC"))  # already the 24th in Tokyo
    assert _extract("今日", utc_evening)[0].value == "2026-11-24"


def test_ambiguous_mention_lists_alternatives() -> None:
    lexicon = Lexicon(
        {
            "store": (LexEntry("umeda", "梅田店", ("大阪",)), LexEntry("namba", "難波店", ("大阪",))),
            "product": (),
        }
    )
    (store,) = _extract("大阪の店舗", lexicon=lexicon)
    assert (store.value, store.alternatives) == ("umeda", ("namba",))
    assert store.to_json()["ambiguous"] is True


def test_load_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("stores:\n  kobe: {name: 神戸店, variants: [こうべ]}\nproducts: {}\n", encoding="utf-8")
    (store,) = _extract("コウベの店", lexicon=load_lexicon(path))
    assert store.value == "kobe"


@pytest.mark.parametrize(("text", "digits"), [
    ("注文番号は1234567です", "1234567"),  # seven digits said as an order number: not a postal code
    ("会員番号は123456782です", "123456782"),  # a bot's own number type (entities/*.yaml) reads plain digits
    ("メーターの番号はいちにさんよんごー", "12345"),
])
def test_a_number_of_no_spec_type_is_plain_digits(text: str, digits: str) -> None:
    found = [(e.type, e.value) for e in _extract(text)]
    assert found == [("digits", digits)]
