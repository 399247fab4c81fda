"""The sample bot's own conversations (tests/conversations, as `ivr test --json` gives them) keep its protocol:
the checks guard the prompts designers write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dialogue.bot import load_bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.qa import Checker
from dialogue.testing import CaseRunner, load_suite
from nlu.pipeline import NLU

SUITES = Path(__file__).resolve().parents[1] / "conversations"


def as_record(result: dict[str, Any], channel: str) -> dict[str, Any]:
    """A `ivr test --json` case as a record of the shared schema (the slots travel in the case note)."""
    return {"conversation_id": result["name"], "channel": channel, "started_at": None, "outcome": result["outcome"],
            "reason": result["reason"], "intents": result["intents"], "transcript": result["transcript"],
            "case_note": {"slots": result["slots"]}, "agent": None}


async def test_every_conversation_of_the_sample_bot_keeps_its_protocol(nlu: NLU) -> None:
    runner = CaseRunner(load_bot(), nlu, EscalationEngine.load())
    checker = Checker()
    breaches: list[str] = []
    checked: set[str] = set()
    contacts = 0
    for path in sorted(SUITES.rglob("*.yaml")):
        for case in load_suite(path):
            result = (await runner.run(case, str(path))).to_json()
            score = checker.check(as_record(result, case.channel))
            contacts += 1
            checked.update(score.checked)
            breaches.extend(f"{path.name}: {case.name}: {e.rule}@{e.turn} {e.text} ({e.why})" for e in score.failed)
    assert contacts >= 80
    assert not breaches, "\n".join(breaches)
    # the suites exercise the rules that need no clock: greeting, closing, identity, apology, refusals, keigo
    assert {"greeting", "closing", "identity", "apology", "bare_refusal", "plain_speech", "blame"} <= checked
