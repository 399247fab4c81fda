"""The chat channel: the demo page, the embeddable widget and its WebSocket (`/chat/ws`).

Wire protocol (JSON text frames):
  client -> server  {"type": "hello", "session_id"?: str}   start a chat, or resume one after a reload
                    {"type": "message", "text": str}        one caller turn
  server -> client  {"type": "session", "session_id", "resumed", "history"}
                    {"type": "bot", "text", "texts", "awaiting"}
                    {"type": "handover", "kind", "reason", "queue", "case_id", "text"}
                    {"type": "end", "outcome", "reason"}
                    {"type": "error", "reason", "text"}      a bad frame; the chat goes on
Frames become `Hello` / `Message` at the door (`parse_frame`); the rest of the module never sees JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from dialogue.api import BotReply, Conversations, SessionNotFound, SessionStart, UserTurn
from dialogue.notes import transcript
from ivr import frames
from ivr.app_keys import MANAGER
from ivr.metrics import CALLS, OUTCOMES, REJECTED, TURN_SECONDS

log = logging.getLogger("ivr.web_chat")
STATIC = Path(__file__).parent / "static"
MAX_FRAME_BYTES = 8 * 1024
MAX_TEXT_CHARS = 1000
# frames between MAX_FRAME_BYTES and this get an error reply; only larger floods close the socket
WS_MAX_MSG_SIZE = 64 * 1024
# a closed tab may be a reload: wait this long for the widget to resume before recording "abandoned"
RESUME_GRACE_S = 120.0
TRANSFER_TEXT = "オペレーターにおつなぎしています"
ERROR_TEXT = {
    "not_json": "メッセージを読み取れませんでした。",
    "too_large": "メッセージが長すぎます。短くしてもう一度お送りください。",
    "unknown_type": "対応していない種類のメッセージです。",
    "bad_text": "メッセージを入力してからお送りください。",
    "binary": "テキストのみ送信できます。",
    "no_session": "会話が見つかりませんでした。新しい会話を始めます。",
}


class FrameError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Hello:
    session_id: str | None


@dataclass(frozen=True, slots=True)
class Message:
    text: str


def parse_frame(raw: str) -> Hello | Message:
    """One text frame -> our type, or FrameError with a stable reason code."""
    if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
        raise FrameError("too_large")
    try:
        data = frames.loads(raw)  # never RecursionError on [[[[...
    except ValueError:
        raise FrameError("not_json") from None
    if not isinstance(data, dict):
        raise FrameError("not_json")
    kind = data.get("type")
    if kind == "hello":
        sid = data.get("session_id")
        return Hello(sid if isinstance(sid, str) and 0 < len(sid) <= 64 else None)
    if kind == "message":
        text = data.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
            raise FrameError("bad_text")
        return Message(text.strip())
    raise FrameError("unknown_type")


class ChatHub:
    """Pending hang-ups of disconnected chats, kept by reference so none is fire-and-forget."""

    def __init__(self, manager: Conversations, now: datetime | None = None) -> None:
        self.manager = manager
        self.now = now  # a fixed clock for every chat (tests, demos); None = the real clock
        self._hangups: dict[str, asyncio.Task[None]] = {}
        self.sockets: set[web.WebSocketResponse] = set()

    def resumed(self, sid: str) -> None:
        task = self._hangups.pop(sid, None)
        if task is not None:
            task.cancel()

    def disconnected(self, sid: str) -> None:
        self.resumed(sid)
        self._hangups[sid] = asyncio.create_task(self._hangup_later(sid))

    async def _hangup_later(self, sid: str) -> None:
        await asyncio.sleep(RESUME_GRACE_S)
        self._hangups.pop(sid, None)
        await self.manager.hangup(sid)

    async def close_sockets(self) -> None:
        # without this a shutdown waits for every open chat; 1001 tells the widget to reconnect and resume
        for ws in list(self.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    async def close(self) -> None:
        tasks = list(self._hangups.values())
        self._hangups.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


HUB = web.AppKey("chat_hub", ChatHub)


class ChatConnection:
    """One open WebSocket; the session outlives it (see ChatHub)."""

    def __init__(self, ws: web.WebSocketResponse, hub: ChatHub) -> None:
        self.ws = ws
        self.hub = hub
        self.manager = hub.manager
        self.sid: str | None = None

    async def on_hello(self, hello: Hello) -> None:
        if self.sid is not None:
            self.hub.disconnected(self.sid)  # a new hello replaces the chat this socket had
            self.sid = None
        state = await self.manager.view(hello.session_id) if hello.session_id else None
        # resume only chats: a voice CallSid must not be attachable from a browser
        if state is not None and state.channel != "chat":
            state = None
        if state is not None and not state.ended:
            self.sid = state.id
            self.hub.resumed(state.id)
            history = [{"speaker": who, "text": text} for who, text in transcript(await self.manager.events(state.id))]
            await self.send(type="session", session_id=state.id, resumed=True, history=history,
                            awaiting=state.awaiting)
            return
        if hello.session_id and state is None:
            await self.error("no_session")  # an ended chat just starts afresh: nothing was lost
        await self.start()

    async def start(self) -> None:
        sid, reply = await self.manager.start(SessionStart(channel="chat", now=self.hub.now))
        CALLS.labels("chat").inc()
        self.sid = sid
        await self.send(type="session", session_id=sid, resumed=False, history=[], awaiting=reply.expect.awaiting)
        await self.reply(reply)

    async def on_message(self, message: Message) -> None:
        if self.sid is None:
            await self.start()
        assert self.sid is not None
        began = time.perf_counter()
        try:
            reply = await self.manager.handle(self.sid, UserTurn(text=message.text))
        except SessionNotFound:
            self.sid = None
            await self.error("no_session")
            await self.start()
            return
        TURN_SECONDS.labels("chat").observe(time.perf_counter() - began)
        await self.reply(reply)

    async def reply(self, reply: BotReply) -> None:
        texts = [p.text for p in reply.prompts if p.text]
        if texts:
            await self.send(type="bot", text="\n".join(texts), texts=texts, awaiting=reply.expect.awaiting)
        h = reply.handover
        if h is not None and h.kind == "transfer":
            await self.send(type="handover", kind=h.kind, reason=h.reason, queue=h.queue, case_id=h.case_id,
                            text=TRANSFER_TEXT)
        if reply.ended:
            self.sid = None  # nothing to resume or hang up any more
            if texts:  # a repeated turn on an ended chat has no prompts and was counted already
                OUTCOMES.labels("chat", reply.outcome or "", h.reason if h else "").inc()
            await self.send(type="end", outcome=reply.outcome, reason=h.reason if h else None)

    async def error(self, reason: str) -> None:
        REJECTED.labels("/chat/ws", reason).inc()
        await self.send(type="error", reason=reason, text=ERROR_TEXT[reason])

    async def send(self, **payload: Any) -> None:
        if not self.ws.closed:
            await self.ws.send_str(json.dumps(payload, ensure_ascii=False))


async def chat_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=WS_MAX_MSG_SIZE)
    await ws.prepare(request)
    conn = ChatConnection(ws, request.app[HUB])
    conn.hub.sockets.add(ws)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.BINARY:
                await conn.error("binary")
                continue
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = parse_frame(msg.data)
            except FrameError as exc:
                await conn.error(exc.reason)
                continue
            if isinstance(frame, Hello):
                await conn.on_hello(frame)
            else:
                await conn.on_message(frame)
    finally:
        conn.hub.sockets.discard(ws)
        if conn.sid is not None:
            conn.hub.disconnected(conn.sid)
    return ws


def _file(name: str, content_type: str) -> web.Response:
    body = (STATIC / name).read_bytes()
    return web.Response(body=body, content_type=content_type, charset="utf-8",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


async def demo_page(request: web.Request) -> web.Response:
    resp = _file("index.html", "text/html")
    # everything is served from here: no inline script, no CDN
    resp.headers["Content-Security-Policy"] = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:"
    return resp


async def widget_js(request: web.Request) -> web.Response:
    resp = _file("widget.js", "application/javascript")
    resp.headers["Access-Control-Allow-Origin"] = "*"  # a company's own site embeds it
    return resp


async def widget_css(request: web.Request) -> web.Response:
    resp = _file("widget.css", "text/css")
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


async def demo_css(request: web.Request) -> web.Response:
    return _file("demo.css", "text/css")


async def _close_sockets(app: web.Application) -> None:
    await app[HUB].close_sockets()


async def _close_hub(app: web.Application) -> None:
    await app[HUB].close()


def setup(app: web.Application, now: datetime | None = None) -> None:
    app[HUB] = ChatHub(app[MANAGER], now)
    app.on_shutdown.append(_close_sockets)
    app.on_cleanup.append(_close_hub)
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget_js)
    app.router.add_get("/widget.css", widget_css)
    app.router.add_get("/demo.css", demo_css)
    app.router.add_get("/chat/ws", chat_ws)
