"""A bot as data (SPEC 7.5): a directory with `bot.yaml` naming its flows, prompts, rules, model and backend.

Relative paths in `bot.yaml` are read from the bot's directory, so a bot can be copied, versioned and
deployed as a folder. Problems come back as `bot.yaml:line:col: message` like every designer file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogue.backends.demo_data import DEMO_DATA_FILE, load_demo_data
from dialogue.yaml_source import SourceError, at, load, read_yaml
from nlu.entities.lexicon import ENGLISH_SUFFIX, load_lexicon

BOT_FILE = "bot.yaml"
LEXICON_FILE = "lexicon.yaml"
# the languages the engine serves (docs/languages.md): Japanese always; English where the bot has prompts
# for it (`<key>_en`, picked by Turn.say for a caller who speaks English). Callers in any other language get
# one line in it and a person; that needs no entry here.
SERVED_LANGUAGES = ("ja", "en")
_ENTRY_POINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CircuitBreakerSpec(_Strict):
    failures: int = Field(default=5, ge=1, le=1000)  # consecutive failed calls that open the circuit
    reset_s: float = Field(default=30.0, gt=0, le=3600)  # how long it stays open before one trial call


class WebhookSpec(_Strict):
    url: str  # overridden by the `backend_url` setting (IVR_BACKEND_URL), e.g. per environment
    actions: list[str] = Field(min_length=1)
    timeout_s: float = Field(default=3.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=10)
    circuit_breaker: CircuitBreakerSpec = Field(default_factory=CircuitBreakerSpec)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"{v!r} is not an http:// or https:// URL")
        return v


class BackendSpec(_Strict):
    """Exactly one of: the embedded demo (its records in YAML), fixed answers, an HTTP webhook, Python code."""

    # the embedded demo order system; true (or `backend: demo`): its records are the bot's demo_data.yaml,
    # a path: that file (relative to bot.yaml)
    demo: bool | str = False
    static: dict[str, dict[str, Any]] | None = None  # action -> the JSON object it answers (a starter bot)
    webhook: WebhookSpec | None = None
    python: str | None = None  # "package.module:factory"; factory(**options) returns a Backend
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"demo": True} if data == "demo" else data

    @model_validator(mode="after")
    def _one_kind(self) -> BackendSpec:
        kinds = [k for k in ("demo", "static", "webhook", "python") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("give exactly one of: demo, static, webhook, python" +
                             (f" (got {', '.join(kinds)})" if kinds else ""))
        if self.python is not None and not _ENTRY_POINT.match(self.python):
            raise ValueError(f"python: {self.python!r} is not 'package.module:factory'")
        if self.options and self.python is None:
            raise ValueError("options: only for a python backend")
        return self

    @property
    def demo_data(self) -> str | None:
        """The demo backend's data file, relative to the bot's directory; None for another backend."""
        if self.kind != "demo":
            return None
        return self.demo if isinstance(self.demo, str) else DEMO_DATA_FILE

    @property
    def kind(self) -> Literal["demo", "static", "webhook", "python"]:
        if self.static is not None:
            return "static"
        if self.webhook is not None:
            return "webhook"
        if self.python is not None:
            return "python"
        return "demo"


class BotFile(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    languages: list[str] = Field(default_factory=lambda: ["ja"], min_length=1)
    backend: BackendSpec
    flows: str = "flows"
    prompts: str = "prompts"
    escalation_rules: str = "escalation_rules"  # the rules and queues.yaml (queues, opening hours, waits)
    intents: list[str] = Field(default_factory=lambda: ["intents"], min_length=1)
    entities: str = "entities"
    faq: str = "faq"
    model: str = "models/default"
    synth: str = "synth.yaml"  # what `ivr records synth` makes up contacts about (optional)
    # the store and product names callers say (optional; English names in lexicon_en.yaml next to it)
    lexicon: str = LEXICON_FILE

    @field_validator("languages")
    @classmethod
    def _served(cls, v: list[str]) -> list[str]:
        # (a language the engine does not serve is reported in load_project, at its place in the list)
        if "ja" not in v:
            raise ValueError("languages must include ja: the engine's own prompts are Japanese")
        if len(set(v)) != len(v):
            raise ValueError("a language is listed twice")
        return v

    @field_validator("intents", mode="before")
    @classmethod
    def _one_or_more(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


@dataclass(frozen=True)
class BotProject:
    """A loaded `bot.yaml` with every path made absolute."""

    root: Path
    name: str
    languages: tuple[str, ...]
    backend: BackendSpec
    flows: Path
    prompts: Path
    escalation_rules: Path
    intents: tuple[Path, ...]
    entities: Path
    faq: Path
    model: Path
    source: Path  # the bot.yaml itself
    synth: Path | None = None  # its synth.yaml (dialogue/synth.py), which need not exist
    # its store and product names (nlu/entities/lexicon.py); a bot without the file has none. None: the
    # sample bot's (a BotProject made in code)
    lexicon: Path | None = None


_DIRS = ("flows", "prompts", "escalation_rules", "entities", "faq")


def load_project(root: Path) -> BotProject:
    """Read DIR/bot.yaml; raises SourceError (file:line:col) for a bad file or a path that is not there."""
    root = root.resolve()
    source = root / BOT_FILE
    if not root.is_dir():
        raise SourceError([f"{root}: no such bot directory"])
    if not source.is_file():
        raise SourceError([f"{source}:1:1: no {BOT_FILE} here (create one with `ivr init DIR`)"])
    spec, raw = load(source, BotFile)
    problems: list[str] = []
    paths: dict[str, Path] = {}
    for key in _DIRS:
        path = root / getattr(spec, key)
        paths[key] = path
        # entities/ and faq/ are optional: a bot may have no own types and no knowledge base
        if not path.is_dir() and key not in ("entities", "faq"):
            problems.append(at(source, raw, [key], f"{key}: {path} is not a directory", value=True))
    intents = tuple(root / p for p in spec.intents)
    for i, path in enumerate(intents):
        if not path.exists():
            problems.append(at(source, raw, ["intents", i], f"intents: {path} does not exist", value=True))
    model = root / spec.model
    if spec.backend.demo_data is not None:
        problems.extend(_demo_data(source, raw, root / spec.backend.demo_data))
    keys = _prompt_keys(paths["prompts"]) if set(spec.languages) - {"ja"} and paths["prompts"].is_dir() else set()
    for i, lang in enumerate(spec.languages):
        if lang not in SERVED_LANGUAGES:
            problems.append(at(source, raw, ["languages", i], f"languages: {lang!r} is not a language the bot "
                               f"can serve ({', '.join(SERVED_LANGUAGES)}, ISO 639-1 codes)", value=True))
        elif lang != "ja" and not any(k.endswith(f"_{lang}") for k in keys):
            problems.append(at(source, raw, ["languages", i], f"languages: {lang}: no prompts for it in "
                               f"{paths['prompts']} (keys such as how_can_i_help_{lang})", value=True))
    lexicon = root / spec.lexicon
    problems.extend(_lexicon(source, raw, lexicon))
    if problems:
        raise SourceError(problems)
    return BotProject(root, spec.name, tuple(spec.languages), spec.backend, paths["flows"], paths["prompts"],
                      paths["escalation_rules"], intents, paths["entities"], paths["faq"], model, source,
                      root / spec.synth, lexicon)


def _lexicon(source: Path, raw: Any, path: Path) -> list[str]:
    """The bot's store and product names, checked before anything starts: a file named in bot.yaml must be
    there; the default one (lexicon.yaml) need not be (the bot then recognises no store or product)."""
    english = path.with_name(path.stem + ENGLISH_SUFFIX + path.suffix)
    if not path.is_file():
        if isinstance(raw, Mapping) and "lexicon" in raw:
            return [at(source, raw, ["lexicon"], f"lexicon: {path} is not a file", value=True)]
        if english.is_file():
            return [f"{english}:1:1: English names without the lexicon they name: no {path.name} here"]
        return []
    try:
        load_lexicon(path)
    except ValueError as exc:
        return str(exc).splitlines()
    return []


def _demo_data(source: Path, raw: Any, path: Path) -> list[str]:
    """The demo backend's records must be there and well formed before anything starts."""
    if not path.is_file():
        return [at(source, raw, ["backend", "demo"], f"backend: demo: no demo data file {path} (orders, stores "
                   f"and products: docs/deployment.md section 4)", value=True)]
    try:
        load_demo_data(path)
    except SourceError as exc:
        return exc.problems
    return []


def _prompt_keys(directory: Path) -> set[str]:
    """The prompt keys of a prompts directory (a file that does not parse is reported by the prompt loader)."""
    keys: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = read_yaml(path)
        except SourceError:
            continue
        if isinstance(doc, Mapping):
            keys.update(str(k) for k in doc)
    return keys
