"""The dialogue manager under conditions a designer cannot script: slow backends, hang-ups, concurrency."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.backends import BackendError
from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager, SessionNotFound
from dialogue.factory import build_manager
from dialogue.store import MemoryStore
from nlu.pipeline import NLU

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
SUNDAY = datetime(2026, 11, 29, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


class SlowBackend(DemoBackend):
    async def call(self, action: str, args: dict[str, Any]) -> dict[str, Any]:
        if action == "order_status":
            await asyncio.sleep(10)
        return await super().call(action, args)


class BrokenBackend(DemoBackend):
    async def call(self, action: str, args: dict[str, Any]) -> dict[str, Any]:
        raise BackendError("order system down")


async def talk(manager: DialogueManager, start: SessionStart, *lines: str) -> tuple[str, list[str]]:
    sid, reply = await manager.start(start)
    said = [reply.text]
    for line in lines:
        reply = await manager.handle(sid, UserTurn(dtmf=line[1:]) if line.startswith("#") else UserTurn(text=line))
        said.append(reply.text)
    return sid, said


async def test_slow_backend_apologises_and_offers_a_person(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu, backend=SlowBackend(), backend_timeout_s=0.2)
    start = SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10)
    sid, said = await talk(manager, start, "注文した商品が届かない", "12345678")
    assert "申し訳ございません" in said[-1]
    state = await manager.state(sid)
    assert state is not None and state.outcome == "transferred" and state.reason == "backend_error"


async def test_slow_backend_does_not_block_other_calls(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu, backend=SlowBackend(), backend_timeout_s=1.0)
    slow = asyncio.create_task(talk(manager, SessionStart(channel="chat", caller=CallerInfo(phone="09012345678"),
                                                           now=TUESDAY_10), "注文の状況を教えて", "12345678"))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, said = await talk(manager, SessionStart(channel="chat", now=TUESDAY_10), "渋谷店の営業時間を教えて")
    assert loop.time() - started < 0.5  # answered while the other call waits on the backend
    assert "渋谷店" in said[-1]
    await slow


async def test_backend_down_outside_hours_offers_a_callback(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu, backend=BrokenBackend())
    start = SessionStart(channel="chat", caller=CallerInfo(phone="09012345678"), now=SUNDAY)
    sid, said = await talk(manager, start, "注文した商品が届かない", "12345678")
    assert "折り返し" in said[-1]
    state = await manager.state(sid)
    assert state is not None and state.awaiting.label == "confirm" and not state.ended


async def test_hangup_is_recorded_as_abandoned_with_a_case_note(nlu: NLU) -> None:
    store = MemoryStore()
    manager = build_manager(nlu=nlu, store=store)
    sid, _ = await talk(manager, SessionStart(channel="voice", now=TUESDAY_10), "注文した商品が届かない")
    await manager.hangup(sid)
    state = await manager.state(sid)
    assert state is not None and state.outcome == "abandoned"
    notes = await store.cases()
    assert notes and notes[0]["outcome"] == "abandoned" and notes[0]["summary_ja"]


async def test_transfer_carries_a_case_note_the_agent_can_read(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu)
    start = SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10)
    sid, reply = await manager.start(start)
    await manager.handle(sid, UserTurn(text="注文した商品が届かないんですけど"))
    await manager.handle(sid, UserTurn(dtmf="12345678"))
    reply = await manager.handle(sid, UserTurn(text="もういいから人と話させて"))
    assert reply.handover is not None and reply.handover.kind == "transfer"
    assert reply.handover.reason == "human_request" and reply.handover.case_id
    note = await manager.case_note(reply.handover.case_id)
    assert note is not None
    assert note["slots"]["order_id"] == "12345678"
    assert "12345678" in note["summary_ja"]
    assert any("人と話させて" in str(t) for t in note["transcript"])


async def test_unknown_session_is_an_error_for_the_channel(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu)
    with pytest.raises(SessionNotFound):
        await manager.handle("nope", UserTurn(text="もしもし"))


async def test_many_concurrent_sessions_in_one_loop(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu)

    async def one(i: int) -> str | None:
        start = SessionStart(channel="chat", caller=CallerInfo(phone="09012345678"), now=TUESDAY_10)
        sid, _ = await talk(manager, start, "注文した商品が届かない", "12345678", "以上です")
        state = await manager.state(sid)
        return state.outcome if state else None

    outcomes = await asyncio.gather(*(one(i) for i in range(200)))
    assert outcomes == ["resolved"] * 200
