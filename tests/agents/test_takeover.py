"""Live takeover through the agent API (SPEC 7.6) and the chat socket, on one server."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from dialogue.records import records
from tests.agents.conftest import frames_until, hand_over, login, until_event

Client = TestClient[Any, Any]
API = "/agent/api/conversations/"


async def test_user_and_agent_chat_in_one_transcript(app_client: Client, manager: DialogueManager) -> None:
    await login(app_client)
    async with app_client.ws_connect("/chat/ws") as ws:
        handover = await hand_over(ws)
        assert handover["wait_seconds"] == 0  # alice is signed in and free
        assert "まもなく担当者におつなぎいたします" in (await frames_until(ws, "bot"))[-1]["text"]
        cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        queue = (await (await app_client.get("/agent/api/queue")).json())["queue"]
        row = queue[0]
        assert set(row) >= {"conversation_id", "channel", "queue", "priority", "waiting_seconds", "case_note"}
        assert row["channel"] == "chat" and row["queue"] == "general" and row["waiting_seconds"] >= 0
        assert row["case_note"]["case_id"] == handover["case_id"] and row["case_note"]["reason"] == "human_request"

        await ws.send_json({"type": "message", "text": "注文の件で相談したいです"})  # typed while waiting
        accepted = await app_client.post(API + cid + "/accept")
        assert accepted.status == 200 and (await accepted.json())["status"] == "assigned"
        status = (await frames_until(ws, "status"))[-1]
        assert status["text"] == "担当の佐藤がお伺いします。" and status["agent_name"] == "佐藤"

        posted = await app_client.post(API + cid + "/messages", json={"text": "お待たせいたしました。<b>佐藤</b>です。"})
        assert posted.status == 201
        agent_frame = (await frames_until(ws, "agent"))[-1]
        assert agent_frame == {"type": "agent", "text": "お待たせいたしました。<b>佐藤</b>です。", "agent_name": "佐藤"}

        await ws.send_json({"type": "message", "text": "荷物が届かないんです"})
        for _ in range(50):
            msgs = (await (await app_client.get(API + cid + "/messages")).json())["messages"]
            if msgs[-1]["text"] == "荷物が届かないんです":
                break
        said = [(m["speaker"], m["text"]) for m in msgs if m["speaker"] != "system"]
        assert said[0][0] == "bot" and ("caller", "オペレーターと話したい") in said
        assert said[-3:] == [("caller", "注文の件で相談したいです"),
                             ("agent", "お待たせいたしました。<b>佐藤</b>です。"), ("caller", "荷物が届かないんです")]
        assert said.index(("caller", "オペレーターと話したい")) < said.index(("caller", "注文の件で相談したいです"))

        closed = await app_client.post(API + cid + "/close", json={"disposition": "配送状況を案内"})
        assert closed.status == 200
        bye = (await frames_until(ws, "status"))[-1]
        assert bye["event"] == "closed" and "ありがとうございました" in bye["text"]
        # the input stays open: the next message starts a new chat with the bot
        await ws.send_json({"type": "message", "text": "店舗の営業時間を教えて"})
        assert (await frames_until(ws, "session"))[-1]["resumed"] is False

    note = await manager.case_note(handover["case_id"])
    assert note is not None and note["agent"] == "alice" and note["disposition"] == "配送状況を案内"
    assert note["wait_seconds"] >= 0 and note["handle_seconds"] >= 0
    assert [t["speaker"] for t in note["transcript"]][-1] == "caller"
    assert ("agent", "お待たせいたしました。<b>佐藤</b>です。") in [(t["speaker"], t["text"]) for t in note["transcript"]]
    me = (await (await app_client.get("/agent/api/queue")).json())["me"]
    assert me["state"] == "after_call_work"  # closing puts the agent in wrap-up until they switch back
    # the contact's record (dialogue.records) has the agent's part after the bot's, once
    [record] = [r for r in await records(manager.store) if r["conversation_id"] == cid]
    talk = [(t["speaker"], t["text"]) for t in record["transcript"]]
    assert talk[-3:] == [("caller", "注文の件で相談したいです"), ("agent", "お待たせいたしました。<b>佐藤</b>です。"),
                         ("caller", "荷物が届かないんです")]
    assert talk.count(("caller", "荷物が届かないんです")) == 1
    lines = (await (await app_client.get(API + cid + "/messages")).json())["messages"]
    assert [m["text"] for m in lines].count("荷物が届かないんです") == 1  # not again from the record


async def test_release_hands_the_chat_back_to_the_bot(app_client: Client) -> None:
    await login(app_client)
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        assert (await app_client.post(API + cid + "/accept")).status == 200
        released = await app_client.post(API + cid + "/release", json={"note": "配送の確認はボットで可能"})
        assert released.status == 200 and (await released.json())["status"] == "released"
        frames = await until_event(ws, "released")
        assert "自動応答にお戻しいたします" in frames[-1]["text"]
        assert "サクラマート" in (await frames_until(ws, "bot"))[-1]["text"]  # the bot greets again
        await ws.send_json({"type": "message", "text": "注文した商品が届かない"})
        assert (await frames_until(ws, "bot"))[-1]["awaiting"] == "slot:order_id"
        # a reload finds the bot's part again, under the same conversation id
        await ws.send_json({"type": "hello", "session_id": cid})
        session = (await frames_until(ws, "session"))[-1]
        assert session["resumed"] is True and session["awaiting"] == "slot:order_id"
        assert [h["speaker"] for h in session["history"]][-1] == "bot"
    msgs = (await (await app_client.get(API + cid + "/messages")).json())["messages"]
    assert any(m["speaker"] == "system" and m["event"] == "released" and m["text"] == "配送の確認はボットで可能"
               for m in msgs)
    assert msgs[-2:][0]["text"] == "注文した商品が届かない"


async def test_reload_while_with_the_agent_resumes_the_agent_chat(app_client: Client) -> None:
    await login(app_client)
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
    cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
    await app_client.post(API + cid + "/accept")
    await app_client.post(API + cid + "/messages", json={"text": "ご連絡ありがとうございます"})
    async with app_client.ws_connect("/chat/ws") as ws:
        await ws.send_json({"type": "hello", "session_id": cid})
        session = (await frames_until(ws, "session"))[-1]
        assert session["resumed"] is True and session["session_id"] == cid
        assert {"speaker": "agent", "text": "ご連絡ありがとうございます", "agent_name": "佐藤"} in session["history"]
        await app_client.post(API + cid + "/messages", json={"text": "続きです"})
        assert (await frames_until(ws, "agent"))[-1]["text"] == "続きです"


async def test_transfer_to_another_queue(app_client: Client) -> None:
    await login(app_client)
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        await app_client.post(API + cid + "/accept")
        bad = await app_client.post(API + cid + "/transfer", json={"queue": "nowhere"})
        assert bad.status == 400 and "general" in (await bad.json())["error"]
        moved = await app_client.post(API + cid + "/transfer", json={"queue": "billing", "priority": 5})
        assert moved.status == 200
        body = await moved.json()
        assert body["status"] == "queued" and body["queue"] == "billing" and body["priority"] == 5
        assert "おつなぎいたします" in (await until_event(ws, "transferred"))[-1]["text"]
    queue = (await (await app_client.get("/agent/api/queue")).json())["queue"]
    assert [(r["conversation_id"], r["queue"]) for r in queue] == [(cid, "billing")]


async def test_a_user_who_leaves_the_queue_is_abandoned(app_client: Client, monkeypatch: Any) -> None:
    import asyncio

    from ivr import web_chat
    from ivr.desk_app import DESK

    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", 0.05)
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
    desk = app_client.server.app[DESK]
    for _ in range(100):
        if not await desk.waiting():
            break
        await asyncio.sleep(0.05)
    assert await desk.waiting() == []
    [gone] = await desk.recent(("abandoned",))
    assert gone.wait_s >= 0
