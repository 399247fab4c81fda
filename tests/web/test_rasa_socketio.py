"""Rasa Webchat's socket.io protocol (ivr/rasa_socketio.py), with python-socketio's own client against a
real aiohttp server on a loopback port: what a site running Rasa Webchat sees when pointed here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from html import unescape
from typing import Any

import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from markdown_it import MarkdownIt

from dialogue.engine import DialogueManager
from dialogue.notes import transcript
from ivr import rasa_socketio, web_chat
from ivr.guards import CHAT_BUCKETS, TokenBuckets
from ivr.rasa_socketio import inert, rasa_events
from tests.agents.conftest import agents_app, login
from tests.web.conftest import make_app

EVENT_TIMEOUT_S = 10.0
API = "/agent/api/conversations/"


class Webchat:
    """What Rasa Webchat does on the wire: connect, session_request, user_uttered; every event received
    is queued in order."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "error"):
            self.sio.on(name, self._queue(name))

    def _queue(self, name: str) -> Any:
        async def handler(data: Any = None) -> None:
            await self.events.put((name, data))

        return handler

    async def connect(self, server: TestServer, transport: str = "websocket") -> None:
        url = str(server.make_url("/"))
        await self.sio.connect(url, socketio_path="/socket.io/", transports=[transport], wait_timeout=10)

    async def next(self, name: str) -> Any:
        """The next event, which must be `name`."""
        got, data = await asyncio.wait_for(self.events.get(), EVENT_TIMEOUT_S)
        assert got == name, (got, data)
        return data

    async def until(self, name: str, text_contains: str | None = None) -> list[tuple[str, Any]]:
        """Events up to and including the first `name` (whose text contains `text_contains`, if given)."""
        out: list[tuple[str, Any]] = []
        while True:
            got, data = await asyncio.wait_for(self.events.get(), EVENT_TIMEOUT_S)
            out.append((got, data))
            if got == name and (text_contains is None or text_contains in data.get("text", "")):
                return out

    async def session(self, session_id: str | None = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        confirmed = await self.next("session_confirm")
        assert isinstance(confirmed, str) and confirmed
        return confirmed

    async def say(self, text: str, session_id: str | None = None) -> None:
        await self.sio.emit(
            "user_uttered", {"message": text, "customData": {"language": "ja"}, "session_id": session_id}
        )

    async def answer(self, text: str, session_id: str | None = None) -> str:
        """Say `text`; the texts of the bot's messages up to a pause of the bot."""
        await self.say(text, session_id)
        texts = [(await self.next("bot_uttered"))["text"]]
        while True:
            try:
                got, data = await asyncio.wait_for(self.events.get(), 0.5)
            except TimeoutError:
                return "\n".join(texts)
            assert got == "bot_uttered", (got, data)
            texts.append(data["text"])

    async def close(self) -> None:
        await self.sio.disconnect()


def with_rasa(app: web.Application) -> web.Application:
    rasa_socketio.setup(app)
    return app


@pytest.fixture
async def server(aiohttp_server: Any, manager: DialogueManager) -> TestServer:
    srv: TestServer = await aiohttp_server(with_rasa(make_app(manager)))
    return srv


@pytest.fixture
async def webchat() -> AsyncIterator[Webchat]:
    chat = Webchat()
    yield chat
    if chat.sio.connected:
        await chat.close()


async def test_a_full_conversation_greeting_and_an_order_inquiry(
    server: TestServer, webchat: Webchat, manager: DialogueManager
) -> None:
    await webchat.connect(server)
    sid = await webchat.session()  # Rasa Webchat's first visit: session_id null, the server picks one
    assert await manager.view(sid) is None  # connecting starts nothing: the widget is not open yet
    greeting = await webchat.answer("/get_started", sid)  # the widget's initPayload when it opens
    assert "サクラマート" in greeting
    assert "番号" in await webchat.answer("注文した商品が届かない", sid)
    await webchat.answer("12345678", sid)
    answer = await webchat.answer("09012345678", sid)
    assert "12345678" in answer
    state = await manager.state(sid)  # the conversation is the confirmed id: the widget resumes it
    assert state is not None and state.channel == "chat" and state.slots["order_id"] == "12345678"
    assert state.awaiting.label == "anything_else"
    await webchat.close()

    again = Webchat()  # the page reloaded: Rasa Webchat asks for the id it stored
    await again.connect(server)
    try:
        assert await again.session(sid) == sid
        assert "ありがとうございました" in await again.answer("以上です", sid)
    finally:
        await again.close()
    state = await manager.state(sid)
    assert state is not None and state.ended and state.outcome == "resolved"
    said = [text for who, text in transcript(await manager.events(sid)) if who == "caller"]
    assert said == ["注文した商品が届かない", "12345678", "09012345678", "以上です"]  # not the initPayload


async def test_the_greeting_offers_quick_replies_and_a_tap_is_understood(
    server: TestServer, webchat: Webchat
) -> None:
    await webchat.connect(server)
    sid = await webchat.session()
    await webchat.say("/get_started", sid)
    greeting = await webchat.next("bot_uttered")
    assert "サクラマート" in greeting["text"] and set(greeting) == {
        "text",
        "quick_replies",
    }  # Rasa Webchat's isQR
    titles = {q["title"]: q for q in greeting["quick_replies"]}
    assert {"店舗の営業時間について", "オペレーターにつなぐ"} <= set(titles)
    assert all(q["content_type"] == "text" and q["payload"] == q["title"] for q in titles.values())
    assert "どちらの店舗" in await webchat.answer(titles["店舗の営業時間について"]["payload"], sid)  # the tap
    assert "10時から20時" in await webchat.answer("梅田店", sid)


async def test_long_polling_and_a_first_message_without_init_payload(
    server: TestServer, webchat: Webchat
) -> None:
    await webchat.connect(server, transport="polling")  # socket.io's default transport, before any upgrade
    sid = await webchat.session("not-a-session-we-know")
    assert sid != "not-a-session-we-know"  # ids are the server's: an unknown one gets a new conversation
    said = await webchat.answer("梅田店の営業時間は", sid)
    assert "サクラマート" in said and "梅田" in said  # the greeting, then the answer
    await server.close()  # a shutdown closes the transport: the widget would reconnect and resume
    for _ in range(50):
        if not webchat.sio.connected:
            break
        await asyncio.sleep(0.1)
    assert not webchat.sio.connected


async def test_hand_over_and_the_agents_reply_arrives_inert(
    aiohttp_server: Any, aiohttp_client: Any, manager: DialogueManager, webchat: Webchat
) -> None:
    srv: TestServer = await aiohttp_server(with_rasa(agents_app(manager)))
    agent: TestClient[Any, Any] = await aiohttp_client(srv)
    await login(agent)
    await webchat.connect(srv)
    sid = await webchat.session()
    await webchat.answer("/get_started", sid)
    await webchat.say("オペレーターと話したい", sid)
    events = await webchat.until("bot_uttered", "まもなく担当者におつなぎいたします")
    handover = next(d for _, d in events if d.get("metadata", {}).get("event") == "handover")
    assert handover["text"] == "オペレーターにおつなぎしています"
    assert handover["metadata"]["reason"] == "human_request" and handover["metadata"]["queue"] == "general"
    [row] = (await (await agent.get("/agent/api/queue")).json())["queue"]
    assert row["conversation_id"] == sid

    await webchat.say("注文の件です", sid)  # typed while waiting: it reaches the desk
    assert (await agent.post(API + sid + "/accept")).status == 200
    accepted = await webchat.next("bot_uttered")
    assert accepted["text"] == "担当の佐藤がお伺いします。" and accepted["metadata"]["agent_name"] == "佐藤"

    hostile = (
        "佐藤です。<img src=x onerror=alert(1)> [詳細](javascript:alert(1)) \\[x\\](javascript:1) &amp; <b>"
    )
    assert (await agent.post(API + sid + "/messages", json={"text": hostile})).status == 201
    reply = await webchat.next("bot_uttered")
    assert reply["metadata"] == {"sender": "agent", "agent_name": "佐藤"}
    # Rasa Webchat renders bot messages as Markdown: the agent's text shows as typed, with no tag or link
    html = MarkdownIt("commonmark").render(reply["text"])
    assert "<img" not in html and "<a " not in html and "href" not in html and "<b>" not in html
    assert (
        html.startswith("<p>") and unescape(html.strip().removeprefix("<p>").removesuffix("</p>")) == hostile
    )
    assert MarkdownIt("commonmark").render(hostile) != html  # unescaped it would have been live markup

    await webchat.say("荷物が届かないんです", sid)
    for _ in range(50):
        lines = (await (await agent.get(API + sid + "/messages")).json())["messages"]
        if lines[-1]["text"] == "荷物が届かないんです":
            break
        await asyncio.sleep(0.1)
    said = [(m["speaker"], m["text"]) for m in lines if m["speaker"] != "system"]
    assert said[-3:] == [("caller", "注文の件です"), ("agent", hostile), ("caller", "荷物が届かないんです")]

    assert (await agent.post(API + sid + "/close", json={"disposition": "配送状況を案内"})).status == 200
    bye = await webchat.next("bot_uttered")
    assert bye["metadata"]["event"] == "closed" and "ありがとうございました" in bye["text"]


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("user_uttered", "注文した商品が届かない", "bad_payload"),  # a bare string, not {"message": ...}
        ("user_uttered", [1, 2, 3], "bad_payload"),
        ("user_uttered", {"text": "message ではなく text"}, "bad_text"),
        ("user_uttered", {"message": 12345678}, "bad_text"),
        ("user_uttered", {"message": "   "}, "bad_text"),
        ("user_uttered", {"message": "あ" * 3000}, "too_large"),
        ("session_request", "abc", "bad_payload"),
        ("launch_missiles", {"now": True}, "unknown_event"),
    ],
)
async def test_malformed_events_get_an_error_and_the_chat_goes_on(
    server: TestServer, webchat: Webchat, event: str, payload: Any, reason: str
) -> None:
    await webchat.connect(server)
    sid = await webchat.session()
    await webchat.answer("/get_started", sid)
    await webchat.sio.emit(event, payload)
    error = await webchat.next("error")
    assert error["reason"] == reason and error["text"]
    if reason in ("bad_text", "too_large"):  # the user typed it: Rasa Webchat shows why nothing happened
        assert (await webchat.next("bot_uttered"))["text"] == error["text"]
    assert "番号" in await webchat.answer("注文した商品が届かない", sid)


async def test_an_event_with_no_payload_and_a_storm_of_them(server: TestServer, webchat: Webchat) -> None:
    await webchat.connect(server)
    await webchat.sio.emit("user_uttered")
    assert (await webchat.next("error"))["reason"] == "bad_payload"
    for _ in range(20):  # in order, one at a time, and the socket stays up
        await webchat.sio.emit("user_uttered", {"message": ""})
    for _ in range(20):
        assert (await webchat.next("error"))["reason"] == "bad_text"
        await webchat.next("bot_uttered")
    assert webchat.sio.connected


async def test_a_closed_tab_is_hung_up_after_the_grace_period(
    server: TestServer, webchat: Webchat, manager: DialogueManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_chat, "RESUME_GRACE_S", 0.05)
    await webchat.connect(server)
    sid = await webchat.session()
    await webchat.answer("注文した商品が届かない", sid)
    await webchat.close()
    for _ in range(100):
        state = await manager.state(sid)
        if state is not None and state.ended:
            break
        await asyncio.sleep(0.02)
    assert state is not None and state.outcome == "abandoned"


async def test_new_sockets_share_the_chat_limit_per_address(
    aiohttp_server: Any, manager: DialogueManager
) -> None:
    app = make_app(manager)
    app[CHAT_BUCKETS] = TokenBuckets(burst=2, per_minute=0.001)  # ivr/guards.py's bucket, tiny
    srv: TestServer = await aiohttp_server(with_rasa(app))
    first, second, third = Webchat(), Webchat(), Webchat()
    await first.connect(srv)
    await second.connect(srv)
    refused: list[Any] = []
    third.sio.on("connect_error", refused.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await third.connect(srv)
    assert refused == [{"message": "too_many_chats"}]
    assert await first.session() and await second.session()  # those already in go on
    await first.close()
    await second.close()


def test_quick_replies_offer_a_menu_and_texts_are_escaped() -> None:
    frame = {"type": "bot", "texts": ["ご用件をお選びください。", "1 [注文] <b>"], "awaiting": "menu"}
    events = rasa_events(frame, {"1": "注文について", "2": "店舗について"})
    assert events == [
        ("bot_uttered", {"text": "ご用件をお選びください。"}),
        (
            "bot_uttered",
            {
                "text": "1 \\[注文\\] &lt;b&gt;",
                "quick_replies": [
                    {"content_type": "text", "title": "注文について", "payload": "注文について"},
                    {"content_type": "text", "title": "店舗について", "payload": "店舗について"},
                ],
            },
        ),
    ]
    assert rasa_events({"type": "end", "outcome": "resolved"}) == []  # Rasa has no event for it
    assert inert("a\\b & c") == "a\\\\b &amp; c"


def test_ivr_serve_mounts_the_socketio_endpoint(manager: DialogueManager) -> None:
    from ivr.server import create_app

    paths = {r.resource.canonical for r in create_app(manager).router.routes() if r.resource is not None}
    assert {"/chat/ws", "/socket.io/"} <= paths
