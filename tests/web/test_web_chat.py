"""The chat widget's WebSocket protocol, through aiohttp's test client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from ivr.web_chat import MAX_FRAME_BYTES, FrameError, Hello, Message, parse_frame

Client = TestClient[Any, Any]


async def receive(ws: ClientWebSocketResponse, until: str) -> list[dict[str, Any]]:
    """Messages up to and including the first of type `until`."""
    out: list[dict[str, Any]] = []
    while not out or out[-1]["type"] != until:
        out.append(json.loads(await ws.receive_str(timeout=10)))
    return out


async def say(ws: ClientWebSocketResponse, text: str, until: str = "bot") -> list[dict[str, Any]]:
    await ws.send_json({"type": "message", "text": text})
    return await receive(ws, until)


async def hello(ws: ClientWebSocketResponse, session_id: str | None = None) -> list[dict[str, Any]]:
    await ws.send_json({"type": "hello", **({"session_id": session_id} if session_id else {})})
    return await receive(ws, "bot" if session_id is None else "session")


async def test_order_status_chat_resolves(client: Client, manager: DialogueManager) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        session, greeting = await hello(ws)
        assert session["type"] == "session" and session["resumed"] is False
        assert "サクラマート" in greeting["text"] and greeting["awaiting"] == "free"
        assert (await say(ws, "注文した商品が届かない"))[-1]["awaiting"] == "slot:order_id"
        assert (await say(ws, "12345678"))[-1]["awaiting"] == "slot:phone_number"
        answer = (await say(ws, "09012345678"))[-1]
        assert "12345678" in answer["text"] and answer["awaiting"] == "anything_else"
        goodbye = await say(ws, "以上です", until="end")
        assert goodbye[-1] == {"type": "end", "outcome": "resolved", "reason": None,
                               "session_id": session["session_id"]}  # the session the survey rates
    state = await manager.state(session["session_id"])
    assert state is not None and state.outcome == "resolved" and state.slots["order_id"] == "12345678"


async def test_message_without_hello_starts_a_chat(client: Client) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        await ws.send_json({"type": "message", "text": "注文した商品が届かない"})
        msgs = await receive(ws, "bot")
        assert msgs[0]["type"] == "session"
        msgs += await receive(ws, "bot")  # the greeting came first; then the answer to the message
        assert msgs[-1]["awaiting"] == "slot:order_id"


async def test_transfer_sends_handover_and_keeps_the_chat_open(client: Client) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        await hello(ws)
        msgs = await say(ws, "オペレーターと話したい", until="handover")
        # the chat waits for a person (tests/agents has the rest); no "end" frame closes the widget
        await ws.send_json({"type": "message", "text": "まだですか"})
        await ws.send_json({"type": "bogus"})
        assert (await ws.receive_json(timeout=10))["reason"] == "unknown_type"
    kinds = [m["type"] for m in msgs]
    assert kinds == ["bot", "handover"]
    handover = msgs[kinds.index("handover")]
    assert handover["text"] == "オペレーターにおつなぎしています"
    assert handover["reason"] == "human_request" and handover["case_id"].startswith("CASE-")
    assert handover["queue"] == "general" and handover["wait_seconds"] is None  # nobody signed in: unknown


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("これはJSONではありません", "not_json"),
        ("[1, 2, 3]", "not_json"),
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"text": "タイプがない"}', "unknown_type"),
        ('{"type": "message"}', "bad_text"),
        ('{"type": "message", "text": 12345678}', "bad_text"),
        ('{"type": "message", "text": "   "}', "bad_text"),
        (json.dumps({"type": "message", "text": "あ" * 3000}, ensure_ascii=False), "too_large"),
    ],
)
async def test_malformed_frames_get_an_error_and_the_chat_goes_on(client: Client, frame: str, reason: str) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        await hello(ws)
        await ws.send_str(frame)
        error = json.loads(await ws.receive_str(timeout=10))
        assert error["type"] == "error" and error["reason"] == reason and error["text"]
        assert (await say(ws, "注文した商品が届かない"))[-1]["awaiting"] == "slot:order_id"


async def test_binary_frame_and_frame_over_8kb(client: Client) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        await hello(ws)
        await ws.send_bytes(b"\x00\x01")
        assert json.loads(await ws.receive_str(timeout=10))["reason"] == "binary"
        await ws.send_str("x" * (MAX_FRAME_BYTES + 1))
        assert json.loads(await ws.receive_str(timeout=10))["reason"] == "too_large"
        assert not ws.closed
        assert (await say(ws, "梅田店の営業時間は"))[-1]["type"] == "bot"


async def test_resume_by_session_id_after_reload(client: Client, manager: DialogueManager) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        session, _ = await hello(ws)
        await say(ws, "注文した商品が届かない")
    sid = session["session_id"]
    async with client.ws_connect("/chat/ws") as ws:  # the page reloaded: a new socket, the same chat
        resumed = (await hello(ws, sid))[-1]
        assert resumed["resumed"] is True and resumed["session_id"] == sid
        assert resumed["awaiting"] == "slot:order_id"
        assert [h["speaker"] for h in resumed["history"]] == ["bot", "caller", "bot"]
        assert resumed["history"][1]["text"] == "注文した商品が届かない"
        assert (await say(ws, "12345678"))[-1]["awaiting"] == "slot:phone_number"
    state = await manager.state(sid)
    assert state is not None and state.slots["order_id"] == "12345678"


async def test_unknown_or_voice_session_id_starts_a_new_chat(client: Client, manager: DialogueManager) -> None:
    from dialogue.api import SessionStart

    voice_sid, _ = await manager.start(SessionStart(channel="voice", session_id="CA0123456789"))
    for sid in ("does-not-exist", voice_sid):
        async with client.ws_connect("/chat/ws") as ws:
            await ws.send_json({"type": "hello", "session_id": sid})
            msgs = await receive(ws, "bot")
            assert [m["type"] for m in msgs] == ["error", "session", "bot"]
            assert msgs[0]["reason"] == "no_session" and msgs[1]["session_id"] != sid


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ('{"type": "hello"}', Hello(None)),
        ('{"type": "hello", "session_id": 5}', Hello(None)),
        ('{"type": "hello", "session_id": "abc"}', Hello("abc")),
        ('{"type": "message", "text": " 返品したい "}', Message("返品したい")),
    ],
)
def test_parse_frame(raw: str, parsed: Hello | Message) -> None:
    assert parse_frame(raw) == parsed


def test_parse_frame_rejects_a_too_long_text() -> None:
    with pytest.raises(FrameError):
        parse_frame(json.dumps({"type": "message", "text": "a" * 1001}))


async def test_demo_page_and_widget_are_served_locally(client: Client) -> None:
    page = await client.get("/")
    html = await page.text()
    assert page.status == 200 and '<script src="/widget.js"' in html and 'lang="ja"' in html
    assert "http" not in html.split("<body>")[1].replace("https://(このサーバー)", "")  # no CDN
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    js = await client.get("/widget.js")
    assert js.status == 200 and js.content_type == "application/javascript"
    body = await js.text()
    assert "/chat/ws" in body and "sessionStorage" in body and "innerHTML" not in body
    css = await client.get("/widget.css")
    assert css.status == 200 and css.content_type == "text/css"


def test_ivr_serve_mounts_the_web_channels(manager: DialogueManager) -> None:
    from ivr.server import create_app

    paths = {r.resource.canonical for r in create_app(manager).router.routes() if r.resource is not None}
    assert {"/", "/widget.js", "/chat/ws", "/agent", "/agent/api/kpis"} <= paths


async def test_a_closed_tab_is_hung_up_after_the_grace_period(
    client: Client, manager: DialogueManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from ivr import web_chat

    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", 0.05)
    async with client.ws_connect("/chat/ws") as ws:
        session, _ = await hello(ws)
        await say(ws, "注文した商品が届かない")
    for _ in range(100):
        state = await manager.state(session["session_id"])
        if state is not None and state.ended:
            break
        await asyncio.sleep(0.02)
    assert state is not None and state.outcome == "abandoned"
    assert await manager.case_note(state.case_id or "") is not None


async def test_widget_understands_answers_as_given(client: Client, manager: DialogueManager) -> None:
    """Information said early is kept, an order number given to a clarification is the yes, and a hedged
    goodbye is asked about before the chat ends (the conversation-core failure classes, in the widget)."""
    async with client.ws_connect("/chat/ws") as ws:
        session, _ = await hello(ws)
        assert (await say(ws, "注文の件で"))[-1]["awaiting"] == "confirm"  # 「ご注文の配送状況についてでしょうか」
        assert (await say(ws, "12345678です"))[-1]["awaiting"] == "slot:phone_number"
        answer = (await say(ws, "09012345678"))[-1]
        assert "配送中" in answer["text"] and answer["awaiting"] == "anything_else"
        assert (await say(ws, "うーん、たぶん大丈夫…かな"))[-1]["awaiting"] == "confirm"
        goodbye = await say(ws, "はい、大丈夫です", until="end")
        assert goodbye[-1]["outcome"] == "resolved"
    state = await manager.state(session["session_id"])
    assert state is not None and state.slots["order_id"] == "12345678"
