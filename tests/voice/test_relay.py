"""Twilio ConversationRelay: a call over the relay socket, as Twilio's side would drive it."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from dialogue.engine import DialogueManager
from ivr.voice_common import VoiceConfig
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app


async def relay(client: TestClient[Any, Any], token: str = TOKEN) -> Any:
    url = str(client.make_url("/voice/relay/ws")).replace("http://", "ws://")
    signature = RequestValidator(token).compute_signature(url, {})
    return await client.ws_connect("/voice/relay/ws", headers={"X-Twilio-Signature": signature})


async def bot_says(ws: Any) -> list[dict[str, Any]]:
    """Messages up to the end of the bot's turn (a text with last=true, or end)."""
    out: list[dict[str, Any]] = []
    while True:
        msg = await ws.receive(timeout=10)
        assert msg.type == WSMsgType.TEXT, msg
        data = json.loads(msg.data)
        out.append(data)
        if data["type"] == "end" or (data["type"] == "text" and data["last"]):
            return out


def text_of(messages: list[dict[str, Any]]) -> str:
    return "".join(m.get("token", "") for m in messages if m["type"] == "text")


async def test_connect_twiml(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(40))
    root = await phone.post("/voice/twilio/relay", phone.params())
    assert root is not None
    relay_el = root.find("Connect/ConversationRelay")
    assert relay_el is not None
    assert relay_el.get("url", "").endswith("/voice/relay/ws") and relay_el.get("url", "").startswith("ws://")
    assert relay_el.get("language") == "ja-JP" and relay_el.get("dtmfDetection") == "true"


async def test_handshake_signature_is_checked(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    resp = await client.get("/voice/relay/ws", headers={"X-Twilio-Signature": "forged", "Upgrade": "websocket",
                                                        "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                                                        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert resp.status == 403


async def test_relay_call_with_keys_interruption_and_transfer(aiohttp_client: ClientMaker,
                                                               manager: DialogueManager) -> None:
    cfg = VoiceConfig(auth_token=TOKEN, queue_digits={"general": "2"})
    client = await aiohttp_client(voice_app(manager, cfg))
    ws = await relay(client)
    sid = call_sid(41)
    await ws.send_json({"type": "setup", "sessionId": "VX" + "0" * 32, "callSid": sid, "from": "+81312345678",
                        "to": "+81120000000", "direction": "inbound", "customParameters": {}})
    assert "サクラマート" in text_of(await bot_says(ws))
    await ws.send_json({"type": "prompt", "voicePrompt": "注文した商品がまだ届かないんですけど", "lang": "ja-JP", "last": True})
    assert "注文番号" in text_of(await bot_says(ws))
    for digit in "12345678":  # the relay reports keys one at a time
        await ws.send_json({"type": "dtmf", "digit": digit})
    said = text_of(await bot_says(ws))
    assert "お電話番号" in said
    # the caller says うん over the question: not an answer, the rest of the sentence is said again
    await ws.send_json({"type": "interrupt", "utteranceUntilInterrupt": "ご本人様確認のため、",
                        "durationUntilInterruptMs": 900})
    await ws.send_json({"type": "prompt", "voicePrompt": "うん", "last": True})
    assert text_of(await bot_says(ws)) == said.removeprefix("ご本人様確認のため、")
    state = await manager.state(sid)
    assert state is not None and state.failed_turns == 0
    await ws.send_json({"type": "prompt", "voicePrompt": "やっぱりオペレーターにつないでください", "last": True})
    messages = await bot_says(ws)
    assert messages[0] == {"type": "sendDigits", "digits": "2"}
    handoff = json.loads(messages[-1]["handoffData"])
    assert handoff["reasonCode"] == "live-agent-handoff" and handoff["caseId"].startswith("CASE-")
    await ws.close()
    # Twilio then posts the <Connect action> with the handoff data
    phone = Phone(client, sid)
    root = await phone.post("/voice/twilio/relay/handoff",
                            phone.params(HandoffData=messages[-1]["handoffData"], SessionStatus="ended"))
    assert root is not None
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "general"
    assert "おつなぎ" in spoken(root)
    state = await manager.state(sid)
    assert state is not None and state.outcome == "transferred"


async def test_relay_socket_closed_mid_call_is_abandoned(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    ws = await relay(client)
    sid = call_sid(42)
    await ws.send_json({"type": "setup", "callSid": sid, "from": "+81312345678"})
    await bot_says(ws)
    await ws.send_json({"type": "prompt", "voicePrompt": "返品したい", "last": True})
    await bot_says(ws)
    await ws.close()
    for _ in range(50):
        state = await manager.state(sid)
        if state is not None and state.ended:
            break
        await __import__("asyncio").sleep(0.02)
    assert state is not None and state.outcome == "abandoned"


async def test_handoff_without_data_still_speaks(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(43))
    root = await phone.post("/voice/twilio/relay/handoff", phone.params(SessionStatus="failed"))
    assert root is not None and spoken(root) and root.find("Hangup") is not None
