"""The agent API refuses clearly: 401 without a login, 404 unknown, 409 wrong state, 400 bad body, roles."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from dialogue.desk import Contact
from ivr.desk_app import DESK
from tests.agents.conftest import hand_over, login

Client = TestClient[Any, Any]
API = "/agent/api/conversations/"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/agent/api/queue"), ("GET", "/agent/api/agents"), ("POST", "/agent/api/state"),
    ("POST", API + "x/accept"), ("GET", API + "x/messages"), ("POST", API + "x/messages"),
    ("POST", API + "x/release"), ("POST", API + "x/transfer"), ("POST", API + "x/close")])
async def test_every_route_needs_a_login(app_client: Client, method: str, path: str) -> None:
    resp = await app_client.request(method, path, json={})
    assert resp.status == 401 and (await resp.json())["error"] == "login required"


async def test_unknown_not_accepted_and_bad_bodies(app_client: Client) -> None:
    await login(app_client)
    assert (await app_client.post(API + "nope/accept")).status == 404
    assert "no conversation nope" in (await (await app_client.get(API + "nope/messages")).json())["error"]
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
    cid = (await (await app_client.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
    for path, body in [("/messages", {"text": "こんにちは"}), ("/close", {"disposition": "x"}), ("/release", {})]:
        resp = await app_client.post(API + cid + path, json=body)
        assert resp.status == 409 and "accept it first" in (await resp.json())["error"], path
    bad = await app_client.post(API + cid + "/messages", data=b"\xff{not json", headers={"Content-Type": "application/json"})
    assert bad.status == 400 and "JSON object" in (await bad.json())["error"]
    assert (await app_client.post(API + cid + "/messages", json=["text"])).status == 400
    assert (await app_client.post(API + cid + "/accept")).status == 200
    for body in [{}, {"text": ""}, {"text": 3}, {"text": "あ" * 2001}]:
        assert (await app_client.post(API + cid + "/messages", json=body)).status == 400, body
    assert (await app_client.post(API + cid + "/close", json={"disposition": "  "})).status == 400
    assert (await app_client.post(API + cid + "/accept")).status == 200  # accepting again is harmless
    assert (await app_client.post("/agent/api/state", json={"state": "asleep"})).status == 400
    cross = await app_client.post(API + cid + "/close", json={"disposition": "x"},
                                  headers={"Origin": "https://evil.example"})
    assert cross.status == 403


async def test_second_agent_gets_409_and_agents_never_see_harassment(app_client: Client, aiohttp_client: Any) -> None:
    desk = app_client.server.app[DESK]
    await desk.enqueue(Contact("c-general", "chat", "general", "human_request", 3, 0.0))
    await desk.enqueue(Contact("c-abuse", "chat", "supervisor", "harassment", 9, 0.0))
    await login(app_client, "sam", "sam-pw")
    assert (await app_client.post(API + "c-general/accept")).status == 200
    ids = [r["conversation_id"] for r in (await (await app_client.get("/agent/api/queue")).json())["queue"]]
    assert ids == ["c-abuse"]  # supervisors see the supervisor queue
    other = await aiohttp_client(app_client.server.app)
    await login(other, "alice", "alice-pw")
    taken = await other.post(API + "c-general/accept")
    assert taken.status == 409 and "sam" in (await taken.json())["error"]
    assert (await other.post(API + "c-general/messages", json={"text": "x"})).status == 409
    assert (await (await other.get("/agent/api/queue")).json())["queue"] == []
    assert (await other.post(API + "c-abuse/accept")).status == 404
    assert (await other.get(API + "c-abuse/messages")).status == 404


async def test_agent_states_switch(app_client: Client) -> None:
    await login(app_client)
    assert (await (await app_client.get("/agent/api/queue")).json())["me"]["state"] == "available"
    for state in ("after_call_work", "busy", "available", "offline"):
        resp = await app_client.post("/agent/api/state", json={"state": state})
        assert resp.status == 200 and (await resp.json())["state"] == state
    agents = (await (await app_client.get("/agent/api/agents")).json())["agents"]
    assert agents == [{"name": "alice", "display_name": "佐藤", "state": "offline", "since": agents[0]["since"],
                       "skills": ["general", "billing", "complaints", "en"]}]
