"""Two `ivr serve` workers on one SQLite store: the user's socket on one, the agent on the other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dialogue.desk import SQLiteDesk
from dialogue.factory import build_manager
from dialogue.store import SQLiteStore
from tests.agents.conftest import agents_app, frames_until, hand_over, login, until_event

API = "/agent/api/conversations/"


async def test_agent_on_another_worker_reaches_the_user(aiohttp_client: Any, tmp_path: Path) -> None:
    db = tmp_path / "ivr.db"
    user_side = await aiohttp_client(agents_app(build_manager(store=SQLiteStore(db))))
    agent_side = await aiohttp_client(agents_app(build_manager(store=SQLiteStore(db))))
    await login(agent_side)
    async with user_side.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        queue = (await (await agent_side.get("/agent/api/queue")).json())["queue"]
        cid = queue[0]["conversation_id"]
        assert queue[0]["case_note"]["reason"] == "human_request"  # the note was written by the other worker
        assert (await agent_side.post(API + cid + "/accept")).status == 200
        assert (await until_event(ws, "accepted"))[-1]["text"] == "担当の佐藤がお伺いします。"
        await agent_side.post(API + cid + "/messages", json={"text": "別のサーバーから失礼します"})
        assert (await frames_until(ws, "agent"))[-1]["text"] == "別のサーバーから失礼します"
        await ws.send_json({"type": "message", "text": "届きました"})
        for _ in range(50):
            msgs = (await (await agent_side.get(API + cid + "/messages")).json())["messages"]
            if msgs[-1]["text"] == "届きました":
                break
        assert msgs[-1]["speaker"] == "caller"
        assert (await agent_side.post(API + cid + "/release", json={})).status == 200
        await until_event(ws, "released")
        await ws.send_json({"type": "message", "text": "注文した商品が届かない"})
        assert (await frames_until(ws, "bot"))[-1]["awaiting"] in ("slot:order_id", "free")


async def test_sqlite_desk_refuses_a_double_accept(tmp_path: Path) -> None:
    from dialogue.desk import Contact, DeskError

    one, two = SQLiteDesk(tmp_path / "d.db"), SQLiteDesk(tmp_path / "d.db")
    await one.enqueue(Contact("c1", "chat", "general", None, 3, 0.0))
    await one.accept("c1", "alice", "佐藤")
    try:
        await two.accept("c1", "bob", "高橋")
    except DeskError as exc:
        assert exc.code == "conflict"
    else:
        raise AssertionError("a second accept must fail")
    assert (await two.contact("c1")) is not None and (await two.contact("c1")).agent == "alice"  # type: ignore[union-attr]
    await one.close()
    await two.close()
