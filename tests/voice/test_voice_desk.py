"""Phone calls handed to a person join the agents' desk (issue 13): queued by the ACD with their case note,
held in Twilio's queue with the wait said in keigo, popped in the console when an agent accepts, and put
through to that agent. Driven by Twilio's own form posts, signed; the TwiML is read back as Twilio would."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from dialogue.desk import Contact
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.outbound import new_job
from dialogue.records import records
from dialogue.store_remote import PostgresStore
from ivr.desk_app import DESK
from ivr.voice_common import HOLD_DONE_PATH, HOLD_PATH, VoiceConfig
from tests.dialogue.test_stores import postgres_dsn
from tests.records.conftest import drop_schema
from tests.voice.conftest import NOW, TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app
from tests.voice.test_relay import bot_says, relay

API = "/agent/api/conversations/"
DIAL = VoiceConfig(auth_token=TOKEN, agent_dial="client:{agent}")


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


async def login(client: Any, name: str = "alice") -> None:
    resp = await client.post("/agent/login", data={"username": name, "password": f"{name}-pw"}, allow_redirects=False)
    assert resp.status == 303, await resp.text()


async def on_hold(phone: Phone, queue_time: int) -> ET.Element:
    """Twilio's waitUrl request, as it comes each time the previous hold TwiML has played."""
    root = await phone.post(HOLD_PATH, phone.params(QueueSid="QU" + "1" * 32, QueueTime=str(queue_time),
                                                    QueuePosition="1", CurrentQueueSize="1", AvgQueueTime="0"))
    assert root is not None, phone.status
    return root


async def queue_result(phone: Phone, result: str) -> ET.Element:
    root = await phone.post(HOLD_DONE_PATH, phone.params(QueueResult=result, QueueSid="QU" + "1" * 32, QueueTime="42"))
    assert root is not None, phone.status
    return root


async def ask_for_a_person(phone: Phone) -> ET.Element:
    await phone.dial()
    return await phone.say("オペレーターと話したいんですが")


async def test_a_transferred_call_pops_in_the_console_and_reaches_the_agent(aiohttp_client: ClientMaker,
                                                                            manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)  # alice is 受付可: nobody waits ahead, so the caller hears 「まもなく」
    phone = Phone(client, call_sid(100))
    await phone.dial()
    await phone.say("注文した商品がまだ届かないんですけど")
    root = await phone.say("オペレーターと話したいんですが")

    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "general"
    assert enqueue.get("waitUrl") == HOLD_PATH and enqueue.get("action") == HOLD_DONE_PATH
    said = spoken(root)
    assert "オペレーターにおつなぎいたします" in said and "まもなく担当者におつなぎいたします" in said

    # the console sees the call, with the bot's case note
    queue = (await (await client.get("/agent/api/queue")).json())["queue"]
    [row] = [r for r in queue if r["conversation_id"] == phone.sid]
    assert row["channel"] == "voice" and row["queue"] == "general" and row["reason"] == "human_request"
    assert row["case_note"]["case_id"] == row["case_id"] and "order_status" in row["case_note"]["intents"]

    # the first hold request comes at once: music (silence without a URL), no second announcement
    first = await on_hold(phone, 0)
    assert first.find("Pause") is not None and first.find("Say") is None and first.find("Leave") is None

    accepted = await client.post(API + phone.sid + "/accept")
    assert accepted.status == 200
    pop = await accepted.json()
    assert pop["status"] == "assigned" and pop["agent"] == "alice"
    assert pop["case_note"]["summary_ja"] and pop["case_note"]["reason"] == "human_request"  # the pop

    assert (await on_hold(phone, 20)).find("Leave") is not None
    put_through = await queue_result(phone, "leave")
    dial = put_through.find("Dial")
    assert dial is not None and dial.get("action") == "/voice/twilio/hold/agent-done"
    client_el = dial.find("Client")
    assert client_el is not None and (client_el.text or "").strip() == "alice"
    assert "担当者におつなぎいたします" in spoken(put_through)

    closed = await client.post(API + phone.sid + "/close", json={"disposition": "配送状況を案内"})
    assert closed.status == 200
    ended = await phone.post("/voice/twilio/hold/agent-done", phone.params(DialCallStatus="completed"))
    assert ended is not None and ended.find("Hangup") is not None
    [record] = [r for r in await records(manager.store) if r["conversation_id"] == phone.sid]
    assert record["agent"] == "alice" and record["disposition"] == "配送状況を案内"


async def test_the_wait_is_said_and_repeated_on_hold(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    app = voice_app(manager, VoiceConfig(auth_token=TOKEN, hold_music_url="https://example.jp/hold.mp3"))
    client = await aiohttp_client(app)
    # two agents signed in, neither free: one handle time (360 s, queues/acd.yaml) shared by two
    await app[DESK].set_agent_state("alice", "busy", skills=("general",))
    await app[DESK].set_agent_state("bob", "after_call_work", skills=("general",))
    phone = Phone(client, call_sid(101))
    root = await ask_for_a_person(phone)
    assert "ただいま3分ほどでおつなぎできる見込みです" in spoken(root)
    assert root.find("Enqueue") is not None

    # a second caller queued later does not lengthen the first one's wait; a more urgent one would
    await app[DESK].enqueue(Contact("later-chat", "chat", "general", "human_request", 3, 0.0))
    later = await on_hold(phone, 60)
    assert "大変お待たせしております" in spoken(later) and "あと3分ほど" in spoken(later)
    play = later.find("Play")
    assert play is not None and play.text == "https://example.jp/hold.mp3"
    await app[DESK].enqueue(Contact("urgent-chat", "chat", "general", "emotion", 9, 0.0))
    assert "あと6分ほど" in spoken(await on_hold(phone, 120))


async def test_a_long_wait_offers_a_callback_instead(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    desk = app[DESK]
    await desk.set_agent_state("alice", "busy", skills=("general",))
    for i in range(2):  # two callers ahead, one busy agent: 18 minutes, above max_wait_s (300 s)
        await desk.enqueue(Contact(f"waiting-{i}", "voice", "general", "human_request", 3, 0.0))
    phone = Phone(client, call_sid(103))
    root = await ask_for_a_person(phone)
    offer = spoken(root)
    assert "混み合っており" in offer and "折り返し" in offer and "受付時間" not in offer  # open, only busy
    assert root.find("Enqueue") is None and root.find("Gather") is not None
    assert await desk.contact(phone.sid) is None and len(await desk.waiting()) == 2
    state = await manager.state(phone.sid)
    assert state is not None and not state.ended  # the caller may accept the callback

    # the operator key of the menu obeys the same limit, and the caller books the callback
    keyed = Phone(client, call_sid(114))
    await keyed.dial()
    root = await keyed.press("0")
    assert "混み合っており" in spoken(root) and root.find("Enqueue") is None
    await keyed.say("はい")  # a callback, please
    await keyed.say("はい")  # to the number they call from
    await keyed.say("明日")
    await keyed.say("午後三時")
    booked = await keyed.say("はい")
    assert "折り返しお電話いたします" in spoken(booked) and booked.find("Gather") is not None  # anything else?
    done = await keyed.say("以上です")
    assert done.find("Hangup") is not None
    state = await manager.state(keyed.sid)
    assert state is not None and state.outcome == "callback_scheduled"
    assert await desk.contact(keyed.sid) is None


async def test_a_caller_who_hangs_up_on_hold_leaves_the_queue(aiohttp_client: ClientMaker,
                                                               manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    phone = Phone(client, call_sid(104))
    await ask_for_a_person(phone)
    assert (await app[DESK].contact(phone.sid)) is not None
    assert (await queue_result(phone, "hangup")).find("Say") is None
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.status == "abandoned"
    await login(client)
    assert phone.sid not in [r["conversation_id"] for r in (await (await client.get("/agent/api/queue")).json())["queue"]]

    # the status callback alone (no queue result) does the same
    other = Phone(client, call_sid(105))
    await ask_for_a_person(other)
    assert await other.hang_up() == 204
    gone = await app[DESK].contact(other.sid)
    assert gone is not None and gone.status == "abandoned"


async def test_an_agent_closing_an_unanswered_call_ends_it_politely(aiohttp_client: ClientMaker,
                                                                    manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)
    phone = Phone(client, call_sid(106))
    await ask_for_a_person(phone)
    assert (await client.post(API + phone.sid + "/accept")).status == 200
    # no agent_dial: the caller moves to alice's own Twilio queue and holds there for her phone (the agents'
    # line, tests/voice/test_agent_line.py)
    assert (await on_hold(phone, 40)).find("Leave") is not None
    enqueue = (await queue_result(phone, "leave")).find("Enqueue")
    assert enqueue is not None and enqueue.text == "agent-alice"
    held = await phone.post(f"{HOLD_PATH}?queue=agent-alice", phone.params(QueueTime="40"))
    assert held is not None and held.find("Leave") is None and held.find("Pause") is not None
    assert (await client.post(API + phone.sid + "/close", json={"disposition": "対応不要"})).status == 200
    bye = await phone.post(f"{HOLD_PATH}?queue=agent-alice", phone.params(QueueTime="80"))
    assert bye is not None
    assert "おかけ直しください" in spoken(bye) and bye.find("Hangup") is not None


async def test_an_agent_who_does_not_answer_puts_the_caller_back_in_the_queue(aiohttp_client: ClientMaker,
                                                                               manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    phone = Phone(client, call_sid(107))
    await ask_for_a_person(phone)
    assert (await client.post(API + phone.sid + "/accept")).status == 200
    await queue_result(phone, "leave")
    again = await phone.post("/voice/twilio/hold/agent-done", phone.params(DialCallStatus="no-answer"))
    assert again is not None
    enqueue = again.find("Enqueue")
    assert enqueue is not None and enqueue.text == "general" and enqueue.get("waitUrl") == HOLD_PATH
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.status == "queued" and contact.agent is None


async def test_an_agent_who_transfers_the_call_sends_it_to_the_other_queue(aiohttp_client: ClientMaker,
                                                                           manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    phone = Phone(client, call_sid(118))
    await ask_for_a_person(phone)
    await client.post(API + phone.sid + "/accept")
    await queue_result(phone, "leave")  # put through to alice, who hears it is a billing matter
    moved = await client.post(API + phone.sid + "/transfer", json={"queue": "billing"})
    assert moved.status == 200
    after = await phone.post("/voice/twilio/hold/agent-done", phone.params(DialCallStatus="completed"))
    assert after is not None and "より適切な担当窓口" in spoken(after)
    enqueue = after.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing" and enqueue.get("waitUrl") == HOLD_PATH


async def test_released_to_the_bot_the_caller_talks_to_it_again(aiohttp_client: ClientMaker,
                                                                 manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    phone = Phone(client, call_sid(108))
    await ask_for_a_person(phone)
    assert (await client.post(API + phone.sid + "/accept")).status == 200
    assert (await client.post(API + phone.sid + "/release", json={"note": "営業時間のご案内のみ"})).status == 200
    assert (await on_hold(phone, 30)).find("Leave") is not None
    back = await queue_result(phone, "leave")
    assert "自動応答にお戻しいたします" in spoken(back) and "サクラマート" in spoken(back)
    action = phone.gather().get("action", "")
    assert f"session={phone.sid}-r1" in action
    answer = await phone.say("梅田店の営業時間を教えてください")
    assert "梅田店" in spoken(answer)
    assert (await manager.state(f"{phone.sid}-r1")) is not None
    # resolved by the bot this time: the survey rates this bot session's record
    redirect = (await phone.say("以上です")).find("Redirect")
    assert redirect is not None and redirect.text == f"/survey/twilio?conversation_id={phone.sid}-r1"
    await phone.post(redirect.text, phone.params())
    await phone.press("4")
    rated = {r["conversation_id"]: r.get("satisfaction") for r in await records(manager.store)}
    assert rated[f"{phone.sid}-r1"] == 4 and rated[phone.sid] is None
    assert await phone.hang_up() == 204
    state = await manager.state(f"{phone.sid}-r1")
    assert state is not None and state.ended and state.outcome == "resolved"


async def test_a_caller_released_on_hold_who_hangs_up_ends_the_new_session(aiohttp_client: ClientMaker,
                                                                            manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    phone = Phone(client, call_sid(117))
    await ask_for_a_person(phone)
    await client.post(API + phone.sid + "/accept")
    await client.post(API + phone.sid + "/release", json={})
    await on_hold(phone, 30)
    await queue_result(phone, "leave")
    assert await phone.hang_up() == 204
    state = await manager.state(f"{phone.sid}-r1")
    assert state is not None and state.ended and state.outcome == "abandoned"


async def test_a_turn_cannot_name_another_calls_session(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    victim, caller = Phone(client, call_sid(109)), Phone(client, call_sid(110))
    await victim.dial()
    await caller.dial()
    assert await caller.post(f"/voice/twilio/turn?seq=x&session={victim.sid}", caller.params(SpeechResult="はい")) is None
    assert caller.status == 400


async def test_a_relay_call_joins_the_desk_too(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    import json

    app = voice_app(manager)
    client = await aiohttp_client(app)
    await app[DESK].set_agent_state("alice", "busy", skills=("general",))
    await app[DESK].set_agent_state("bob", "busy", skills=("general",))
    ws = await relay(client)
    sid = call_sid(111)
    await ws.send_json({"type": "setup", "callSid": sid, "from": "+81312345678", "to": "+81120000000"})
    await bot_says(ws)
    await ws.send_json({"type": "prompt", "voicePrompt": "オペレーターと話したいです", "last": True})
    end = (await bot_says(ws))[-1]
    assert end["type"] == "end"
    data = json.loads(end["handoffData"])
    assert data["reasonCode"] == "live-agent-handoff" and data["queue"] == "general"
    assert any("3分ほど" in p for p in data["prompts"])  # the wait, said by <Say> before the queue
    contact = await app[DESK].contact(sid)
    assert contact is not None and contact.channel == "voice" and contact.status == "queued"
    await ws.close()

    phone = Phone(client, sid)
    root = await phone.post("/voice/twilio/relay/handoff", phone.params(HandoffData=end["handoffData"]))
    assert root is not None
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.get("waitUrl") == HOLD_PATH and "3分ほど" in spoken(root)


async def test_a_relay_call_the_bot_resolved_gets_the_survey(aiohttp_client: ClientMaker,
                                                             manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    ws = await relay(client)
    sid = call_sid(112)
    await ws.send_json({"type": "setup", "callSid": sid, "from": "+81312345678", "to": "+81120000000"})
    await bot_says(ws)
    await ws.send_json({"type": "prompt", "voicePrompt": "梅田店の営業時間を教えてください", "last": True})
    await bot_says(ws)
    await ws.send_json({"type": "prompt", "voicePrompt": "以上です", "last": True})
    end = (await bot_says(ws))[-1]
    await ws.close()
    phone = Phone(client, sid)
    root = await phone.post("/voice/twilio/relay/handoff", phone.params(HandoffData=end["handoffData"]))
    assert root is not None and root.find("Hangup") is None
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text == "/survey/twilio"
    await phone.post(redirect.text, phone.params())
    done = await phone.press("5")
    assert done.find("Hangup") is not None
    [record] = await records(manager.store)
    assert record["conversation_id"] == sid and record["satisfaction"] == 5 and record["outcome"] == "resolved"


async def test_no_survey_after_a_transfer_or_when_turned_off(aiohttp_client: ClientMaker,
                                                            manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager, VoiceConfig(auth_token=TOKEN, survey=False)))
    phone = Phone(client, call_sid(113))
    await phone.dial()
    await phone.say("梅田店の営業時間を教えてください")
    root = await phone.say("以上です")
    assert root.find("Hangup") is not None and root.find("Redirect") is None
    assert VoiceConfig.from_env({"IVR_VOICE_SURVEY": "0"}).survey is False
    assert VoiceConfig.from_env({}).survey is True


async def test_a_callback_the_bot_places_waits_on_the_desk_too(aiohttp_client: ClientMaker,
                                                               manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    job = new_job("callback", "09012345678", NOW, topic="ご注文の配送状況", asked=True, queue="general")
    await manager.outbox.add(job)
    callee = Phone(client, call_sid(115), caller="+81120000000")
    root = await callee.post(f"/outbound/twilio/answer?job={job.id}", callee.params(AnsweredBy="human"))
    assert root is not None
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "general" and enqueue.get("waitUrl") == HOLD_PATH
    contact = await app[DESK].contact(callee.sid)
    assert contact is not None and (contact.channel, contact.reason, contact.status) == ("voice", "callback", "queued")
    # a desk that does not know a call (a Redis store keeps one per process) keeps the caller holding
    stranger = Phone(client, call_sid(116))
    held = await on_hold(stranger, 45)
    assert held.find("Hangup") is None and "お待たせしております" in spoken(held)


# -- several workers on one PostgreSQL store --------------------------------------------------------------


@pytest.fixture
async def pg_url() -> AsyncIterator[tuple[str, str]]:
    dsn = await postgres_dsn()
    tag = f"ivr_voice_{uuid.uuid4().hex[:12]}"
    try:
        yield dsn, tag
    finally:
        await drop_schema(dsn, tag)


@pytest.mark.services
async def test_the_call_and_the_agent_on_different_workers(aiohttp_client: ClientMaker,
                                                           pg_url: tuple[str, str]) -> None:
    dsn, schema = pg_url
    stores = [PostgresStore(dsn, schema=schema) for _ in range(2)]
    try:
        apps: list[web.Application] = [voice_app(build_manager(store=s), DIAL) for s in stores]
        caller_side, agent_side = [await aiohttp_client(a) for a in apps]
        await login(agent_side)
        phone = Phone(caller_side, call_sid(120))
        root = await ask_for_a_person(phone)
        assert "まもなく" in spoken(root)  # the agent signed in on the other worker counts
        queue = (await (await agent_side.get("/agent/api/queue")).json())["queue"]
        [row] = [r for r in queue if r["conversation_id"] == phone.sid]
        assert row["channel"] == "voice" and row["case_note"]["reason"] == "human_request"
        assert (await agent_side.post(API + phone.sid + "/accept")).status == 200
        # Twilio's next hold request reaches the first worker, which sees the acceptance in the shared desk
        assert (await on_hold(phone, 10)).find("Leave") is not None
        dial = (await queue_result(phone, "leave")).find("Dial/Client")
        assert dial is not None and (dial.text or "").strip() == "alice"
    finally:
        for s in stores:
            await s.close()


@pytest.mark.parametrize("path", [HOLD_PATH, HOLD_DONE_PATH, "/voice/twilio/hold/moved", "/voice/twilio/hold/agent-done",
                                  "/voice/twilio/pay?seq=1"])
async def test_the_new_webhooks_refuse_unsigned_posts(aiohttp_client: ClientMaker, manager: DialogueManager,
                                                      path: str) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    phone = Phone(client, call_sid(119))
    await ask_for_a_person(phone)
    forger = Phone(client, phone.sid, token="not-the-token")
    assert await forger.post(path, forger.params(QueueResult="hangup", QueueTime="5", Result="success")) is None
    assert forger.status == 403
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.status == "queued"  # nothing ran
