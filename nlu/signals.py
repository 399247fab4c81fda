"""Call-center signals that are facts of wording rather than learned classes.

Matched on katakana readings so that 訴える, うったえる and ウッタエル are one signal. Escalation rules
read these flags; the words themselves are not a classifier, only markers a supervisor asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import jaconv

from nlu.features import fold_reading
from nlu.types import Token

# flag -> reading fragments (folded katakana)
_MARKERS: dict[str, tuple[str, ...]] = {
    # legal threats and regulators (SPEC 6: complex)
    "legal_threat": (
        "ウッタエ",
        "サイバン",
        "ベンゴシ",
        "ショウヒシャセンタ",
        "ショウヒシャチョウ",
        "コクミンセイカツセンタ",
        "ケイサツ",
        "ホウテキソチ",
        "テイソ",
        # UniDic reads 警察 and 提訴 with a long vowel (ケーサツ, テーソ), which folds otherwise than ケイ
        "ケーサツ",
        "テーソ",
    ),
    # the caller says they already said it: rising irritation even in calm words
    "repetition_complaint": (
        "サッキモイ",
        "サッキイ",
        "ナンドモイ",
        "ナンカイモイ",
        "ナンカイイ",
        "ナンベンモ",
        "ナンベンイ",
        "モウイッタ",
        "イッタデショ",
        "イイマシタヨネ",
        "イッタヤ",
    ),
    "urgent": ("イソイデ", "シキュウ", "イマスグ", "ハヤク", "ハヨ"),
}


_FOLDED = {flag: tuple(fold_reading(m) for m in marks) for flag, marks in _MARKERS.items()}
# a workplace, not a step taken (「弁護士事務所で事務をしている者です」「弁護士事務所勤務の」): no legal threat; a lawyer's
# office brought in (弁護士事務所に相談, 弁護士事務所から連絡) still is one
_NOT_A_THREAT = re.compile(r"ベンゴシジムショ(デ(ジム|ハタラ|ツトメ|オシゴト|シゴト)|キンム|ニツトメ|ノジム|ノモノ)|"
                           # the police told of, not called on the shop (「けいさつと ほけんやさんと やりとりで」 after an
                           # accident): only 警察に/へ/を/呼ぶ/沙汰 threaten
                           r"ケ[イウー]サツ(?!ニ|ヘ|エ|オ|ヨ|ザタ|サタ)")


def reading_of(text: str, tokens: Sequence[Token]) -> str:
    if tokens:
        return "".join(fold_reading(t.reading) for t in tokens)
    return fold_reading(str(jaconv.hira2kata(text)))


# the caller's own Japanese is limited (「日本語わかりません」「すみません、日本語ちょっとだけ」): a foreign caller to
# serve in English, not the insult 「日本語わからないのか」 thrown at the agent (the harassment lexicon lists
# 日本語わからない for that), which asks (の, か, ?), adds も (「日本語もわからない」) or names the agent
_VERB = (r"(ワカリマセン|ワカラナイ|ワカンナイ|ワカラン|ハナセマセン|ハナセナイ|シャベレマセン|シャベレナイ|デキマセン|デキナイ|"
         r"ダメ|ムズカシ|ニガテ|ヘタ)")
_LITTLE = r"(スコシ|チョッ?ト|アマリ|マダ|ヨク|ゼンゼン)(ダケ)?"
_LIMITED_JAPANESE = re.compile(
    rf"(?<!モ)ニ(ホ|ポ|ッポ)ンゴ(ガ|ワ|ハ)?({_LITTLE}({_VERB}|ハナセマス|ワカリマス|デス|$|、|。)|{_VERB})"
    r"(?!ノ|ンカ|ンノ|カ|ンデスカ|ンジャ)"
)
_TO_THE_AGENT = re.compile(r"アンタ|オマエ|テメ|キサマ|キミ|アナタ|オタク|ソッチ|ソチラ|オネエサン|ニイチャン|ネエチャン")


def word_starts(readings: Iterable[str]) -> frozenset[int]:
    """Where each word of two kana or more starts in the words' readings joined, in order: a marker counts only
    from a word's start, so that 「くださいばんごう」 (ください + 番号) holds no サイバン (裁判), and 「届いて|い|そう」 no
    テイソ (提訴). The escalation rules' kana keywords use it too, on their own folding of the readings."""
    starts, at = set(), 0
    for reading in readings:
        if len(reading) >= 2:  # not from a one-kana particle or ending
            starts.add(at)
        at += len(reading)
    return frozenset(starts)


def found_from_word_start(reading: str, mark: str, starts: frozenset[int] | None) -> bool:
    """Whether `mark` occurs in `reading` from one of `starts` (anywhere, when the words are not known)."""
    at = reading.find(mark)
    while at >= 0:
        if starts is None or at in starts:
            return True
        at = reading.find(mark, at + 1)
    return False


def flags(text: str, tokens: Sequence[Token]) -> frozenset[str]:
    reading = reading_of(text, tokens)
    starts = word_starts(fold_reading(t.reading) for t in tokens) if tokens else None
    found = {flag for flag, marks in _FOLDED.items() if any(found_from_word_start(reading, m, starts) for m in marks)}
    if "legal_threat" in found and _NOT_A_THREAT.search(reading):
        rest = _NOT_A_THREAT.sub("", reading)
        if not any(m in rest for m in _FOLDED["legal_threat"]):
            found.discard("legal_threat")
    if (_LIMITED_JAPANESE.search(reading) and not _TO_THE_AGENT.search(reading)
            and not any(q in text for q in "?？")):
        found.add("limited_japanese")
    return frozenset(found)
