"""The wallboard and the contact-history panel in Debian's chromium (Playwright): charts drawn, no errors."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

from dialogue.clock import TOKYO  # noqa: E402
from dialogue.factory import build_manager  # noqa: E402
from dialogue.outbound import new_job  # noqa: E402
from dialogue.records import put_records  # noqa: E402
from tests.agents.conftest import agents_app  # noqa: E402
from tests.crm.conftest import past  # noqa: E402
from tests.web.conftest import ServerThread  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(os.environ.get("IVR_SCREENSHOTS", "/tmp"))


def _today(cid: str, minutes_ago: int, **kw: object) -> dict[str, object]:
    now = datetime.now(TOKYO).replace(microsecond=0)
    start = now - timedelta(minutes=minutes_ago)
    if start.date() != now.date():  # run just after midnight (JST): keep the contacts on today, in order
        start = now.replace(hour=0, minute=0, second=0) + timedelta(seconds=60 - minutes_ago)
    row = past(cid, 0, **kw)  # type: ignore[arg-type]
    return {**row, "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=3)).isoformat()}


@pytest.fixture
def server() -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    manager = build_manager()
    rows = [_today("r1", 50, outcome="resolved", satisfaction=5), _today("r2", 40, outcome="resolved"),
            _today("h1", 30, agent="alice", wait_seconds=12.0, handle_seconds=280.0, disposition="解決",
                   satisfaction=4),
            _today("h2", 20, reason="emotion", agent="alice", wait_seconds=35.0, handle_seconds=400.0),
            _today("ab", 10, outcome="abandoned", queue="general", wait_seconds=50.0)]

    async def seed() -> None:
        await put_records(manager.store, rows)
        await manager.outbox.add(new_job("callback", "09012345678", datetime.now(TOKYO) + timedelta(hours=1)))

    asyncio.run(seed())
    with ServerThread(agents_app(manager)) as url:
        yield url


def test_wallboard_draws_and_the_console_shows_history(server: str) -> None:
    with playwright_sync.sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 1000}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/agent/login")
        page.get_by_label("ユーザー名").fill("sam")
        page.get_by_label("パスワード").fill("sam-pw")
        page.get_by_role("button", name="ログイン").click()
        # a second agent in after-call work: the operators' tile reads 「後処理 1 / 受付可 1」
        alice = browser.new_context(locale="ja-JP").new_page()
        alice.goto(server + "/agent/login")
        alice.get_by_label("ユーザー名").fill("alice")
        alice.get_by_label("パスワード").fill("alice-pw")
        alice.get_by_role("button", name="ログイン").click()
        alice.wait_for_url("**/agent")
        assert alice.request.post(server + "/agent/api/state", data={"state": "after_call_work"},
                                  headers={"Origin": server}).ok
        page.goto(server + "/agent/wallboard")
        expect(page.locator("#live-tiles")).to_contain_text("後処理 1")
        tiles = page.locator("#kpi-tiles")
        expect(tiles).to_contain_text("5 件")  # contacts today
        expect(tiles).to_contain_text("40 %")  # containment: 2 of 5
        expect(page.locator("#chart-hours svg rect").first).to_be_visible()
        expect(page.locator("#chart-reasons")).to_contain_text("感情の高まり")
        expect(page.locator("#chart-callbacks")).to_contain_text("予定(未発信)")
        expect(page.locator("#chart-sl")).to_contain_text("20秒以内に応答")
        # every tile's value on one line and inside its tile (「後処理 1 / 受付可 1」 wrapped over two)
        bad = page.evaluate(
            """() => [...document.querySelectorAll('.tile .v')].filter(v => {
                const cs = getComputedStyle(v);
                const line = parseFloat(cs.lineHeight) || 1.4 * parseFloat(cs.fontSize);  // 'normal': about 1.4
                return v.scrollWidth > v.clientWidth + 1 || v.offsetHeight > 1.5 * line;
            }).map(v => v.textContent)"""
        )
        assert not bad, bad
        page.screenshot(path=str(SHOTS / "ivr-wallboard.png"), full_page=True)
        csv = page.request.get(server + "/agent/api/wallboard.csv?period=today")
        assert csv.ok and "kpis,contacts,5" in csv.text()

        page.goto(server + "/agent")
        page.get_by_role("button", name="ケース CASE-h2 の詳細").click()
        panel = page.locator("#detail-customer")
        expect(panel).to_contain_text("お客様の履歴(090-1234-5678)")  # the number as agents write it
        expect(panel).to_contain_text("過去のお問い合わせ 5 件")
        page.screenshot(path=str(SHOTS / "ivr-customer-history.png"), full_page=True)
        assert not errors, errors
        browser.close()
