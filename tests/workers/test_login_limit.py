"""The console's failed-login limit is one allowance for all workers sharing PostgreSQL or Redis (issue 13).

Two app instances on one store: failures on worker A count on worker B, so an attacker who alternates
through the load balancer gets LOGIN_MAX_FAILURES tries per name and address, not twice as many.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from dialogue.factory import build_manager
from dialogue.store import MemoryStore, SessionStore
from dialogue.store_remote import PostgresStore, RedisStore
from ivr.agent_api import SharedLoginThrottle
from ivr.agent_console import AUTH, LOGIN_MAX_FAILURES, LoginThrottle
from tests.web.conftest import make_app
from tests.workers.cluster import PG_ADMIN, REDIS_BASE

pytestmark = pytest.mark.services
Client = TestClient[Any, Any]


@pytest.fixture(params=["postgresql", "redis"])
async def workers(request: pytest.FixtureRequest, aiohttp_client: Any) -> AsyncIterator[tuple[Client, Client]]:
    tag = f"login_{uuid.uuid4().hex[:10]}"
    if request.param == "postgresql":
        stores: list[SessionStore] = [PostgresStore(PG_ADMIN, schema=tag), PostgresStore(PG_ADMIN, schema=tag)]
    else:
        stores = [RedisStore(f"{REDIS_BASE}/13", prefix=tag), RedisStore(f"{REDIS_BASE}/13", prefix=tag)]
    managers = [build_manager(store=s) for s in stores]
    try:
        one = await aiohttp_client(make_app(managers[0]))
        two = await aiohttp_client(make_app(managers[1]))
        assert isinstance(one.server.app[AUTH].throttle, SharedLoginThrottle)
        yield one, two
    finally:
        for m in managers:
            await m.locks.close()
            await m.store.close()
        if request.param == "postgresql":
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
            await conn.close()


async def _try(client: Client, name: str, password: str) -> int:
    resp = await client.post("/agent/login", data={"username": name, "password": password}, allow_redirects=False)
    return resp.status


async def test_failures_on_one_worker_count_on_the_other(workers: tuple[Client, Client]) -> None:
    a, b = workers
    for n in range(LOGIN_MAX_FAILURES):  # alternating, as a round-robin balancer would send them
        assert await _try(a if n % 2 else b, "alice", f"guess-{n}") == 401
    for worker in (a, b):  # both workers now refuse, the right password included
        assert await _try(worker, "alice", "alice-pw") == 429
    assert await _try(a, "sam", "sam-pw") == 303  # another name is not locked out
    resp = await b.post("/agent/login", data={"username": "alice", "password": "x"}, allow_redirects=False)
    assert resp.status == 429 and int(resp.headers["Retry-After"]) > 0


async def test_a_success_clears_the_count_everywhere(workers: tuple[Client, Client]) -> None:
    a, b = workers
    for n in range(LOGIN_MAX_FAILURES - 1):
        assert await _try(a, "alice", f"guess-{n}") == 401
    assert await _try(b, "alice", "alice-pw") == 303
    for n in range(LOGIN_MAX_FAILURES - 1):  # a fresh allowance on the other worker too
        assert await _try(a, "alice", f"again-{n}") == 401
    assert await _try(a, "alice", "alice-pw") == 303


def test_one_worker_keeps_its_count_in_memory() -> None:
    app = make_app(build_manager(store=MemoryStore()))
    throttle = app[AUTH].throttle
    assert isinstance(throttle, LoginThrottle) and not isinstance(throttle, SharedLoginThrottle)
