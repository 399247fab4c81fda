"""The agents' line (issue 13, without IVR_AGENT_DIAL): an agent's phone calls in and Twilio's `<Dial><Queue>`
takes the caller who has waited longest in the queues that agent may answer (first in, first out; callers who
hung up are skipped), or the caller the agent accepted in the console, who moves to the agent's own queue.
Driven by Twilio's signed form posts; the TwiML is read back as Twilio would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dialogue.bot import load_bot
from dialogue.desk import Contact
from dialogue.engine import DialogueManager
from ivr.desk_app import DESK
from ivr.voice_common import AGENT_BRIDGED_PATH, AGENT_LINE_PATH, HOLD_DONE_PATH, HOLD_PATH
from tests.voice.conftest import ClientMaker, Phone, call_sid, spoken, voice_app
from tests.voice.test_voice_desk import API, ask_for_a_person, login, on_hold, queue_result

QUEUE_SID = "QU" + "2" * 32
# what the sample bot says to agents on their line (prompts/voice_hold.yaml)
NOT_AN_AGENT = load_bot().prompts.render("agent_line_not_an_agent", "voice", {}).text
NOBODY_WAITING = load_bot().prompts.render("agent_line_nobody_waiting", "voice", {}).text


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


def dialed_queue(root: ET.Element) -> ET.Element | None:
    dial = root.find("Dial")
    return dial.find("Queue") if dial is not None else None


async def agent_calls(client: object, n: int, caller: str = "client:alice", path: str = AGENT_LINE_PATH) -> ET.Element:
    """An agent's phone calls the agents' line (a new call each time)."""
    phone = Phone(client, call_sid(9000 + n), caller=caller)  # type: ignore[arg-type]
    root = await phone.post(path, phone.params())
    assert root is not None, phone.status
    return root


async def dequeued(caller: Phone, queue: ET.Element, agent_sid: str) -> ET.Element:
    """Twilio dequeues `caller` for the agent's phone and asks the `<Queue url>` what to play them first."""
    url = queue.get("url", "")
    assert queue.get("method") == "POST" and url.startswith(AGENT_BRIDGED_PATH + "?agent=")
    root = await caller.post(url, caller.params(QueueSid=QUEUE_SID, QueueTime="25", DequeueingCallSid=agent_sid))
    assert root is not None, caller.status
    return root


async def test_agents_phones_take_callers_first_in_first_out_skipping_those_who_hung_up(
        aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    app = voice_app(manager)  # no IVR_AGENT_DIAL: the agents' phones take callers from Twilio's queues
    client = await aiohttp_client(app)
    first, second, third = (Phone(client, call_sid(n)) for n in (301, 302, 303))
    for phone in (first, second):  # nobody signed in yet: no wait is promised, so no callback is offered
        root = await ask_for_a_person(phone)
        enqueue = root.find("Enqueue")
        assert enqueue is not None and enqueue.text == "general", ET.tostring(root, encoding="unicode")
        assert enqueue.get("waitUrl") == HOLD_PATH
    await login(client, "sam")  # a supervisor who moves one caller to billing in the console

    # 転送 to billing: the caller leaves Twilio's general queue for the billing one
    assert (await client.post(API + second.sid + "/accept")).status == 200
    assert (await client.post(API + second.sid + "/transfer", json={"queue": "billing"})).status == 200
    assert (await on_hold(second, 5)).find("Leave") is not None
    moved = await queue_result(second, "leave")
    enqueue = moved.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing" and "より適切な担当窓口" in spoken(moved)
    assert enqueue.get("waitUrl") == f"{HOLD_PATH}?queue=billing" and enqueue.get("action") == HOLD_DONE_PATH
    in_billing = await second.post(f"{HOLD_PATH}?queue=billing", second.params(QueueTime="3"))
    assert in_billing is not None and in_billing.find("Leave") is None  # where the desk says: keeps holding

    assert (await client.post("/agent/api/state", json={"state": "offline"})).status == 200
    await ask_for_a_person(third)
    assert (await queue_result(first, "hangup")).find("Say") is None  # the first caller gave up

    # alice's softphone: the caller who has waited longest and is still there is the billing one
    root = await agent_calls(client, 1)
    queue = dialed_queue(root)
    assert queue is not None and queue.text == "billing", ET.tostring(root, encoding="unicode")
    assert queue.get("url") == f"{AGENT_BRIDGED_PATH}?agent=alice"
    said = await dequeued(second, queue, call_sid(9001))
    assert "ただいま担当者におつなぎいたします" in spoken(said) and said.find("Dial") is None
    contact = await app[DESK].contact(second.sid)
    assert contact is not None and (contact.status, contact.agent, contact.agent_name) == ("assigned", "alice", "佐藤")

    root = await agent_calls(client, 2)  # next: the general caller who came after
    queue = dialed_queue(root)
    assert queue is not None and queue.text == "general"
    await dequeued(third, queue, call_sid(9002))
    contact = await app[DESK].contact(third.sid)
    assert contact is not None and (contact.status, contact.agent) == ("assigned", "alice")

    root = await agent_calls(client, 3)  # nobody left
    assert dialed_queue(root) is None and root.find("Hangup") is not None and NOBODY_WAITING in spoken(root)
    gone = await app[DESK].contact(first.sid)
    assert gone is not None and gone.status == "abandoned"  # never handed to an agent


async def test_a_caller_accepted_in_the_console_waits_for_that_agents_phone(aiohttp_client: ClientMaker,
                                                                           manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    earlier, chosen = Phone(client, call_sid(311)), Phone(client, call_sid(312))
    await ask_for_a_person(earlier)
    await ask_for_a_person(chosen)
    await login(client)  # alice
    assert (await client.post(API + chosen.sid + "/accept")).status == 200  # not the first in line

    assert (await on_hold(chosen, 5)).find("Leave") is not None  # into alice's own queue
    moved = await queue_result(chosen, "leave")
    enqueue = moved.find("Enqueue")
    assert enqueue is not None and enqueue.text == "agent-alice" and "担当者におつなぎいたします" in spoken(moved)
    assert enqueue.get("waitUrl") == f"{HOLD_PATH}?queue=agent-alice"
    holding = await chosen.post(f"{HOLD_PATH}?queue=agent-alice", chosen.params(QueueTime="4"))
    assert holding is not None and holding.find("Leave") is None
    assert (await on_hold(earlier, 5)).find("Leave") is None  # the other caller stays where they are

    queue = dialed_queue(await agent_calls(client, 11))
    assert queue is not None and queue.text == "agent-alice"
    await dequeued(chosen, queue, call_sid(9011))
    queue = dialed_queue(await agent_calls(client, 12))  # that one is on alice's phone now: the next in line
    assert queue is not None and queue.text == "general"
    await dequeued(earlier, queue, call_sid(9012))

    # 自動応答に戻す while on the phone: when alice hangs up, the caller talks to the bot again
    assert (await client.post(API + chosen.sid + "/release", json={"note": "住所変更のみ"})).status == 200
    back = await queue_result(chosen, "bridged")
    assert "自動応答にお戻しいたします" in spoken(back)
    assert f"session={chosen.sid}-r1" in chosen.gather().get("action", "")
    # an agent who simply finishes the call: the caller's leg ends
    ended = await queue_result(earlier, "bridged")
    assert ended.find("Hangup") is not None


async def test_the_line_is_for_console_users_and_respects_their_skills(aiohttp_client: ClientMaker,
                                                                      manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    # a harassment call waits for a supervisor; ordinary agents never get it
    await app[DESK].enqueue(Contact(id=call_sid(321), channel="voice", queue="supervisor", reason="harassment",
                                    priority=5, queued_at=0.0))
    for caller, path in (("+819012345678", AGENT_LINE_PATH), ("client:mallory", AGENT_LINE_PATH),
                         ("+819012345678", AGENT_LINE_PATH + "?agent=nobody")):
        root = await agent_calls(client, 21, caller=caller, path=path)
        assert dialed_queue(root) is None and NOT_AN_AGENT in spoken(root) and root.find("Hangup") is not None
    root = await agent_calls(client, 22, caller="+819012345678", path=AGENT_LINE_PATH + "?agent=alice")
    assert dialed_queue(root) is None and NOBODY_WAITING in spoken(root)
    queue = dialed_queue(await agent_calls(client, 23, caller="sip:sam@agents.example.sip.twilio.com"))
    assert queue is not None and queue.text == "supervisor"
    # an unsigned post is refused like every Twilio webhook
    resp = await client.post(AGENT_LINE_PATH, data={"CallSid": call_sid(9024), "From": "client:sam"})
    assert resp.status == 403


async def test_a_caller_who_hangs_up_in_the_agents_own_queue_is_not_waited_for(aiohttp_client: ClientMaker,
                                                                              manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    phone = Phone(client, call_sid(331))
    await ask_for_a_person(phone)
    await login(client)
    await client.post(API + phone.sid + "/accept")
    await on_hold(phone, 5)
    await queue_result(phone, "leave")  # now in agent-alice
    queue = dialed_queue(await agent_calls(client, 31))
    assert queue is not None and queue.text == "agent-alice"
    await queue_result(phone, "hangup")  # gone before alice's phone took the call
    root = await agent_calls(client, 32)
    assert dialed_queue(root) is None and NOBODY_WAITING in spoken(root)
    lines = (await (await client.get(API + phone.sid + "/messages")).json())["messages"]
    assert lines[-1]["event"] == "hung_up"  # the console tells alice why nobody came


async def test_the_line_takes_the_caller_the_acd_ranks_first_as_the_console_queue_does(
        aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    """Two callers on hold in one Twilio queue; the later one is a repeat contact (queues/acd.yaml raises its
    priority): alice's phone gets that one first, as the console's queue lists it, although Twilio's queue
    is first in, first out; then the earlier one."""
    app = voice_app(manager)
    client = await aiohttp_client(app)
    # the second caller reached the desk two days ago: a repeat contact
    await app[DESK].enqueue(Contact(id="earlier-call", channel="voice", queue="general", reason="human_request",
                                    priority=3, queued_at=0.0, caller="09011112222"))
    await app[DESK].abandon("earlier-call")
    earlier, repeat = Phone(client, call_sid(341), caller="+819033334444"), Phone(client, call_sid(342),
                                                                               caller="+819011112222")
    for phone in (earlier, repeat):
        enqueue = (await ask_for_a_person(phone)).find("Enqueue")
        assert enqueue is not None and enqueue.text == "general"
    first, second = [await app[DESK].contact(p.sid) for p in (earlier, repeat)]
    assert first is not None and second is not None and second.priority > first.priority
    await login(client)
    queue = (await (await client.get("/agent/api/queue")).json())["queue"]
    assert [c["conversation_id"] for c in queue] == [repeat.sid, earlier.sid]  # the console's order

    root = await agent_calls(client, 41)
    line = dialed_queue(root)
    assert line is not None and line.text == "agent-alice", ET.tostring(root, encoding="unicode")
    assert (await on_hold(earlier, 35)).find("Leave") is None  # stays in general
    assert (await on_hold(repeat, 35)).find("Leave") is not None  # moves to alice's queue
    enqueue = (await queue_result(repeat, "leave")).find("Enqueue")
    assert enqueue is not None and enqueue.text == "agent-alice"
    await dequeued(repeat, line, call_sid(9041))
    contact = await app[DESK].contact(repeat.sid)
    assert contact is not None and (contact.status, contact.agent) == ("assigned", "alice")

    line = dialed_queue(await agent_calls(client, 42))  # then the earlier caller, straight from general
    assert line is not None and line.text == "general"
    await dequeued(earlier, line, call_sid(9042))
    contact = await app[DESK].contact(earlier.sid)
    assert contact is not None and (contact.status, contact.agent) == ("assigned", "alice")


async def test_callers_of_equal_priority_reach_the_line_in_arrival_order(aiohttp_client: ClientMaker,
                                                                          manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    one, two = Phone(client, call_sid(351), caller="+819055550001"), Phone(client, call_sid(352),
                                                                         caller="+819055550002")
    for phone in (one, two):
        await ask_for_a_person(phone)
    ranked = [await app[DESK].contact(p.sid) for p in (one, two)]
    assert ranked[0] is not None and ranked[1] is not None and ranked[0].priority == ranked[1].priority
    for n, phone in enumerate((one, two)):
        line = dialed_queue(await agent_calls(client, 51 + n))
        assert line is not None and line.text == "general"  # the front of Twilio's queue: nothing moves
        await dequeued(phone, line, call_sid(9051 + n))
        contact = await app[DESK].contact(phone.sid)
        assert contact is not None and (contact.status, contact.agent) == ("assigned", "alice")
