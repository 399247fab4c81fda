"""normalize(): numbers in number contexts only, fillers, stutters, width, and exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import apply_edits, normalize

CASES = [
    # spoken kana digits (SPEC 4, 5)
    ("いちにさん", "123"),
    ("ゼロキューゼロ", "090"),
    ("いちにさんよん ごーろくななはち", "12345678"),
    ("ぜろきゅうぜろ いちにさんよん ごーろくななはち", "09012345678"),
    ("ちゅうもんばんごうは いちにさんよん ごーろくななはちです", "ちゅうもんばんごうは12345678です"),
    ("ばんごうは いちに", "ばんごうは12"),
    # kanji numerals
    ("二三四五", "2345"),
    ("〇九〇", "090"),
    ("十一月三十日", "11月30日"),
    ("午後三時", "午後3時"),
    ("夕方五時すぎ", "夕方5時すぎ"),
    ("三千九百八十円", "3980円"),
    ("1万円", "10000円"),
    ("三時十分", "3時10分"),
    # kana numbers with a unit
    ("ごごにじに来てください", "午後2時に来てください"),
    ("ごごさんじはん", "午後3時半"),
    ("あしたのごぜんじゅうじから", "あしたの午前10時から"),
    ("じゅうにがつみっか", "12月3日"),
    ("ごひゃくえん", "500円"),
    ("あさ9じはん", "あさ9時半"),
    # width, DTMF, dashes, ranges
    ("１２３４５６７８", "12345678"),
    ("12345678", "12345678"),
    ("090－1234－5678", "090-1234-5678"),
    ("ｶﾞｷﾞｸﾞ", "ガギグ"),
    ("10時〜12時", "10時~12時"),
    ("10時～12時", "10時~12時"),
    ("すご〜い", "すごい"),
    # fillers, stutters, repeats
    ("えーっと ちゅうもんしたしょうひんが まだとどかない", "ちゅうもんしたしょうひんがまだとどかない"),
    ("あのー、注文の件で", "注文の件で"),
    ("えー、あー、注文を、えっと、キャンセルしたい", "注文を、キャンセルしたい"),
    ("うーん、まあ、いいです", "いいです"),
    ("エーット、アノー、注文", "注文"),
    ("そのー商品が", "商品が"),
    ("ちゅ、ちゅうもん", "ちゅうもん"),
    ("いや、やっぱり日にち変えて", "いや、やっぱり日にち変えて"),  # the end of いや is no stutter of やっぱり
    ("注文注文", "注文"),
    ("はいはいはい", "はい"),
    ("はい、はい", "はい"),
    ("もしもしもし", "もしもし"),
    ("\x00注文\u200bです\n", "注文です"),
]

# ordinary words that contain digit syllables or numeral kanji: untouched
UNCHANGED = [
    "あの店に行きたい", "まあまあです", "いろいろ", "もしもし", "イライラする", "しごくまっとうです",
    "いちどお願いします", "さんぽ", "しちに入れた", "はい", "くるまで来ます", "ごめんなさい",
    "いちを教えて", "きゅうきゅうしゃ", "よろしくおねがいします", "サンキュー", "一緒に行く", "一応",
    "千葉", "十分です", "統一", "二度と", "しじ", "ごじつ", "へえー", "いちいち", "くにに", "いちごに",
    "エースです", "アームが壊れた", "一時的に止めて", "さんのいちばん", "〇〇様",
    # a verb's えと after its kanji is no filler (a threat was lost: 考えといた -> 考いた)
    "身の安全、考えといたほうがいいぞ", "覚えとってや", "控えとくわ",
]  # fmt: skip


def _check_offsets(text: str) -> None:
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == len(text)
    assert list(norm.offsets) == sorted(norm.offsets)
    assert all(0 <= o < len(text) for o in norm.offsets[:-1])


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text).text == expected
    _check_offsets(text)


@pytest.mark.parametrize("text", UNCHANGED)
def test_no_misfire(text: str) -> None:
    assert normalize(text).text == text


@pytest.mark.parametrize(
    ("text", "needle", "original"),
    [
        ("注文番号は いちにさんよん ごーろくななはち です", "12345678", "いちにさんよん ごーろくななはち"),
        ("えーっと、十一月三十日に", "11月30日", "十一月三十日"),
        ("えーっと、十一月三十日に", "30", "三十"),
        ("あのー　午後三時で", "午後3時", "午後三時"),
        ("ＡＢＣ１２３", "123", "１２３"),
        ("ｶﾞｷﾞ 1万円", "10000円", "1万円"),
        ("ぜろきゅうぜろの いちにさんよんの ごーろくななはち", "09012345678", "ぜろきゅうぜろの いちにさんよんの ごーろくななはち"),
        ("ごごにじはん", "午後2時半", "ごごにじはん"),
    ],
)
def test_span_maps_back(text: str, needle: str, original: str) -> None:
    norm = normalize(text)
    start = norm.text.index(needle)
    a, b = norm.span(start, start + len(needle))
    assert text[a:b] == original


def test_every_character_maps_to_its_source() -> None:
    text = "えーっと、ＡＢＣの注文です"
    norm = normalize(text)
    assert norm.text == "ABCの注文です"
    for ch, o in zip(norm.text, norm.offsets, strict=False):
        assert text[o] == ch or text[o] == chr(ord(ch) + 0xFEE0)


def test_empty_and_blank() -> None:
    assert normalize("").text == ""
    assert normalize("").offsets == (0,)
    assert normalize("   ").text == ""
    assert normalize("   ").offsets == (3,)


def test_apply_edits_spreads_new_characters_over_the_span() -> None:
    text, offs = apply_edits("abcdef", [0, 1, 2, 3, 4, 5], [(1, 5, "XY"), (5, 6, "")])
    assert text == "aXY"
    assert offs == [0, 1, 4]


@pytest.mark.parametrize("text", ["\ud800注文", "注\x07文", "\ufeff注文", "ｱｲｳ　ｴｵ", "a\u0301", "㍉"])
def test_odd_input_keeps_offsets_consistent(text: str) -> None:
    _check_offsets(text)


ALPHABET = "いちにさんよんごーろくななはちきゅうぜろゼロキュー〇一二三四五六七八九十百千万円時日月午後えあのそまうんーっと、 ~〜－-１２３0123456789ｶﾞ注文渋谷\x00\u200b\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_offsets_invariants_on_random_text(text: str) -> None:
    _check_offsets(text)


def test_an_empty_edit_at_the_very_end_is_no_crash() -> None:
    # hypothesis found 「あさ、、あさ」 (a caller's pause typed twice): an empty edit at the end of the text read
    # the offset past the end and `ivr nlu parse` answered "could not analyse this line: IndexError"
    assert apply_edits("あさ", [0, 1], [(2, 2, "")]) == ("あさ", [0, 1])
    norm = normalize("あさ、、あさ")
    assert norm.text == "あさ、、あさ" and norm.span(0, len(norm.text)) == (0, 6)
