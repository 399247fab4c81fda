"""A chat whose widget reconnects to another worker is not closed as abandoned by the worker it left.

Two app instances (two workers) share one store (PostgreSQL or Redis). The widget's socket closes on
worker A, which schedules the hang-up of a closed tab after the grace period; the widget reconnects to
worker B and resumes. When A's grace period runs out it sees the shared last activity (the resume on B)
and leaves the chat to B. A chat that reconnects nowhere is still closed as `abandoned`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.store import SessionStore
from dialogue.store_remote import PostgresStore, RedisStore
from ivr import web_chat
from tests.web.conftest import make_app
from tests.web.test_web_chat import hello, say
from tests.workers.cluster import PG_ADMIN, REDIS_BASE

pytestmark = pytest.mark.services
GRACE_S = 0.4

Client = TestClient[Any, Any]


@pytest.fixture(params=["postgresql", "redis"])
async def workers(request: pytest.FixtureRequest, aiohttp_client: Any,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Client, Client, DialogueManager]]:
    """Two workers' apps on one shared store; the grace period of a closed tab shortened to GRACE_S."""
    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", GRACE_S)
    tag = f"resume_{uuid.uuid4().hex[:10]}"
    if request.param == "postgresql":
        stores: list[SessionStore] = [PostgresStore(PG_ADMIN, schema=tag), PostgresStore(PG_ADMIN, schema=tag)]
    else:
        stores = [RedisStore(f"{REDIS_BASE}/13", prefix=tag), RedisStore(f"{REDIS_BASE}/13", prefix=tag)]
    managers = [build_manager(store=s) for s in stores]
    try:
        one = await aiohttp_client(make_app(managers[0]))
        two = await aiohttp_client(make_app(managers[1]))
        yield one, two, managers[0]
    finally:
        for m in managers:
            await m.locks.close()
            await m.store.close()
        if request.param == "postgresql":
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
            await conn.close()


async def _ended(manager: DialogueManager, sid: str) -> str | None:
    state = await manager.state(sid)
    assert state is not None
    return state.outcome if state.ended else None


async def test_a_chat_resumed_on_another_worker_stays_open(workers: tuple[Client, Client, DialogueManager]) -> None:
    a, b, manager = workers
    async with a.ws_connect("/chat/ws") as ws:
        session, _ = await hello(ws)
        sid = session["session_id"]
        await say(ws, "注文した商品が届かない")
    await asyncio.sleep(0.1)  # the widget notices the close and reconnects, through the balancer, to B
    async with b.ws_connect("/chat/ws") as ws:
        resumed = (await hello(ws, sid))[-1]
        assert resumed["resumed"] is True and resumed["session_id"] == sid
        await asyncio.sleep(GRACE_S * 3)  # A's grace period runs out while the user reads on B
        assert await _ended(manager, sid) is None  # not `abandoned` by A
        reply = (await say(ws, "12345678"))[-1]  # and the chat goes on where it was
        assert reply["type"] == "bot" and reply["awaiting"] != "none"
    await asyncio.sleep(GRACE_S * 3)  # now the user leaves for good: B, which held the chat, ends it
    assert await _ended(manager, sid) == "abandoned"


async def test_a_chat_resumed_nowhere_is_abandoned(workers: tuple[Client, Client, DialogueManager]) -> None:
    a, _, manager = workers
    async with a.ws_connect("/chat/ws") as ws:
        session, _ = await hello(ws)
        await say(ws, "注文した商品が届かない")
    await asyncio.sleep(GRACE_S * 3)
    assert await _ended(manager, session["session_id"]) == "abandoned"
