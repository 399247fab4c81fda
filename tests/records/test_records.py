"""The records API (dialogue.records) on every store that keeps records: real calls and written contacts
read back in the schema, purge, idle calls closed as abandoned, unique case ids."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.backends.demo import DemoBackend
from dialogue.bot import Bot
from dialogue.engine import DialogueManager
from dialogue.escalation.engine import EscalationEngine
from dialogue.records import (
    FIELDS,
    RecordsUnavailable,
    add_turns,
    annotate,
    apply_retention,
    close_stale,
    housekeeping,
    purge,
    put_records,
    records,
)
from dialogue.records import record as record_by_id
from dialogue.store import SessionStore, private_file
from dialogue.store_remote import RedisStore
from nlu.pipeline import NLU
from tests.dialogue.test_stores import REDIS_URL, redis_client

TOKYO = ZoneInfo("Asia/Tokyo")
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)
ORDER_CHAT = ["注文した商品が届かない", "12345678", "09012345678", "以上です"]


def a_record(sid: str, started: datetime, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "conversation_id": sid, "channel": "voice", "caller": "09012345678",
        "started_at": started.isoformat(), "ended_at": (started + timedelta(seconds=185)).isoformat(),
        "outcome": "handover", "reason": "complex", "queue": "general", "intents": ["complaint"],
        "transcript": [
            {"speaker": "bot", "text": "お電話ありがとうございます。サクラマートでございます。", "at": started.isoformat()},
            {"speaker": "caller", "text": "届いたケトルが壊れてたんですけど",
             "at": (started + timedelta(seconds=6)).isoformat()},
            {"speaker": "agent", "text": "大変申し訳ございません。", "at": (started + timedelta(seconds=90)).isoformat()},
        ],
        "case_note": {"case_id": f"CASE-{sid}", "summary_ja": "商品破損のお申し出。", "slots": {}},
        "agent": "sato", "disposition": "exchange_arranged", "satisfaction": 4,
        "satisfaction_comment": "丁寧に対応していただきました", "wait_seconds": 42.5,
        "handle_seconds": 185.0,
    }  # fmt: skip
    record.update(changes)
    return record


async def test_written_records_read_back_alike(store: SessionStore) -> None:
    first = a_record("c-1", TUESDAY_10)
    second = a_record("c-2", TUESDAY_10 + timedelta(hours=1), channel="email", caller="taro@example.jp",
                      outcome="resolved", reason=None, queue=None, agent=None, disposition=None, wait_seconds=None,
                      case_note=None, transcript=[{"speaker": "caller", "text": "領収書は？", "at": None}])
    assert await put_records(store, [second, first]) == 2
    got = await records(store)
    assert [r["conversation_id"] for r in got] == ["c-1", "c-2"]  # oldest first
    assert tuple(got[0]) == FIELDS
    assert got[0] == first
    assert got[1]["case_note"] is None and got[1]["channel"] == "email" and got[1]["caller"] == "taro@example.jp"
    assert got[1]["handle_seconds"] == 185.0
    assert await record_by_id(store, "c-1") == first and await record_by_id(store, "c-9") is None
    # written again: replaced, not doubled
    await put_records(store, [{**first, "satisfaction": 2}])
    again = await records(store)
    assert len(again) == 2 and again[0]["satisfaction"] == 2 and len(again[0]["transcript"]) == 3


async def test_since_filters_by_start(store: SessionStore) -> None:
    await put_records(store, [a_record(f"c-{d}", TUESDAY_10 + timedelta(days=d)) for d in range(5)])
    since = TUESDAY_10 + timedelta(days=3)
    assert [r["conversation_id"] for r in await records(store, since)] == ["c-3", "c-4"]
    with pytest.raises(ValueError, match="timezone"):
        await records(store, datetime(2026, 11, 1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "fax"}, "channel"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2026-11-24T10:00:00"}, "offset"),
        ({"satisfaction": 9}, "satisfaction"),
        ({"transcript": [{"speaker": "robot", "text": "x"}]}, "transcript turn 1"),
        ({"wait_seconds": -1}, "wait_seconds"),
        ({"colour": "red"}, "unknown fields"),
    ],
)
async def test_bad_records_are_refused_with_the_field(store: SessionStore, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await put_records(store, [a_record("ok", TUESDAY_10), a_record("bad", TUESDAY_10, **change)])
    assert await records(store) == []  # nothing written


async def test_a_real_call_becomes_a_record(store: SessionStore, manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="0312345678"), now=TUESDAY_10))
    for line in ORDER_CHAT:
        await manager.handle(sid, UserTurn(text=line))
    live, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09099998888"), now=TUESDAY_10))
    [record] = await records(store)  # the call in progress is no record yet
    assert record["conversation_id"] == sid and record["channel"] == "chat" and record["caller"] == "0312345678"
    assert record["outcome"] == "resolved" and record["intents"][0] == "order_status"
    assert record["started_at"] == "2026-11-24T10:00:00+09:00" and record["ended_at"] == record["started_at"]
    speakers = [t["speaker"] for t in record["transcript"]]
    assert speakers[0] == "bot" and "caller" in speakers
    assert all(t["at"] == "2026-11-24T10:00:00+09:00" for t in record["transcript"])
    assert [t["text"] for t in record["transcript"] if t["speaker"] == "caller"] == ORDER_CHAT
    assert record["case_note"]["outcome"] == "resolved" and "12345678" in record["case_note"]["summary_ja"]
    assert await annotate(store, sid, agent="sato", disposition="solved", satisfaction=5)
    assert not await annotate(store, "no-such-call", agent="sato")
    with pytest.raises(ValueError, match="unknown record fields"):
        await annotate(store, sid, mood="great")
    [record] = await records(store)
    assert (record["agent"], record["disposition"], record["satisfaction"]) == ("sato", "solved", 5)
    assert await record_by_id(store, live) is None and (await record_by_id(store, sid) or {}).get("agent") == "sato"


async def test_a_handover_records_its_queue_and_outcome(store: SessionStore, manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10))
    reply = await manager.handle(sid, UserTurn(text="オペレーターにつないでください"))
    assert reply.ended
    [record] = await records(store)
    assert record["outcome"] == "handover" and record["reason"] == "human_request"
    assert record["queue"] and record["case_note"]["reason"] == "human_request"


async def test_purge_removes_old_conversations_with_their_notes(store: SessionStore, manager: DialogueManager) -> None:
    await put_records(store, [a_record(f"old-{i}", TUESDAY_10 - timedelta(days=40 + i)) for i in range(3)])
    await put_records(store, [a_record("new", TUESDAY_10)])
    await store.save_case("CASE-orphan", {"case_id": "CASE-orphan"})  # written now: newer than the cut
    old_live, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(), now=TUESDAY_10 - timedelta(days=50)))
    assert await purge(store, TUESDAY_10 - timedelta(days=30)) == 4
    assert [r["conversation_id"] for r in await records(store)] == ["new"]
    assert await store.case("CASE-old-1") is None and await store.events("old-1") == []
    assert await store.load(old_live) is None
    assert await store.case("CASE-new") is not None and await store.case("CASE-orphan") is not None
    assert await purge(store, TUESDAY_10 - timedelta(days=30)) == 0


async def test_retention_purges_by_days(store: SessionStore) -> None:
    await put_records(store, [a_record("old", TUESDAY_10 - timedelta(days=91)), a_record("new", TUESDAY_10)])
    assert await apply_retention(store, None, now=TUESDAY_10) == 0
    assert await apply_retention(store, 90, now=TUESDAY_10) == 1
    assert [r["conversation_id"] for r in await records(store)] == ["new"]


async def test_idle_calls_are_closed_as_abandoned(store: SessionStore, manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10))
    await manager.handle(sid, UserTurn(text="注文した商品が届かない"))
    now = datetime.now(TOKYO)
    assert await close_stale(store, 600, now=now) == 0  # its last turn was just now
    assert await close_stale(store, 600, now=now + timedelta(minutes=11)) == 1
    state = await store.load(sid)
    assert state is not None and state.ended and state.outcome == "abandoned"
    assert await store.active() == []
    [record] = await records(store)
    assert record["outcome"] == "abandoned" and record["case_note"]["outcome"] == "abandoned"
    assert record["ended_at"] is not None
    assert await close_stale(store, 600, now=now + timedelta(minutes=30)) == 0  # closed once
    reply = await manager.handle(sid, UserTurn(text="もしもし"))
    assert reply.ended


async def test_a_turn_after_the_idle_scan_wins(store: SessionStore, manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(), now=TUESDAY_10))
    later = datetime.now(TOKYO) + timedelta(minutes=11)
    idle = await store.idle(later - timedelta(minutes=10))  # type: ignore[attr-defined]
    assert [s.id for s in idle] == [sid]
    await manager.handle(sid, UserTurn(text="注文した商品が届かない"))  # the caller speaks meanwhile
    # a sweep whose cut-off is before that turn closes nothing
    assert await close_stale(store, 0, now=datetime.now(TOKYO) - timedelta(minutes=1)) == 0
    state = await store.load(sid)
    assert state is not None and not state.ended


async def test_case_ids_are_unique_per_call_id(store: SessionStore, manager: DialogueManager) -> None:
    # Twilio CallSids: the same first 24 characters, different ends
    sids = ["CA0123456789abcdef01234500000000000001", "CA0123456789abcdef01234500000000000002"]
    for sid, phone in zip(sids, ["09012345678", "08098765432"], strict=True):
        start = SessionStart(channel="voice", caller=CallerInfo(phone=phone), now=TUESDAY_10, session_id=sid)
        await manager.start(start)
        await manager.handle(sid, UserTurn(text="オペレーターにつないでください"))
    states = [await store.load(sid) for sid in sids]
    case_ids = [s.case_id for s in states if s is not None]
    assert len(set(case_ids)) == 2
    notes = [await store.case(c) for c in case_ids if c]
    assert all(notes) and {n["case_id"] for n in notes if n} == set(case_ids)
    by_sid = {r["conversation_id"]: r for r in await records(store)}
    assert {by_sid[s]["caller"] for s in sids} == {"09012345678", "08098765432"}
    assert all(by_sid[s]["case_note"]["case_id"] == f"CASE-{s}" for s in sids)


async def test_redis_keeps_no_records() -> None:
    store = RedisStore("redis://127.0.0.1:6379/15")  # builds only: nothing connects
    try:
        with pytest.raises(RecordsUnavailable, match=r"sqlite:///PATH or postgresql://"):
            await records(store)
        with pytest.raises(RecordsUnavailable):
            await purge(store, TUESDAY_10)
        with pytest.raises(RecordsUnavailable):
            await put_records(store, [a_record("c-1", TUESDAY_10)])
        assert await apply_retention(store, 30) == 0
    finally:
        await store.close()


@pytest.mark.services
async def test_idle_calls_on_redis_are_closed_too(nlu: NLU, sakura: tuple[Bot, EscalationEngine]) -> None:
    tag = f"ivr_rec_{uuid.uuid4().hex[:12]}"
    client = await redis_client()
    store = RedisStore(REDIS_URL, prefix=tag)
    bot, escalation = sakura
    manager = DialogueManager(bot, nlu, DemoBackend(), store, escalation)
    try:
        sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10))
        await manager.handle(sid, UserTurn(text="注文した商品が届かない"))
        now = datetime.now(TOKYO)
        assert await close_stale(store, 600, now=now) == 0
        assert await close_stale(store, 600, now=now + timedelta(minutes=11)) == 1
        state = await store.load(sid)
        assert state is not None and state.outcome == "abandoned" and state.case_id
        note = await store.case(state.case_id)
        assert note is not None and note["outcome"] == "abandoned"
        assert await store.active() == [] and await close_stale(store, 600, now=now + timedelta(hours=1)) == 0
    finally:
        await manager.locks.close()
        await store.close()
        keys = [k async for k in client.scan_iter(match=f"{tag}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_housekeeping_sweeps_until_cancelled(store: SessionStore, manager: DialogueManager) -> None:
    await put_records(store, [a_record("ancient", datetime.now(TOKYO) - timedelta(days=400))])
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(), now=TUESDAY_10))
    task = asyncio.create_task(housekeeping(store, idle_timeout_s=0, retention_days=365, every_s=0.01))
    try:
        for _ in range(200):
            state = await store.load(sid)
            if state is not None and state.ended and await store.load("ancient") is None:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    state = await store.load(sid)
    assert state is not None and state.outcome == "abandoned"
    assert await store.load("ancient") is None


async def test_an_agents_part_joins_the_record(store: SessionStore, manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(), now=TUESDAY_10))
    await manager.handle(sid, UserTurn(text="オペレーターにつないでください"))
    agent_part = [{"speaker": "agent", "text": "お待たせいたしました。担当の佐藤でございます。", "at": "2026-11-24T10:02:00+09:00"},
                  {"speaker": "caller", "text": "返品の件なんですけど"}]
    assert await add_turns(store, sid, agent_part)
    await annotate(store, sid, agent="sato", disposition="return_arranged", wait_seconds=110.0, handle_seconds=240.0)
    [record] = await records(store)
    assert [t["speaker"] for t in record["transcript"]][-2:] == ["agent", "caller"]
    assert record["transcript"][-2]["at"] == "2026-11-24T10:02:00+09:00" and record["transcript"][-1]["at"]
    assert (record["agent"], record["wait_seconds"], record["handle_seconds"]) == ("sato", 110.0, 240.0)
    assert not await add_turns(store, "no-such-call", agent_part)
    with pytest.raises(ValueError, match="turn 1"):
        await add_turns(store, sid, [{"speaker": "robot", "text": "x"}])


def test_the_database_is_private(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = tmp_path / "new" / "deeper" / "ivr.sqlite3"
    private_file(fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in (fresh.parent, fresh.parent.parent))
    shared = tmp_path / "shared.sqlite3"
    shared.touch(mode=0o644)
    shared.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="dialogue.store"):
        private_file(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644 and "world-readable" in caplog.text
