"""Language of a turn (SPEC 7.1 `language`, issue 14): Chinese in few characters, Vietnamese without its tone
marks, Portuguese against Spanish, and the Japanese that must never be read as another language (romaji from
a Latin-only recogniser, kana-only ASR, katakana lines, brands and acronyms, addresses, numbers)."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu.language import detect_language, latin_only
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

CHINESE = ["你好", "好", "多少钱", "客服", "对不起", "我是中国人", "退货", "還沒收到", "幫我查訂單", "你們太慢了",
           "有貨嗎", "謝謝您", "送貨時間"]
VIETNAMESE = ["toi muon doi hang", "hang chua den", "xin chao ban", "mat khau bi quen", "cảm ơn", "xin lỗi",
              "goi lai cho toi nhe", "toi muon noi chuyen voi quan ly", "khong"]
PORTUGUESE = ["quero cancelar", "quero trocar", "desculpe", "quero o gerente", "nao entendi", "moro em Hamamatsu",
              "cadê meu pedido"]
SPANISH = ["Quisiera saber dónde está mi pedido", "hola, quiero cancelar mi pedido"]
JAPANESE = [
    # romaji from a recogniser that writes Latin letters only
    "chuumon shita no ni todokanai", "sumimasen", "mou ichido onegaishimasu", "kyanseru shitai", "Tanaka desu",
    "konnichiwa", "hai", "iie", "wakarimashita",
    # romaji place names, brands and acronyms a Japanese caller says alone
    "Tokyo", "Osaka", "Shibuya", "Amazon", "iPad", "PayPay", "Bluetooth", "SMS", "ATM", "USB HDMI",
    # kana-only ASR, katakana-heavy lines, loanwords, addresses, numbers, kanji-only phrases
    "ちゅうもんしたのにまだとどかない", "コーヒーメーカーのキャンセル", "LINEで連絡ください", "OK OK",
    "東京都渋谷区神南1-2-3", "札幌市中央区北1条西2丁目", "〒530-0001", "08011112222", "10:30", "#",
    "注文確認", "返品交換", "定休日", "不要", "了解", "渡邊", "会員登録", "中国語",
    # a polite opener and Japanese without kana after it
    "すみません、注文状況", "すみません、梅田店", "もしもし、12345678", "すみません、OK",
]
# one Japanese word first, then the caller's own language (「すみません」 was enough to make it all Japanese)
OPENED_IN_JAPANESE = [("すみません、我不会说日语。可以说中文吗？我想退货。", "zh"), ("すみません、한국어 되나요?", "ko"),
                      ("もしもし、Can I speak English please?", "en")]


@pytest.mark.parametrize(("text", "code"), OPENED_IN_JAPANESE)
def test_a_japanese_opener_before_another_language(text: str, code: str) -> None:
    assert detect_language(text).code == code


@pytest.mark.parametrize("text", CHINESE)
def test_short_chinese_simplified_or_traditional(text: str) -> None:
    assert detect_language(text).code == "zh"


@pytest.mark.parametrize("text", VIETNAMESE)
def test_vietnamese_with_or_without_tone_marks(text: str) -> None:
    assert detect_language(text).code == "vi"


@pytest.mark.parametrize("text", PORTUGUESE)
def test_portuguese_is_not_read_as_spanish(text: str) -> None:
    assert detect_language(text).code == "pt"


@pytest.mark.parametrize("text", SPANISH)
def test_spanish_words_keep_spanish(text: str) -> None:
    assert detect_language(text).code == "es"


@pytest.mark.parametrize("text", JAPANESE)
def test_japanese_is_never_read_as_another_language(text: str) -> None:
    guess = detect_language(text)
    assert guess.code == "ja"
    # a guess that takes a call back to Japanese needs 0.9: romaji and proper nouns never reach it
    if text.isascii() and not text.replace(" ", "").isdigit():
        assert guess.confidence < 0.9


@pytest.mark.parametrize("text", ["see you", "sure", "bye bye", "no no", "negative", "where is the shop"])
def test_romaji_shaped_english_stays_english(text: str) -> None:
    assert detect_language(text).code == "en"


def test_latin_only_lines_use_the_english_entity_rules(nlu: NLU) -> None:
    assert latin_only("Shibuya") and not latin_only("渋谷 Shibuya") and not latin_only("12345678")
    now = datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO)
    parsed = nlu.parse("Shibuya", now)
    assert parsed.language == "ja"
    assert [(e.type, e.value) for e in parsed.entities] == [("store", "shibuya")]
