"""The chat channel: the demo page, the embeddable widget and its WebSocket (`/chat/ws`).

Wire protocol (JSON text frames):
  client -> server  {"type": "hello", "session_id"?: str}   start a chat, or resume one after a reload
                    {"type": "message", "text": str}        one caller turn
  server -> client  {"type": "session", "session_id", "resumed", "history"}
                    {"type": "bot", "text", "texts", "awaiting"}
                    {"type": "handover", "kind", "reason", "queue", "case_id", "text", "wait_seconds"}
                    {"type": "status", "event", "text", "agent_name"?}  the desk: accepted | transferred |
                                                            released (back to the bot) | closed (with
                                                            "session_id": the record the survey rates)
                    {"type": "agent", "text", "agent_name"}  a person's message (SPEC 7.6)
                    {"type": "end", "outcome", "reason", "session_id"}  the bot session that ended: what
                                                            the survey rates (`<id>-r1` after an agent's release)
                    {"type": "error", "reason", "text"}      a bad frame; the chat goes on
Frames become `Hello` / `Message` at the door (`parse_frame`); the rest of the module never sees JSON.

A transfer does not end the chat: the conversation waits in the hand-over desk (dialogue/desk.py) and the
socket stays open. What the user types goes to the desk; agents' messages come back from it, by polling the
store (any worker may serve the agent) and at once when the agent is on this worker. The session id the
widget keeps is the conversation's, so a reload resumes with the agent, or with the bot after a release.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from dialogue.api import BotReply, Conversations, Handover, SessionNotFound, SessionStart, UserTurn
from dialogue.desk import OPEN, Desk, DeskMessage
from dialogue.notes import transcript
from dialogue.records import claim, held_elsewhere
from ivr import frames
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK, USER_NOTICES, enqueue_handover, ensure_desk, handing_session, left_the_queue
from ivr.desk_app import transcript as desk_transcript
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

    def __init__(self, manager: Conversations, now: datetime | None = None, app: web.Application | None = None) -> None:
        self.manager = manager
        self.now = now  # a fixed clock for every chat (tests, demos); None = the real clock
        self.app = app  # where the hand-over desk is (None: transfers end the chat, as before the desk)
        self._hangups: dict[str, asyncio.Task[None]] = {}
        self._holders: dict[str, str] = {}  # chat -> the token this worker's connection claimed it with
        self.sockets: set[web.WebSocketResponse] = set()

    @property
    def desk(self) -> Desk | None:
        return self.app[DESK] if self.app is not None and DESK in self.app else None

    def resumed(self, sid: str) -> None:
        task = self._hangups.pop(sid, None)
        if task is not None:
            task.cancel()

    async def resume(self, sid: str) -> None:
        """The widget is back, on this worker: no hang-up here, and this connection claims the chat in the
        shared store, so that a worker it left does not hang it up either (dialogue.records.held_elsewhere)."""
        self.resumed(sid)
        self._holders[sid] = uuid.uuid4().hex
        store = getattr(self.manager, "store", None)  # the dialogue manager's (a test double may have none)
        if store is not None:
            await claim(store, sid, self._holders[sid])

    def disconnected(self, sid: str) -> None:
        self.resumed(sid)
        self._hangups[sid] = asyncio.create_task(self._hangup_later(sid, self._holders.pop(sid, None)))

    async def _hangup_later(self, sid: str, holder: str | None) -> None:
        await asyncio.sleep(RESUME_GRACE_S)
        self._hangups.pop(sid, None)
        store = getattr(self.manager, "store", None)
        if store is not None and await held_elsewhere(store, sid, holder):
            return  # the widget reconnected to another worker: that worker ends the chat
        await self.manager.hangup(sid)
        if self.app is not None and self.desk is not None:  # a user who left the queue is no one to answer
            await left_the_queue(self.app, sid)

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
    """One open WebSocket; the session outlives it (see ChatHub).

    `conv` is the conversation (the widget's id: the first bot session's); `sid` the bot session the user
    talks to now, or None while the conversation is with the desk (`desk_mode`)."""

    def __init__(self, ws: web.WebSocketResponse | None, hub: ChatHub) -> None:
        self.ws = ws  # None: a subclass with its own transport (ivr/rasa_socketio.py) overrides send/closed
        self.hub = hub
        self.manager = hub.manager
        self.sid: str | None = None
        self.conv: str | None = None
        self.desk_mode = False
        self.seen = 0  # the last desk message delivered
        self.watcher: asyncio.Task[None] | None = None

    @property
    def closed(self) -> bool:
        """The user can no longer be reached here (a subclass on another transport says so its own way)."""
        return self.ws is None or self.ws.closed

    @property
    def key(self) -> str | None:
        """What a disconnect hangs up after the grace time: the bot session, or the desk conversation."""
        return self.conv if self.desk_mode else self.sid

    async def on_hello(self, hello: Hello) -> None:
        if self.key is not None:
            self.hub.disconnected(self.key)  # a new hello replaces the chat this socket had
        self.sid = self.conv = None
        self.desk_mode = False
        self.stop_watching()
        if hello.session_id and await self.resume_desk(hello.session_id):
            return
        state = await self.manager.view(hello.session_id) if hello.session_id else None
        # resume only chats: a voice CallSid must not be attachable from a browser
        if state is not None and state.channel != "chat":
            state = None
        if state is not None and not state.ended:
            self.sid = self.conv = state.id
            await self.hub.resume(state.id)
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
        self.sid = self.conv = sid
        await self.send(type="session", session_id=sid, resumed=False, history=[], awaiting=reply.expect.awaiting)
        await self.reply(reply)

    # -- with the desk --------------------------------------------------------------------------------------

    async def resume_desk(self, cid: str) -> bool:
        """A reload of a handed-over chat: back with the agent (or the queue), or with the bot after a release."""
        desk = self.hub.desk
        contact = await desk.contact(cid) if desk is not None else None
        if desk is None or contact is None or contact.channel != "chat":
            return False
        if contact.status in OPEN:
            self.conv, self.desk_mode = cid, True
            await self.hub.resume(cid)
            await self.send_history(cid, awaiting="none")
            self.watch(max((m.seq for m in await desk.messages(cid)), default=0))
            return True
        if contact.status == "released" and contact.bot_session:
            view = await self.manager.view(contact.bot_session)
            if view is not None and view.ended:
                return False  # the bot finished that part too: a new chat
            self.conv = cid
            if view is None:
                await self.send_history(cid, awaiting="free")
                await self.back_to_bot(contact.bot_session)
            else:
                self.sid = view.id
                await self.hub.resume(view.id)
                await self.send_history(cid, awaiting=view.awaiting)
            return True
        return False

    async def send_history(self, cid: str, awaiting: str) -> None:
        assert self.hub.app is not None
        lines = await desk_transcript(self.hub.app, cid, for_user=True)
        history = [{k: v for k, v in ln.items() if k in ("speaker", "text", "agent_name")} for ln in lines]
        await self.send(type="session", session_id=cid, resumed=True, history=history, awaiting=awaiting)

    async def to_desk(self, h: Handover) -> bool:
        """The bot handed the chat over: queue it with its routing, say how long the wait is. False when
        there is no desk (the chat then ends, as it did before people could answer in the widget)."""
        app, desk = self.hub.app, self.hub.desk
        if app is None or desk is None or self.conv is None or h.queue is None:
            return False
        state = await app[MANAGER].state(self.sid) if self.sid else None
        before = max((m.seq for m in await desk.messages(self.conv)), default=0)
        queued = await enqueue_handover(app, self.conv, "chat", h, getattr(state, "language", None))
        wait = queued.wait_s
        await self.send(type="handover", kind=h.kind, reason=h.reason, queue=queued.contact.queue, case_id=h.case_id,
                        text=TRANSFER_TEXT, wait_seconds=None if wait is None else round(wait))
        if queued.announcement:
            await self.send(type="bot", text=queued.announcement, texts=[queued.announcement], awaiting="none")
        self.sid, self.desk_mode = None, True
        self.watch(before)
        return True

    def watch(self, after: int) -> None:
        self.stop_watching()
        self.seen = after
        self.watcher = asyncio.create_task(self._watch())

    def stop_watching(self) -> None:
        if self.watcher is not None and self.watcher is not asyncio.current_task():
            self.watcher.cancel()
        self.watcher = None

    async def _watch(self) -> None:
        desk = self.hub.desk
        assert desk is not None and self.conv is not None
        conv = self.conv
        try:
            while self.desk_mode and self.conv == conv and not self.closed:
                for m in await desk.messages(conv, after=self.seen):
                    self.seen = m.seq
                    await self.deliver(m)
                if not self.desk_mode:
                    break
                await desk.wait_change(conv)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket closed under us, or the store hiccuped: the user can reload
            log.exception("stopped watching the desk for %s", conv)

    async def deliver(self, m: DeskMessage) -> None:
        if m.kind == "agent":
            await self.send(type="agent", text=m.text, agent_name=m.author_name)
        elif m.kind == "system" and m.event == "accepted":
            await self.send(type="status", event="accepted", text=m.text, agent_name=m.author_name)
        elif m.kind == "system" and m.event in USER_NOTICES:
            if m.event == "closed":
                await self.send(type="status", event=m.event, text=USER_NOTICES[m.event],
                                session_id=await self.rated_session())
            else:
                await self.send(type="status", event=m.event, text=USER_NOTICES[m.event])
            if m.event == "released" and m.session_id:
                await self.back_to_bot(m.session_id)
            elif m.event == "closed":
                self.desk_mode = False
                self.sid = self.conv = None  # the next message starts a new chat; the input stays open

    async def rated_session(self) -> str | None:
        """What the survey after an agent's close rates: the record the agent's part joined (the bot session
        that handed the chat over last: `<id>-r1` after a release and a second hand-over)."""
        desk, conv = self.hub.desk, self.conv
        contact = await desk.contact(conv) if desk is not None and conv is not None else None
        return handing_session(contact) if contact is not None else conv

    async def back_to_bot(self, session_id: str) -> None:
        self.desk_mode = False
        self.sid = session_id
        if await self.manager.view(session_id) is None:  # else another tab of the same user started it
            _, reply = await self.manager.start(SessionStart(channel="chat", now=self.hub.now, session_id=session_id))
            await self.reply(reply)

    async def on_message(self, message: Message) -> None:
        if self.desk_mode and self.conv is not None and self.hub.desk is not None:
            await self.hub.desk.user_said(self.conv, message.text)
            return
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
        queued = False
        if h is not None and h.kind == "transfer":
            queued = await self.to_desk(h)
            if not queued:
                await self.send(type="handover", kind=h.kind, reason=h.reason, queue=h.queue, case_id=h.case_id,
                                text=TRANSFER_TEXT)
        if reply.ended:
            if texts:  # a repeated turn on an ended chat has no prompts and was counted already
                OUTCOMES.labels("chat", reply.outcome or "", h.reason if h else "").inc()
            if queued:
                return  # the chat goes on with a person
            ended, self.sid, self.conv = self.sid, None, None  # nothing to resume or hang up any more
            await self.send(type="end", outcome=reply.outcome, reason=h.reason if h else None, session_id=ended)

    async def error(self, reason: str) -> None:
        REJECTED.labels("/chat/ws", reason).inc()
        await self.send(type="error", reason=reason, text=ERROR_TEXT[reason])

    async def send(self, **payload: Any) -> None:
        if self.ws is not None and not self.ws.closed:
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
        conn.stop_watching()
        if conn.key is not None:
            conn.hub.disconnected(conn.key)
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
    ensure_desk(app)
    app[HUB] = ChatHub(app[MANAGER], now, app)
    app.on_shutdown.append(_close_sockets)
    app.on_cleanup.append(_close_hub)
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget_js)
    app.router.add_get("/widget.css", widget_css)
    app.router.add_get("/demo.css", demo_css)
    app.router.add_get("/chat/ws", chat_ws)
