"""Kasu-hara: warn politely once, then end or go to a supervisor; never an ordinary agent, never a callback."""

from __future__ import annotations

import pytest

from dialogue.escalation import EscalationEngine
from tests.escalation.factories import abuse, at, sig

SUNDAY_NIGHT = at("2026-12-06T23:00:00+09:00")


def _call(engine: EscalationEngine, kinds: list[str]) -> list[str]:
    """Play a call with one abusive line per turn; the bot warns when told to."""
    warnings = 0
    actions: list[str] = []
    for kind in kinds:
        d = engine.decide(sig(harassment=abuse(kind), harassment_warnings=warnings))
        assert d is not None
        actions.append(d.action)
        if d.action == "warn":
            assert d.prompt == "harassment_warning"
            warnings += 1
        else:
            break
    return actions


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["insult", "insult"], ["warn", "end"]),
        (["sexual", "sexual"], ["warn", "end"]),
        (["unreasonable_demand", "insult"], ["warn", "end"]),
        (["threat", "threat"], ["warn", "supervisor"]),
        (["insult", "threat"], ["warn", "supervisor"]),
        (["threat", "insult"], ["warn", "end"]),
    ],
)
def test_warn_then_end_or_supervisor(engine: EscalationEngine, kinds: list[str], expected: list[str]) -> None:
    assert _call(engine, kinds) == expected


def test_end_carries_its_prompt(engine: EscalationEngine) -> None:
    d = engine.decide(sig(harassment=abuse("insult"), harassment_warnings=1))
    assert d is not None and d.prompt == "harassment_end" and d.queue is None


@pytest.mark.parametrize("kind", ["threat", "insult"])
def test_never_a_callback_even_when_closed(engine: EscalationEngine, kind: str) -> None:
    d = engine.decide(sig(now=SUNDAY_NIGHT, harassment=abuse(kind), harassment_warnings=1))
    assert d is not None and d.action in ("supervisor", "end")


def test_supervisor_ignores_queue_wait(engine: EscalationEngine) -> None:
    d = engine.decide(sig(harassment=abuse("threat"), harassment_warnings=1, queue_wait_s={"supervisor": 9999}))
    assert d is not None and d.action == "supervisor" and d.queue == "supervisor"


def test_harassment_wins_over_a_transfer_reason(engine: EscalationEngine) -> None:
    d = engine.decide(sig(harassment=abuse("insult"), intent="operator_request", consecutive_failures=4))
    assert d is not None and d.action == "warn"
