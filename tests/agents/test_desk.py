"""The hand-over desk's transitions, the same on every store (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from dialogue.desk import Contact, Desk, DeskError, MemoryDesk, PostgresDesk, SQLiteDesk, open_desk
from dialogue.store import MemoryStore, SQLiteStore
from dialogue.store_remote import PostgresStore
from tests.dialogue.test_stores import postgres_dsn


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.services)])
async def desks(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Desk, Desk]]:
    """Two desks over one store, as two workers would have them (memory: the same one twice)."""
    if request.param == "memory":
        one = MemoryDesk()
        yield one, one
        return
    if request.param == "sqlite":
        a, b = SQLiteDesk(tmp_path / "desk.db"), SQLiteDesk(tmp_path / "desk.db")
        yield a, b
        await a.close()
        await b.close()
        return
    dsn = await postgres_dsn()
    tag = f"ivr_desk_{uuid.uuid4().hex[:12]}"
    c, d = PostgresDesk(dsn, schema=tag), PostgresDesk(dsn, schema=tag)
    try:
        await c.agents()  # one creates the tables before the other looks
        yield c, d
    finally:
        await c.close()
        await d.close()
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
        await conn.close()


def _contact(cid: str, queue: str = "general", priority: int = 3) -> Contact:
    return Contact(cid, "chat", queue, "human_request", priority, 0.0, case_id=f"CASE-{cid}")


async def test_a_conversation_through_the_desk(desks: tuple[Desk, Desk]) -> None:
    one, two = desks
    await one.enqueue(_contact("low", priority=2), now=100.0)
    await one.enqueue(_contact("high", priority=6), now=110.0)
    await one.enqueue(_contact("older", priority=6), now=105.0)
    assert [c.id for c in await two.waiting()] == ["older", "high", "low"]  # priority, then the longest wait
    await one.enqueue(_contact("high", priority=1), now=200.0)  # reported twice: keeps its place
    assert (await two.contact("high")).priority == 6  # type: ignore[union-attr]

    await two.user_said("high", "まだですか", now=115.0)
    taken = await two.accept("high", "alice", "佐藤", now=130.0)
    assert taken.status == "assigned" and taken.wait_s == pytest.approx(20.0)
    with pytest.raises(DeskError) as conflict:
        await one.accept("high", "bob", "高橋", now=131.0)
    assert conflict.value.code == "conflict" and "alice" in conflict.value.message
    with pytest.raises(DeskError) as not_mine:
        await one.post("high", "bob", "横から失礼します")
    assert not_mine.value.code == "conflict"
    await one.post("high", "alice", "お待たせいたしました", now=140.0)
    kinds = [(m.kind, m.event or m.text) for m in await two.messages("high")]
    assert kinds == [("system", "queued"), ("user", "まだですか"), ("system", "accepted"), ("agent", "お待たせいたしました")]
    assert (await one.agent("alice")).state == "busy"  # type: ignore[union-attr]

    moved = await one.transfer("high", "alice", "billing", now=150.0)
    assert moved.status == "queued" and moved.queue == "billing" and moved.handle_s == pytest.approx(20.0)
    await two.accept("high", "bob", "高橋", now=160.0)
    released = await two.release("high", "bob", "ボットで確認可能", "high-r1", now=190.0)
    assert released.status == "released" and released.bot_session == "high-r1" and released.bot_sessions == 2
    again = await one.enqueue(_contact("high", queue="complaints"), now=300.0)
    assert again.status == "queued" and again.queue == "complaints" and again.wait_s == pytest.approx(30.0)
    await one.accept("high", "alice", "佐藤", now=310.0)
    closed = await one.close_contact("high", "alice", "返金手続き", now=400.0)
    assert closed.status == "closed" and closed.disposition == "返金手続き"
    assert closed.handle_s == pytest.approx(20.0 + 30.0 + 90.0) and closed.wait_s == pytest.approx(40.0)
    with pytest.raises(DeskError):
        await one.close_contact("high", "alice", "二度目")

    assert (await two.abandon("low", now=500.0)).status == "abandoned"  # type: ignore[union-attr]
    assert [c.id for c in await one.waiting()] == ["older"]
    with pytest.raises(DeskError) as missing:
        await one.accept("nope", "alice", "佐藤")
    assert missing.value.code == "not_found"


async def test_concurrent_accepts_have_one_winner(desks: tuple[Desk, Desk]) -> None:
    one, two = desks
    await one.enqueue(_contact("c1"))
    results = await asyncio.gather(one.accept("c1", "alice", "佐藤"), two.accept("c1", "bob", "高橋"),
                                   return_exceptions=True)
    winners = [r for r in results if isinstance(r, Contact)]
    assert len(winners) == 1 and all(isinstance(r, DeskError) for r in results if r not in winners)
    assert (await two.contact("c1")).agent == winners[0].agent  # type: ignore[union-attr]


async def test_agents_and_revoked_logins(desks: tuple[Desk, Desk]) -> None:
    one, two = desks
    await one.set_agent_state("alice", "available", now=1.0, display_name="佐藤", skills=("general",))
    await two.set_agent_state("alice", "after_call_work", now=2.0)
    [alice] = await one.agents()
    assert (alice.state, alice.display_name, alice.skills) == ("after_call_work", "佐藤", ("general",))
    assert not await two.revoked("sid-1")
    await one.revoke("sid-1", until=4_000_000_000.0)
    assert await two.revoked("sid-1")


def test_the_desk_follows_the_store(tmp_path: Path) -> None:
    assert isinstance(open_desk(MemoryStore()), MemoryDesk)
    assert isinstance(open_desk(SQLiteStore(tmp_path / "x.db")), SQLiteDesk)
    desk = open_desk(PostgresStore("postgresql://postgres@127.0.0.1:5432/test", schema="ivr_x"))
    assert isinstance(desk, PostgresDesk) and desk.schema == "ivr_x"


async def test_recent_looks_back_a_bounded_time(desks: tuple[Desk, Desk]) -> None:
    import time

    one, two = desks
    await one.enqueue(_contact("old"))
    assert [c.id for c in await two.recent(("queued",), since=time.time() - 60)] == ["old"]
    assert await two.recent(("queued",), since=time.time() + 60) == []
