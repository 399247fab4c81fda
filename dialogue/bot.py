"""A bot definition: flows (dialogue/flows/*.yaml), prompts (prompts/*.yaml), entity types (entities/*.yaml)
and its knowledge base (faq/*.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from dialogue.entity_types import EntityTypes, load_entity_types
from dialogue.faq import FaqIndex, load_faq
from dialogue.flow_model import Flow
from dialogue.prompts import PromptBook, load_prompts
from dialogue.yaml_source import SourceError, load

DIALOGUE_DIR = Path(__file__).resolve().parent
DEFAULT_FLOWS_DIR = DIALOGUE_DIR / "flows"


@dataclass(frozen=True)
class BotOrigin:
    """Where a bot was loaded from (None: the sample bot's default), so a reload reads the same places."""

    flows: Path | None = None
    prompts: Path | None = None
    entities: Path | None = None
    faq: Path | None = None
    intents: tuple[Path, ...] = ()  # the training examples: the intents its flows may name


OPERATOR_INTENT = "operator_request"  # SPEC 4's intent for a person asked for


@dataclass
class Bot:
    flows: dict[str, Flow]
    prompts: PromptBook
    by_intent: dict[str, str]  # intent -> flow that handles it
    sources: dict[str, tuple[Path, Any]] = field(default_factory=dict)  # flow -> (file, raw YAML tree)
    entities: EntityTypes = field(default_factory=lambda: EntityTypes({}))
    faq: FaqIndex = field(default_factory=lambda: FaqIndex(()))
    origin: BotOrigin = field(default_factory=BotOrigin)

    @cached_property
    def labels(self) -> dict[str, str]:
        """The bot's own names for its requests (prompts `label_<intent>`), as a designer wrote them."""
        out: dict[str, str] = {}
        for key, variants in self.prompts.templates.items():
            if key.startswith("label_"):
                texts = variants.get("any") or next(iter(variants.values()))
                out[key[len("label_"):]] = texts[0]
        return out

    @cached_property
    def operator_keys(self) -> frozenset[str]:
        """The keys a menu of this bot gives for a person (the sample's 「オペレーターをご希望の場合は0」)."""
        return frozenset(key for flow in self.flows.values() for step in flow.steps
                         for key, option in step.options.items() if option.intent == OPERATOR_INTENT)

    def flow_for(self, intent: str) -> Flow | None:
        name = self.by_intent.get(intent)
        return self.flows.get(name) if name else None


def load_flows(directory: Path | None = None) -> tuple[dict[str, Flow], dict[str, tuple[Path, Any]]]:
    directory = directory or DEFAULT_FLOWS_DIR
    flows: dict[str, Flow] = {}
    sources: dict[str, tuple[Path, Any]] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            flow, raw = load(path, Flow)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if flow.flow in flows:
            problems.append(f"{path}:1:1: flow '{flow.flow}' is also defined in {sources[flow.flow][0]}")
            continue
        flows[flow.flow] = flow
        sources[flow.flow] = (path, raw)
    if problems:
        raise SourceError(problems)
    if not flows:
        raise SourceError([f"{directory}:1:1: no flow files (*.yaml) here"])
    return flows, sources


def load_bot(flows_dir: Path | None = None, prompts_dir: Path | None = None,
             entities_dir: Path | None = None, faq_dir: Path | None = None, intents: Sequence[Path] = ()) -> Bot:
    """Load and cross-check; raises SourceError listing every problem as file:line:col."""
    problems: list[str] = []
    flows: dict[str, Flow] = {}
    sources: dict[str, tuple[Path, Any]] = {}
    prompts = PromptBook({}, {})
    entities = EntityTypes({})
    faq = FaqIndex(())
    try:
        flows, sources = load_flows(flows_dir)
    except SourceError as exc:
        problems.extend(exc.problems)
    try:
        prompts = load_prompts(prompts_dir)
    except SourceError as exc:
        problems.extend(exc.problems)
    try:
        entities = load_entity_types(entities_dir)
    except SourceError as exc:
        problems.extend(exc.problems)
    try:
        faq = load_faq(faq_dir)
    except SourceError as exc:
        problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    by_intent: dict[str, str] = {}
    for name, flow in flows.items():
        for intent in flow.intents:
            if intent in by_intent:
                path, _ = sources[name]
                problems.append(f"{path}:1:1: intent '{intent}' already starts flow '{by_intent[intent]}'")
            by_intent[intent] = name
    if problems:
        raise SourceError(problems)
    origin = BotOrigin(flows_dir, prompts_dir, entities_dir, faq_dir, tuple(intents))
    return Bot(flows, prompts, by_intent, sources, entities, faq, origin)
