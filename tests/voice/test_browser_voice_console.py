"""The console in a browser (Debian's chromium through Playwright) with a phone caller on the desk: no message
box, a clear note to talk on the phone, and the hand-over note with 自動応答に戻す still there and working."""

from __future__ import annotations

import os
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from dialogue.backends.demo import DemoBackend  # noqa: E402
from dialogue.factory import build_manager  # noqa: E402
from tests.voice.conftest import TOKEN, call_sid, voice_app  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")
    with ServerThread(voice_app(build_manager(backend=DemoBackend()))) as url:
        yield url


def twilio(base: str, path: str, sid: str, **extra: str) -> ET.Element:
    """A signed Twilio webhook, as Twilio posts it."""
    params = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+81312345678", "To": "+81120000000",
              "CallStatus": "in-progress", **extra}
    url = base + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    req = urllib.request.Request(url, data=urlencode(params).encode(), headers={"X-Twilio-Signature": signature})
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (the test's own loopback server)
        return ET.fromstring(resp.read())


def test_a_phone_caller_in_the_console_has_no_message_box(server: str) -> None:
    sid = call_sid(500)
    greeting = twilio(server, "/voice/twilio", sid, CallStatus="ringing")
    gather = greeting.find("Gather")
    assert gather is not None
    queued = twilio(server, gather.get("action", ""), sid, SpeechResult="オペレーターと話したいんですが", Confidence="0.92")
    assert queued.find("Enqueue") is not None

    with playwright_sync.sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        agent = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 860}).new_page()
        agent.goto(server + "/agent/login")
        agent.get_by_label("ユーザー名").fill("alice")
        agent.get_by_label("パスワード").fill("alice-pw")
        agent.get_by_role("button", name="ログイン").click()
        expect(agent.locator("#queue")).to_contain_text("電話")
        agent.get_by_role("button", name="一般窓口 の会話を受け付ける").click()

        expect(agent.locator("#chat-title")).to_have_text("お電話")
        expect(agent.get_by_role("note")).to_contain_text("お電話のお客様です。通話でご対応ください")
        expect(agent.get_by_label("お客様への返信")).to_be_hidden()
        expect(agent.get_by_role("button", name="送信")).to_be_hidden()
        expect(agent.locator("#chat-log")).to_contain_text("オペレーターと話したいんですが")
        expect(agent.locator("#mine")).to_contain_text("電話・一般窓口")
        agent.screenshot(path=str(SHOTS / "ivr-voice-console.png"), full_page=True)

        agent.get_by_label("ボットへの申し送り(任意)").fill("営業時間のご案内のみ")
        agent.get_by_role("button", name="自動応答に戻す").click()
        expect(agent.locator("#state-note")).to_have_text("自動応答に戻しました。")
        expect(agent.locator("#chat")).to_be_hidden()
        browser.close()
    # the caller, still on hold, now leaves the queue for the bot
    assert twilio(server, "/voice/twilio/hold", sid, QueueTime="20").find("Leave") is not None
