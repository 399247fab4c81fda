"""Sparse features for the linear classifiers, built from the normalised text and its tokens.

Three views make 注文, ちゅうもん and チューモン look alike: lemmas, katakana readings (per token and as
character n-grams over the joined reading, which survives fugashi splitting hiragana nouns apart) and
character n-grams over the surface. Digit runs are reduced to their length class, so the model learns
"an 8-digit number" rather than one order number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from nlu.harassment_lexicon import CONTEXT_CATEGORIES, categories
from nlu.types import Token

_DIGITS = re.compile(r"[0-9]+")
_SPACES = re.compile(r"\s+")
# no kana or kanji: an English line, or romaji
_LATIN_ONLY = re.compile(r"[^\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]*")
_LETTER = re.compile(r"[A-Za-z]")
_SKIP_POS = frozenset({"補助記号", "空白"})
# words that carry meaning; particles and auxiliaries are their own features already
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞"})
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


def extract(text: str, tokens: Sequence[Token], clusters: Mapping[str, int] | None = None) -> list[str]:
    """Feature names for one utterance (duplicates removed, order irrelevant). With `clusters` (nlu/
    word_clusters.py), each content word also adds its meaning cluster."""
    feats: list[str] = []
    add = feats.append
    readings: list[str] = []
    for t in tokens:
        pos = t.pos
        if pos in _SKIP_POS:
            continue
        surface = t.surface
        if surface.isdigit():
            r = _digit_class(surface)
            add("n:" + r)
        else:
            r = fold_reading(t.reading)
            add("l:" + t.lemma)
            if clusters is not None and pos in _CONTENT_POS:
                cluster = clusters.get(t.lemma, clusters.get(surface))
                if cluster is not None:
                    add(f"w:{cluster}")
            add("r:" + r)
            add("p:" + pos + ":" + r if pos == "助動詞" or pos == "助詞" else "p:" + pos)
        readings.append(r)
    bigrams = ["^", *readings, "$"]
    feats.extend(["rb:" + a + "|" + b for a, b in zip(bigrams, bigrams[1:], strict=False)])
    latin = _LATIN_ONLY.fullmatch(text) is not None and _LETTER.search(text) is not None
    if latin:
        # English (or romaji) has spaces between its words and no readings: character n-grams run inside a
        # word, lowercased, and the reading n-grams would only repeat them ("are your" gave "eyo", a cue the
        # harassment head learned from "are you single")
        surface = "^" + "_".join(_DIGITS.sub("0", text.lower()).split()) + "$"
    else:
        joined = "^" + "".join(readings) + "$"
        feats.extend(["k2:" + joined[i : i + 2] for i in range(len(joined) - 1)])
        feats.extend(["k3:" + joined[i : i + 3] for i in range(len(joined) - 2)])
        surface = "^" + _DIGITS.sub("0", _SPACES.sub("", text)) + "$"
    feats.extend(["c2:" + surface[i : i + 2] for i in range(len(surface) - 1)])
    feats.extend(["c3:" + surface[i : i + 3] for i in range(len(surface) - 2)])
    if len(readings) <= 2:
        add("short")
    found = categories(readings)
    feats.extend([("hxc:" if c in CONTEXT_CATEGORIES else "hx:") + c for c in found])
    if "second_person" in found:
        feats.extend(["hx:2p+" + c for c in found if c != "second_person" and c not in CONTEXT_CATEGORIES])
    if "english_second_person" in found:  # "you idiot": the English words aimed at someone
        feats.extend(["hx:en2p+" + c for c in found if c.startswith("english_") and c != "english_second_person"
                      and c not in CONTEXT_CATEGORIES])
    # a harsh word beside a product word is mostly about the thing (ポンコツのケトル), not the agent
    if "object" in found:
        feats.extend(["hxc:obj+" + c for c in found if c not in ("object", "second_person")])
    if "english_object" in found:
        feats.extend(["hxc:enobj+" + c for c in found if c.startswith("english_")
                      and c not in ("english_object", "english_second_person")])
    return list(set(feats))
