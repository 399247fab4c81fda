"""The console as an agent reads it (issue 13), in Debian's chromium: every desk event in Japanese words (a
phone put through, a caller who hung up, a transfer), a phone call the agent's phone took from the queue pops
its case note without a click, the queue's and the case list's cells stay readable, skills and flow steps in
words on the supervisor's pages. A phone caller here is Twilio's signed webhooks against the live server."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from dialogue.backends.demo import DemoBackend  # noqa: E402
from dialogue.factory import build_manager  # noqa: E402
from ivr.server import create_app  # noqa: E402
from ivr.voice_common import AGENT_LINE_PATH, CONFIG, HOLD_DONE_PATH, VoiceConfig  # noqa: E402
from ivr.voice_twilio import FIXED_NOW  # noqa: E402
from ivr.web_chat import HUB  # noqa: E402
from tests.voice.conftest import NOW, TOKEN  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))
ENV = {"IVR_CONSOLE_SECRET": "test-secret", "IVR_AGENT_USERS": "alice:alice-pw:agent,sam:sam-pw:supervisor",
       "IVR_AGENT_NAMES": "alice:佐藤,sam:鈴木"}
RAW = re.compile(r"connected|hung_up|transferred|accepted|queued|billing|general|complaints|slot:|strong_anger"
                 r"|\(alice\)|\([a-z_]+\)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("TWILIO_AUTH_TOKEN", "IVR_VOICE_CONFIG", "IVR_PUBLIC_URL", "IVR_AGENT_DIAL", "IVR_TRUST_FORWARDED"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(build_manager(backend=DemoBackend()))  # the whole server: phone, chat, console
    app[CONFIG] = VoiceConfig(auth_token=TOKEN)  # no agent_dial: agents' phones take callers from the queue
    app[FIXED_NOW] = NOW  # a weekday morning: the queues are open
    app[HUB].now = NOW
    with ServerThread(app) as url:
        yield url


class Caller:
    """A phone on Twilio's line: signed form posts to the live server, TwiML read back."""

    def __init__(self, base: str, sid: str, caller: str = "+819012345678") -> None:
        self.base, self.sid, self.caller = base, sid, caller
        self.twiml: ET.Element | None = None

    def params(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.caller, "To": "+81120000000",
                "CallStatus": "in-progress", "Direction": "inbound", **extra}

    def post(self, path: str, params: dict[str, str]) -> ET.Element:
        url = self.base + path
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        resp = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
        self.twiml = ET.fromstring(resp.text)
        return self.twiml

    def say(self, text: str) -> ET.Element:
        assert self.twiml is not None
        gather = self.twiml.find("Gather")
        assert gather is not None, ET.tostring(self.twiml, encoding="unicode")
        return self.post(gather.get("action", ""), self.params(SpeechResult=text, Confidence="0.92"))


def _page(browser: Browser, width: int = 1280) -> Page:
    return browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900}).new_page()


def _login(page: Page, server: str, name: str) -> None:
    page.goto(server + "/agent/login")
    page.get_by_label("ユーザー名").fill(name)
    page.get_by_label("パスワード").fill(f"{name}-pw")
    page.get_by_role("button", name="ログイン").click()


def test_a_call_put_through_to_the_agents_phone_pops_and_every_event_reads_in_japanese(
        browser: Browser, server: str) -> None:
    agent = _page(browser)
    _login(agent, server, "alice")
    expect(agent.locator("#queue")).to_contain_text("受付待ちの会話はありません")

    caller = Caller(server, "CA" + "1" * 32)
    caller.post("/voice/twilio", caller.params(CallStatus="ringing"))
    caller.say("注文した商品がまだ届かないんですけど")
    caller.say("えーと、あれです、あの")  # a no-match at the order number: the wallboard's stuck step
    caller.say("12345678です")
    queued = caller.say("オペレーターと話したいんですが")
    assert queued.find("Enqueue") is not None, ET.tostring(queued, encoding="unicode")
    expect(agent.locator("#queue")).to_contain_text("電話")
    # the queue's short cells stay on one line: the 受付 button is not broken into 受/付
    button = agent.get_by_role("button", name="一般窓口 の会話を受け付ける")
    box = button.bounding_box()
    assert box is not None and box["width"] > box["height"], box
    agent.screenshot(path=str(SHOTS / "ivr-console-queue.png"), full_page=True)

    # alice's softphone calls the agents' line and Twilio dequeues the caller: nobody pressed 受付
    line = Caller(server, "CA" + "9" * 32, caller="client:alice")
    queue = line.post(AGENT_LINE_PATH, line.params()).find("Dial/Queue")
    assert queue is not None and queue.text == "general"
    caller.post(queue.get("url", ""), caller.params(QueueSid="QU" + "3" * 32, QueueTime="25",
                                                   DequeueingCallSid=line.sid))
    chat = agent.locator("#chat")
    expect(chat).to_be_visible()  # the screen pop
    expect(agent.locator("#chat-title")).to_have_text("お電話")
    expect(agent.locator("#chat-summary")).to_contain_text("12345678")  # the bot's case note
    expect(agent.locator("#chat-fields")).to_contain_text("注文番号")
    expect(agent.locator("#state-note")).to_contain_text("お電話がつながりました")
    log = agent.locator("#chat-log")
    expect(log).to_contain_text("佐藤さんが受け付けました")
    expect(log).to_contain_text("お電話を佐藤さんにおつなぎしました")
    expect(agent.locator("#chat-customer")).to_contain_text("お客様の履歴(090-1234-5678)")

    # the agent moves it on: to billing, then takes it back; the queues by the names the bot's data gives
    # them (escalation_rules/queues.yaml `label`), not ids
    transfer = agent.get_by_label("転送先")
    expect(transfer).to_contain_text("お客様相談室")
    expect(transfer).not_to_contain_text("complaints")
    agent.get_by_label("転送先").select_option("billing")
    agent.get_by_role("button", name="転送", exact=True).click()
    agent.get_by_role("button", name="請求・お支払い窓口 の会話を受け付ける").click()
    expect(log).to_contain_text("請求・お支払い窓口へ転送しました")
    expect(agent.locator("#state-note")).to_have_text("")  # the pop's notice went with the agent's next step
    agent.screenshot(path=str(SHOTS / "ivr-console-call.png"), full_page=True)
    system = " / ".join(agent.locator("#chat-log li.system").all_inner_texts())
    assert not RAW.search(system), system
    assert "受付待ちに入りました" in system

    agent.get_by_label("対応結果").fill("再配達を手配")
    agent.get_by_role("button", name="終了").click()
    expect(chat).to_be_hidden()

    # a second caller, accepted in the console, hangs up on hold before the agent's phone takes them
    agent.get_by_label("受付状態").select_option("available")  # after-call work done: a wait can be promised
    expect(agent.locator("#state-note")).to_have_text("受付状態を変更しました。")
    second = Caller(server, "CA" + "2" * 32, caller="+818011112222")
    second.post("/voice/twilio", second.params(CallStatus="ringing"))
    assert second.say("オペレーターと話したいんですが").find("Enqueue") is not None
    agent.get_by_role("button", name="一般窓口 の会話を受け付ける").click()
    expect(chat).to_be_visible()
    second.post(HOLD_DONE_PATH, second.params(QueueResult="hangup", QueueSid="QU" + "3" * 32, QueueTime="40"))
    expect(log).to_contain_text("お客様が電話を切られました")
    system = " / ".join(agent.locator("#chat-log li.system").all_inner_texts())
    assert not RAW.search(system), system
    agent.get_by_label("対応結果").fill("お客様切断")
    agent.get_by_role("button", name="終了").click()
    expect(chat).to_be_hidden()

    supervisor = _page(browser)
    _login(supervisor, server, "sam")
    agents = supervisor.locator("#sv-agents")
    expect(agents).to_contain_text("一般窓口、請求・お支払い窓口、お客様相談室、英語")  # alice's skills in words
    expect(agents).to_contain_text("スーパーバイザー、一般窓口、請求・お支払い窓口、お客様相談室")
    # the case list keeps its 詳細 button inside its panel
    cases = supervisor.locator("#cases")
    expect(cases).to_contain_text("ご注文の配送状況")  # the request as the bot names it (label_order_status)
    detail = cases.get_by_role("button", name=re.compile("の詳細$")).first
    section = supervisor.locator("section", has=supervisor.locator("#cases"))
    d, s = detail.bounding_box(), section.bounding_box()
    assert d is not None and s is not None and d["x"] + d["width"] <= s["x"] + s["width"], (d, s)
    supervisor.goto(server + "/agent/wallboard")
    supervisor.locator("#period").select_option("all")
    stuck = supervisor.locator("#chart-stuck")
    expect(stuck).to_contain_text("注文番号の聞き取り")
    # what is drawn (not the tooltips): the step whole on top, the flow under it, no ids
    drawn = stuck.locator("svg > text").evaluate_all("ts => ts.map(t => t.firstChild.textContent)")
    assert "注文番号の聞き取り" in drawn, drawn
    assert "注文番号とお電話番号でご本人様を確認する" in drawn, drawn  # the verify_order flow's description, whole
    assert not any("verify_order" in t or "/" in t for t in drawn), drawn
    supervisor.screenshot(path=str(SHOTS / "ivr-console-wallboard.png"), full_page=True)
    for page in (agent, supervisor):
        page.context.close()
