"""Chat satisfaction (issue 15): after the bot resolves a chat or an agent closes it, the widget asks for a
rating of 1-5 and an optional comment; the answer is kept once on the contact's record, and shows in the
wallboard's KPIs and in `ivr records export`. The keypad survey keeps the first answer as well."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from dialogue.factory import build_manager
from dialogue.records import records
from dialogue.store import SQLiteStore
from ivr import survey_channel
from ivr.cli import main
from tests.agents.conftest import ENV, Client, frames_until, hand_over, login, until_event
from tests.agents.test_supervisor_reports import DownStore
from tests.voice.conftest import Phone, spoken, voice_app
from tests.web.conftest import make_app

API = "/agent/api/conversations/"
HOURS_CHAT = ["梅田店の営業時間を教えてください", "以上です"]


def survey_app(store_path: Path | None = None) -> web.Application:
    manager = build_manager(store=SQLiteStore(store_path)) if store_path else build_manager()
    app = make_app(manager, env=ENV)
    survey_channel.setup(app)
    return app


async def resolved_chat(client: Client) -> tuple[str, dict[str, Any]]:
    """A chat the bot resolves: its id and the end frame."""
    async with client.ws_connect("/chat/ws") as ws:
        await ws.send_json({"type": "hello"})
        sid = (await frames_until(ws, "session"))[-1]["session_id"]
        await frames_until(ws, "bot")
        for text in HOURS_CHAT:
            await ws.send_json({"type": "message", "text": text})
        end = (await frames_until(ws, "end"))[-1]
    return sid, end


async def test_a_resolved_chat_is_rated_once_with_a_comment_kept_in_the_record_and_the_export(
        aiohttp_client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ivr.sqlite3"
    client: Client = await aiohttp_client(survey_app(path))
    sid, end = await resolved_chat(client)
    assert end["outcome"] == "resolved"

    frame = await client.get(f"/survey/chat/{sid}")
    assert frame.headers["Access-Control-Allow-Origin"] == "*"  # a company's own site embeds the widget
    question = await frame.json()
    assert question["question"] == "本日の対応はいかがでしたか。5段階でご評価ください。"
    assert [o["label"] for o in question["options"]] == ["不満", "やや不満", "普通", "満足", "大変満足"]

    for bad in ({"rating": 0}, {"rating": 4.5}, {"rating": "4"}, {"rating": 4, "comment": 5},
                {"rating": 4, "comment": "あ" * 501}):
        resp = await client.post(f"/survey/{sid}", json=bad)
        assert resp.status == 400, bad
        assert (await resp.json())["error"]
    comment = "とても分かりやすかったです。090-1234-5678まで連絡ください"
    assert (await client.post(f"/survey/{sid}", json={"rating": 4, "comment": f"  {comment} "})).status == 204
    again = await client.post(f"/survey/{sid}", json={"rating": 1})
    assert again.status == 409 and "already" in (await again.json())["error"]

    [record] = [r for r in await records(client.app[survey_channel.MANAGER].store) if r["conversation_id"] == sid]
    assert (record["satisfaction"], record["satisfaction_comment"]) == (4, comment)  # the first answer stays

    # the command line runs its own event loop: in a thread, as from another process
    assert await asyncio.to_thread(main, ["records", "export", "--store", f"sqlite:///{path}", "--format", "csv"]) == 0
    [row] = [r for r in csv.DictReader(io.StringIO(capsys.readouterr().out)) if r["conversation_id"] == sid]
    assert (row["satisfaction"], row["satisfaction_comment"]) == ("4", comment)
    assert await asyncio.to_thread(main, ["records", "export", "--store", f"sqlite:///{path}", "--redact"]) == 0
    exported = capsys.readouterr().out
    assert "とても分かりやすかったです" in exported and "090-1234-5678" not in exported


async def test_an_agent_closed_chat_is_rated_and_counted_on_the_wallboard(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(survey_app())
    await login(client)
    async with client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        waiting = await client.post(f"/survey/{cid}", json={"rating": 5})
        assert waiting.status == 404 and "agent" in (await waiting.json())["error"]  # not over yet
        assert (await client.post(API + cid + "/accept")).status == 200
        assert (await client.post(f"/survey/{cid}", json={"rating": 5})).status == 404
        assert (await client.post(API + cid + "/close", json={"disposition": "解決"})).status == 200
        await until_event(ws, "closed")
    resp = await client.post(f"/survey/{cid}", json={"rating": 2, "comment": "待ち時間が長かったです"})
    assert resp.status == 204
    [record] = [r for r in await records(client.app[survey_channel.MANAGER].store) if r["conversation_id"] == cid]
    assert (record["agent"], record["disposition"], record["satisfaction"]) == ("alice", "解決", 2)
    assert record["satisfaction_comment"] == "待ち時間が長かったです"

    await login(client, "sam", "sam-pw")
    board = await (await client.get("/agent/api/wallboard?period=all")).json()
    csat = board["kpis"]["satisfaction"]
    assert csat["by_channel"]["chat"]["responses"] == 1
    assert csat["distribution"]["2"] == 1 and csat["by_channel"]["chat"]["mean"] == 2


async def test_the_widget_may_post_from_the_companys_own_site(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(survey_app())
    pre = await client.options("/survey/some-chat", headers={"Origin": "https://shop.example.jp",
                                                             "Access-Control-Request-Method": "POST"})
    assert pre.status == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*" and "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]
    unknown = await client.post("/survey/some-chat", json={"rating": 3})
    assert unknown.status == 404 and unknown.headers["Access-Control-Allow-Origin"] == "*"
    sid, _ = await resolved_chat(client)
    assert (await client.post(f"/survey/{sid}", data=b"{not json")).status == 400
    assert (await client.post(f"/survey/{sid}", json=[4])).status == 400


async def test_a_rating_while_the_store_is_down_is_a_503_the_widget_may_retry(aiohttp_client: Any) -> None:
    manager = build_manager(store=DownStore())
    app = make_app(manager, env=ENV)
    survey_channel.setup(app)
    client: Client = await aiohttp_client(app)
    sid, _ = await resolved_chat(client)
    resp = await client.post(f"/survey/{sid}", json={"rating": 5})
    assert resp.status == 503 and resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "try again" in (await resp.json())["error"]


async def test_the_keypad_survey_keeps_the_first_answer_too(aiohttp_client: Any) -> None:
    manager = build_manager()
    client: Client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, "CA" + uuid.uuid4().hex)
    await phone.dial()
    await phone.say("梅田店の営業時間を教えてください")
    await phone.say("以上です")
    assert phone.twiml is not None
    redirect = phone.twiml.find("Redirect")
    assert redirect is not None and redirect.text == "/survey/twilio"
    await phone.post(redirect.text, phone.params())
    assert "ありがとうございました" in spoken(await phone.press("4"))
    # another answer for the same call (a second survey, a forged post): thanked, the first answer stays
    again = await phone.post(f"/survey/twilio/answer?conversation_id={phone.sid}&try=2", phone.params(Digits="1"))
    assert again is not None and "ありがとうございました" in spoken(again), phone.status
    [record] = await records(manager.store)
    assert (record["conversation_id"], record["satisfaction"]) == (phone.sid, 4)
