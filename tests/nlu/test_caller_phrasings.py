"""Entities said the way callers and the recogniser say them: picks from the window list (一番遅いの),
homophones of window words (御前中), digits written with homophone kanji (ゼロ急ゼロ) or voiced the Tohoku
way (いぢ, ろぐ, はぢ), a date confirmed by its weekday (12月20日の日曜日), a day of a named month (来月の
ついたち) and products described rather than named (お湯を沸かす). Each table has rows that must not change."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu import numbers
from nlu.entities import LexEntry, default_lexicon, extract_entities, load_lexicon
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Thursday
AM, LATE_PM, LATE_NIGHT = "08:00-12:00", "16:00-18:00", "19:00-21:00"
DIGIT_TYPES = ("order_id", "phone_number", "postal_code")


def _extract(text: str, etype: str | tuple[str, ...]) -> list[Entity]:
    norm = normalize(text)
    types = (etype,) if isinstance(etype, str) else etype
    return [e for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon()) if e.type in types]


def _one(text: str, etype: str | tuple[str, ...]) -> Entity:
    found = _extract(text, etype)
    assert len(found) == 1, found
    return found[0]


# 1. the latest slot picked from the list: (text, the original substring)
PICKS: list[tuple[str, str]] = [
    ("ちゃう、一番遅いのにして", "一番遅いの"),
    ("遅いほうでお願いします", "遅いほう"),
    ("最後の便で", "最後の便"),
    ("いちばんおそいのにしてください", "いちばんおそいの"),
    ("一番遅いやつがいいです", "一番遅いやつ"),
    ("遅い方の便にしてください", "遅い方の便"),
    ("明日の最後の枠でお願いします", "最後の枠"),
    ("ほな一番遅いとこで頼むわ", "一番遅いとこ"),
]


@pytest.mark.parametrize(("text", "original"), PICKS)
def test_latest_slot_picked(text: str, original: str) -> None:
    window = _one(text, "time_window")
    assert (window.value, text[window.start : window.end]) == (LATE_NIGHT, original)


@pytest.mark.parametrize(
    "text",
    [
        "配達が遅いのはなぜですか", "一番遅いのに、まだ届かない", "足が遅い方です", "最後の便りです",
        "対応が遅いほうだと思う", "一番遅いので、困ってます", "さいごのびんをすてた", "最後の一個でした",
    ],
)  # fmt: skip
def test_slow_or_last_is_not_a_pick(text: str) -> None:
    assert _extract(text, "time_window") == []


# 2. window words the recogniser wrote with other kanji or kana
HOMOPHONE_WINDOWS: list[tuple[str, str, str]] = [
    ("御前中で", AM, "御前中"),
    ("午前ちゅうにおねがいします", AM, "午前ちゅう"),
    ("ごぜん中でお願いします", AM, "ごぜん中"),
    ("明日の御前中に届けて", AM, "御前中"),
    ("ご前中で", AM, "ご前中"),
    ("夕型でお願い", LATE_PM, "夕型"),
    ("あしたの夕がたに", LATE_PM, "夕がた"),
    ("ゆう方で", LATE_PM, "ゆう方"),
]


@pytest.mark.parametrize(("text", "value", "original"), HOMOPHONE_WINDOWS)
def test_homophone_window_words(text: str, value: str, original: str) -> None:
    window = _one(text, "time_window")
    assert (window.value, text[window.start : window.end]) == (value, original)


@pytest.mark.parametrize("text", ["御前", "御前様がお見えです", "御前試合を見た", "御前に参ります", "ご前様"])
def test_homophone_window_needs_the_whole_word(text: str) -> None:
    assert _extract(text, "time_window") == []


# 3. spoken digits written with homophone kanji, inside a digit run: (text, type, value, original)
HOMOPHONE_DIGITS: list[tuple[str, str, str, str]] = [
    ("ゼロ急ゼロ 1234 5678", "phone_number", "09012345678", "ゼロ急ゼロ 1234 5678"),
    ("電話番号はゼロ急ゼロ 1234 5678です", "phone_number", "09012345678", "ゼロ急ゼロ 1234 5678"),
    ("ゼロ九ゼロ、1234、5678", "phone_number", "09012345678", "ゼロ九ゼロ、1234、5678"),
    ("090 市似産四 5678", "phone_number", "09012345678", "090 市似産四 5678"),
    ("注文番号は市似産四碁録七鉢です", "order_id", "12345678", "市似産四碁録七鉢"),
    ("0急0 1234 5678", "phone_number", "09012345678", "0急0 1234 5678"),
    ("零急零の1234の5678", "phone_number", "09012345678", "零急零の1234の5678"),
    ("ゼロ急ゼロ、いちにさんよん、ごーろくななはち", "phone_number", "09012345678",
     "ゼロ急ゼロ、いちにさんよん、ごーろくななはち"),
    ("いち似さんよん ごーろくななはち", "order_id", "12345678", "いち似さんよん ごーろくななはち"),
    ("ゼロ八ゼロ 9876 5432", "phone_number", "08098765432", "ゼロ八ゼロ 9876 5432"),
    ("ゼロ90 1234 5678", "phone_number", "09012345678", "ゼロ90 1234 5678"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "etype", "value", "original"), HOMOPHONE_DIGITS)
def test_homophone_digits_in_a_run(text: str, etype: str, value: str, original: str) -> None:
    found = _one(text, DIGIT_TYPES)
    assert (found.type, found.value, text[found.start : found.end]) == (etype, value, original)


@pytest.mark.parametrize(
    "text",
    [
        # homophones in ordinary words, or a counter after a number
        "市役所に電話した", "急ぎでお願いします", "救急車を呼んだ", "産地直送の鉢植え", "至急折り返してください",
        "碁石を買った", "記録を見てください", "似たような商品", "大阪市1-2-3", "八王子市1丁目", "12鉢を注文",
        "100球投げた", "2鉢ください",
        # a homophone or kanji digit with only a particle beside it, or no digit to say it is a number
        "急に三、四人来た", "皆さん急に来られても", "一にも二にも", "市似産", "一番遅いので", "七五三のお祝い",
    ],
)  # fmt: skip
def test_homophones_outside_a_run_stay_words(text: str) -> None:
    assert numbers.homophone_digit_edits(unicodedata.normalize("NFKC", text)) == []
    assert _extract(text, DIGIT_TYPES) == []


# 4. Tohoku voicing of kana digits (いぢ, ろぐ, はぢ, しぢ): (text, type, value)
VOICED_DIGITS: list[tuple[str, str, str]] = [
    ("ぜろきゅうぜろ、いぢにさんよん、ごろぐななはぢ", "phone_number", "09012345678"),
    ("いぢにさんよんごろぐななはぢ", "order_id", "12345678"),
    ("ちゅうもんばんごうは いぢに さんよん ごーろぐ ななはぢです", "order_id", "12345678"),
    ("ぜろろぐ、いぢにさんよん、ごろぐななはぢ", "phone_number", "0612345678"),
    ("ゆうびんばんごうは いぢごーぜろ ぜろぜろぜろいぢ", "postal_code", "1500001"),
    ("ぜろきゅうぜろ いぢにさんよん ごろぐしぢはぢ", "phone_number", "09012345678"),
    ("ゼロキューゼロ イヂニサンヨン ゴログナナハヂ", "phone_number", "09012345678"),
]


@pytest.mark.parametrize(("text", "etype", "value"), VOICED_DIGITS)
def test_tohoku_voiced_digits(text: str, etype: str, value: str) -> None:
    found = _one(text, DIGIT_TYPES)
    assert (found.type, found.value) == (etype, value)


@pytest.mark.parametrize(
    "text", ["いぢわるしないで", "ログインできない", "ろぐでもねえ", "はぢまきを巻いて", "いぢど聞いてみます", "ごろぐななはぢ"]
)
def test_voiced_syllables_outside_numbers_stay_words(text: str) -> None:
    assert normalize(text).text == text
    assert _extract(text, DIGIT_TYPES) == []


# 5. an explicit date followed by its weekday is one date; the date said in full wins a contradiction
DATES_WITH_WEEKDAY: list[tuple[str, str, str]] = [
    ("12月20日の日曜日でお願いします", "2026-12-20", "12月20日の日曜日"),
    ("20日の日曜で", "2026-12-20", "20日の日曜"),
    ("12月20日日曜日に", "2026-12-20", "12月20日日曜日"),
    ("じゅうにがつはつかのにちようびで", "2026-12-20", "じゅうにがつはつかのにちようび"),
    ("12/20の日曜日", "2026-12-20", "12/20の日曜日"),
    ("来月の20日の水曜日", "2027-01-20", "来月の20日の水曜日"),
    ("12月20日、日曜日でお願いします", "2026-12-20", "12月20日、日曜日"),
    ("12月20日(日)で", "2026-12-20", "12月20日(日)"),
    ("12月20日の月曜日", "2026-12-20", "12月20日の月曜日"),  # contradicts: the date wins
    ("12月21日は日曜日でしたっけ", "2026-12-21", "12月21日は日曜日"),
]


@pytest.mark.parametrize(("text", "value", "original"), DATES_WITH_WEEKDAY)
def test_weekday_confirms_the_date(text: str, value: str, original: str) -> None:
    found = _one(text, "date")
    assert (found.value, text[found.start : found.end]) == (value, original)


@pytest.mark.parametrize(("text", "value"), [
    ("はつかの きんようび", "2026-12-20"),  # the kana day, which its weekday follows (the weekday alone was read)
    ("はつか きんようび", "2026-12-04"),  # no kana day read here: the weekday stays, not no date at all
])
def test_a_kana_day_before_a_weekday(text: str, value: str) -> None:
    assert _one(text, "date").value == value


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("12月20日と日曜日", ["2026-12-20", "2026-12-06"]),
        ("12月20日に注文して、日曜日に届いた", ["2026-12-20", "2026-12-06"]),
        ("20日か日曜日", ["2026-12-20", "2026-12-06"]),
        ("12月20日の来週の日曜", ["2026-12-20", "2026-12-13"]),
        ("3日後の日曜日", ["2026-12-06", "2026-12-06"]),
        ("12月20日、いや日曜日", ["2026-12-06"]),
        ("日曜日の20日", ["2026-12-06", "2026-12-20"]),
    ],
)
def test_other_weekdays_stay_dates(text: str, values: list[str]) -> None:
    assert [e.value for e in _extract(text, "date")] == values


# 6. a day of this, next or the month after next: (text, value, original)
MONTH_DAYS: list[tuple[str, str, str]] = [
    ("来月のついたちにしてもらえます？", "2027-01-01", "来月のついたち"),
    ("来月の1日で", "2027-01-01", "来月の1日"),
    ("来月の十日にお願いします", "2027-01-10", "来月の十日"),
    ("来月の15日", "2027-01-15", "来月の15日"),
    ("今月の十日", "2026-12-10", "今月の十日"),
    ("再来月の5日", "2027-02-05", "再来月の5日"),
    ("らいげつのついたち", "2027-01-01", "らいげつのついたち"),
    ("こんげつのはつかで", "2026-12-20", "こんげつのはつか"),
    ("さらいげつのとおかに", "2027-02-10", "さらいげつのとおか"),
    ("じゅうにがつのとおか", "2026-12-10", "じゅうにがつのとおか"),
    # the 14th and the 24th are read with よっか (dev32: 「じゅういちがつ にじゅうよっか」 was no date)
    ("じゅうにがつ にじゅうよっか", "2026-12-24", "じゅうにがつ にじゅうよっか"),
    ("じゅうにがつじゅうよっかで", "2026-12-14", "じゅうにがつじゅうよっか"),
    ("1月の10日", "2027-01-10", "1月の10日"),
]


@pytest.mark.parametrize(("text", "value", "original"), MONTH_DAYS)
def test_day_of_a_named_month(text: str, value: str, original: str) -> None:
    found = _one(text, "date")
    assert (found.value, text[found.start : found.end]) == (value, original)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("来月のいつか届く", []), ("さらいげつのいつかで", []), ("来月中に", []), ("来月の頭に", []),
        ("いつか行きます", []), ("げつようかな", ["2026-12-07"]),
    ],
)  # fmt: skip
def test_month_words_without_a_day(text: str, values: list[str]) -> None:
    assert [e.value for e in _extract(text, "date")] == values


# 7. products described rather than named (lexicon `descriptions`): (text, product id)
DESCRIBED: list[tuple[str, str]] = [
    ("お湯を沸かす、電気の、あれですよ", "kettle"),
    ("おゆをわかすやつ", "kettle"),
    ("お湯をわかす電気のやつ", "kettle"),
    ("湯沸かしはいつ来るのかね", "kettle"),
    ("お湯が沸かないんです", "kettle"),
    ("電気のやかんを頼んだ", "kettle"),
    ("耳につける無線のやつ", "earphones"),
    ("みみにつけるやつ", "earphones"),
    ("耳に付けるやつが届かない", "earphones"),
    ("ブルートゥースのイヤホン", "earphones"),
    ("ブルートゥースのやつ", "earphones"),
    ("コーヒーを淹れる機械", "coffee_maker"),
    ("コーヒーをいれるきかい", "coffee_maker"),
    ("コーヒーを入れるやつ", "coffee_maker"),
    ("コーヒーを作る機械が壊れた", "coffee_maker"),
]


@pytest.mark.parametrize(("text", "product"), DESCRIBED)
def test_product_by_description(text: str, product: str) -> None:
    assert {e.value for e in _extract(text, "product")} == {product}


@pytest.mark.parametrize(
    "text",
    [
        "コーヒーを飲む", "お湯が出ない", "耳が痛い", "電気代が高い", "ブルートゥースがつながらない", "無線LANの設定",
        "電気の、あれですよ", "お湯",
    ],
)  # fmt: skip
def test_no_product_without_its_description(text: str) -> None:
    assert _extract(text, "product") == []


def test_descriptions_are_lexicon_data(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(
        "stores: {}\nproducts:\n  fan: {name: 扇風機, descriptions: [風を送る, かぜをおくる]}\n", encoding="utf-8"
    )
    lexicon = load_lexicon(path)
    assert lexicon.entries["product"] == (LexEntry("fan", "扇風機", descriptions=("風を送る", "かぜをおくる")),)
    for text in ("風を送るやつ", "かぜをおくるきかい", "風をおくる機械"):  # the kana form finds the reading too
        norm = normalize(text)
        assert [e.value for e in lexicon.match(norm, tokenize(norm.text))] == ["fan"], text
