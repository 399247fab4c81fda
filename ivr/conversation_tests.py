"""`ivr test PATH... [--json] [--coverage]`: run conversation tests and report (SPEC 7.2)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from dialogue.backends import Backend
from dialogue.backends.build import BackendConfigError, build_backend
from dialogue.bot import Bot, load_bot
from dialogue.coverage import measure
from dialogue.escalation.engine import EscalationEngine
from dialogue.factory import BotPaths, load_paths, shared_nlu
from dialogue.testing import CaseResult, CaseRunner, load_suite
from dialogue.yaml_source import SourceError
from ivr.deploy_commands import StartupError, open_project
from ivr.settings import SettingsError, load_settings
from nlu.model import ModelError


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(list(p.rglob("*.yaml")) + list(p.rglob("*.yml"))))
        else:
            out.append(p)
    return out


def _runner(bot_dir: Path | None) -> tuple[CaseRunner, Bot, Backend | None]:
    """The sample bot with its demo backend, or a bot directory with the backend its bot.yaml names (one
    shared instance for a webhook or Python backend: their state lives in the company's system)."""
    if bot_dir is None:
        bot = load_bot()
        return CaseRunner(bot, shared_nlu(), EscalationEngine.load()), bot, None
    project = open_project(bot_dir, lambda m: print(m, file=sys.stderr, flush=True))
    settings, secrets = load_settings()
    paths = BotPaths.of(project)
    bot = load_paths(paths)
    escalation = EscalationEngine.load(paths.rules)
    token = secrets.get("IVR_BACKEND_TOKEN")

    def fresh() -> Backend:
        return build_backend(project.backend, project.root, url=settings.backend_url, token=token)

    shared = fresh() if project.backend.kind in ("webhook", "python") else None
    runner = CaseRunner(bot, shared_nlu(paths.model, paths.lexicon), escalation, (lambda: shared) if shared else fresh)
    return runner, bot, shared


async def _run(paths: list[Path], as_json: bool, coverage: bool, bot_dir: Path | None) -> int:
    try:
        runner, bot, shared = _runner(bot_dir)
    except (SourceError, StartupError, SettingsError, ModelError, BackendConfigError) as exc:
        for problem in getattr(exc, "problems", None) or str(exc).splitlines():
            print(problem, file=sys.stderr)
        print("0 passed, 1 failed", file=sys.stderr)
        return 1
    try:
        return await _run_cases(runner, bot, paths, as_json, coverage)
    finally:
        close = getattr(shared, "close", None)
        if close is not None:
            await close()


async def _run_cases(runner: CaseRunner, bot: Bot, paths: list[Path], as_json: bool, coverage: bool) -> int:
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


def run_tests(paths: list[Path], as_json: bool = False, coverage: bool = False, bot: Path | None = None) -> int:
    return asyncio.run(_run(paths, as_json, coverage, bot))
