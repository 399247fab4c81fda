"""dialogue/locks.py on the real engines: two coordinators (two workers) on one PostgreSQL or Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from dialogue.locks import Coordination, LocalLocks, PostgresLocks, RedisLocks, coordination_for
from dialogue.store import MemoryStore
from dialogue.store_remote import PostgresStore, RedisStore
from tests.workers.cluster import PG_ADMIN, REDIS_BASE

pytestmark = pytest.mark.services


@pytest.fixture(params=["postgresql", "redis"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Coordination, Coordination]]:
    if request.param == "postgresql":
        schema = f"locks_{uuid.uuid4().hex[:10]}"
        made: list[Coordination] = [PostgresLocks(PG_ADMIN, schema), PostgresLocks(PG_ADMIN, schema)]
    else:
        prefix = f"locks-test-{uuid.uuid4().hex[:10]}"
        made = [RedisLocks(f"{REDIS_BASE}/13", prefix), RedisLocks(f"{REDIS_BASE}/13", prefix)]
    try:
        yield made[0], made[1]
    finally:
        for coordination in made:
            await coordination.close()
        if request.param == "postgresql":
            import asyncpg

            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await conn.close()


async def test_one_turn_at_a_time_across_workers(pair: tuple[Coordination, Coordination]) -> None:
    inside: list[int] = []
    overlaps = 0
    order: list[int] = []

    async def turn(coordination: Coordination, n: int) -> None:
        nonlocal overlaps
        async with coordination.hold("conv-1"):
            inside.append(n)
            overlaps += len(inside) > 1
            order.append(n)
            await asyncio.sleep(0.01)
            inside.remove(n)

    await asyncio.gather(*(turn(pair[n % 2], n) for n in range(12)))
    assert overlaps == 0 and sorted(order) == list(range(12))


async def test_other_conversations_do_not_wait(pair: tuple[Coordination, Coordination]) -> None:
    async with pair[0].hold("conv-a"):
        async with asyncio.timeout(2):
            async with pair[1].hold("conv-b"):
                pass


async def test_a_key_is_claimed_once_by_all_workers(pair: tuple[Coordination, Coordination]) -> None:
    results = await asyncio.gather(*(pair[n % 2].first_time("CA1|/voice/twilio/turn?seq=1|sig") for n in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    assert await pair[1].first_time("another") is True
    await pair[0].ping()


async def test_a_dead_workers_lock_is_released() -> None:
    schema = f"locks_{uuid.uuid4().hex[:10]}"
    dead, alive = PostgresLocks(PG_ADMIN, schema), PostgresLocks(PG_ADMIN, schema)
    try:
        holding = asyncio.Event()

        async def die_holding() -> None:
            async with dead.hold("conv-x"):
                holding.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(die_holding())
        await holding.wait()
        pool = await dead._get_pool()
        pool.terminate()  # what a kill -9 does to its connections
        async with asyncio.timeout(5), alive.hold("conv-x"):
            pass
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await alive.close()


def test_the_store_chooses_the_engine() -> None:
    assert isinstance(coordination_for(MemoryStore()), LocalLocks)
    assert isinstance(coordination_for(PostgresStore(PG_ADMIN, schema="x_locks")), PostgresLocks)
    assert isinstance(coordination_for(RedisStore(f"{REDIS_BASE}/13")), RedisLocks)


async def test_local_locks_keep_nothing_after_the_turns() -> None:
    locks = LocalLocks()
    async with locks.hold("a"), locks.hold("b"):
        assert locks.in_use() == 2
    assert locks.in_use() == 0


async def test_marks_are_counted_by_all_workers_in_a_sliding_window(pair: tuple[Coordination, Coordination]) -> None:
    one, two = pair
    for worker in (one, two, one):
        await worker.mark("login:x", window_s=60)
    await one.mark("login:other", window_s=60)
    times = await two.marks("login:x", window_s=60)
    assert len(times) == 3 and times == sorted(times)
    assert await one.marks("login:x", window_s=0.0001) == []  # outside a tiny window: none
    await two.unmark("login:x")
    assert await one.marks("login:x", window_s=60) == [] and len(await one.marks("login:other", window_s=60)) == 1


async def test_local_marks_slide() -> None:
    local = LocalLocks()
    await local.mark("k", window_s=0.2)
    await local.mark("k", window_s=0.2)
    assert len(await local.marks("k", window_s=0.2)) == 2
    await asyncio.sleep(0.25)
    assert await local.marks("k", window_s=0.2) == []
