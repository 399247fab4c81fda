"""Store and product names from a designer-editable YAML lexicon, matched in katakana.

Every form (name, variant, reading, description) is folded to NFKC + katakana, and so is the text, so
that 渋谷, しぶや and シブヤ all find `shibuya`. A second pass matches the tokens' readings, which
recovers kanji the ASR got wrong but read right (埋田 -> ウメダ, コーヒーを入れる -> コーヒーをいれる).
Descriptions are what callers say when the name escapes them (お湯を沸かす, 耳につける): forms like any
other. A form listed under several ids is reported with `alternatives` instead of being guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jaconv
from ruamel.yaml import YAML

from nlu.types import Entity, Normalized, Token

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon.yaml"
ENTITY_TYPES = {"stores": "store", "products": "product"}


@dataclass(frozen=True, slots=True)
class LexEntry:
    id: str
    name: str
    variants: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()

    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.variants, *self.readings, *self.descriptions)


# the tokens' readings are pronunciations, where the particle を is オ: fold ヲ so that a form written in kana
# (おゆをわかす) finds both the kana text and the reading of お湯をわかす
_PRONOUNCED = str.maketrans("ヲ", "オ")


def fold(text: str) -> str:
    """The matching space: NFKC, hiragana -> katakana, ヲ -> オ (one character for one, offsets survive)."""
    return str(jaconv.hira2kata(unicodedata.normalize("NFKC", text))).translate(_PRONOUNCED)


@dataclass(frozen=True)
class Lexicon:
    """Entries by entity type (`store`, `product`); patterns are compiled once at construction."""

    entries: Mapping[str, tuple[LexEntry, ...]]
    _ids: dict[str, dict[str, tuple[str, ...]]] = field(init=False, repr=False, compare=False)
    _patterns: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids: dict[str, dict[str, tuple[str, ...]]] = {}
        patterns: dict[str, re.Pattern[str]] = {}
        for etype, entries in self.entries.items():
            by_form: dict[str, tuple[str, ...]] = {}
            for entry in entries:
                for form in map(fold, entry.forms()):
                    if form and entry.id not in by_form.get(form, ()):
                        by_form[form] = (*by_form.get(form, ()), entry.id)
            ids[etype] = {k.lower(): v for k, v in by_form.items()}
            if by_form:  # longest form first: 渋谷のお店 before 渋谷
                alts = "|".join(map(re.escape, sorted(by_form, key=len, reverse=True)))
                patterns[etype] = re.compile(alts, re.IGNORECASE)
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_patterns", patterns)

    def match(self, norm: Normalized, tokens: Sequence[Token] = ()) -> list[Entity]:
        """Store/product mentions, longest first, not overlapping, spans in the original text."""
        text = norm.text
        folded = fold(text)
        if len(folded) != len(text):  # NFKC changed the length (it should not on normalised text)
            folded = str(jaconv.hira2kata(text)).translate(_PRONOUNCED)
        found: list[tuple[int, int, str, tuple[str, ...]]] = []
        for etype, pattern in self._patterns.items():
            for m in pattern.finditer(folded):
                if _glued(text, m.start()):
                    continue
                found.append((m.start(), m.end(), etype, self._ids[etype][m.group().lower()]))
        found.extend(self._reading_matches(text, tokens, found))
        found.sort(key=lambda f: (f[0], -f[1]))
        out: list[Entity] = []
        last_end = -1
        for start, end, etype, ids in found:
            if start < last_end:
                continue
            last_end = end
            a, b = norm.span(start, end)
            out.append(Entity(etype, ids[0], a, b, alternatives=ids[1:]))
        return out

    def _reading_matches(
        self, text: str, tokens: Sequence[Token], taken: list[tuple[int, int, str, tuple[str, ...]]]
    ) -> list[tuple[int, int, str, tuple[str, ...]]]:
        """Match the tokens' katakana readings, on token boundaries, where the surface found nothing."""
        if not tokens:
            return []
        reading = "".join(t.reading for t in tokens)
        hits = [(etype, m) for etype, pattern in self._patterns.items() for m in pattern.finditer(reading)]
        if not hits:  # the usual case: skip mapping tokens to positions
            return []
        starts: list[int] = []
        ends: list[int] = []
        reading_at: list[int] = []  # reading offset where each token starts
        pos, rpos = 0, 0
        for tok in tokens:
            at = text.find(tok.surface, pos)
            if at < 0:
                return []
            starts.append(at)
            ends.append(at + len(tok.surface))
            reading_at.append(rpos)
            pos, rpos = at + len(tok.surface), rpos + len(tok.reading)
        first_token = {r: i for i, r in enumerate(reading_at)}
        last_token = {r + len(t.reading): i for i, (r, t) in enumerate(zip(reading_at, tokens, strict=True))}
        out: list[tuple[int, int, str, tuple[str, ...]]] = []
        for etype, m in hits:
            i, j = first_token.get(m.start()), last_token.get(m.end())
            if i is None or j is None:
                continue
            s, e = starts[i], ends[j]
            if not any(s < te and ts < e for ts, te, _, _ in taken):
                out.append((s, e, etype, self._ids[etype][m.group().lower()]))
        return out


def _glued(text: str, start: int) -> bool:
    """ポット inside スポット: a katakana match right after katakana is part of a longer word."""
    return start > 0 and _is_kata(text[start]) and _is_kata(text[start - 1])


def _is_kata(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ" or ch == "ー"


def _entries(raw: Any) -> tuple[LexEntry, ...]:
    out: list[LexEntry] = []
    for id_, spec in (raw or {}).items():
        spec = spec or {}
        out.append(
            LexEntry(
                id=str(id_),
                name=str(spec.get("name", id_)),
                variants=tuple(str(v) for v in spec.get("variants") or ()),
                readings=tuple(str(v) for v in spec.get("readings") or ()),
                descriptions=tuple(str(v) for v in spec.get("descriptions") or ()),
            )
        )
    return tuple(out)


def load_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon YAML file: top-level `stores:` and `products:` maps of id -> entry (name, variants,
    readings, descriptions)."""
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    return Lexicon({etype: _entries(data.get(key)) for key, etype in ENTITY_TYPES.items()})


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon(DEFAULT_PATH)
