"""The supervisors' QA and forecast views and the widget's satisfaction survey in Debian's chromium
(Playwright), with screenshots in $IVR_SCREENSHOTS (default /tmp): ivr-qa.png, ivr-forecast.png,
ivr-widget-survey.png, ivr-widget-survey-done.png."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from dialogue.clock import TOKYO  # noqa: E402
from dialogue.engine import DialogueManager  # noqa: E402
from dialogue.factory import build_manager  # noqa: E402
from dialogue.records import put_records, records  # noqa: E402
from dialogue.synth import synthesize  # noqa: E402
from ivr import survey_channel  # noqa: E402
from tests.agents.conftest import agents_app  # noqa: E402
from tests.agents.test_supervisor_reports import CARD, LATER, POLITE_BOT, RUDE_AGENT  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))
T = TypeVar("T")


@dataclass
class Served:
    url: str
    manager: DialogueManager
    thread: ServerThread

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """A coroutine on the server's own loop (its store is that loop's)."""
        return asyncio.run_coroutine_threadsafe(coro, self.thread.loop).result(10)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    manager = build_manager()
    # five weeks of synthetic contacts up to last night for the forecast, and three hand-written ones with
    # known findings
    last_night = datetime.combine(datetime.now(TOKYO).date(), time(), TOKYO) - timedelta(seconds=1)
    history = synthesize(35, seed=5, per_day=40.0, now=last_night)
    asyncio.run(put_records(manager.store, [*history, RUDE_AGENT, POLITE_BOT, LATER]))
    app = agents_app(manager)
    survey_channel.setup(app)
    thread = ServerThread(app)
    with thread as url:
        yield Served(url, manager, thread)


@pytest.fixture(scope="module")
def server(served: Served) -> str:
    return served.url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    # after the server: Playwright's sync API keeps an event loop running in this thread
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert errors == []  # no script error on any page


def drawn(page: Page) -> None:
    """Wait for the server's SVG chart to load into the page (wait_for_function would need eval, which the
    console's Content-Security-Policy forbids)."""
    chart = page.locator("#chart")
    for _ in range(300):  # drawing takes a second or two on a busy machine
        if chart.evaluate("img => img.complete && img.naturalWidth > 0"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the chart did not load")


def supervisor(page: Page, url: str) -> None:
    page.goto(url + "/agent/login")
    page.get_by_label("ユーザー名").fill("sam")
    page.get_by_label("パスワード").fill("sam-pw")
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(url + "/agent")


def test_qa_view_shows_scores_evidence_and_groups(page: Page, server: str) -> None:
    supervisor(page, server)
    page.get_by_role("link", name="応対品質チェック").click()
    expect(page).to_have_url(server + "/agent/qa")
    # the page fills in the last seven days when it has loaded: a date typed before that is overwritten
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_label("期間", exact=True)).not_to_have_value("")
    page.get_by_label("期間", exact=True).fill("2026-11-20")
    page.get_by_label("終了日").fill("2026-11-25")
    page.get_by_label("指摘のある応対のみ").check()
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("status")).to_contain_text("2026-11-20 〜 2026-11-25(日本時間)の応対")
    agents = page.locator("#by-agent")
    expect(agents).to_contain_text("自動応答(ボット)")
    expect(agents.locator("tr", has_text="佐藤")).to_contain_text("タメ口 1件")
    rude = page.locator("#contacts tr", has_text="佐藤")
    expect(rude).to_contain_text("発話2(オペレーター)")
    expect(rude).to_contain_text("末尾1111")
    expect(rude).to_contain_text("丁寧語でない文末: 「カード番号末尾1111で今調べてるよ」")
    expect(page.locator("body")).not_to_contain_text(CARD)
    page.screenshot(path=str(SHOTS / "ivr-qa.png"), full_page=True)
    agents.get_by_role("button", name="佐藤").click()  # only alice (佐藤)'s contacts
    expect(page.locator("#filter-text")).to_contain_text("担当者「佐藤」の応対: 全1件")
    expect(page.locator("#contacts tr")).to_have_count(1)


def test_forecast_view_draws_the_chart_and_staffing(page: Page, server: str) -> None:
    supervisor(page, server)
    page.goto(server + "/agent/forecast")
    tiles = page.locator("#tiles")
    expect(tiles).to_contain_text("予測モデルの誤差(MAPE)")
    expect(tiles).to_contain_text("前週同時間帯の誤差(MAPE)")
    expect(tiles.get_by_text("予測件数(すべての窓口)")).to_have_count(1)  # not twice, differing by rounding
    chart = page.get_by_role("img", name="すべての窓口の30分ごとの予測件数と必要人数、検証期間の実績と予測のグラフ")
    drawn(page)
    expect(chart).to_be_visible()
    expect(page.locator("#days tr")).to_have_count(14)
    page.get_by_label("窓口", exact=True).select_option(label="電話・一般窓口")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("status")).to_contain_text("電話・一般窓口の予測(2週間、80%を20秒以内に応答)")
    expect(page.locator("#intervals")).to_contain_text("受付中")
    expect(page.get_by_role("region", name="日別の予測(電話・一般窓口)")).to_be_visible()
    expect(tiles).to_contain_text("予測件数(電話・一般窓口)")
    assert "queue=general" in (page.get_by_role("link", name="CSVで出力").get_attribute("href") or "")
    drawn(page)
    page.screenshot(path=str(SHOTS / "ivr-forecast.png"), full_page=True)
    page.get_by_label("サービスレベル").fill("150")  # not a share: the browser holds the form back
    page.get_by_role("button", name="表示").click()
    expect(page.locator("#level:invalid")).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text("80%を20秒以内に応答")


def test_widget_asks_for_a_rating_when_the_bot_or_an_agent_ends_the_chat(page: Page, served: Served) -> None:
    server = served.url
    page.set_viewport_size({"width": 480, "height": 760})
    page.goto(server + "/")
    page.get_by_role("button", name="チャットで問い合わせる").click()
    log = page.get_by_role("log")
    for text in ("梅田店の営業時間を教えてください", "以上です"):
        page.get_by_label("メッセージ", exact=True).fill(text)
        page.keyboard.press("Enter")
    expect(log).to_contain_text("チャットは終了しました")
    survey = page.get_by_role("group", name="本日の対応はいかがでしたか。5段階でご評価ください。")
    expect(survey).to_be_visible()
    send = page.get_by_role("button", name="評価を送信")
    expect(send).to_be_disabled()  # a rating first
    survey.get_by_role("button", name="4 満足").click()
    expect(survey.get_by_role("button", name="4 満足")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("ご意見・ご感想(任意)").fill("営業時間がすぐ分かりました。")
    page.screenshot(path=str(SHOTS / "ivr-widget-survey.png"))
    send.click()
    expect(page.locator(".sakura-chat-survey-status")).to_have_text(
        "ご回答ありがとうございました。今後のサービス向上に役立ててまいります。")
    expect(send).to_be_hidden()
    page.screenshot(path=str(SHOTS / "ivr-widget-survey-done.png"))
    # the rating and the comment are on the chat's record, once
    [rated] = [r for r in served.run(records(served.manager.store))
               if r["satisfaction_comment"] == "営業時間がすぐ分かりました。"]
    assert (rated["channel"], rated["outcome"], rated["satisfaction"]) == ("chat", "resolved", 4)
    again = page.request.post(f"{server}/survey/{rated['conversation_id']}", data={"rating": 1})
    assert again.status == 409

    # a new chat handed to a person: the survey comes again when the agent closes it
    page.get_by_role("button", name="新しいチャットを始める").click()
    expect(page.locator(".sakura-chat-survey")).to_be_hidden()
    page.get_by_label("メッセージ", exact=True).fill("オペレーターと話したい")
    page.keyboard.press("Enter")
    expect(log).to_contain_text("オペレーターにおつなぎしています")
    agent = page.request  # the agent's calls (their cookie is for /agent only)
    assert agent.post(f"{server}/agent/login", form={"username": "alice", "password": "alice-pw"}).ok
    [waiting] = agent.get(f"{server}/agent/api/queue").json()["queue"]
    api = f"{server}/agent/api/conversations/{waiting['conversation_id']}"
    assert agent.post(api + "/accept").ok
    expect(log).to_contain_text("担当の佐藤がお伺いします。")
    assert agent.post(api + "/close", data={"disposition": "ご案内済み"}).ok
    expect(survey).to_be_visible()
    survey.get_by_role("button", name="2 やや不満").click()
    send.click()
    expect(page.locator(".sakura-chat-survey-status")).to_have_text(
        "ご回答ありがとうございました。今後のサービス向上に役立ててまいります。")
    [closed] = [r for r in served.run(records(served.manager.store))
                if r["conversation_id"] == waiting["conversation_id"]]
    assert (closed["agent"], closed["disposition"], closed["satisfaction"]) == ("alice", "ご案内済み", 2)
