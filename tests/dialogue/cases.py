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


def scripted_case(turns: list[str | tuple[str, str]], expect: str, *, now: str, phone: str | None = None,
                  channel: str = "voice") -> str:
    """One scripted case as YAML; a turn given as (words, expect) asserts what follows it."""
    lines = []
    for t in turns:
        said, after = (t, None) if isinstance(t, str) else t
        lines.append(f"    - user: \"{said}\"")
        if after:
            lines.append(f"      expect: {after}")
    caller = f"{{phone: \"{phone}\"}}" if phone else "{}"
    body = "\n".join(lines)
    return f"""
- name: caller
  channel: {channel}
  caller: {caller}
  now: "{now}"
  turns:
{body}
  expect: {expect}
"""
