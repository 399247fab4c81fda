"""The chat survey after an agent's release (自動応答に戻す): the bot that resolves the chat in its later session
(`<id>-r1`) ends that session, and the widget's rating lands on that session's record, as the keypad survey
does on the phone; a chat the bot hands over again and an agent closes is rated on the record the agent's part
joined. No rating while the conversation is back with the desk."""

from __future__ import annotations

from typing import Any

from dialogue.records import records
from ivr import survey_channel
from tests.agents.conftest import Client, frames_until, hand_over, login, until_event
from tests.web.test_chat_survey import HOURS_CHAT, survey_app

API = "/agent/api/conversations/"


async def ratings(client: Client) -> dict[str, Any]:
    rows = await records(client.app[survey_channel.MANAGER].store)
    return {r["conversation_id"]: r for r in rows}


async def test_a_chat_the_bot_resolves_after_a_release_rates_the_later_session(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(survey_app())
    await login(client)
    async with client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        assert (await client.post(API + cid + "/accept")).status == 200
        assert (await client.post(API + cid + "/release", json={"note": "営業時間のご案内のみ"})).status == 200
        await until_event(ws, "released")
        await frames_until(ws, "bot")  # the bot greets again, in the session <cid>-r1
        for text in HOURS_CHAT:
            await ws.send_json({"type": "message", "text": text})
        end = (await frames_until(ws, "end"))[-1]
    assert end["outcome"] == "resolved" and end["session_id"] == f"{cid}-r1"

    assert (await client.post(f"/survey/{end['session_id']}", json={"rating": 5, "comment": "助かりました"})).status == 204
    rows = await ratings(client)
    assert (rows[f"{cid}-r1"]["satisfaction"], rows[f"{cid}-r1"]["satisfaction_comment"]) == (5, "助かりました")
    assert rows[f"{cid}-r1"]["outcome"] == "resolved"
    assert rows[cid]["satisfaction"] is None  # the first session, the agent's hand-over, is not rated


async def test_handed_over_again_and_closed_rates_the_record_with_the_agents_part(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(survey_app())
    await login(client)
    async with client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        assert (await client.post(API + cid + "/accept")).status == 200
        assert (await client.post(API + cid + "/release", json={})).status == 200
        await until_event(ws, "released")
        await frames_until(ws, "bot")
        # alice is free again (a release puts her in 後処理): the wait is short, no callback offer
        assert (await client.post("/agent/api/state", json={"state": "available"})).status == 200
        await ws.send_json({"type": "message", "text": "オペレーターと話したい"})
        await frames_until(ws, "handover")
        early = await client.post(f"/survey/{cid}-r1", json={"rating": 3})
        assert early.status == 404 and "agent" in (await early.json())["error"]  # back with the desk: not yet
        assert (await client.post(API + cid + "/accept")).status == 200
        assert (await client.post(API + cid + "/close", json={"disposition": "解決"})).status == 200
        closed = (await until_event(ws, "closed"))[-1]
    assert closed["session_id"] == f"{cid}-r1"
    assert (await client.post(f"/survey/{closed['session_id']}", json={"rating": 4})).status == 204
    rows = await ratings(client)
    assert (rows[f"{cid}-r1"]["agent"], rows[f"{cid}-r1"]["satisfaction"]) == ("alice", 4)
    assert rows[cid]["satisfaction"] is None


async def test_a_plain_chat_names_its_own_session(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(survey_app())
    await login(client)
    async with client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        cid = (await (await client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
        assert (await client.post(API + cid + "/accept")).status == 200
        assert (await client.post(API + cid + "/close", json={"disposition": "解決"})).status == 200
        assert (await until_event(ws, "closed"))[-1]["session_id"] == cid
