"""The streaming voice gateway, driven as an ASR/TTS front end would drive it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import WSMsgType

from dialogue.engine import DialogueManager
from ivr import voice_stream
from ivr.voice_common import VoiceConfig
from tests.voice.conftest import ClientMaker, voice_app


class FrontEnd:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, **msg: Any) -> None:
        await self.ws.send_json(msg)

    async def until(self, *kinds: str) -> list[dict[str, Any]]:
        """Messages up to and including the first of `kinds`."""
        out: list[dict[str, Any]] = []
        while True:
            msg = await self.ws.receive(timeout=10)
            assert msg.type == WSMsgType.TEXT, msg
            out.append(json.loads(msg.data))
            if out[-1]["type"] in kinds:
                return out

    async def nothing(self) -> None:
        with pytest.raises(asyncio.TimeoutError):
            await self.ws.receive(timeout=0.3)


def prompts(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == "prompt"]


async def open_call(aiohttp_client: ClientMaker, manager: DialogueManager, call_id: str,
                    caller: str = "0312345678") -> tuple[FrontEnd, list[dict[str, Any]]]:
    client = await aiohttp_client(voice_app(manager))
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    await fe.send(type="start", call_id=call_id, **{"from": caller})
    return fe, await fe.until("listen")


async def test_full_call_with_nbest_keys_and_readback(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    fe, greeting = await open_call(aiohttp_client, manager, "call-1")
    listen = greeting[-1]
    assert listen["awaiting"] == "menu" and listen["dtmf"]["max_digits"] == 1 and listen["language"] == "ja-JP"
    assert listen["timeouts_ms"] == {"no_input": 8000, "end_of_speech": 3000, "inter_digit": 5000}
    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="ちゅうもんしたしょうひんがとどかない", confidence=0.71,
                  alternatives=[{"text": "ちゅうもんしたしょうひんがとどかない", "confidence": 0.71},
                                {"text": "注文した商品が届かない", "confidence": 0.65}])
    listen = (await fe.until("listen"))[-1]
    assert listen["awaiting"] == "slot:order_id" and listen["dtmf"]["max_digits"] == 8
    await fe.send(type="playback_done")
    for key in "12345678":
        await fe.send(type="dtmf", digit=key)
    await fe.until("listen")
    await fe.send(type="playback_done")
    await fe.send(type="dtmf", digits="09012345678#")
    messages = await fe.until("listen")
    ssml = "".join(p["ssml"] for p in prompts(messages))
    assert '<say-as interpret-as="characters">1234</say-as>' in ssml  # read back digit by digit
    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="以上です", confidence=0.9)
    end = await fe.until("hangup")
    assert end[-1]["outcome"] == "resolved"


async def test_barge_in_and_backchannels(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    fe, greeting = await open_call(aiohttp_client, manager, "call-2")
    assert all(p["barge_in"] for p in prompts(greeting))
    # うん while the greeting plays: no stop, no turn
    await fe.send(type="transcript", final=False, text="うん")
    await fe.send(type="transcript", final=True, text="うんうん", confidence=0.8)
    await fe.nothing()
    # words: the bot stops speaking at the first real partial, then takes the final as an interrupted turn
    await fe.send(type="transcript", final=False, text="オペレーターに")
    assert (await fe.until("stop_speaking"))[-1] == {"type": "stop_speaking"}
    await fe.send(type="transcript", final=True, text="オペレーターにつないで", confidence=0.9)
    messages = await fe.until("transfer")
    assert not any(p["barge_in"] for p in prompts(messages))  # the transfer notice is heard in full
    transfer = messages[-1]
    assert transfer["queue"] == "general" and transfer["reason"] == "human_request"
    assert transfer["case_id"].startswith("CASE-")
    state = await manager.state("call-2")
    assert state is not None and state.outcome == "transferred"
    assert any(e.get("text") == "オペレーターにつないで" for e in await manager.events("call-2"))


async def test_hai_over_a_confirmation_is_an_answer(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    fe, _ = await open_call(aiohttp_client, manager, "call-3", "08098765432")
    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="注文をキャンセルしたい")
    await fe.until("listen")
    await fe.send(type="dtmf", digits="23456789")
    confirm = await fe.until("listen")
    assert confirm[-1]["awaiting"] == "confirm"
    await fe.send(type="transcript", final=True, text="はい")  # over よろしいでしょうか, still playing
    messages = await fe.until("listen")
    assert messages[0] == {"type": "stop_speaking"}
    assert "キャンセルを承りました" in "".join(p["text"] for p in prompts(messages))


async def test_inter_digit_timeout_and_silence(aiohttp_client: ClientMaker, manager: DialogueManager,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voice_stream, "INTER_DIGIT_TIMEOUT_S", 0.2)
    fe, _ = await open_call(aiohttp_client, manager, "call-4")
    await fe.send(type="playback_done")
    await fe.send(type="dtmf", digit="3")  # menu: one key is enough
    await fe.until("listen")
    await fe.send(type="playback_done")
    await fe.send(type="no_input")
    messages = await fe.until("listen")
    assert prompts(messages)  # reprompted, never silence


async def test_hangup_mid_call_is_abandoned(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    fe, _ = await open_call(aiohttp_client, manager, "call-5")
    await fe.send(type="hangup")
    await fe.ws.close()
    for _ in range(50):
        state = await manager.state("call-5")
        if state is not None and state.ended:
            break
        await asyncio.sleep(0.02)
    assert state is not None and state.outcome == "abandoned"


async def test_bad_messages_get_errors(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    fe, _ = await open_call(aiohttp_client, manager, "call-6")
    await fe.ws.send_str("{not json")
    assert (await fe.until("error"))[-1]["code"] == "bad_message"
    await fe.send(type="teleport")
    assert (await fe.until("error"))[-1]["code"] == "unknown_type"
    await fe.send(type="start", call_id="call-6")
    assert (await fe.until("error"))[-1]["code"] == "bad_start"


async def test_stream_token(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager, VoiceConfig(stream_token="s3cret-for-tests")))
    assert (await client.get("/voice/stream")).status == 403
    ws = await client.ws_connect("/voice/stream", headers={"Authorization": "Bearer s3cret-for-tests"})
    await ws.close()
