"""Sparse features for the linear classifiers, built from the normalised text and its tokens.

Three views make 注文, ちゅうもん and チューモン look alike: lemmas, katakana readings (per token and as
character n-grams over the joined reading, which survives fugashi splitting hiragana nouns apart) and
character n-grams over the surface. Digit runs are reduced to their length class, so the model learns
"an 8-digit number" rather than one order number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.types import Token

_DIGITS = re.compile(r"[0-9]+")
_SKIP_POS = frozenset({"補助記号", "空白"})
# long vowels and small kana are where ASR and speakers vary most (チューモン / チュウモン)
_READING_FOLD = str.maketrans({"ー": "ウ", "ッ": "", "ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ"})


def _digit_class(run: str) -> str:
    n = len(run)
    if n == 8:
        return "#8"
    if n in (10, 11):
        return "#tel"
    if n == 7:
        return "#7"
    return "#s" if n <= 4 else "#l"


def fold_reading(reading: str) -> str:
    return reading.translate(_READING_FOLD)


def extract(text: str, tokens: Sequence[Token]) -> list[str]:
    """Feature names for one utterance (duplicates removed, order irrelevant)."""
    feats: set[str] = set()
    content = [t for t in tokens if t.pos not in _SKIP_POS]
    prev_r = "^"
    readings: list[str] = []
    for t in content:
        if t.surface.isdigit():
            cls = _digit_class(t.surface)
            feats.add("n:" + cls)
            r = cls
        else:
            r = fold_reading(t.reading)
            feats.add("l:" + t.lemma)
            feats.add("r:" + r)
            feats.add("p:" + t.pos + ":" + r if t.pos in ("助動詞", "助詞") else "p:" + t.pos)
        feats.add("rb:" + prev_r + "|" + r)
        readings.append(r)
        prev_r = r
    feats.add("rb:" + prev_r + "|$")
    joined = "^" + "".join(readings) + "$"
    for n in (2, 3, 4):
        for i in range(len(joined) - n + 1):
            feats.add(f"k{n}:" + joined[i : i + n])
    surface = "^" + _DIGITS.sub("0", "".join(ch for ch in text if not ch.isspace())) + "$"
    for n in (1, 2, 3):
        for i in range(len(surface) - n + 1):
            feats.add(f"c{n}:" + surface[i : i + n])
    if len(content) <= 2:
        feats.add("short")
    return list(feats)
