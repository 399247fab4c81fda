"""The web callback form: checked with reasons, booked in the outbox within the agents' hours, recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.records import record
from ivr import callback_form
from tests.agents.conftest import Client
from tests.crm.conftest import NOW
from tests.web.conftest import make_app

GOOD = {"name": "山田太郎", "phone": "090-1234-5678", "topic": "ケトルの水漏れ", "date": "2026-12-05", "window": "09-12"}


@pytest.fixture
def cb_manager() -> DialogueManager:
    return build_manager()


@pytest.fixture
async def cb(aiohttp_client: Any, cb_manager: DialogueManager) -> Client:
    app: web.Application = make_app(cb_manager)
    callback_form.setup(app, now=NOW)
    return await aiohttp_client(app)


async def test_the_page_and_script_are_served(cb: Client) -> None:
    page = await cb.get("/callback")
    assert page.status == 200 and "折り返しのお電話のご依頼" in await page.text()
    assert (await cb.get("/callback.js")).status == 200


async def test_a_request_is_booked_at_the_first_open_moment_of_its_window(cb: Client, cb_manager: DialogueManager) -> None:
    resp = await cb.post("/callback/api", json=GOOD)
    body = await resp.json()
    assert resp.status == 201, body
    # Saturday: the agents start at 10:00, so the 9-12 window's call goes out then
    assert body["due_at"] == "2026-12-05T10:00+09:00" and "12月5日 10時ごろ" in body["message"]
    jobs = await cb_manager.outbox.jobs()
    assert [(j.kind, j.to, j.due_at) for j in jobs] == [("callback", "+819012345678",
                                                         datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO))]
    rec = await record(cb_manager.store, body["id"])
    assert rec is not None and rec["outcome"] == "callback" and rec["caller"] == "09012345678"
    assert "ケトルの水漏れ" in rec["case_note"]["summary_ja"]


async def test_today_s_window_starts_from_now(cb: Client, cb_manager: DialogueManager) -> None:
    resp = await cb.post("/callback/api", json={**GOOD, "date": "2026-12-04"})
    assert (await resp.json())["due_at"] == "2026-12-04T10:05+09:00"


BAD: list[tuple[dict[str, Any], str]] = [
    ({"phone": "12345"}, "phone"),
    ({"phone": "+1 415 555 0100"}, "phone"),
    ({"phone": ""}, "phone"),
    ({"phone": 9012345678}, "phone"),
    ({"date": "2026-12-03"}, "date"),
    ({"date": "2027-01-30"}, "date"),
    ({"date": "12/5"}, "date"),
    ({"window": "07-09"}, "window"),
    ({"name": "あ" * 51}, "name"),
    ({"topic": "あ" * 301}, "topic"),
]


async def test_bad_requests_get_reasons(cb: Client, cb_manager: DialogueManager) -> None:
    for change, field in BAD:  # one app for the table: each case is a request, not a server
        resp = await cb.post("/callback/api", json={**GOOD, **change})
        body = await resp.json()
        assert resp.status == 400 and field in body["fields"], (change, body)
    assert not await cb_manager.outbox.jobs()


@pytest.mark.parametrize("change", [{"date": "2026-12-06"}, {"window": "18-20"}])  # a Sunday; after 18:00
async def test_windows_outside_the_agents_hours_are_refused(cb: Client, change: dict[str, str]) -> None:
    resp = await cb.post("/callback/api", json={**GOOD, "date": "2026-12-07", **change})
    assert resp.status == 422 and "受付時間外" in (await resp.json())["error"]


async def test_not_json_and_cross_site(cb: Client) -> None:
    assert (await cb.post("/callback/api", data=b"phone=1")).status == 400
    assert (await cb.post("/callback/api", json=[1])).status == 400
    resp = await cb.post("/callback/api", json=GOOD, headers={"Origin": "https://evil.example"})
    assert resp.status == 403


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(st.sampled_from(["name", "phone", "topic", "date", "window", "conversation_id", "x"]), JSON))
def test_any_json_object_is_booked_or_refused_with_reasons(data: dict[str, Any]) -> None:
    req, errors = callback_form.parse({**GOOD, **data}, NOW)
    assert (req is None) == bool(errors)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items())
