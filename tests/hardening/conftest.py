"""Hostile-input fixtures: the whole server (every channel) around a fresh manager, with no host secrets."""

from __future__ import annotations

import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager


@pytest.fixture(autouse=True)
def _no_host_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TWILIO_AUTH_TOKEN", "IVR_VOICE_CONFIG", "IVR_PUBLIC_URL", "IVR_TRUST_FORWARDED",
                "IVR_STREAM_TOKEN", "TWILIO_WORKFLOW_SID", "IVR_AGENT_SIP", "IVR_CONSOLE_SECRET", "IVR_AGENT_USERS"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def manager() -> DialogueManager:
    return build_manager(backend=DemoBackend())
