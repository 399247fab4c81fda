"""The people-in-the-loop pages as an agent and a supervisor read them (issue 13), in Debian's chromium:
the console queue with two callers on hold (the one the ACD ranks higher first, as the agents' line takes
them), the QA view and the wallboard, each screenshot under IVR_SCREENSHOTS, in words, not ids."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from dialogue.backends.demo import DemoBackend  # noqa: E402
from dialogue.factory import build_manager  # noqa: E402
from dialogue.records import put_records  # noqa: E402
from ivr.server import create_app  # noqa: E402
from ivr.voice_common import CONFIG, VoiceConfig  # noqa: E402
from ivr.voice_twilio import FIXED_NOW  # noqa: E402
from ivr.web_chat import HUB  # noqa: E402
from tests.agents.test_browser_console_words import ENV, SHOTS, Caller, _login, _page, browser  # noqa: E402
from tests.agents.test_supervisor_reports import POLITE_BOT, RUDE_AGENT  # noqa: E402
from tests.voice.conftest import NOW, TOKEN  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
__all__ = ["browser"]
RAW = re.compile(r"strong_anger|slot:|anger=|human_request|plain_speech|store_hours|billing_inquiry|\bgeneral\b"
                 r"|\bcomplaints\b|\bemotion\b")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("TWILIO_AUTH_TOKEN", "IVR_VOICE_CONFIG", "IVR_PUBLIC_URL", "IVR_AGENT_DIAL", "IVR_TRUST_FORWARDED"):
        monkeypatch.delenv(name, raising=False)
    manager = build_manager(backend=DemoBackend())
    app = create_app(manager)
    app[CONFIG] = VoiceConfig(auth_token=TOKEN)
    app[FIXED_NOW] = NOW
    app[HUB].now = NOW
    thread = ServerThread(app)
    with thread as url:  # the records go in on the server's loop (its store is that loop's)
        asyncio.run_coroutine_threadsafe(put_records(manager.store, [RUDE_AGENT, POLITE_BOT]), thread.loop).result(10)
        yield url


def _no_ids(page: Page, where: str) -> None:
    text = page.locator("body").inner_text()
    found = RAW.findall(text)
    assert not found, (where, found)


def test_two_callers_on_hold_the_qa_view_and_the_wallboard_read_in_words(browser: Browser, server: str) -> None:
    calm, angry = Caller(server, "CA" + "4" * 32, "+819011110001"), Caller(server, "CA" + "5" * 32, "+819011110002")
    calm.post("/voice/twilio", calm.params(CallStatus="ringing"))
    assert calm.say("オペレーターと話したいんですが").find("Enqueue") is not None
    angry.post("/voice/twilio", angry.params(CallStatus="ringing"))
    angry.say("注文した商品がまだ届かないんですけど")
    angry.say("何度も問い合わせてるのに、いい加減にしてください。本当に腹が立ちます")
    if angry.twiml is not None and angry.twiml.find("Enqueue") is None:
        angry.say("オペレーターと話したいんですが")

    agent = _page(browser)
    _login(agent, server, "alice")
    expect(agent.locator("#queue tr")).to_have_count(2)
    first, second = agent.locator("#queue tr").all()
    expect(first).to_contain_text("お客様相談室")  # the angry caller, ranked first, as the agents' line takes them
    expect(first).to_contain_text("感情の高まり")
    expect(second).to_contain_text("一般窓口")
    agent.screenshot(path=str(SHOTS / "ivr-queue-two-waiting.png"), full_page=True)
    _no_ids(agent, "queue")

    sam = _page(browser)
    _login(sam, server, "sam")
    sam.goto(server + "/agent/qa?from=2026-11-20&to=2026-11-21")
    expect(sam.locator("#status")).to_contain_text("応対")
    expect(sam.locator("#by-agent")).to_contain_text("佐藤")  # alice by her name, as the console shows her
    sam.screenshot(path=str(SHOTS / "ivr-qa.png"), full_page=True)
    _no_ids(sam, "qa")
    assert "alice" not in sam.locator("main").inner_text()

    sam.goto(server + "/agent/wallboard")
    sam.wait_for_timeout(1500)
    sam.screenshot(path=str(SHOTS / "ivr-wallboard.png"), full_page=True)
    _no_ids(sam, "wallboard")
