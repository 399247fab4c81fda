"""`ivr validate`: every problem in a bot's flows, prompts, intents and rules, as `file:line:col: message`.

Loading a file (dialogue.yaml_source) already catches what one file shows alone: YAML syntax and the
schema. This module adds the cross-checks a designer cannot see from one file: prompt keys, step and
flow targets, intents, backend actions, reachability, endless loops and slots that nothing fills.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogue.backends.demo import DemoBackend
from dialogue.bot import DEFAULT_FLOWS_DIR, Bot
from dialogue.entity_types import load_entity_types
from dialogue.escalation.rules import DEFAULT_DIR as DEFAULT_RULES_DIR
from dialogue.escalation.rules import QUEUES_FILE, load_rules, validate_rules
from dialogue.faq import load_faq
from dialogue.flow_model import ENTITY_TYPES, FREE_TEXT, STEP_KINDS, Flow, Step, template_name
from dialogue.payments import PAYMENT_PROMPTS
from dialogue.prompts import DEFAULT_PROMPTS_DIR, PromptBook, load_prompts
from dialogue.qa_rules import protocol_problems
from dialogue.runner import BUILTIN_ACTIONS
from dialogue.yaml_source import SourceError, at, load, read_yaml

DEFAULT_INTENTS_DIR = DEFAULT_PROMPTS_DIR.parent / "nlu" / "data" / "intents"
# Keys the engine says on its own (dialogue/engine.py, interpret.py, runner.py), not named in any flow.
ENGINE_PROMPTS = (
    "how_can_i_help", "anything_else", "goodbye", "thanks_reply", "rephrase", "start_over",
    "resume_interrupted", "repeat_wrapper", "slow_down", "flow_unavailable", "system_error", "backend_apology",
    "no_input", "silence_goodbye", "nomatch_1", "nomatch_2", "nomatch_slot", "confirm_reprompt",
    "clarify_intent", "callback_offer", "callback_declined", "transfer", "harassment_warning",
    "harassment_end", "noted_other", "keypad_or_operator", "hesitation", "hesitation_slot", "dont_know",
    "confirm_goodbye", "distress_condolence", "callback_unclear_end", "transfer_distress", "faq_answer",
    "faq_check", "transfer_faq",
)
# Turn.values(); agents: open | closed (the general queue, now); heard: the caller's last words; set with the request
# by interpretation (docs/flows.md): other_phone (a callback to a number that is not the one calling, 「母の携帯へ」),
# product_named (a thing the bot has no product for, 「冷蔵庫って売ってますか」), number_unknown (the order number said
# not to be at hand)
BUILTIN_VALUES = frozenset({"caller_phone", "callback_reason", "result", "channel", "card_payments", "other_phone",
                            "product_named", "number_unknown", "agents", "heard"})
WAITING = frozenset({"ask", "confirm", "menu", "pay"})
STOPPING = frozenset({"handover", "end", "goto_flow"})
_WHERE = re.compile(r"^(.*?):(\d+):(\d+): ")
_INTENT_LINE = re.compile(r"^intent:\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_UNKNOWN_KEY = re.compile(r"unknown key '([^']+)'$")
_STEP_KEYS = tuple(Step.model_fields) + tuple(Flow.model_fields)
Emit = Callable[[Sequence[str | int], str], str]


@dataclass
class Report:
    problems: list[str]
    flows: int = 0
    prompts: int = 0
    rules: int = 0


@dataclass(frozen=True)
class Catalog:
    """What the flows of one bot may refer to."""

    flows: Mapping[str, Flow]
    prompts: PromptBook | None  # None when the prompt files did not load: their keys are not checked
    intents: frozenset[str] | None  # None when there is no intent catalog to check against
    actions: frozenset[str]
    entity_types: frozenset[str] = frozenset(ENTITY_TYPES + FREE_TEXT)  # with the bot's own (entities/)

    def filled(self) -> set[str]:
        """Values something sets: any ask (entity slots may also be prefilled), any action's result."""
        out = set(BUILTIN_VALUES)
        for flow in self.flows.values():
            for s in flow.steps:
                out.update(v for v in (s.ask, s.save_as, s.action) if v)
                out.update(s.set or {})
        return out


def validate_all(
    flows_dir: Path | None = None,
    prompts_dir: Path | None = None,
    rules_dir: Path | None = None,
    intents_dir: Path | None = None,
) -> list[str]:
    """Every problem, sorted by file and line; [] when the bot is clean."""
    return check(flows_dir, prompts_dir, rules_dir, intents_dir).problems


def check(
    flows_dir: Path | None = None,
    prompts_dir: Path | None = None,
    rules_dir: Path | None = None,
    intents_dir: Path | Sequence[Path] | None = None,
    actions: frozenset[str] | None = None,
    entities_dir: Path | None = None,
    faq_dir: Path | None = None,
) -> Report:
    problems: list[str] = []
    flows, sources = _load_flows(flows_dir or DEFAULT_FLOWS_DIR, problems)
    prompts: PromptBook | None = None
    try:
        prompts = load_prompts(prompts_dir)
    except SourceError as exc:
        problems.extend(exc.problems)
    intents = intent_catalog(intents_dir)
    declared: frozenset[str] = frozenset()
    try:
        declared = frozenset(load_entity_types(entities_dir).specs)
    except SourceError as exc:
        problems.extend(exc.problems)
    try:
        load_faq(faq_dir, intents)
    except SourceError as exc:
        problems.extend(exc.problems)
    problems.extend(protocol_problems())  # qa/protocol.yaml (issue 16)
    catalog = Catalog(flows, prompts, intents, (DemoBackend().actions() if actions is None else actions) | BUILTIN_ACTIONS,
                      frozenset(ENTITY_TYPES + FREE_TEXT) | declared)
    problems.extend(check_flows(catalog, sources))
    if prompts is not None:
        problems.extend(_engine_prompts(prompts_dir or DEFAULT_PROMPTS_DIR, prompts, flows))
    rules_dir = rules_dir or DEFAULT_RULES_DIR
    rule_problems = validate_rules(rules_dir)
    problems.extend(rule_problems)
    if prompts is not None:
        problems.extend(_rule_prompts(rules_dir, prompts))
    n_rules = 0 if rule_problems else len(load_rules(rules_dir).rules)
    n_prompts = len(prompts.templates) if prompts else 0
    return Report(sort_problems(problems), len(flows), n_prompts, n_rules)


def check_bot(bot: Bot, actions: frozenset[str], prompts_dir: Path,
              intents_dir: Path | Sequence[Path] | None = None) -> list[str]:
    """Cross-checks of a bot that loaded (what hot reload runs before it swaps the bot in)."""
    catalog = Catalog(bot.flows, bot.prompts, intent_catalog(intents_dir), actions | BUILTIN_ACTIONS,
                      frozenset(ENTITY_TYPES + FREE_TEXT) | frozenset(bot.entities.specs))
    problems = check_flows(catalog, bot.sources) + list(_engine_prompts(prompts_dir, bot.prompts, bot.flows))
    return sort_problems(problems)


def sort_problems(problems: Collection[str]) -> list[str]:
    def key(p: str) -> tuple[str, int, int, str]:
        m = _WHERE.match(p)
        return (m.group(1), int(m.group(2)), int(m.group(3)), p) if m else (p, 0, 0, p)

    return sorted(set(problems), key=key)


def intent_catalog(directory: Path | Sequence[Path] | None = None) -> frozenset[str] | None:
    """Intent names of the training data (`intent:` of nlu/data/intents/*.yaml, or of the directories and
    files a bot.yaml lists); None without any."""
    names: set[str] = set()
    places = [directory] if isinstance(directory, Path) else list(directory or [DEFAULT_INTENTS_DIR])
    files = [f for d in places for f in (sorted(d.glob("*.yaml")) if d.is_dir() else [d])]
    for path in files:
        # only the top-level `intent:` line: parsing thousands of examples would take seconds
        try:
            m = _INTENT_LINE.search(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the NLU's own tools report unreadable training files
        if m:
            names.add(m.group(1))
    return frozenset(names) or None


def _load_flows(directory: Path, problems: list[str]) -> tuple[dict[str, Flow], dict[str, tuple[Path, Any]]]:
    # file by file, unlike dialogue.bot.load_flows, so one broken file does not hide the others' problems
    flows: dict[str, Flow] = {}
    sources: dict[str, tuple[Path, Any]] = {}
    starts: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            flow, raw = load(path, Flow)
        except SourceError as exc:
            problems.extend(friendly(p) for p in exc.problems)
            continue
        if flow.flow in flows:
            problems.append(at(path, raw, ["flow"], f"flow '{flow.flow}' is also defined in {sources[flow.flow][0]}"))
            continue
        flows[flow.flow], sources[flow.flow] = flow, (path, raw)
        for i, intent in enumerate(flow.intents):
            if intent in starts:
                problems.append(at(path, raw, ["intents", i], f"intent '{intent}' already starts flow '{starts[intent]}'"))
            starts.setdefault(intent, flow.flow)
    if not flows and not problems:
        problems.append(f"{directory}:1:1: no flow files (*.yaml) here")
    return flows, sources


def friendly(problem: str) -> str:
    """A loader message with the step kind the designer meant (indentation hints come from the loader)."""
    m = _UNKNOWN_KEY.search(problem)
    if not m:
        return problem
    close = difflib.get_close_matches(m.group(1), _STEP_KEYS, n=1)
    if close and close[0] in STEP_KINDS:  # `confirmm:` is a misspelt kind more often than a stray key
        return problem[: m.start()] + f"unknown step kind '{m.group(1)}' (did you mean '{close[0]}'?)"
    return problem + _suggest(m.group(1), _STEP_KEYS)


def _suggest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_flows(catalog: Catalog, sources: Mapping[str, tuple[Path, Any]]) -> list[str]:
    """Cross-checks of loaded flows against each other, the prompts, intents and backend actions."""
    filled = catalog.filled()
    problems: list[str] = []
    for name, flow in catalog.flows.items():
        path, raw = sources[name]

        def emit(loc: Sequence[str | int], message: str, path: Path = path, raw: Any = raw) -> str:
            return at(path, raw, loc, message)

        problems.extend(_check_flow(flow, catalog, filled, emit))
    return problems


def _check_flow(flow: Flow, catalog: Catalog, filled: set[str], emit: Emit) -> Iterator[str]:
    prompts = catalog.prompts
    for i, intent in enumerate(flow.intents):
        if catalog.intents is not None and intent not in catalog.intents:
            yield emit(["intents", i], f"unknown intent '{intent}'{_suggest(intent, catalog.intents)}")
        elif prompts is not None and not prompts.has(f"label_{intent}"):
            yield emit(["intents", i], f"unknown prompt 'label_{intent}' (clarification questions name the request with it)")
    for i, step in enumerate(flow.steps):
        yield from _check_step(flow, step, catalog, filled, _under(emit, ["steps", i]))
    yield from _unreachable(flow, emit)
    yield from _endless_loops(flow, catalog, emit)


def _under(emit: Emit, prefix: list[str | int]) -> Emit:
    return lambda loc, message: emit([*prefix, *loc], message)


def prompt_keys(step: Step) -> list[tuple[tuple[str, ...], str]]:
    """(where in the step, prompt key) for every prompt the step may say."""
    names = ("say", "confirm", "menu", "prompt", "reprompt", "no_input")
    out: list[tuple[tuple[str, ...], str]] = [((n,), getattr(step, n)) for n in names if getattr(step, n)]
    if step.ask is not None and step.prompt is None:
        out.append((("ask",), f"ask_{step.ask}"))  # the runner's default question for the slot
    if step.handover is not None and step.handover.prompt:
        out.append((("handover", "prompt"), step.handover.prompt))
    return out


def _check_step(flow: Flow, step: Step, catalog: Catalog, filled: set[str], emit: Emit) -> Iterator[str]:
    prompts, ids = catalog.prompts, [s.id for s in flow.steps]
    for loc, key in prompt_keys(step):
        if prompts is None:
            break
        if not prompts.has(key):
            yield emit(loc, f"unknown prompt '{key}'{_suggest(key, prompts.templates)}")
            continue
        for name in sorted(prompts.fields(key)):
            if name.split(".")[0] not in filled:
                yield emit(loc, f"slot '{name.split('.')[0]}' is never filled: no ask or save_as sets it (prompt '{key}')")
    for loc, target in _target_locs(step):
        if target not in ids:
            yield emit(loc, f"unknown step '{target}'{_suggest(target, ids)}")
    if step.entity is not None and step.entity not in catalog.entity_types:
        known = ", ".join(sorted(catalog.entity_types))
        yield emit(["entity"], f"unknown entity type '{step.entity}' (one of {known}; a bot declares more in entities/)")
    for key, option in step.options.items():
        if not re.fullmatch(r"[0-9#]", key):
            yield emit(["options", key], f"menu option '{key}' must be one keypad key, 0-9 or # (* starts over)")
        if option.intent is None:
            continue
        if catalog.intents is not None and option.intent not in catalog.intents:
            yield emit(["options", key, "intent"], f"unknown intent '{option.intent}'{_suggest(option.intent, catalog.intents)}")
        elif not any(option.intent in f.intents for f in catalog.flows.values()):
            yield emit(["options", key, "intent"], f"no flow starts intent '{option.intent}'")
    yield from _check_links(flow, step, catalog, emit)
    used: list[tuple[tuple[str, ...], str]] = [(("args", k), read) for k, v in step.args.items()
                                                if (read := template_name(v)) is not None]
    used += [(("switch",), step.switch)] if step.switch else []
    used += [(("slot",), step.slot)] if step.slot else []
    for loc, name in used:
        if name.split(".")[0] not in filled:
            yield emit(loc, f"slot '{name.split('.')[0]}' is never filled: no ask or save_as sets it")


def _check_links(flow: Flow, step: Step, catalog: Catalog, emit: Emit) -> Iterator[str]:
    """Other flows and the backend: call, goto_flow, action."""
    for key in ("call", "goto_flow"):
        name = getattr(step, key)
        if name is None:
            continue
        target = catalog.flows.get(name)
        if target is None:
            yield emit([key], f"unknown flow '{name}'{_suggest(name, catalog.flows)}")
        elif key == "call" and not any(s.end == "return" for s in target.steps):
            yield emit([key], f"flow '{name}' has no 'end: return' step, so this call never comes back")
    if step.call is not None and flow.after(step) is None:
        yield emit(["call"], "nothing to come back to: a 'call' needs a step after it (or 'next')")
    if step.action is not None and step.action not in catalog.actions:
        yield emit(["action"], f"unknown backend action '{step.action}'{_suggest(step.action, catalog.actions)}")


def _target_locs(step: Step) -> Iterator[tuple[tuple[str, ...], str]]:
    for name in ("next", "yes", "no", "on_error", "default", "on_fail"):
        if getattr(step, name):
            yield (name,), getattr(step, name)
    for key, target in step.cases.items():
        yield ("cases", key), target
    for key, option in step.options.items():
        if option.goto:
            yield ("options", key, "goto"), option.goto


def successors(flow: Flow, step: Step) -> list[tuple[str, str]]:
    """(edge label, step id) the runner may move to from `step`, fall-through included (runner.py)."""
    after = flow.after(step)
    out: list[tuple[str, str | None]] = []
    kind = step.kind
    if kind in ("say", "ask", "call", "set"):
        out.append(("", after))
        if step.on_fail:
            out.append(("on_fail", step.on_fail))
        if step.no_preference:
            out.append(("no_preference", step.no_preference))
        if step.dont_know:
            out.append(("dont_know", step.dont_know))
    elif kind == "confirm":
        # a bare 「いいえ」 on a confirm with `slot:` asks for that slot again
        ask_again = next((s.id for s in flow.steps if step.slot and s.ask == step.slot), None)
        out += [("yes", step.yes or after), ("no", step.no or ask_again or after)]
    elif kind in ("action", "switch"):
        out += list(step.cases.items())
        out.append(("default", step.default) if step.default else ("else", after))
        if step.on_error:
            out.append(("on_error", step.on_error))
    elif kind == "menu":
        out += [(f"{key}: {o.label}", o.goto) for key, o in step.options.items() if o.goto]
    elif kind == "pay":  # dialogue/payments.py: approved, declined, gateway error, too many tries
        out += [*step.cases.items(), ("else", after)]
        out += [(name, getattr(step, name)) for name in ("on_error", "on_fail") if getattr(step, name)]
    return [(label, target) for label, target in out if target is not None]


def _unreachable(flow: Flow, emit: Emit) -> Iterator[str]:
    ids = {s.id for s in flow.steps}
    seen, todo = {flow.steps[0].id}, [flow.steps[0]]
    while todo:
        for _, target in successors(flow, todo.pop()):
            if target in ids and target not in seen:
                seen.add(target)
                todo.append(flow.step(target))
    for i, step in enumerate(flow.steps):
        if step.id not in seen:
            yield emit(["steps", i, "id"], f"step '{step.id}' is unreachable from the first step '{flow.steps[0].id}'")


def _endless_loops(flow: Flow, catalog: Catalog, emit: Emit) -> Iterator[str]:
    """Cycles of steps that never wait for the caller would spin until the runner's step limit."""

    def passes(s: Step) -> bool:
        if s.kind in WAITING or s.kind in STOPPING:
            return False
        called = catalog.flows.get(s.call or "")
        return called is None or not any(c.kind in WAITING for c in called.steps)

    moving = {s.id for s in flow.steps if passes(s)}
    graph = {s.id: [t for _, t in successors(flow, s) if t in moving] for s in flow.steps if s.id in moving}

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph[node])
        return seen

    reaches = {n: reach(n) for n in graph}
    reported: set[str] = set()
    for i, step in enumerate(flow.steps):
        if step.id in reaches and step.id in reaches[step.id] and step.id not in reported:
            loop = [s.id for s in flow.steps if s.id in reaches[step.id] and step.id in reaches.get(s.id, ())]
            reported.update(loop)
            yield emit(["steps", i, "id"], f"endless loop: steps {', '.join(loop)} go round without waiting for the caller")


def _engine_prompts(directory: Path, prompts: PromptBook, flows: Mapping[str, Flow]) -> Iterator[str]:
    files = sorted(directory.glob("*.yaml"))
    where = files[0] if files else directory
    needed = list(ENGINE_PROMPTS) + ([] if "main_menu" in flows else ["welcome"])
    for key in needed:
        if not prompts.has(key):
            yield f"{where}:1:1: missing prompt '{key}' (the dialogue engine says it)"
    if any(step.pay is not None for flow in flows.values() for step in flow.steps):
        yield from (f"{where}:1:1: missing prompt '{key}' (a pay: step says it; see docs/payments.md)"
                    for key in PAYMENT_PROMPTS if not prompts.has(key))


def _rule_prompts(directory: Path, prompts: PromptBook) -> Iterator[str]:
    """Prompts named by escalation rules (`then: {supervisor: {prompt: ...}}`)."""
    for path in sorted(directory.glob("*.yaml")):
        if path.name == QUEUES_FILE:
            continue
        try:
            raw = read_yaml(path)
        except SourceError:
            continue  # validate_rules reports it
        rules = raw.get("rules") if isinstance(raw, Mapping) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            then = rule.get("then") if isinstance(rule, Mapping) else None
            for action, spec in then.items() if isinstance(then, Mapping) else []:
                key = spec.get("prompt") if isinstance(spec, Mapping) else None
                if isinstance(key, str) and not prompts.has(key):
                    yield at(path, raw, ["rules", i, "then", action, "prompt"], f"unknown prompt '{key}'{_suggest(key, prompts.templates)}")
