"""One SPEC 7.2 case, written inline as YAML, run on a bot with the real NLU: what the caller-class tests share."""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.testing import CaseResult, CaseRunner, load_suite
from nlu.pipeline import NLU


async def run_case(tmp_path: Path, bot: Bot, nlu: NLU, case_yaml: str) -> CaseResult:
    path = tmp_path / "case.yaml"
    path.write_text(case_yaml, encoding="utf-8")
    (case,) = load_suite(path)
    return await CaseRunner(bot, nlu, EscalationEngine.load()).run(case, path.name)
