"""`ivr test PATH... [--json] [--coverage]`: run conversation tests and report (SPEC 7.2)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from dialogue.bot import load_bot
from dialogue.coverage import measure
from dialogue.escalation.engine import EscalationEngine
from dialogue.factory import shared_nlu
from dialogue.testing import CaseResult, CaseRunner, load_suite
from dialogue.yaml_source import SourceError


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(list(p.rglob("*.yaml")) + list(p.rglob("*.yml"))))
        else:
            out.append(p)
    return out


async def _run(paths: list[Path], as_json: bool, coverage: bool) -> int:
    try:
        bot = load_bot()
    except SourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("0 passed, 1 failed", file=sys.stderr)
        return 1
    runner = CaseRunner(bot, shared_nlu(), EscalationEngine.load())
    results: list[CaseResult] = []
    errors = 0
    for path in _files(paths):
        try:
            cases = load_suite(path)
        except SourceError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            errors += 1
            continue
        except OSError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            errors += 1
            continue
        for case in cases:
            result = await runner.run(case, str(path))
            results.append(result)
            if as_json:
                print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
            else:
                mark = "PASS" if result.passed else "FAIL"
                print(f"{mark} {path.name}: {case.name} [{result.outcome}{'/' + result.reason if result.reason else ''}]")
                for failure in result.failures:
                    print(f"     - {failure}")
    passed = sum(r.passed for r in results)
    failed = len(results) - passed + errors
    out = sys.stderr if as_json else sys.stdout
    if coverage:
        for line in measure(bot, [r.steps for r in results]).lines():
            print(line, file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def run_tests(paths: list[Path], as_json: bool = False, coverage: bool = False) -> int:
    return asyncio.run(_run(paths, as_json, coverage))
