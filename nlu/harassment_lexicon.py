"""Category features from the カスハラ lexicon (nlu/data/harassment_lexicon.yaml), matched on readings.

Matching on the folded katakana reading makes 馬鹿, ばか and バカ one entry; a match must start at a
token boundary so that words inside other words (スカス...) mostly do not count. The trained classifier
weighs the categories; the lexicon only lets it recognise words it never saw in a training sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "harassment_lexicon.yaml"
# categories that say what a harsh word is about (a product, a simile) rather than being abuse themselves:
# their features are `hxc:`, so the pipeline's "a short line with a listed abuse word" rule ignores them
CONTEXT_CATEGORIES = frozenset({"object", "simile", "english_object"})


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...]:
    """Per category: its Japanese entries (matched on the joined reading) and its English ones (matched as
    whole words on the readings joined by spaces: one English word must not hide inside another)."""
    from nlu.features import fold_reading
    from nlu.normalize import normalize
    from nlu.tokenizer import tokenize

    doc = YAML(typ="safe").load(LEXICON_PATH.read_text(encoding="utf-8")) or {}
    out = []
    for category, words in doc.items():
        readings: set[str] = set()
        english: set[str] = set()
        for word in words or []:
            tokens = [t for t in tokenize(normalize(str(word)).text) if t.reading]
            if str(word).isascii():
                english.add(" ".join(t.reading.lower() for t in tokens))
            else:
                readings.add("".join(fold_reading(t.reading) for t in tokens))
        readings.discard("")
        english.discard("")
        if readings or english:
            out.append((str(category), _alternation(readings), _alternation(english, r"(?<![\w'])", r"(?![\w'])")))
    return tuple(out)


def _alternation(entries: set[str], before: str = "", after: str = "") -> re.Pattern[str] | None:
    if not entries:
        return None
    return re.compile(before + "(?:" + "|".join(re.escape(e) for e in sorted(entries, key=len, reverse=True)) + ")" + after)


# sentence-final particles fugashi sometimes fuses onto an imperative (死ねよ, 消えろや): folded readings
_FUSED_FINALS = ("ヨ", "ヤ", "ヨウ")


def categories(readings: Sequence[str]) -> list[str]:
    """Lexicon categories present in an utterance, given its tokens' folded readings."""
    joined = "".join(readings)
    spaced = " ".join(readings).lower()  # English words, in any case
    starts = set()
    pos = 0
    for r in readings:
        starts.add(pos)
        pos += len(r)
    ends = (starts - {0}) | {pos}
    # fugashi reads 「死ねよ」 as one verb token: a sentence-final particle fused to the token still ends the word
    pos = 0
    for r in readings:
        pos += len(r)
        for tail in _FUSED_FINALS:
            if len(r) > len(tail) and r.endswith(tail):
                ends.add(pos - len(tail))
    found = []
    for category, pattern, english in _patterns():
        if english is not None and english.search(spaced):
            found.append(category)
            continue
        if pattern is None:
            continue
        for match in pattern.finditer(joined):
            # a two-kana entry (カス, ゴミ) must be a whole word: カスタマー is not an insult
            if match.start() in starts and (match.end() - match.start() > 2 or match.end() in ends):
                found.append(category)
                break
    return found
