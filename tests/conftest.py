"""Shared fixtures: the trained default NLU is loaded once per test session (the tagger is per process)."""

from __future__ import annotations

import os

import pytest

from dialogue.factory import shared_nlu
from nlu.pipeline import NLU

# keep a developer's settings out of the tests
for _var in ("TWILIO_AUTH_TOKEN", "IVR_AGENT_USERS", "IVR_CONSOLE_SECRET", "IVR_VOICE_CONFIG"):
    os.environ.pop(_var, None)


@pytest.fixture(scope="session")
def nlu() -> NLU:
    return shared_nlu()
