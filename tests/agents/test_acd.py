"""Routing, priority, Erlang C waits, the announcement, and a long wait turning a transfer into a callback."""

from __future__ import annotations

import math
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from dialogue.acd import Acd, HandoverFacts, erlang_c, erlang_c_wait_s
from dialogue.desk import AgentState, Contact, MemoryDesk
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.rules import DEFAULT_DIR
from ivr.desk_app import DESK
from tests.agents.conftest import frames_until, hand_over, login

Client = TestClient[Any, Any]


@pytest.fixture(scope="module")
def acd() -> Acd:
    return Acd.load()


def test_every_acd_queue_is_a_queue_with_hours(acd: Acd) -> None:
    assert set(acd.queues) <= set(BusinessHours.load(DEFAULT_DIR / "queues.yaml").queues)


def test_erlang_c_matches_the_textbook() -> None:
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)  # (1/2 * 2) / (1 + 1 + 1)
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=1e-4)
    assert erlang_c_wait_s(2, 1 / 300, 300) == pytest.approx(100.0)  # C * AHT / (N - A)
    assert math.isinf(erlang_c_wait_s(1, 1 / 100, 300))  # more work than people: no steady state
    assert erlang_c(400, 380.0) < 1  # large centres stay finite


@pytest.mark.parametrize(("facts", "queue", "priority"), [
    (HandoverFacts("general", "human_request", 3), "general", 3),
    (HandoverFacts("general", "harassment", 9), "supervisor", 9),
    (HandoverFacts("complaints", "emotion", 6), "complaints", 7),
    (HandoverFacts("complaints", "complex", 5, rule="dispute", intents=("billing_inquiry",)), "billing", 5),
    (HandoverFacts("general", "human_request", 3, language="vi"), "languages", 3),
    (HandoverFacts("general", "human_request", 8, repeat_contact=True), "general", 9),
])
def test_routing_and_priority(acd: Acd, facts: HandoverFacts, queue: str, priority: int) -> None:
    assert acd.route(facts) == (queue, priority)


def test_skills(acd: Acd) -> None:
    assert acd.can_answer(acd.skills_of("alice", "agent"), "billing")
    assert not acd.can_answer(acd.skills_of("alice", "agent"), "supervisor")
    assert acd.can_answer(acd.skills_of("sam", "supervisor"), "supervisor")


def _agent(name: str, state: str) -> AgentState:
    return AgentState(name, state, 0.0, skills=("general",))  # type: ignore[arg-type]


def test_estimate_from_the_live_queue(acd: Acd) -> None:
    waiting = [Contact(f"c{i}", "chat", "general", None, 3, 1000.0) for i in range(3)]
    assert acd.estimate("general", [], [], []) is None  # nobody signed in: unknown
    assert acd.estimate("general", [], [_agent("a", "available")], []) == 0.0
    # one busy agent, three ahead: four handle times of 360 s
    assert acd.estimate("general", waiting, [_agent("a", "busy")], [], now=1000.0) == pytest.approx(1440.0)
    # measured handle times replace the YAML's once there are five
    done = [Contact(f"d{i}", "chat", "general", None, 3, 0.0, status="closed", handle_s=120.0) for i in range(5)]
    two = [_agent("a", "busy"), _agent("b", "busy")]
    assert acd.estimate("general", waiting, two, done, now=1000.0) == pytest.approx(4 * 120.0 / 2)
    # Erlang C: the last hour's arrivals load the agents; with nobody waiting, more than the backlog of one
    arrivals = [Contact(f"a{i}", "chat", "general", None, 3, 1000.0 - i) for i in range(80)]
    three = [_agent("a", "busy"), _agent("b", "busy"), _agent("c", "after_call_work")]
    asa = acd.estimate("general", [], three, done, now=1000.0, arrivals=arrivals)
    assert asa == pytest.approx(erlang_c_wait_s(3, 80 / 3600, 120.0)) and asa > 120.0 / 3
    old = [Contact(f"o{i}", "chat", "general", None, 3, 1000.0 - 7200) for i in range(80)]
    assert acd.estimate("general", [], three, done, now=1000.0, arrivals=old) == pytest.approx(120.0 / 3)


@pytest.mark.parametrize(("seconds", "text"), [
    (None, None), (0, "まもなく担当者におつなぎいたします。このままお待ちください。"),
    (290, "ただいま5分ほどでおつなぎできる見込みです。このままお待ちください。"),
    (1440, "ただいま25分ほどでおつなぎできる見込みです。このままお待ちください。")])
def test_announcement(acd: Acd, seconds: float | None, text: str | None) -> None:
    assert acd.announcement(seconds) == text


async def test_waits_for_every_staffed_queue(acd: Acd) -> None:
    desk = MemoryDesk()
    await desk.set_agent_state("alice", "available", skills=("general", "billing"))
    assert await acd.waits(desk) == {"general": 0.0, "billing": 0.0}


async def test_a_long_wait_offers_a_callback_instead(app_client: Client) -> None:
    desk = app_client.server.app[DESK]
    await desk.set_agent_state("alice", "busy", skills=("general",))
    for i in range(3):
        await desk.enqueue(Contact(f"waiting-{i}", "chat", "general", "human_request", 3, 0.0))
    async with app_client.ws_connect("/chat/ws") as ws:
        await ws.send_json({"type": "hello"})
        await frames_until(ws, "bot")
        await ws.send_json({"type": "message", "text": "オペレーターと話したい"})
        reply = (await frames_until(ws, "bot"))[-1]
    assert "折り返し" in reply["text"] and reply["awaiting"] != "none"
    assert len(await desk.waiting()) == 3  # not queued: offered a callback


async def test_the_wait_is_announced_at_the_hand_over(app_client: Client) -> None:
    desk = app_client.server.app[DESK]
    await desk.set_agent_state("alice", "busy", skills=("general",))
    await desk.set_agent_state("bob", "after_call_work", skills=("general", "billing"))
    async with app_client.ws_connect("/chat/ws") as ws:
        handover = await hand_over(ws)
        announcement = (await frames_until(ws, "bot"))[-1]
    assert handover["wait_seconds"] == 180  # one handle time (360 s) shared by two agents
    assert announcement["text"] == "ただいま3分ほどでおつなぎできる見込みです。このままお待ちください。"


async def test_a_repeat_caller_is_answered_sooner_and_voice_calls_queue_too(app_client: Client) -> None:
    from dialogue.api import Handover
    from ivr.app_keys import MANAGER
    from ivr.desk_app import enqueue_handover

    app = app_client.server.app
    for cid in ("call-1", "call-2", "call-3"):
        phone = "0312345678" if cid == "call-3" else "09012345678"
        await app[MANAGER].store.save_case(f"CASE-{cid}", {"case_id": f"CASE-{cid}", "caller_phone": phone})
    first = await enqueue_handover(app, "call-1", "voice", Handover("transfer", "human_request", "general", 3, "CASE-call-1"))
    second = await enqueue_handover(app, "call-2", "voice", Handover("transfer", "human_request", "general", 3, "CASE-call-2"))
    other = await enqueue_handover(app, "call-3", "voice", Handover("transfer", "human_request", "general", 3, "CASE-call-3"))
    assert (first.contact.priority, second.contact.priority, other.contact.priority) == (3, 5, 3)
    assert first.wait_s is None and first.announcement is None  # nobody signed in: no promise made
    await login(app_client)
    queue = (await (await app_client.get("/agent/api/queue")).json())["queue"]
    assert [(r["conversation_id"], r["channel"]) for r in queue][0] == ("call-2", "voice")
    assert queue[0]["case_note"]["caller_phone"] == "09012345678"


def test_queues_of_another_bot_are_covered(acd: Acd) -> None:
    wider = acd.covering(["general", "supervisor", "returns"])
    assert "returns" in wider.queues and "returns" not in acd.queues
    assert wider.can_answer(wider.skills_of("alice", "agent"), "returns")
    assert not wider.can_answer(wider.skills_of("alice", "agent"), "supervisor")
    assert acd.covering(acd.queues) is acd
