"""One contract for every session store: memory, SQLite, PostgreSQL and Redis behave the same.

The PostgreSQL and Redis cases need the local servers (scripts/services.sh starts them); when a server
is down they fail and say so, they are not skipped: a skipped store test is a store nobody tested.
Each test gets its own PostgreSQL schema / Redis key prefix, removed afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import redis.asyncio as aioredis

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.events import BotSaid, CallEnded, CallerSaid, CallStarted, SlotSet, Waiting, apply
from dialogue.factory import build_manager
from dialogue.state import AwaitConfirm, AwaitSlot, CallState, Position, frozen
from dialogue.store import MemoryStore, SessionStore, SQLiteStore
from dialogue.store_remote import PostgresStore, RedisStore, store_from_url
from nlu.pipeline import NLU

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
# IVR_TEST_POSTGRES / IVR_TEST_REDIS point the tests elsewhere; otherwise the servers of services.sh,
# whose PostgreSQL role is `postgres` on Debian images and `root` where initdb ran as root
PG_DSNS = [
    dsn
    for dsn in (
        os.environ.get("IVR_TEST_POSTGRES"),
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgresql://root@127.0.0.1:5432/test",
    )
    if dsn
]
REDIS_URL = os.environ.get("IVR_TEST_REDIS", "redis://127.0.0.1:6379/15")
ORDER_CHAT = ["注文した商品が届かない", "12345678", "09012345678", "以上です"]


async def postgres_dsn() -> str:
    errors = []
    for dsn in PG_DSNS:
        try:
            conn = await asyncpg.connect(dsn, timeout=3)
        except (OSError, asyncpg.PostgresError) as e:
            errors.append(f"{dsn}: {e}")
            continue
        await conn.close()
        return dsn
    pytest.fail("PostgreSQL is not reachable (run scripts/services.sh first):\n" + "\n".join(errors))


async def redis_client() -> aioredis.Redis:
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        await client.ping()
        return client
    except (OSError, aioredis.RedisError) as e:
        error = str(e)
    await client.aclose()
    # outside the `except`: the message, not a chained traceback of the connection attempt
    pytest.fail(f"Redis is not reachable at {REDIS_URL} (run scripts/services.sh first): {error}")


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.services),
        pytest.param("redis", marks=pytest.mark.services),
    ]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SessionStore]:
    tag = f"ivr_test_{uuid.uuid4().hex[:12]}"
    kind: str = request.param
    if kind == "memory":
        memory: SessionStore = MemoryStore()
        yield memory
        await memory.close()
    elif kind == "sqlite":
        sqlite: SessionStore = SQLiteStore(tmp_path / "sessions.db")
        yield sqlite
        await sqlite.close()
    elif kind == "postgres":
        dsn = await postgres_dsn()
        postgres: SessionStore = PostgresStore(dsn, schema=tag)
        try:
            yield postgres
        finally:
            await postgres.close()
            conn = await asyncpg.connect(dsn, timeout=3)
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
            finally:
                await conn.close()
    else:
        client = await redis_client()
        redis_store: SessionStore = RedisStore(REDIS_URL, prefix=tag)
        try:
            yield redis_store
        finally:
            await redis_store.close()
            keys = [k async for k in client.scan_iter(match=f"{tag}:*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()


def a_state(session_id: str = "CA0123456789abcdef", *, ended: bool = False) -> CallState:
    """A call in the middle of a redelivery request, interrupted order-status flow underneath."""
    state = CallState(
        id=session_id,
        channel="voice",
        started_at="2026-11-24T10:00:00+09:00",
        caller_phone="09012345678",
        caller_vip=True,
        clock="2026-11-24T10:00:00+09:00",
        awaiting=AwaitSlot("delivery_change", "ask_time", "time_window", "time_window"),
        stack=(Position("order_status", "ask_order_id"), Position("verify_order", "ask_phone", call=True)),
        slots=frozen({"order_id": "12345678", "date": "2026-11-25", "amount": 12800, "note": None}),
        results=frozen(
            {"order_status": {"status": "配送中", "carrier": "ヤマト運輸", "items": ["ケトル", "イヤホン"]}}
        ),
        tries=1,
        failed_turns=2,
        consecutive_failures=1,
        intents=("order_status", "delivery_change"),
        callback_reason="queue_closed",
        last_prompts=("お届け希望の時間帯をお知らせください。",),
        emotions=(frozen({"label": "anger", "score": 0.8125, "scores": {"anger": 0.8125, "neutral": 0.1}}),),
    )
    return apply(state, CallEnded("resolved")) if ended else state


def some_events(at: str = "2026-11-24T10:00:00+09:00") -> list[dict[str, Any]]:
    return [
        CallStarted("voice", "09012345678").to_json(at),
        CallerSaid("不在票が入ってたので再配達をお願いしたいです", intent="delivery_change", confidence=0.912,
                   entities={"date": "2026-11-25"}, emotion="neutral").to_json(at),
        BotSaid("ご希望のお届け日をお知らせください。", "ask_delivery_date").to_json(at),
    ]


async def test_save_then_load_gives_the_same_state(store: SessionStore) -> None:
    state = a_state()
    await store.save(state, some_events())
    loaded = await store.load(state.id)
    assert loaded == state
    assert loaded is not None and loaded.position == Position("delivery_change", "ask_time")
    assert loaded.stack[1].call is True
    assert isinstance(loaded.awaiting, AwaitSlot) and loaded.awaiting.label == "slot:time_window"


async def test_save_replaces_the_state_and_appends_events(store: SessionStore) -> None:
    state = a_state()
    await store.save(state, some_events())
    state = apply(apply(state, SlotSet("time_window", "14:00-16:00")), Waiting(AwaitConfirm("delivery_change", "confirm_change", "date")))
    more = [CallerSaid("午後3時").to_json("2026-11-24T10:01:00+09:00")]
    await store.save(state, more)
    loaded = await store.load(state.id)
    assert loaded == state
    assert [s.id for s in await store.active()] == [state.id]
    events = await store.events(state.id)
    assert [e["type"] for e in events] == ["start", "caller", "bot", "caller"]
    assert events[-1]["text"] == "午後3時" and events[1]["entities"] == {"date": "2026-11-25"}


async def test_ended_sessions_are_not_active(store: SessionStore) -> None:
    await store.save(a_state("live-1"))
    await store.save(a_state("live-2"))
    await store.save(a_state("done", ended=True))
    ending = a_state("ending")
    await store.save(ending)
    await store.save(apply(ending, CallEnded("resolved")))
    assert sorted(s.id for s in await store.active()) == ["live-1", "live-2"]
    done = await store.load("done")
    assert done is not None and done.ended and done.outcome == "resolved"


async def test_case_notes_newest_first_with_limit(store: SessionStore) -> None:
    for i in range(1, 4):
        await store.save_case(
            f"CASE-{i}", {"case_id": f"CASE-{i}", "summary_ja": f"要約{i}", "slots": {"n": i}}
        )
    assert [n["case_id"] for n in await store.cases(2)] == ["CASE-3", "CASE-2"]
    assert [n["case_id"] for n in await store.cases()] == ["CASE-3", "CASE-2", "CASE-1"]
    assert await store.case("CASE-2") == {"case_id": "CASE-2", "summary_ja": "要約2", "slots": {"n": 2}}


async def test_unknown_ids_give_none(store: SessionStore) -> None:
    assert await store.load("no-such-session") is None
    assert await store.case("CASE-none") is None
    assert await store.cases() == []
    assert await store.active() == []


async def talk(manager: DialogueManager, sid: str, lines: list[str]) -> None:
    for line in lines:
        await manager.handle(sid, UserTurn(text=line))


async def test_a_whole_chat_on_the_store(store: SessionStore, nlu: NLU) -> None:
    manager = build_manager(store=store, nlu=nlu)
    start = SessionStart(channel="chat", caller=CallerInfo(phone="0312345678"), now=TUESDAY_10)
    sid, _ = await manager.start(start)
    assert [s.id for s in await store.active()] == [sid]
    await talk(manager, sid, ORDER_CHAT)
    state = await store.load(sid)
    assert state is not None and state.ended and state.outcome == "resolved"
    assert state.slots["order_id"] == "12345678"
    assert await store.active() == []
    assert state.case_id is not None
    note = await store.case(state.case_id)
    assert note is not None and note["outcome"] == "resolved" and "12345678" in note["summary_ja"]
    assert [n["case_id"] for n in await store.cases(1)] == [state.case_id]
    await manager.locks.close()  # on PostgreSQL, the shared locks' own pool


async def test_a_chat_survives_a_restart(tmp_path: Path, nlu: NLU) -> None:
    path = tmp_path / "ivr.db"
    first = SQLiteStore(path)
    manager = build_manager(store=first, nlu=nlu)
    sid, _ = await manager.start(
        SessionStart(channel="chat", caller=CallerInfo(phone="0312345678"), now=TUESDAY_10)
    )
    await talk(manager, sid, ORDER_CHAT[:2])
    await first.close()

    second = SQLiteStore(path)
    try:
        manager = build_manager(store=second, nlu=nlu)
        reply = await manager.handle(sid, UserTurn(text=ORDER_CHAT[2]))
        assert "配送中" in reply.text
        reply = await manager.handle(sid, UserTurn(text=ORDER_CHAT[3]))
        assert reply.ended and reply.outcome == "resolved"
        state = await second.load(sid)
        assert state is not None and state.case_id and await second.case(state.case_id) is not None
    finally:
        await second.close()


STORE_URLS: list[tuple[str, type[Any]]] = [
    ("memory://", MemoryStore),
    ("sqlite:///relative/ivr.db", SQLiteStore),
    ("postgresql://postgres@127.0.0.1:5432/test", PostgresStore),
    ("postgres://root@db.example/ivr", PostgresStore),
    ("redis://127.0.0.1:6379/0", RedisStore),
]


@pytest.mark.parametrize(("url", "kind"), STORE_URLS)
async def test_store_from_url(url: str, kind: type[Any]) -> None:
    store = store_from_url(url)  # builds only: nothing connects before the first use
    try:
        assert isinstance(store, kind)
    finally:
        await store.close()


def test_store_from_url_paths() -> None:
    relative = store_from_url("sqlite:///data/ivr.db")
    absolute = store_from_url("sqlite:////var/lib/ivr/ivr.db")
    assert isinstance(relative, SQLiteStore) and relative.path == Path("data/ivr.db")
    assert isinstance(absolute, SQLiteStore) and absolute.path == Path("/var/lib/ivr/ivr.db")


@pytest.mark.parametrize("url", ["mysql://localhost/ivr", "sessions.db", "sqlite://", ""])
def test_store_from_url_rejects_what_it_cannot_open(url: str) -> None:
    with pytest.raises(ValueError, match="store URL"):
        store_from_url(url)
