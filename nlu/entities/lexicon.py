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
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

import jaconv
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from nlu.types import Entity, Normalized, Token

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon.yaml"
ENTITY_TYPES = {"stores": "store", "products": "product"}
# the same entries' English names, for callers who speak English (nlu/entities/english.py): the file next to
# the lexicon, lexicon_en.yaml. A file of its own: the model's heads are trained on lexicon.yaml's bytes
ENGLISH_SUFFIX = "_en"
# between the words of an English name: a space, a hyphen or nothing (ear phone, ear-phone, earphone)
_EN_JOIN = r"[\s\-]?"


# a name one slip away from a listed one: at least this long, this alike (difflib's ratio; コーヒーメカー 0.93)
NEAR_MIN_CHARS = 5
NEAR_RATIO = 0.88
_KATAKANA_WORD = re.compile(rf"[ァ-ヺー]{{{NEAR_MIN_CHARS},}}")


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
    # entity type -> id -> English names (Shibuya; wireless earphone): matched as words, any case, a plural
    # -s or -es allowed, the words joined by a space, a hyphen or nothing
    english: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    _ids: dict[str, dict[str, tuple[str, ...]]] = field(init=False, repr=False, compare=False)
    _patterns: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)
    _near_forms: list[tuple[str, str, tuple[str, ...]]] = field(init=False, repr=False, compare=False)
    _english: list[tuple[str, re.Pattern[str], dict[str, tuple[str, ...]]]] = field(
        init=False, repr=False, compare=False)

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
        # the long katakana forms a slip may be near (コーヒーメーカー), listed once, not filtered on every turn
        near_forms = [(etype, form, found) for etype, by_form in ids.items() for form, found in by_form.items()
                      if len(form) >= NEAR_MIN_CHARS and _KATAKANA_WORD.fullmatch(form)]
        object.__setattr__(self, "_near_forms", near_forms)
        english: list[tuple[str, re.Pattern[str], dict[str, tuple[str, ...]]]] = []
        for etype, names in self.english.items():
            by_name: dict[str, tuple[str, ...]] = {}
            for id_, forms in names.items():
                for form in forms:
                    key = " ".join(form.lower().split())
                    if key and id_ not in by_name.get(key, ()):
                        by_name[key] = (*by_name.get(key, ()), id_)
            if by_name:  # longest first: wireless earphone before earphone
                alts = "|".join(_EN_JOIN.join(map(re.escape, k.split())) for k in sorted(by_name, key=len, reverse=True))
                english.append((etype, re.compile(rf"\b(?:{alts})(?:e?s)?\b", re.IGNORECASE), by_name))
        object.__setattr__(self, "_english", english)

    def match_english(self, text: str) -> list[Entity]:
        """Store/product names in an English line (character offsets in `text`); a name listed under several
        ids gives the first with the others as `alternatives`, as in Japanese."""
        out: list[Entity] = []
        for etype, pattern, by_name in self._english:
            for m in pattern.finditer(text):
                ids = by_name.get(_english_key(m.group(), by_name))
                if ids:
                    out.append(Entity(etype, ids[0], m.start(), m.end(), alternatives=ids[1:]))
        return out

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
        found.extend(self._near_matches(text, found))
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

    def _near_matches(self, text: str, taken: list[tuple[int, int, str, tuple[str, ...]]]
                      ) -> list[tuple[int, int, str, tuple[str, ...]]]:
        """A long katakana word one slip away from a listed one (コーヒーメカー, typed or heard): that entry, when
        only one is that near. Words as written: hiragana folded to katakana would run on into the particles."""
        out: list[tuple[int, int, str, tuple[str, ...]]] = []
        for run in _KATAKANA_WORD.finditer(text):
            s, e = run.span()
            if any(s < te and ts < e for ts, te, _, _ in taken):
                continue
            word = run.group()
            # (the ratio is at most 2 * shorter / both: a length far off is never near, and is not compared)
            near = {(etype, ids) for etype, form, ids in self._near_forms
                    if 2 * min(len(word), len(form)) >= NEAR_RATIO * (len(word) + len(form))
                    and SequenceMatcher(None, word, form).ratio() >= NEAR_RATIO}
            if len({ids for _, ids in near}) == 1:
                etype, ids = next(iter(near))
                out.append((s, e, etype, ids))
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


def _english_key(said: str, by_name: Mapping[str, tuple[str, ...]]) -> str:
    """The listed name a match was (Coffee-Makers -> coffee maker)."""
    squashed = re.sub(r"[\s\-]", "", said.lower())
    for key in sorted(by_name, key=len, reverse=True):
        bare = key.replace(" ", "")
        if squashed in (bare, bare + "s", bare + "es"):
            return key
    return ""


def _glued(text: str, start: int) -> bool:
    """ポット inside スポット: a katakana match right after katakana is part of a longer word."""
    return start > 0 and _is_kata(text[start]) and _is_kata(text[start - 1])


def _is_kata(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ" or ch == "ー"


_FIELDS = ("name", "variants", "readings", "descriptions")
# the digit lengths of the engine's own numbers (order, phone, postal: nlu/entities/numeric.py) are read from
# the sample lexicon only; a bot declares its own number types in its entities/ (docs/flows.md section 3)
NUMBERS_KEY = "numbers"


def _yaml_map(path: Path, what: str) -> CommentedMap:
    """The file's top-level map (round-trip: positions kept); ValueError `file:line:col: message`."""
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}:1:1: cannot read the {what}: {exc}") from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ValueError(f"{path}:{line}:{col}: YAML syntax error: {exc.problem or exc.context}") from exc
    data = data if data is not None else CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ValueError(f"{path}:1:1: expected `stores:` and `products:` maps of id -> {what}")
    return data


def _where(path: Path, node: CommentedMap, key: Any, *, value: bool = False) -> str:
    line, col = node.lc.value(key) if value else node.lc.key(key)
    return f"{path}:{line + 1}:{col + 1}"


def _entry(path: Path, section: CommentedMap, key: str, id_: Any, problems: list[str]) -> LexEntry | None:
    """One entry: a name (`kobe: 神戸店`), nothing (its id is its name) or a map of name, variants, readings,
    descriptions (each a list of words)."""
    spec = section[id_]
    if spec is None:
        return LexEntry(id=str(id_), name=str(id_))
    if isinstance(spec, str):
        if not spec.strip():
            problems.append(f"{_where(path, section, id_, value=True)}: {key}: {id_}: an empty name")
            return None
        return LexEntry(id=str(id_), name=spec)
    if not isinstance(spec, CommentedMap):
        problems.append(f"{_where(path, section, id_, value=True)}: {key}: {id_}: a name, or a map of "
                        f"{', '.join(_FIELDS)}")
        return None
    bad = len(problems)
    for field_ in spec:
        if field_ not in _FIELDS:
            problems.append(f"{_where(path, spec, field_)}: {key}: {id_}: unknown key {field_!r} ({', '.join(_FIELDS)})")
    name = spec.get("name", id_)
    if "name" in spec and (not isinstance(name, str | int) or not str(name).strip()):
        problems.append(f"{_where(path, spec, 'name', value=True)}: {key}: {id_}: name: a word, e.g. 渋谷店")
    lists: dict[str, tuple[str, ...]] = {}
    for field_ in _FIELDS[1:]:
        forms = spec.get(field_)
        if forms is None:
            lists[field_] = ()
        elif not isinstance(forms, list) or not all(isinstance(f, str | int) and str(f).strip() for f in forms):
            problems.append(f"{_where(path, spec, field_, value=True)}: {key}: {id_}: {field_}: a list of words, "
                            "e.g. [渋谷, 渋谷のお店]")
        else:
            lists[field_] = tuple(str(f) for f in forms)
    if len(problems) > bad:
        return None
    return LexEntry(str(id_), str(name), lists["variants"], lists["readings"], lists["descriptions"])


def load_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon YAML file: top-level `stores:` and `products:` maps of id -> entry (name, variants,
    readings, descriptions); and the English names of the same entries from LEXICON_en.yaml next to it, when
    there is one (`load_english_names`). ValueError with `file:line:col: message` lines for a bad file."""
    path = Path(path)
    data = _yaml_map(path, "store and product names")
    problems: list[str] = []
    for key in data:
        if key == NUMBERS_KEY and path.resolve() == DEFAULT_PATH:
            continue
        if key == NUMBERS_KEY:
            problems.append(f"{_where(path, data, key)}: numbers: the lengths of order, phone and postal numbers "
                            "are the engine's; declare the bot's own numbers as entity types in its entities/ "
                            "(docs/flows.md section 3)")
        elif key not in ENTITY_TYPES:
            problems.append(f"{_where(path, data, key)}: unknown key {key!r} (stores, products)")
    entries: dict[str, tuple[LexEntry, ...]] = {}
    for key, etype in ENTITY_TYPES.items():
        section = data.get(key)
        if section is None:
            entries[etype] = ()
            continue
        if not isinstance(section, CommentedMap):
            problems.append(f"{_where(path, data, key, value=True)}: {key}: a map of id -> entry (name, variants, "
                            "readings, descriptions)")
            continue
        found = [_entry(path, section, key, id_, problems) for id_ in section]
        entries[etype] = tuple(e for e in found if e is not None)
    if problems:
        raise ValueError("\n".join(problems))
    english_path = path.with_name(path.stem + ENGLISH_SUFFIX + path.suffix)
    english = load_english_names(english_path, entries) if english_path.is_file() else {}
    return Lexicon(entries, english)


def load_english_names(path: Path, entries: Mapping[str, Sequence[LexEntry]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """`stores:` and `products:` maps of an id of the lexicon -> its English names; ValueError with
    `file:line:col: message` for anything else."""
    data = _yaml_map(path, "English names")
    problems: list[str] = []
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for key in data:
        if key not in ENTITY_TYPES:
            line, col = data.lc.key(key)
            problems.append(f"{path}:{line + 1}:{col + 1}: unknown key {key!r} (stores, products)")
    for key, etype in ENTITY_TYPES.items():
        section = data.get(key)
        if section is None:
            continue
        if not isinstance(section, CommentedMap):
            line, col = data.lc.value(key)
            problems.append(f"{path}:{line + 1}:{col + 1}: {key}: a map of id -> English names")
            continue
        known = {e.id for e in entries.get(etype, ())}
        out[etype] = {}
        for id_, names in section.items():
            line, col = section.lc.key(id_)
            where = f"{path}:{line + 1}:{col + 1}"
            if str(id_) not in known:
                problems.append(f"{where}: {key}: {id_!r} is not in the lexicon (known: {', '.join(sorted(known))})")
            elif not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
                problems.append(f"{where}: {key}: {id_}: a list of English names, e.g. [Shibuya]")
            else:
                out[etype][str(id_)] = tuple(names)
    if problems:
        raise ValueError("\n".join(problems))
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon(DEFAULT_PATH)


def lexicon_at(path: Path | None) -> Lexicon:
    """A bot's lexicon (SPEC 7.5): the sample bot's when None; none at all (no store or product names) when
    the bot's file is not there; else that file and its `_en` file. ValueError `file:line:col` for a bad one."""
    if path is None:
        return default_lexicon()
    if path.resolve() == DEFAULT_PATH:
        return default_lexicon()
    if not path.is_file():
        return Lexicon(dict.fromkeys(ENTITY_TYPES.values(), ()))
    return load_lexicon(path)
