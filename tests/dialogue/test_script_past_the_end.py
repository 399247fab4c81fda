"""A scripted case may run past the end of the call: the turns the caller never got to say are skipped, and the
case fails only when one of them expected something (a dev writer's "several" unintelligible turns, a goodbye
scripted after the bot's own)."""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import load_bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.testing import Case, CaseRunner, load_suite
from nlu.pipeline import NLU

NOISE = ["ざざ もにょ ふぁ", "ぬぇ ざー ぷつ", "ほにゃ ら ぷ", "ざざざ ぴー", "もにゅ へぁ ざ"]


def _suite(tmp_path: Path, last_expect: str) -> list[Case]:
    turns = "\n".join(f"    - user: {t}" for t in NOISE) + last_expect
    (tmp_path / "c.yaml").write_text(f"""- name: noise past the hand-over
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2027-01-20T11:00:00+09:00"
  turns:
{turns}
  expect: {{outcome: transferred, reason: repeated_failure}}
""", encoding="utf-8")
    return load_suite(tmp_path / "c.yaml")


async def test_turns_never_said_are_skipped(tmp_path: Path, nlu: NLU) -> None:
    (case,) = _suite(tmp_path, "")
    result = await CaseRunner(load_bot(), nlu, EscalationEngine.load()).run(case, "c.yaml")
    assert result.outcome == "transferred" and result.reason == "repeated_failure"
    assert sum(t["speaker"] == "caller" for t in result.transcript) < len(NOISE)  # it ended before the script did
    assert result.passed, result.failures


async def test_an_unsaid_turn_that_expected_something_fails(tmp_path: Path, nlu: NLU) -> None:
    (case,) = _suite(tmp_path, "\n      expect: {awaiting: free}")
    result = await CaseRunner(load_bot(), nlu, EscalationEngine.load()).run(case, "c.yaml")
    assert not result.passed
    assert result.failures[0].startswith(f"turn {len(NOISE)}: the call had already ended (transferred) at turn")
