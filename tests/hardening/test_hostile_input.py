"""Hostile input found by an outside probe (issue 12): each case once, against the whole server."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.store_remote import PostgresStore
from ivr import frames, guards
from ivr.server import create_app
from ivr.voice_common import APOLOGY, CONFIG, VoiceConfig
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, voice_app
from tests.voice.test_relay import bot_says, relay, text_of

DEEP = "[" * 7000  # 7 KB: under every socket's size limit (the chat takes 8 KB), 7,000 levels deep
DEEP_OBJECT = '{"type": "message", "text": ' + '{"a":' * 1300 + "1" + "}" * 1300 + "}"  # 7 KB


async def next_json(ws: Any) -> dict[str, Any]:
    msg = await ws.receive(timeout=10)
    assert msg.type == WSMsgType.TEXT, msg
    data: dict[str, Any] = json.loads(msg.data)
    return data


def test_nesting_depth_reads_brackets_outside_strings_only() -> None:
    assert frames.nesting_depth('{"text": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert frames.nesting_depth('{"a": [1, {"b": [2]}]}') == 4
    assert frames.nesting_depth('"\\"[[["') == 0
    with pytest.raises(ValueError):
        frames.loads(DEEP)
    assert frames.loads('{"type": "hello"}') == {"type": "hello"}


@pytest.mark.parametrize("value,expected", [(3, 3), ("2", 2), ("high", 0), (None, 0), ([1], 0), ({"a": 1}, 0),
                                            ("nan", 0), ("1e999", 0), (True, 0), (1e30, 2**31 - 1)])
def test_as_int_takes_only_numbers(value: object, expected: int) -> None:
    assert frames.as_int(value) == expected


async def test_deep_frames_on_the_chat_socket_get_a_polite_error(aiohttp_client: ClientMaker,
                                                                 manager: DialogueManager) -> None:
    client = await aiohttp_client(create_app(manager))
    ws = await client.ws_connect("/chat/ws")
    for frame in (DEEP, DEEP_OBJECT):
        await ws.send_str(frame)
        error = await next_json(ws)
        assert error["type"] == "error" and error["reason"] == "not_json" and error["text"].endswith("。")
    await ws.send_str(json.dumps({"type": "hello"}))
    assert (await next_json(ws))["type"] == "session"  # the socket lives on
    await ws.close()


async def test_deep_frames_on_the_stream_gateway_get_an_error_frame(aiohttp_client: ClientMaker,
                                                                    manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager, VoiceConfig()))
    ws = await client.ws_connect("/voice/stream")
    await ws.send_str(DEEP)
    error = await next_json(ws)
    assert error == {"type": "error", "code": "bad_message", "message": "expected a JSON object with a type"}
    await ws.send_json({"type": "start", "call_id": "deep-1", "from": "0312345678"})
    assert (await next_json(ws))["type"] == "prompt"
    await ws.close()


async def test_deep_frames_on_the_relay_socket_are_dropped_and_the_call_goes_on(
        aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    ws = await relay(client)
    await ws.send_str(DEEP)  # Twilio's protocol has no error frame: logged and dropped, the socket stays
    await ws.send_json({"type": "setup", "callSid": call_sid(900), "from": "+81312345678"})
    assert "サクラマート" in text_of(await bot_says(ws))
    await ws.send_str(DEEP_OBJECT)
    await ws.send_json({"type": "prompt", "voicePrompt": "注文した商品がまだ届かない", "last": True})
    assert "注文番号" in text_of(await bot_says(ws))
    await ws.close()


async def test_relay_setup_with_a_known_call_does_not_restart_it(aiohttp_client: ClientMaker,
                                                                 manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    sid = call_sid(901)
    ws = await relay(client)
    await ws.send_json({"type": "setup", "callSid": sid, "from": "+81312345678"})
    await bot_says(ws)
    await ws.send_json({"type": "prompt", "voicePrompt": "注文した商品がまだ届かない", "last": True})
    await bot_says(ws)
    second = await relay(client)
    await second.send_json({"type": "setup", "callSid": sid, "from": "+81312345678"})
    msg = await second.receive(timeout=10)
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED) and second.close_code == 1008
    state = await manager.state(sid)
    assert state is not None and state.intents == ("order_status",)
    await ws.close()


@pytest.mark.parametrize("priority", ["high", "", "1e999", "[1]", "null", "-5"])
async def test_relay_handoff_with_a_bad_priority_still_transfers(aiohttp_client: ClientMaker,
                                                                 manager: DialogueManager, priority: str) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(902))
    data = ('{"reasonCode": "live-agent-handoff", "reason": "requested", "queue": "general", '
            f'"priority": {json.dumps(priority) if not priority.startswith(("[", "n", "-")) else priority}, '
            '"caseId": ["not", "a", "string"], "prompts": ["おつなぎします。", {"x": 1}]}')
    root = await phone.post("/voice/twilio/relay/handoff", phone.params(HandoffData=data))
    assert phone.status == 200 and root is not None
    assert root.find("Enqueue") is not None and "おつなぎします" in "".join(root.itertext())


async def test_relay_handoff_with_deep_data_says_goodbye(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(903))
    root = await phone.post("/voice/twilio/relay/handoff", phone.params(HandoffData="[" * 3000))
    assert phone.status == 200 and root is not None and root.find("Hangup") is not None


async def test_chats_per_client_are_limited(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    app = create_app(manager)
    client = await aiohttp_client(app)
    statuses = []
    for _ in range(guards.CHAT_BURST + 3):
        resp = await client.get("/chat/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                                     "Sec-WebSocket-Version": "13",
                                                     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        statuses.append(resp.status)
        if resp.status == 429:
            assert int(resp.headers["Retry-After"]) >= 1
            assert "しばらくしてから" in await resp.text()
        resp.close()
    assert statuses[: guards.CHAT_BURST] == [101] * guards.CHAT_BURST
    assert statuses[guards.CHAT_BURST:] == [429] * 3


def test_token_bucket_refills() -> None:
    buckets = guards.TokenBuckets(burst=2, per_minute=60)
    assert [buckets.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert buckets.take("b", now=0.0) == 0.0  # per client
    assert buckets.take("a", now=1.0) == 0.0  # one token a second


async def test_forwarded_client_counts_only_behind_a_trusted_proxy(aiohttp_client: ClientMaker,
                                                                   manager: DialogueManager) -> None:
    app = create_app(manager)
    app[CONFIG] = VoiceConfig(trust_forwarded=True)
    client = await aiohttp_client(app)
    handshake = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    for n in range(guards.CHAT_BURST + 2):  # a different client each time: none is refused
        resp = await client.get("/chat/ws", headers={**handshake, "X-Forwarded-For": f"203.0.113.{n}"})
        assert resp.status == 101
        resp.close()


async def _half_request(client: TestClient[Any, Any], path: str, body: bytes) -> None:
    assert client.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: 4000\r\n\r\n".encode() + body)
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await asyncio.sleep(0.2)


async def test_a_client_that_goes_away_leaves_no_traceback(aiohttp_client: ClientMaker, manager: DialogueManager,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    client = await aiohttp_client(voice_app(manager, VoiceConfig()))
    phone = Phone(client, call_sid(904), token=None)
    await phone.dial()
    action = phone.gather().get("action", "")
    caplog.set_level(logging.INFO)
    await _half_request(client, action, b"CallSid=" + call_sid(904).encode())
    await _half_request(client, "/agent/login", b"user=alice&pass")
    ws = await client.ws_connect("/chat/ws")
    await ws.send_str(json.dumps({"type": "hello"}))
    await ws.send_str(json.dumps({"type": "message", "text": "注文した商品が届かない"}))
    await ws.close()
    await asyncio.sleep(0.3)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
    assert "went away" in caplog.text
    # the call is still there for its next turn
    assert await manager.view(call_sid(904)) is not None


async def test_replay_and_duplicate_twilio_posts_run_one_turn(aiohttp_client: ClientMaker,
                                                              manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(905), token=TOKEN)
    await phone.dial()
    action = phone.gather().get("action", "")
    params = phone.params(SpeechResult="注文した商品が届かない")
    results = await asyncio.gather(*(Phone(client, phone.sid).post(action, params) for _ in range(5)))
    assert all(r is not None for r in results)
    assert sum(APOLOGY in "".join(r.itertext()) for r in results if r is not None) == 4  # one turn ran
    state = await manager.state(phone.sid)
    assert state is not None and state.intents == ("order_status",)


async def test_callers_are_told_politely_while_the_store_is_down(aiohttp_client: ClientMaker,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    down = build_manager(store=PostgresStore("postgresql://postgres@127.0.0.1:9/nowhere", timeout_s=1.0))
    client = await aiohttp_client(voice_app(down))
    phone = Phone(client, call_sid(906))
    root = await phone.post("/voice/twilio", phone.params(CallStatus="ringing"))
    assert phone.status == 200 and root is not None
    assert root.find("Hangup") is not None and "しばらくしてから" in "".join(root.itertext())
    root = await phone.post("/voice/twilio/turn?seq=abc", phone.params(SpeechResult="注文した商品が届かない"))
    assert phone.status == 200 and root is not None
    assert root.find("Gather") is not None and "もう一度" in "".join(root.itertext())  # say it again, later
    await phone.post("/voice/twilio/status", phone.params(CallStatus="completed"))
    assert phone.status == 503
    assert not [r for r in caplog.records if r.exc_info], caplog.text
