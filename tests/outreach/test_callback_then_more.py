"""A booked callback does not end the call: the caller may thank us, ask something else or hang up, and the
callback stays booked for the day and time agreed (dev42: nine callers said one more thing after booking)."""

from __future__ import annotations

from datetime import datetime

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager

SATURDAY_NIGHT = datetime(2026, 12, 5, 20, 0, tzinfo=TOKYO)  # agents closed: a person is offered a callback


async def _book(manager: DialogueManager) -> str:
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"),
                                              now=SATURDAY_NIGHT))
    for text in ["オペレーターと話したいです", "はい", "はい", "月曜の午前10時でお願いします", "はい"]:
        reply = await manager.handle(sid, UserTurn(text=text))
    said = "".join(p.text for p in reply.prompts)
    assert "折り返しお電話いたします" in said and "ございますか" in said, said  # 「ほかにご用件は…」
    assert not reply.ended and reply.expect.awaiting == "anything_else"
    return sid


async def test_a_thank_you_after_booking_is_answered_and_the_call_ends_as_a_callback(manager: DialogueManager) -> None:
    sid = await _book(manager)
    reply = await manager.handle(sid, UserTurn(text="ありがとうございます、よろしくお願いします"))
    assert reply.ended and reply.outcome == "callback_scheduled"
    state = await manager.state(sid)
    assert state is not None and state.reason is None
    [job] = await manager.outbox.jobs()
    assert job.to == "+819012345678" and job.asked
    assert job.due_at == datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)


async def test_hanging_up_after_booking_keeps_the_callback(manager: DialogueManager) -> None:
    sid = await _book(manager)
    await manager.hangup(sid)
    state = await manager.state(sid)
    assert state is not None and state.outcome == "callback_scheduled"
    [job] = await manager.outbox.jobs()
    assert job.due_at == datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)


async def test_a_second_request_after_booking_does_not_move_the_callback(manager: DialogueManager) -> None:
    sid = await _book(manager)
    reply = await manager.handle(sid, UserTurn(text="あと、梅田店の営業時間を教えてください"))
    said = "".join(p.text for p in reply.prompts)
    assert "梅田店" in said and not reply.ended, said
    reply = await manager.handle(sid, UserTurn(text="以上です"))
    assert reply.outcome == "callback_scheduled"
    [job] = await manager.outbox.jobs()
    assert job.due_at == datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)


async def test_silence_after_booking_ends_the_call_with_the_callback_kept(manager: DialogueManager) -> None:
    sid = await _book(manager)
    reply = await manager.handle(sid, UserTurn(no_input=True))
    for _ in range(3):
        if reply.ended:
            break
        reply = await manager.handle(sid, UserTurn(no_input=True))
    assert reply.ended and reply.outcome == "callback_scheduled"
    assert len(await manager.outbox.jobs()) == 1
