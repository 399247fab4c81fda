"""Designer commands: `ivr validate` (every problem as file:line:col) and `ivr graph` (draw a flow)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dialogue.backends.build import build_backend
from dialogue.bot import load_bot
from dialogue.bot_project import load_project
from dialogue.graph import cjk_font, render
from dialogue.validate import Report, check
from dialogue.yaml_source import SourceError

_WHERE = re.compile(r"^(.*?)(:\d+:\d+: .*)$", re.DOTALL)


def _short(problem: str) -> str:
    """Paths relative to the current directory, as a designer typed them (dialogue/flows/x.yaml:3:5)."""
    m = _WHERE.match(problem)
    if not m:
        return problem
    try:
        return str(Path(m.group(1)).resolve().relative_to(Path.cwd())) + m.group(2)
    except ValueError:
        return problem


def run_validate_bot(root: Path) -> int:
    """`ivr validate --bot DIR`: the bot's own flows, prompts, rules, intents, entity types, FAQ and actions."""
    try:
        project = load_project(root)
        actions = build_backend(project.backend, project.root).actions()
    except SourceError as exc:
        return _print_problems(exc.problems)
    except Exception as exc:  # a backend entry point that cannot be built: say so, as a problem
        return _print_problems([f"{root / 'bot.yaml'}:1:1: backend: {exc}"])
    report = check(project.flows, project.prompts, project.escalation_rules, intents_dir=project.intents,
                   actions=actions, entities_dir=project.entities, faq_dir=project.faq)
    return _print_report(report)


def _print_problems(problems: list[str]) -> int:
    for problem in problems:
        print(_short(problem))
    n = len(problems)
    print(f"{n} problem{'s' if n != 1 else ''}")
    return 1


def run_validate(flows: Path | None, prompts: Path | None, rules: Path | None, entities: Path | None = None) -> int:
    """Print each problem, then a summary; 1 when there is any problem (for CI and pre-commit)."""
    return _print_report(check(flows, prompts, rules, entities_dir=entities))


def _print_report(report: Report) -> int:
    for problem in report.problems:
        print(_short(problem))
    n = len(report.problems)
    if n:
        print(f"{n} problem{'s' if n != 1 else ''}")
        return 1
    print(f"OK: {report.flows} flows, {report.prompts} prompts, {report.rules} rules")
    return 0


def run_graph(flow: str, out: Path | None, fmt: str) -> int:
    """Draw one flow of the shipped bot to `out` (default ./FLOW.svg, or .png/.dot by format)."""
    try:
        bot = load_bot()
    except SourceError as exc:
        for problem in exc.problems:
            print(_short(problem), file=sys.stderr)
        return 1
    if flow not in bot.flows:
        print(f"unknown flow '{flow}' (flows: {', '.join(sorted(bot.flows))})", file=sys.stderr)
        return 2
    if fmt != "dot" and cjk_font() is None:
        print("warning: no Japanese font found (fc-list :lang=ja); install fonts-noto-cjk", file=sys.stderr)
    target = out or Path(f"{flow}.{fmt}")
    try:
        data = render(bot.flows[flow], bot.prompts, fmt)
    except Exception as exc:  # graphviz.ExecutableNotFound / CalledProcessError: no usable `dot`
        print(f"cannot render with Graphviz: {exc}", file=sys.stderr)
        return 1
    target.write_bytes(data)
    print(target)
    return 0
