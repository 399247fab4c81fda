"""The widget and the console in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

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
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    p = context.new_page()
    yield p
    context.close()


def send(page: Page, text: str) -> None:
    page.get_by_label("メッセージ", exact=True).fill(text)
    page.keyboard.press("Enter")  # the keyboard path, not only the mouse


def test_widget_answers_and_resumes_after_reload(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="チャットで問い合わせる").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text("サクラマートのお客様窓口です")
    send(page, "注文した商品が届かない")
    expect(log.locator(".sakura-chat-bot").last).to_contain_text("ご注文番号")
    page.screenshot(path=str(SHOTS / "ivr-widget.png"))
    page.reload()  # the chat goes on after a reload: sessionStorage keeps its id
    expect(log).to_contain_text("注文した商品が届かない")
    send(page, "12345678")
    expect(log.locator(".sakura-chat-bot").last).to_contain_text("お電話番号")


def test_chat_then_its_case_note_in_the_console(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="チャットで問い合わせる").click()
    log = page.get_by_role("log")
    for text, answer in [("注文した商品が届かない", "ご注文番号"), ("12345678", "お電話番号"),
                         ("09012345678", "配送中")]:
        send(page, text)
        expect(log.locator(".sakura-chat-bot").last).to_contain_text(answer)
    send(page, "以上です")
    expect(log).to_contain_text("チャットは終了しました")
    expect(page.get_by_role("button", name="新しいチャットを始める")).to_be_visible()

    page.goto(live_server + "/agent")
    expect(page).to_have_url(live_server + "/agent/login")
    page.get_by_label("ユーザー名").fill("alice")
    page.get_by_label("パスワード").fill("wrong")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("正しくありません")
    page.get_by_label("ユーザー名").fill("alice")
    page.get_by_label("パスワード").fill("alice-pw")
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(live_server + "/agent")
    row = page.locator("#cases tr").first
    expect(row).to_contain_text("ボットで解決")
    expect(row).to_contain_text("配送状況")
    expect(page.locator("#kpis")).to_contain_text("ボットで解決100 %")
    row.get_by_role("button", name="詳細").click()
    expect(page.locator(".transcript")).to_contain_text("09012345678")
    page.screenshot(path=str(SHOTS / "ivr-console.png"), full_page=True)


def test_transfer_notice_and_mobile_layout(browser: Browser, live_server: str) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 780}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.get_by_role("button", name="チャットで問い合わせる").click()
        send(page, "<b>オペレーターと話したい</b>")
        log = page.get_by_role("log")
        expect(log.locator(".sakura-chat-notice").first).to_contain_text("オペレーターにおつなぎしています")
        expect(log.locator(".sakura-chat-user")).to_contain_text("<b>")  # shown as typed, not as markup
        box = page.locator(".sakura-chat-panel").bounding_box()
        assert box is not None and box["width"] == 390  # full screen on a phone
        page.screenshot(path=str(SHOTS / "ivr-widget-mobile.png"))
    finally:
        context.close()


def test_supervisor_sees_the_harassment_case(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="チャットで問い合わせる").click()
    for text in ["バカ野郎", "土下座しろ"]:
        send(page, text)
        expect(page.get_by_role("log").locator(".sakura-chat-user").last).to_have_text(f"あなた: {text}")
    expect(page.get_by_role("log")).to_contain_text("チャットは終了しました")
    page.goto(live_server + "/agent/login")
    page.get_by_label("ユーザー名").fill("sam")
    page.get_by_label("パスワード").fill("sam-pw")
    page.keyboard.press("Enter")
    harassment = page.locator("#sv-harassment tr").first
    expect(harassment).to_contain_text("ボットが終了")
    expect(page.locator("#kpis")).to_contain_text("ハラスメント1 件")
    harassment.get_by_role("button", name="詳細").click()
    expect(page.locator(".transcript")).to_contain_text("土下座しろ")
    page.screenshot(path=str(SHOTS / "ivr-console-supervisor.png"), full_page=True)
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(live_server + "/agent/login")
