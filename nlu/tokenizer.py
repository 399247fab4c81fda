"""The only module that touches fugashi: one tagger per process, tokens read eagerly.

fugashi reads features lazily from the tagger's lattice, so every field is copied into a frozen
`Token` right after the call (see shared/notes/japanese-nlp.md). Taggers are never freed and cache
every new surface form, so there is exactly one, created on first use, and digit runs are masked
before tagging.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import fugashi
import jaconv

from nlu.types import Token

_DIGITS = re.compile(r"[0-9]+")
_lock = threading.Lock()  # a tagger shared by threads corrupts results


@lru_cache(maxsize=1)
def _tagger() -> Any:
    tagger = fugashi.Tagger()
    for warm in ("注文した商品がまだ届きません", "ちゅうもんしたしょうひん", "0"):
        tagger(warm)  # the first call pages the dictionary in (~70 ms)
    return tagger


def warm_up() -> None:
    _tagger()


def _reading(surface: str, kana: str | None) -> str:
    if kana and kana != "*":
        return str(kana)
    # unknown words (ゼロキューゼロ, full-width digits) have no kana: use the surface in katakana
    return str(jaconv.hira2kata(surface))


def tokenize(text: str) -> tuple[Token, ...]:
    """Tokenise normalised text. Digit runs are tagged as a single 0 and given back verbatim.

    Uses the dictionary's own line format (`Tagger.parse`) rather than a node object per token: MeCab
    formats the fields in C, a quarter of the cost of reading fugashi's feature tuples. unidic-lite's
    dicrc gives surface, pron, lForm, lemma, pos (joined with -), cType, cForm, aType.
    """
    if not text:
        return ()
    runs = _DIGITS.findall(text)
    masked = _DIGITS.sub("0", text) if runs else text
    masked = masked.replace("\t", " ").replace("\n", " ")
    with _lock:
        lines = _tagger().parse(masked).split("\n")
    out: list[Token] = []
    run_iter = iter(runs)
    for line in lines:
        fields = line.split("\t")
        if len(fields) < 5:
            continue  # EOS
        surface, pron, _lform, lemma, pos = fields[0], fields[1], fields[2], fields[3], fields[4]
        if runs and _DIGITS.fullmatch(surface):
            # fugashi may split or merge the mask; give each mask its original digits back
            digits = "".join(next(run_iter, "0") for _ in surface)
            out.append(Token(digits, digits, digits, "名詞"))
            continue
        out.append(
            Token(
                surface,
                lemma.partition("-")[0] if lemma and lemma != "*" else surface,
                pron if pron and pron != surface else _reading(surface, None),
                pos.partition("-")[0],
            )
        )
    return tuple(out)
