"""Outbound callbacks and notices: booked by the dialogue, kept in the store, placed through the real `twilio`
client against a local stand-in of Twilio's API that plays the calls back to our webhooks."""

from __future__ import annotations

import asyncio
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.outbound import callable_at, delivery_delay_notice, new_job
from dialogue.outbox_sql import SQLiteOutbox
from ivr.outbound_channel import Dialer, DialerConfig, run_due
from ivr.server import create_app
from ivr.voice_common import CONFIG, VoiceConfig
from tests.outreach.conftest import NOW
from tests.outreach.twilio_standin import ACCOUNT, TOKEN, TwilioStandIn

CALLER_ID = "+815012345678"


def spoken(twiml: str) -> str:
    """What the callee hears: the text of every <Say>, without the SSML pauses."""
    return "".join("".join(say.itertext()) for say in ET.fromstring(twiml).iter("Say"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Line:
    standin: TwilioStandIn
    dialer: Dialer
    manager: DialogueManager
    public_url: str


@pytest.fixture
async def line(manager: DialogueManager) -> AsyncIterator[Line]:
    standin = TwilioStandIn()
    api = TestServer(standin.app(), host="127.0.0.1", port=free_port())
    await api.start_server()
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    app = create_app(manager)
    app[CONFIG] = VoiceConfig(auth_token=TOKEN, public_base_url=public_url)
    ours = TestServer(app, host="127.0.0.1", port=port)
    await ours.start_server()
    dialer = Dialer(DialerConfig(ACCOUNT, TOKEN, CALLER_ID, public_url, api_url=str(api.make_url(""))))
    yield Line(standin, dialer, manager, public_url)
    await standin.idle()
    await dialer.close()
    await ours.close()
    await api.close()


async def test_a_callback_the_caller_agrees_to_is_booked_and_survives_a_restart(manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="09012345678"), now=NOW))
    for text in ["注文した商品がまだ届かないので、折り返し電話してほしいです", "はい", "明日", "午後3時", "はい"]:
        reply = await manager.handle(sid, UserTurn(text=text))
    assert reply.expect.awaiting == "anything_else" and not reply.ended  # 「ほかにご用件は」: the call goes on
    reply = await manager.handle(sid, UserTurn(text="以上です"))
    assert reply.outcome == "callback_scheduled"
    [job] = await manager.outbox.jobs()
    assert job.to == "+819012345678" and job.asked and job.status == "due"
    assert job.due_at == datetime(2026, 12, 3, 15, 0, tzinfo=TOKYO)
    assert job.conversation_id == sid and job.id == f"cb-{sid}"
    path = manager.store.path  # type: ignore[attr-defined]
    [again] = await SQLiteOutbox(path).jobs("due")  # another process (or the next start) sees it
    assert again == job


@pytest.mark.parametrize(("local", "asked", "expected"), [
    ("2026-12-02T08:00", False, "2026-12-02T09:00"),  # before 9:00
    ("2026-12-02T20:30", False, "2026-12-03T09:00"),  # after 20:00
    ("2026-11-22T21:00", False, "2026-11-24T09:00"),  # 11/23 勤労感謝の日 is skipped
    ("2026-11-23T10:00", False, "2026-11-24T09:00"),
    ("2026-11-23T10:00", True, "2026-11-23T10:00"),  # the caller asked for that time
    ("2026-12-02T19:59", False, "2026-12-02T19:59"),
])
def test_quiet_hours_and_holidays(local: str, asked: bool, expected: str) -> None:
    moment = datetime.fromisoformat(local).replace(tzinfo=TOKYO)
    assert callable_at(moment, asked=asked) == datetime.fromisoformat(expected).replace(tzinfo=TOKYO)


async def test_a_due_callback_opens_with_the_context_and_joins_the_queue(line: Line) -> None:
    job = new_job("callback", "09012345678", NOW, topic="ご注文の配送状況", asked=True, queue="general")
    await line.manager.outbox.add(job)
    assert await run_due(line.manager.outbox, line.dialer, NOW - timedelta(minutes=1)) == 0  # not due yet
    assert await run_due(line.manager.outbox, line.dialer, NOW) == 1
    await line.standin.idle()
    [call] = line.standin.calls
    assert call["To"] == "+819012345678" and call["From"] == CALLER_ID
    assert call["Url"] == f"{line.public_url}/outbound/twilio/answer?job={job.id}"
    assert call["StatusCallback"] == f"{line.public_url}/outbound/twilio/status?job={job.id}"
    assert call["MachineDetection"] == "Enable"
    assert line.standin.problems == []
    [twiml] = line.standin.twiml
    assert "先日お問い合わせいただいたご注文の配送状況の件で、サクラマートからお電話いたしました。" in spoken(twiml)
    # the caller joins the agents' queue and holds there (ivr/voice_hold.py) until an agent takes the call
    assert re.search(r'<Enqueue action="/voice/twilio/hold/done"[^>]*waitUrl="/voice/twilio/hold"[^>]*>general</Enqueue>',
                     twiml)
    done = await line.manager.outbox.get(job.id)
    assert done is not None and (done.status, done.outcome, done.attempts) == ("done", "connected", 1)
    assert done.call_sid == call["Sid"]


async def test_an_answering_machine_gets_a_polite_message(line: Line) -> None:
    line.standin.script["+819033334444"] = ["machine"]
    job = new_job("callback", "090-3333-4444", NOW, topic="返品・交換", asked=True)
    await line.manager.outbox.add(job)
    await run_due(line.manager.outbox, line.dialer, NOW)
    await line.standin.idle()
    [twiml] = line.standin.twiml
    assert spoken(twiml) == ("サクラマートでございます。先日お問い合わせいただいた返品・交換の件でお電話いたしました。"
                             "改めてお電話させていただきます。失礼いたします。")
    assert "<Hangup" in twiml and "Enqueue" not in twiml
    done = await line.manager.outbox.get(job.id)
    assert done is not None and (done.status, done.outcome) == ("done", "voicemail")


async def test_nobody_answers_so_it_is_tried_later_then_given_up(line: Line) -> None:
    line.standin.script["+819011112222"] = ["no-answer", "busy", "no-answer"]
    job = new_job("callback", "09011112222", NOW, asked=True)
    await line.manager.outbox.add(job)
    outbox, moment = line.manager.outbox, NOW
    for attempt, status in enumerate(["no-answer", "busy"], start=1):
        await run_due(outbox, line.dialer, moment)
        await line.standin.idle()
        later = await outbox.get(job.id)
        assert later is not None and (later.status, later.outcome, later.attempts) == ("due", status, attempt)
        assert later.due_at > datetime.now(UTC) + timedelta(minutes=29)  # not at once, and within quiet hours
        local = later.due_at.astimezone(TOKYO)
        assert 9 <= local.hour < 20
        moment = later.due_at
    await run_due(outbox, line.dialer, moment)
    await line.standin.idle()
    final = await outbox.get(job.id)
    assert final is not None and (final.status, final.outcome, final.attempts) == ("failed", "unreachable", 3)
    assert len(line.standin.calls) == 3 and line.standin.problems == []


async def test_a_callback_whose_time_passed_while_no_worker_ran_waits_for_the_morning(line: Line) -> None:
    job = new_job("callback", "09012345678", datetime(2026, 12, 2, 17, 0, tzinfo=TOKYO), asked=True)
    await line.manager.outbox.add(job)
    night = datetime(2026, 12, 2, 22, 30, tzinfo=TOKYO)
    assert await run_due(line.manager.outbox, line.dialer, night) == 1
    later = await line.manager.outbox.get(job.id)
    assert later is not None and line.standin.calls == []
    assert (later.status, later.attempts, later.due_at) == ("due", 0, datetime(2026, 12, 3, 9, 0, tzinfo=TOKYO))


async def test_a_number_twilio_refuses_is_recorded_not_retried(line: Line) -> None:
    job = new_job("callback", "+8112345678", NOW, asked=True)
    await line.manager.outbox.add(job)
    await run_due(line.manager.outbox, line.dialer, NOW)
    failed = await line.manager.outbox.get(job.id)
    assert failed is not None and (failed.status, failed.outcome) == ("failed", "refused:21211")


async def test_a_delivery_delay_notice_goes_by_sms_after_quiet_hours(line: Line) -> None:
    evening = datetime(2026, 12, 2, 21, 0, tzinfo=TOKYO)
    job = delivery_delay_notice(line.manager.bot, "09012345678", "12345678", "2026-12-08", evening)
    assert job.due_at == datetime(2026, 12, 3, 9, 0, tzinfo=TOKYO)
    await line.manager.outbox.add(job)
    assert await run_due(line.manager.outbox, line.dialer, evening) == 0
    await run_due(line.manager.outbox, line.dialer, job.due_at)
    [sms] = line.standin.messages
    assert sms["To"] == "+819012345678" and sms["From"] == CALLER_ID
    assert sms["Body"].startswith("【サクラマート】ご注文番号12345678の商品は") and "12月8日(火)ごろ" in sms["Body"]
    sent = await line.manager.outbox.get(job.id)
    assert sent is not None and (sent.status, sent.outcome) == ("done", "sent")


async def test_a_delivery_delay_notice_by_voice_is_read_out(line: Line) -> None:
    job = delivery_delay_notice(line.manager.bot, "09012345678", "12345678", "2026-12-08", NOW, by="voice")
    await line.manager.outbox.add(job)
    await run_due(line.manager.outbox, line.dialer, NOW)
    await line.standin.idle()
    [twiml] = line.standin.twiml
    said = spoken(twiml)
    assert said.startswith("サクラマートでございます。ご注文についてお知らせがあり、お電話いたしました。ご注文番号")
    assert "【" not in said and said.endswith("失礼いたします。") and "<Hangup" in twiml
    done = await line.manager.outbox.get(job.id)
    assert done is not None and (done.kind, done.status, done.outcome) == ("notice_voice", "done", "connected")


async def test_unsigned_webhooks_are_refused(line: Line) -> None:
    from aiohttp import ClientSession

    async with ClientSession() as session, session.post(
            f"{line.public_url}/outbound/twilio/status?job=x",
            data={"CallSid": "CA" + "1" * 32, "CallStatus": "completed"}) as resp:
        assert resp.status == 403


def test_several_workers_claim_each_job_once(tmp_path: Path) -> None:
    path = tmp_path / "ivr.db"

    async def book() -> None:
        box = SQLiteOutbox(path)
        for i in range(30):
            await box.add(new_job("callback", f"0901234{i:04d}", NOW, asked=True))
        await box.close()

    asyncio.run(book())

    def worker() -> list[str]:
        async def drain() -> list[str]:
            box, got = SQLiteOutbox(path), list[str]()
            while jobs := await box.claim_due(NOW, limit=2):
                got.extend(j.id for j in jobs)
            await box.close()
            return got
        return asyncio.run(drain())

    async def together() -> list[list[str]]:
        return await asyncio.gather(*(asyncio.to_thread(worker) for _ in range(4)))

    claimed = [i for ids in asyncio.run(together()) for i in ids]
    assert len(claimed) == 30 and len(set(claimed)) == 30


async def test_a_claim_left_by_a_dead_worker_is_taken_again(tmp_path: Path) -> None:
    box = SQLiteOutbox(tmp_path / "ivr.db")
    job = new_job("callback", "09012345678", NOW, asked=True)
    await box.add(job)
    assert len(await box.claim_due(NOW)) == 1
    assert await box.claim_due(NOW + timedelta(minutes=5)) == []  # still being dialled
    [again] = await box.claim_due(NOW + timedelta(minutes=11))  # the worker died before placing the call
    assert again.attempts == 2
    await box.close()


async def test_a_callback_offered_in_the_callers_language_is_booked_for_the_desk_that_speaks_it(
        manager: DialogueManager) -> None:
    sunday = datetime(2026, 12, 6, 15, 0, tzinfo=TOKYO)
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09055556666"), now=sunday))
    for text in ["주문한 물건이 아직 안 왔어요.", "네"]:
        reply = await manager.handle(sid, UserTurn(text=text))
    assert reply.outcome == "callback_scheduled"
    [job] = await manager.outbox.jobs()
    assert job.queue == "languages" and job.to == "+819055556666"
    assert job.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)  # Monday, when the desk opens
