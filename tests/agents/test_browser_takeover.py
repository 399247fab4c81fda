"""User and agent in two browser contexts (Debian's chromium through Playwright): hand-over, answer, close."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from dialogue.factory import build_manager  # noqa: E402
from tests.agents.conftest import agents_app  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def server() -> Iterator[str]:
    with ServerThread(agents_app(build_manager())) as url:
        yield url


def _page(browser: Browser) -> Page:
    return browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 860}).new_page()


def test_user_and_agent_chat_then_the_agent_closes(browser: Browser, server: str) -> None:
    agent = _page(browser)
    agent.goto(server + "/agent/login")
    agent.get_by_label("ユーザー名").fill("alice")
    agent.get_by_label("パスワード").fill("alice-pw")
    agent.get_by_role("button", name="ログイン").click()
    expect(agent.locator("#queue")).to_contain_text("受付待ちの会話はありません")
    expect(agent.get_by_label("受付状態")).to_have_value("available")

    user = _page(browser)
    user.goto(server + "/")
    user.get_by_role("button", name="チャットで問い合わせる").click()
    log = user.get_by_role("log")
    message = user.get_by_label("メッセージ", exact=True)
    message.fill("オペレーターと話したい")
    message.press("Enter")
    expect(log).to_contain_text("まもなく担当者におつなぎいたします")
    message.fill("<img src=x onerror=alert(1)>注文の件です")  # typed while waiting; inert everywhere
    message.press("Enter")

    agent.get_by_role("button", name="一般窓口 の会話を受け付ける").click()
    expect(log).to_contain_text("担当の佐藤がお伺いします。")
    chat_log = agent.locator("#chat-log")
    expect(chat_log).to_contain_text("<img src=x onerror=alert(1)>注文の件です")
    expect(chat_log).to_contain_text("オペレーターと話したい")  # the bot's part comes first, one transcript
    agent.get_by_label("お客様への返信").fill("お待たせいたしました。佐藤でございます。ご注文番号をお知らせいただけますか。")
    agent.get_by_role("button", name="送信").click()

    expect(log.locator(".sakura-chat-agent").last).to_contain_text("佐藤でございます")
    expect(message).to_be_enabled()
    message.fill("12345678です")
    message.press("Enter")
    expect(chat_log).to_contain_text("12345678です")
    user.screenshot(path=str(SHOTS / "ivr-takeover-user.png"))
    agent.screenshot(path=str(SHOTS / "ivr-takeover-agent.png"), full_page=True)

    agent.get_by_label("対応結果").fill("配送状況を案内")
    agent.get_by_role("button", name="終了").click()
    expect(log).to_contain_text("担当者とのチャットを終了いたしました")
    expect(message).to_be_enabled()
    expect(agent.get_by_label("受付状態")).to_have_value("after_call_work")
    expect(agent.locator("#kpis")).to_contain_text("オペレーター転送100 %")  # the KPIs moved
    assert user.locator("img").count() == 0 and agent.locator("img").count() == 0
    user.screenshot(path=str(SHOTS / "ivr-takeover-user-closed.png"))
    agent.screenshot(path=str(SHOTS / "ivr-takeover-agent-closed.png"), full_page=True)

    # the closed case's transcript: the agent's lines are the agent's (named), not the bot's
    agent.locator("#cases").get_by_role("button", name=re.compile("の詳細$")).first.click()
    transcript = agent.locator("#detail-body .transcript")
    said = transcript.locator("li.agent", has_text="佐藤でございます")
    expect(said.locator(".speaker")).to_have_text("担当 佐藤")
    expect(transcript.locator("li.bot", has_text="佐藤でございます")).to_have_count(0)
    facts = agent.locator("#detail-body .facts")
    expect(facts).to_contain_text("担当者佐藤")  # the desk's part of the note, in words
    expect(facts).to_contain_text("対応結果配送状況を案内")
    expect(facts).to_contain_text("待ち時間0分")

    supervisor = _page(browser)
    supervisor.goto(server + "/agent/login")
    supervisor.get_by_label("ユーザー名").fill("sam")
    supervisor.get_by_label("パスワード").fill("sam-pw")
    supervisor.get_by_role("button", name="ログイン").click()
    agents = supervisor.locator("#sv-agents")
    expect(agents).to_contain_text("佐藤(alice)後処理")
    expect(agents).to_contain_text("鈴木(sam)受付可")
    for page in (agent, user, supervisor):
        page.context.close()
