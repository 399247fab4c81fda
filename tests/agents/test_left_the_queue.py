"""A chat user who leaves while waiting for a person is `abandoned` in the conversation's record as well as in
the desk (the hand-over's reason and queue kept), so the wallboard's abandonment rate counts them."""

from __future__ import annotations

import asyncio
from typing import Any

from dialogue.engine import DialogueManager
from dialogue.records import records
from ivr import web_chat
from ivr.desk_app import DESK
from ivr.wallboard import BOARD_CACHE
from tests.agents.conftest import Client, frames_until, hand_over, login, until_event


async def test_a_chat_user_who_leaves_the_queue_is_abandoned_in_the_record(
        app_client: Client, manager: DialogueManager, monkeypatch: Any) -> None:
    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", 0.05)
    async with app_client.ws_connect("/chat/ws") as ws:
        handover = await hand_over(ws)
    desk = app_client.server.app[DESK]
    for _ in range(100):
        if await desk.recent(("abandoned",)):
            break
        await asyncio.sleep(0.05)
    [gone] = await desk.recent(("abandoned",))
    [rec] = [r for r in await records(manager.store) if r["conversation_id"] == gone.id]
    assert (rec["outcome"], rec["reason"], rec["queue"], rec["agent"]) == ("abandoned", "human_request", "general",
                                                                         None)
    assert rec["wait_seconds"] == round(gone.wait_s, 1)
    note = await manager.case_note(handover["case_id"])
    assert note is not None and note["desk_status"] == "abandoned"

    await login(app_client, "sam", "sam-pw")
    app_client.server.app[BOARD_CACHE].clear()
    kpis = (await (await app_client.get("/agent/api/wallboard?period=all")).json())["kpis"]
    assert (kpis["offered"], kpis["abandoned_in_queue"], kpis["abandonment"]) == (1, 1, 1.0)


async def test_leaving_the_second_hand_over_marks_the_later_session(
        app_client: Client, manager: DialogueManager, monkeypatch: Any) -> None:
    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", 0.05)
    await login(app_client)
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        assert (await app_client.post(f"/agent/api/conversations/{cid}/accept")).status == 200
        assert (await app_client.post(f"/agent/api/conversations/{cid}/release", json={})).status == 200
        await until_event(ws, "released")
        await frames_until(ws, "bot")
        assert (await app_client.post("/agent/api/state", json={"state": "available"})).status == 200
        await ws.send_json({"type": "message", "text": "オペレーターと話したい"})
        await frames_until(ws, "handover")  # the bot session <cid>-r1 hands it over again; the user leaves
    desk = app_client.server.app[DESK]
    for _ in range(100):
        contact = await desk.contact(cid)
        if contact is not None and contact.status == "abandoned":
            break
        await asyncio.sleep(0.05)
    rows = {r["conversation_id"]: r for r in await records(manager.store)}
    assert (rows[f"{cid}-r1"]["outcome"], rows[f"{cid}-r1"]["queue"]) == ("abandoned", "general")
    assert (rows[cid]["outcome"], rows[cid]["agent"]) == ("handover", "alice")  # the first part was answered
