"""Load escalation_rules/: queues.yaml (queues and hours) and every other *.yaml (ordered rules).

Rule files are read in file-name order and their rules kept in order; the first matching rule wins.
A designer's local overrides therefore go in a file that sorts before default.yaml (e.g. 00-local.yaml).
Every problem is reported as `path:line:column: message`: `validate_rules` lists them all (for
`ivr validate`), `load_rules` raises them together as one RuleError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogue.escalation.conditions import Matcher, compile_when
from dialogue.escalation.errors import RuleError
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.schema import (
    SUPERVISOR_QUEUE,
    VOCAB,
    ActionName,
    QueuesFile,
    Reason,
    RuleFile,
    Then,
)
from dialogue.escalation.yamlio import at, read_yaml, validate

QUEUES_FILE = "queues.yaml"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "escalation_rules"


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    matcher: Matcher
    action: ActionName
    reason: Reason
    queue: str | None  # None for warn / end
    priority: int
    prompt: str | None
    source: str  # path:line, for tuning


@dataclass(frozen=True, slots=True)
class CompiledBoost:
    id: str
    matcher: Matcher
    add: int


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[CompiledRule, ...]
    boosts: tuple[CompiledBoost, ...]
    hours: BusinessHours


def _compile_rule(rule_id: str, then: Then, matcher: Matcher, source: str) -> CompiledRule:
    action = then.action
    spec = getattr(then, action)
    queue: str | None = None
    if action == "supervisor":
        queue = SUPERVISOR_QUEUE
    elif action in ("transfer", "offer_callback"):
        queue = spec.queue
    return CompiledRule(
        id=rule_id,
        matcher=matcher,
        action=action,
        reason=spec.reason,
        queue=queue,
        priority=getattr(spec, "priority", 0),
        prompt=spec.prompt,
        source=source,
    )


def _rule_files(directory: Path) -> list[Path]:
    files = sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))
    return [p for p in files if p.name not in (QUEUES_FILE, "queues.yml")]


def _load_queues(directory: Path, problems: list[str]) -> tuple[QueuesFile | None, Any]:
    path = directory / QUEUES_FILE
    if not path.is_file():
        problems.append(f"{path}:1:1: missing: the queues file (queues, hours, max_wait_s) is required")
        return None, None
    try:
        data = read_yaml(path)
    except RuleError as exc:
        problems.extend(exc.problems)
        return None, None
    cfg, errs = validate(path, data, QueuesFile)
    problems.extend(errs)
    queues = data.get("queues") if isinstance(data, dict) else None
    if isinstance(queues, dict) and SUPERVISOR_QUEUE not in queues:
        problems.append(at(path, data, ["queues"], f"queue '{SUPERVISOR_QUEUE}' is required (harassment goes there)"))
    return cfg, data


def _check_rule_file(path: Path, data: Any, rf: RuleFile, queues: set[str] | None, seen: dict[str, str]) -> list[str]:
    """Checks pydantic cannot do alone: known queues, unique ids, harassment never to an ordinary agent."""
    problems: list[str] = []
    for i, rule in enumerate(rf.rules):
        loc: list[str | int] = ["rules", i]
        if rule.id in seen:
            problems.append(at(path, data, [*loc, "id"], f"duplicate rule id '{rule.id}' (first at {seen[rule.id]})", value=True))
        else:
            seen[rule.id] = at(path, data, [*loc, "id"], "", value=True).rstrip(": ")
        action = rule.then.action
        spec = getattr(rule.then, action)
        q = getattr(spec, "queue", None)
        if q is not None and queues is not None and q not in queues:
            problems.append(
                at(path, data, [*loc, "then", action, "queue"], f"unknown queue '{q}' (queues.yaml has: {', '.join(sorted(queues))})", value=True)
            )
        if action == "transfer" and spec.reason == "harassment" and q != SUPERVISOR_QUEUE:
            problems.append(
                at(path, data, [*loc, "then", action], "harassment must not reach an ordinary agent: use 'supervisor:' or 'end:'")
            )
    return problems


def _collect(directory: Path) -> tuple[RuleSet | None, list[str]]:
    problems: list[str] = []
    if not directory.is_dir():
        return None, [f"{directory}:1:1: not a directory"]
    cfg, _ = _load_queues(directory, problems)
    queue_names = set(cfg.queues) if cfg is not None else None
    files = _rule_files(directory)
    if not files:
        problems.append(f"{directory}:1:1: no rule files (*.yaml besides {QUEUES_FILE})")
    rules: list[CompiledRule] = []
    boosts: list[CompiledBoost] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            data = read_yaml(path)
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            problems.append(f"{path}:1:1: empty file: expected 'rules:'")
            continue
        rf, errs = validate(path, data, RuleFile, VOCAB)
        if rf is None:
            problems.extend(errs)
            continue
        problems.extend(_check_rule_file(path, data, rf, queue_names, seen))
        for i, rule in enumerate(rf.rules):
            if rule.enabled:
                line = at(path, data, ["rules", i], "").rstrip(": ").rsplit(":", 1)[0]
                rules.append(_compile_rule(rule.id, rule.then, compile_when(rule.when), line))
        boosts.extend(CompiledBoost(b.id, compile_when(b.when), b.add) for b in rf.priority_boosts)
    if problems or cfg is None:
        return None, problems
    return RuleSet(tuple(rules), tuple(boosts), BusinessHours.from_config(cfg)), []


def validate_rules(directory: Path | None = None) -> list[str]:
    """Every problem in the rules directory as `file:line:column: message`; [] when all is well."""
    return _collect(directory or DEFAULT_DIR)[1]


def load_rules(directory: Path | None = None) -> RuleSet:
    """The compiled rules and hours; raises RuleError listing every problem."""
    ruleset, problems = _collect(directory or DEFAULT_DIR)
    if ruleset is None:
        raise RuleError(problems)
    return ruleset
