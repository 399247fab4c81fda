"""A caller held in Twilio's queue moves the moment a console agent accepts them (or sends them to another
team), through Twilio's REST API (`calls(sid).update(url=...)`, the real `twilio` client) against a local
stand-in that checks the request and fetches the new TwiML as Twilio would; not at their next hold check,
which can be 40 seconds away. Without the REST settings, or when Twilio refuses, the hold check still does it."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dialogue.engine import DialogueManager
from ivr.voice_common import HOLD_MOVED_PATH, HOLD_PATH, VoiceConfig
from tests.outreach.twilio_standin import ACCOUNT, TwilioStandIn
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app
from tests.voice.test_voice_desk import API, ask_for_a_person, login, on_hold


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


@pytest.fixture
async def twilio() -> AsyncIterator[tuple[TwilioStandIn, str]]:
    standin = TwilioStandIn()
    server = TestServer(standin.app(), host="127.0.0.1", port=free_port())
    await server.start_server()
    yield standin, str(server.make_url("")).rstrip("/")
    await server.close()


async def held_caller(aiohttp_client: ClientMaker, manager: DialogueManager, cfg: VoiceConfig,
                      standin: TwilioStandIn, n: int) -> tuple[Phone, TestClient[web.Request, web.Application]]:
    """A caller who asked for a person and waits in Twilio's queue, and alice signed in to the console."""
    port = free_port()
    cfg = replace(cfg, public_base_url=f"http://127.0.0.1:{port}")
    client = await aiohttp_client(voice_app(manager, cfg), server_kwargs={"port": port})  # type: ignore[call-arg]
    await login(client)
    phone = Phone(client, call_sid(n))
    await ask_for_a_person(phone)
    standin.live[phone.sid] = phone.params()
    assert (await on_hold(phone, 0)).find("Leave") is None
    return phone, client


def redirected_twiml(standin: TwilioStandIn) -> ET.Element:
    assert standin.problems == []
    return ET.fromstring(standin.twiml[-1])


async def test_accepted_the_caller_is_put_through_to_the_agent_at_once(aiohttp_client: ClientMaker,
                                                                      manager: DialogueManager,
                                                                      twilio: tuple[TwilioStandIn, str]) -> None:
    standin, api = twilio
    cfg = VoiceConfig(auth_token=TOKEN, agent_dial="client:{agent}", account_sid=ACCOUNT, api_url=api)
    phone, client = await held_caller(aiohttp_client, manager, cfg, standin, 600)

    accepted = await client.post(API + phone.sid + "/accept")
    assert accepted.status == 200

    [moved] = standin.redirects
    assert moved["Sid"] == phone.sid and moved["Url"].endswith(HOLD_MOVED_PATH) and moved["Method"] == "POST"
    root = redirected_twiml(standin)
    dial = root.find("Dial")
    assert dial is not None and (dial.findtext("Client") or "").strip() == "alice"
    assert "担当者におつなぎいたします" in spoken(root)


async def test_without_agent_dial_the_caller_moves_to_the_agents_own_queue(aiohttp_client: ClientMaker,
                                                                          manager: DialogueManager,
                                                                          twilio: tuple[TwilioStandIn, str]) -> None:
    standin, api = twilio
    cfg = VoiceConfig(auth_token=TOKEN, account_sid=ACCOUNT, api_url=api)
    phone, client = await held_caller(aiohttp_client, manager, cfg, standin, 601)

    assert (await client.post(API + phone.sid + "/accept")).status == 200
    enqueue = redirected_twiml(standin).find("Enqueue")
    assert enqueue is not None and enqueue.text == "agent-alice"
    assert enqueue.get("waitUrl") == f"{HOLD_PATH}?queue=agent-alice"


async def test_sent_to_another_team_the_caller_moves_to_that_queue(aiohttp_client: ClientMaker,
                                                                  manager: DialogueManager,
                                                                  twilio: tuple[TwilioStandIn, str]) -> None:
    standin, api = twilio
    cfg = VoiceConfig(auth_token=TOKEN, account_sid=ACCOUNT, api_url=api)
    phone, client = await held_caller(aiohttp_client, manager, cfg, standin, 602)

    await client.post("/agent/logout")
    await login(client, "sam")  # a supervisor may move a waiting caller without taking it
    moved = await client.post(API + phone.sid + "/transfer", json={"queue": "billing"})
    assert moved.status == 200, await moved.text()
    root = redirected_twiml(standin)
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing"
    assert "より適切な担当窓口" in spoken(root) or "お待ち" in spoken(root)


async def test_when_twilio_refuses_the_hold_check_still_moves_the_caller(aiohttp_client: ClientMaker,
                                                                         manager: DialogueManager,
                                                                         twilio: tuple[TwilioStandIn, str]) -> None:
    standin, api = twilio
    cfg = VoiceConfig(auth_token=TOKEN, agent_dial="client:{agent}", account_sid=ACCOUNT, api_url=api)
    phone, client = await held_caller(aiohttp_client, manager, cfg, standin, 603)
    del standin.live[phone.sid]  # Twilio answers 404 (the call ended a moment ago, as far as it knows)

    accepted = await client.post(API + phone.sid + "/accept")
    assert accepted.status == 200 and (await accepted.json())["agent"] == "alice"
    assert standin.redirects == []
    assert (await on_hold(phone, 20)).find("Leave") is not None


async def test_without_the_rest_settings_nothing_is_sent_to_twilio(aiohttp_client: ClientMaker,
                                                                   manager: DialogueManager,
                                                                   twilio: tuple[TwilioStandIn, str]) -> None:
    standin, api = twilio
    cfg = VoiceConfig(auth_token=TOKEN, agent_dial="client:{agent}", api_url=api)  # no account sid
    phone, client = await held_caller(aiohttp_client, manager, cfg, standin, 604)

    assert (await client.post(API + phone.sid + "/accept")).status == 200
    assert standin.redirects == []
    assert (await on_hold(phone, 20)).find("Leave") is not None
