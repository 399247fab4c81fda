"""Shared fixture: the shipped rules, loaded once."""

from __future__ import annotations

import pytest

from dialogue.escalation import EscalationEngine


@pytest.fixture(scope="session")
def engine() -> EscalationEngine:
    return EscalationEngine.load()
