"""Voice channel fixtures: a fresh bot per test, the real NLU, and a phone that speaks Twilio's webhooks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from ivr.server import create_app
from ivr.voice_common import CONFIG, VoiceConfig
from ivr.voice_twilio import FIXED_NOW

TOKEN = "test-auth-token-0123456789abcdef"  # a made-up token: tests never see a real secret
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday, agents at work
ClientMaker = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture(autouse=True)
def _no_host_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # a developer's shell must not change what the tests see
    for var in ("TWILIO_AUTH_TOKEN", "IVR_VOICE_CONFIG", "IVR_PUBLIC_URL", "IVR_TRUST_FORWARDED",
                "IVR_STREAM_TOKEN", "TWILIO_WORKFLOW_SID", "IVR_AGENT_SIP"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def manager() -> DialogueManager:
    return build_manager(backend=DemoBackend())  # fresh orders per test: a cancel does not leak


def voice_app(manager: DialogueManager, cfg: VoiceConfig | None = None, now: datetime | None = NOW) -> web.Application:
    app = create_app(manager)
    app[CONFIG] = cfg if cfg is not None else VoiceConfig(auth_token=TOKEN)
    if now is not None:
        app[FIXED_NOW] = now
    return app


def spoken(root: ET.Element) -> str:
    return "".join("".join(say.itertext()) for say in root.iter("Say"))


class Phone:
    """One caller on a Twilio line: posts what Twilio would post, signed as Twilio signs it."""

    def __init__(self, client: TestClient[web.Request, web.Application], sid: str, caller: str = "+81312345678",
                 token: str | None = TOKEN) -> None:
        self.client, self.sid, self.caller, self.token = client, sid, caller, token
        self.twiml: ET.Element | None = None
        self.status = 0

    def params(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.caller, "To": "+81120000000",
                "CallStatus": "in-progress", "Direction": "inbound", **extra}

    async def post(self, path: str, params: dict[str, str]) -> ET.Element | None:
        url = str(self.client.make_url(path))
        headers = {}
        if self.token:
            headers["X-Twilio-Signature"] = RequestValidator(self.token).compute_signature(url, params)
        resp = await self.client.post(path, data=params, headers=headers)
        self.status = resp.status
        body = await resp.text()
        if resp.status != 200:
            return None
        self.twiml = ET.fromstring(body)
        return self.twiml

    async def dial(self) -> ET.Element:
        root = await self.post("/voice/twilio", self.params(CallStatus="ringing"))
        assert root is not None, self.status
        return root

    def gather(self) -> ET.Element:
        assert self.twiml is not None
        gather = self.twiml.find("Gather")
        assert gather is not None, ET.tostring(self.twiml, encoding="unicode")
        return gather

    async def say(self, text: str, confidence: str = "0.92") -> ET.Element:
        action = self.gather().get("action", "")
        root = await self.post(action, self.params(SpeechResult=text, Confidence=confidence))
        assert root is not None, self.status
        return root

    async def press(self, digits: str) -> ET.Element:
        action = self.gather().get("action", "")
        root = await self.post(action, self.params(Digits=digits))
        assert root is not None, self.status
        return root

    async def silence(self) -> ET.Element:
        assert self.twiml is not None
        redirect = self.twiml.find("Redirect")
        assert redirect is not None and redirect.text
        root = await self.post(redirect.text, self.params())
        assert root is not None, self.status
        return root

    async def hang_up(self) -> int:
        await self.post("/voice/twilio/status", self.params(CallStatus="completed", CallDuration="42"))
        return self.status


def call_sid(n: int) -> str:
    return f"CA{n:032x}"
