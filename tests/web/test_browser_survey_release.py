"""The widget's survey in Debian's chromium (Playwright) after an agent hands the chat back to the bot and the
bot resolves it: the rating lands on the record of the bot session that ended (`<id>-r1`), not on the first
conversation id (whose record is the agent's hand-over). Screenshot: $IVR_SCREENSHOTS/ivr-widget-survey-r1.png."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

from dialogue.factory import build_manager  # noqa: E402
from dialogue.records import records  # noqa: E402
from ivr import survey_channel  # noqa: E402
from tests.agents.conftest import agents_app  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))
THANKS = "ご回答ありがとうございました。今後のサービス向上に役立ててまいります。"


@pytest.fixture
def served() -> Iterator[tuple[str, ServerThread]]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    app = agents_app(build_manager())
    survey_channel.setup(app)
    thread = ServerThread(app)
    with thread as url:
        yield url, thread


def test_the_rating_after_a_release_lands_on_the_later_session(served: tuple[str, ServerThread]) -> None:
    server, thread = served
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(locale="ja-JP", viewport={"width": 480, "height": 760}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/")
        page.get_by_role("button", name="チャットで問い合わせる").click()
        log = page.get_by_role("log")
        message = page.get_by_label("メッセージ", exact=True)
        message.fill("オペレーターと話したい")
        message.press("Enter")
        expect(log).to_contain_text("オペレーターにおつなぎしています")

        agent = page.request  # the agent's calls (their cookie is for /agent only)
        assert agent.post(f"{server}/agent/login", form={"username": "alice", "password": "alice-pw"}).ok
        [waiting] = agent.get(f"{server}/agent/api/queue").json()["queue"]
        cid = waiting["conversation_id"]
        api = f"{server}/agent/api/conversations/{cid}"
        assert agent.post(api + "/accept").ok
        expect(log).to_contain_text("担当の佐藤がお伺いします。")
        assert agent.post(api + "/release", data={"note": "営業時間のご案内のみ"}).ok
        expect(log).to_contain_text("自動応答にお戻しいたします")

        for text in ("梅田店の営業時間を教えてください", "以上です"):
            message.fill(text)
            message.press("Enter")
        expect(log).to_contain_text("チャットは終了しました")
        survey = page.get_by_role("group", name="本日の対応はいかがでしたか。5段階でご評価ください。")
        expect(survey).to_be_visible()
        survey.get_by_role("button", name="5 大変満足").click()
        page.get_by_role("button", name="評価を送信").click()
        expect(page.locator(".sakura-chat-survey-status")).to_have_text(THANKS)
        page.screenshot(path=str(SHOTS / "ivr-widget-survey-r1.png"))
        browser.close()
    assert errors == []

    manager = thread.app[survey_channel.MANAGER]
    rows = {r["conversation_id"]: r for r in
            asyncio.run_coroutine_threadsafe(records(manager.store), thread.loop).result(10)}
    assert (rows[f"{cid}-r1"]["outcome"], rows[f"{cid}-r1"]["satisfaction"]) == ("resolved", 5)
    assert rows[cid]["satisfaction"] is None and rows[cid]["agent"] == "alice"
