"""Call-center signals that are facts of wording rather than learned classes.

Matched on katakana readings so that 訴える, うったえる and ウッタエル are one signal. Escalation rules
read these flags; the words themselves are not a classifier, only markers a supervisor asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def reading_of(text: str, tokens: Sequence[Token]) -> str:
    if tokens:
        return "".join(fold_reading(t.reading) for t in tokens)
    return fold_reading(str(jaconv.hira2kata(text)))


def flags(text: str, tokens: Sequence[Token]) -> frozenset[str]:
    reading = reading_of(text, tokens)
    return frozenset(flag for flag, marks in _FOLDED.items() if any(m in reading for m in marks))
