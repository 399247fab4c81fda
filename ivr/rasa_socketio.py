"""Rasa Webchat's socket.io protocol (python-socketio), so a site that runs that widget can point it here.

Mounted on the same aiohttp app as the chat widget, under `/socket.io/` (Rasa's default `socketPath`).
The events are those of Rasa's own socket.io channel (rasa/core/channels/socketio.py):

  client -> server  session_request {"session_id": str | null}  right after connecting: resume that
                                                                  conversation, or get a new id
                    user_uttered {"message": str, "session_id"?, "customData"?}  one user turn
  server -> client  session_confirm "<session id>"                the id the widget keeps (Rasa sends the
                                                                  bare string; Rasa Webchat takes both)
                    bot_uttered {"text"}                          one message of the bot, the desk or an agent
                    bot_uttered {"text", "quick_replies": [...]}  the bot offers choices (a menu)
                    error {"reason", "text"}                      a bad event; the chat goes on

Everything behind the events is the chat widget's (ivr/web_chat.py): `RasaConnection` is a ChatConnection
whose frames are translated into these events, so the bot, the hand-over desk, an agent's messages (at once
or by polling the store) and the hang-up after a closed tab behave exactly as in our own widget.

- The server chooses ids, as Rasa Webchat allows: an unknown `session_id` gets a new one, a known chat
  resumes (with the bot, the queue or the agent). The bot starts on the first `user_uttered`, not on
  connect: Rasa Webchat connects on every page view and sends its `initPayload` ("/get_started") only
  when the chat is opened. A Rasa-style payload (`/intent` or `/intent{...}`) greets; it is never read as
  what the user said.
- Rasa Webchat renders bot messages as Markdown with any link target (`javascript:` too), so the text of
  every `bot_uttered` has `\\ [ ]` escaped with a backslash and `& < >` as entities: what the bot or an
  agent wrote shows as written and never becomes a link, an image or HTML.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

import socketio  # type: ignore[import-untyped]
from aiohttp import web

from dialogue.api import BotReply, SessionStart
from ivr.guards import CHAT_BUCKETS, client_address
from ivr.metrics import CALLS, REJECTED
from ivr.voice_common import CONFIG
from ivr.web_chat import (
    ERROR_TEXT,
    HUB,
    MAX_FRAME_BYTES,
    MAX_TEXT_CHARS,
    WS_MAX_MSG_SIZE,
    ChatConnection,
    ChatHub,
    FrameError,
    Message,
)

log = logging.getLogger("ivr.rasa_socketio")
SOCKETIO_PATH = "socket.io"  # Rasa's default; the widget's `socketPath` is "/socket.io/"
METRIC_PATH = "/socket.io"
# Rasa's "/intent" and "/intent{json}" payloads: what Rasa Webchat sends on opening (initPayload), never typed
RASA_PAYLOAD = re.compile(r"/[A-Za-z0-9_][\w.\-]*(\{.*\})?", re.DOTALL)
# brackets and backslashes escaped (CommonMark and Rasa Webchat's older remark both take these), angle
# brackets and ampersands as entities (remark shows a backslash before them)
INERT = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "&": "&amp;", "<": "&lt;", ">": "&gt;"})
SHOWN_ERRORS = {"bad_text", "too_large", "no_session"}  # also said in the widget: the user typed something
ERRORS = {
    **ERROR_TEXT,
    "bad_payload": "メッセージを読み取れませんでした。",
    "unknown_event": "対応していない種類のメッセージです。",
    "unavailable": "ただいま応答できません。しばらくしてからもう一度お試しください。",
}


def inert(text: str) -> str:
    """Text Rasa Webchat's Markdown renderer shows as written: no link, image, autolink or HTML."""
    return text.translate(INERT)


def session_requested(args: tuple[Any, ...]) -> str | None:
    """session_request's payload -> the id asked for (None: a new conversation), or FrameError."""
    if not args or args[0] is None:
        return None
    if len(args) != 1 or not isinstance(args[0], dict):
        raise FrameError("bad_payload")
    sid = args[0].get("session_id")
    return sid if isinstance(sid, str) and 0 < len(sid) <= 64 else None


def utterance(args: tuple[Any, ...]) -> str:
    """user_uttered's payload -> the text, or FrameError with the chat widget's reason codes."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise FrameError("bad_payload")
    text = args[0].get("message")
    if not isinstance(text, str):
        raise FrameError("bad_text")
    if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
        raise FrameError("too_large")
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise FrameError("bad_text")
    return text.strip()


def rasa_events(frame: Mapping[str, Any], choices: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """One chat-widget frame (ivr/web_chat.py) -> the Rasa events that say the same; `choices` (a menu's
    labels) become quick replies on the last bot message. Frames Rasa has no event for give none."""
    kind = frame.get("type")
    if kind == "bot":
        texts = [str(t) for t in frame.get("texts") or [frame.get("text", "")] if t]
        out: list[tuple[str, Any]] = [("bot_uttered", {"text": inert(t)}) for t in texts]
        if out and choices:
            quick = [{"content_type": "text", "title": label, "payload": label} for label in choices.values()]
            out[-1] = ("bot_uttered", {"text": inert(texts[-1]), "quick_replies": quick})
        return out
    if kind == "handover":
        meta = {
            "event": "handover",
            **{k: frame.get(k) for k in ("reason", "queue", "case_id", "wait_seconds")},
        }
        return [("bot_uttered", {"text": inert(str(frame["text"])), "metadata": meta})]
    if kind == "status":
        meta = {
            "event": frame.get("event"),
            **({"agent_name": frame["agent_name"]} if frame.get("agent_name") else {}),
        }
        return [("bot_uttered", {"text": inert(str(frame["text"])), "metadata": meta})]
    if kind == "agent":
        meta = {"sender": "agent", "agent_name": frame.get("agent_name")}
        return [("bot_uttered", {"text": inert(str(frame["text"])), "metadata": meta})]
    if kind == "error":
        out = [("error", {"reason": frame["reason"], "text": frame["text"]})]
        if frame["reason"] in SHOWN_ERRORS:
            out.append(("bot_uttered", {"text": inert(str(frame["text"]))}))
        return out
    return []  # session (confirmed on session_request only, as Rasa does), end: nothing to show


class RasaConnection(ChatConnection):
    """One socket.io client; the conversation outlives it as a widget's does (web_chat.ChatHub)."""

    def __init__(self, sio: Any, socket_id: str, hub: ChatHub) -> None:
        super().__init__(None, hub)
        self.sio = sio
        self.socket_id = socket_id
        self.gone = False
        self.pending: str | None = None  # the id confirmed for a conversation the first message starts
        self.choices: Mapping[str, str] = {}
        self.turns = asyncio.Lock()  # socket.io runs each event in a task of its own: keep them in order

    @property
    def closed(self) -> bool:
        return self.gone

    async def on_session_request(self, requested: str | None) -> None:
        if self.key is not None:
            self.hub.disconnected(self.key)  # a new request replaces the chat this socket had
        self.sid = self.conv = self.pending = None
        self.desk_mode = False
        self.stop_watching()
        if requested and await self.resume_desk(requested):  # with the queue, the agent, or the bot again
            await self.confirm(self.conv or requested)
            return
        view = await self.manager.view(requested) if requested else None
        if view is not None and view.channel == "chat" and not view.ended:  # never a voice call's id
            self.sid = self.conv = view.id
            await self.hub.resume(view.id)
            await self.confirm(view.id)
            return
        self.pending = uuid.uuid4().hex
        await self.confirm(self.pending)

    async def confirm(self, session_id: str) -> None:
        if not self.gone:
            await self.sio.emit("session_confirm", session_id, to=self.socket_id)

    async def on_utterance(self, text: str) -> None:
        if RASA_PAYLOAD.fullmatch(text):
            if self.sid is None and not self.desk_mode:
                await self.start()  # the widget was opened: the bot greets
            return  # a Rasa intent means nothing to this bot, and nothing to an agent
        await self.on_message(Message(text))

    async def start(self) -> None:
        pending, self.pending = self.pending, None
        sid, reply = await self.manager.start(
            SessionStart(channel="chat", now=self.hub.now, session_id=pending)
        )
        CALLS.labels("chat").inc()
        self.sid = self.conv = sid
        await self.reply(reply)

    async def reply(self, reply: BotReply) -> None:
        self.choices = reply.expect.menu_options
        try:
            await super().reply(reply)
        finally:
            self.choices = {}

    async def error(self, reason: str) -> None:
        REJECTED.labels(METRIC_PATH, reason).inc()
        await self.send(type="error", reason=reason, text=ERRORS[reason])

    async def send(self, **payload: Any) -> None:
        for event, data in rasa_events(payload, self.choices if payload.get("type") == "bot" else None):
            if self.gone:
                return
            await self.sio.emit(event, data, to=self.socket_id)

    def left(self) -> None:
        self.gone = True
        self.stop_watching()
        if self.key is not None:
            self.hub.disconnected(self.key)


class RasaChannel:
    """The socket.io server and its connections, one per socket.io client id."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        # any site may embed the widget, as /widget.js; no cookie is read or set here
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins="*",
            cors_credentials=False,
            max_http_buffer_size=WS_MAX_MSG_SIZE,
        )
        self.conns: dict[str, RasaConnection] = {}
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)
        self.sio.on("session_request", self.session_request)
        self.sio.on("user_uttered", self.user_uttered)
        self.sio.on("*", self.unknown)

    async def connect(self, socket_id: str, environ: dict[str, Any], auth: Any = None) -> None:
        request = environ.get("aiohttp.request")
        limit = self.app.get(CHAT_BUCKETS)  # the widget's limit on new chats, when ivr.guards is set up
        if limit is not None and isinstance(request, web.Request):
            wait = limit.take(client_address(request, self.app.get(CONFIG)))
            if wait > 0:
                REJECTED.labels(METRIC_PATH, "too_many_chats").inc()
                log.warning("refused a Rasa Webchat socket from %s: too many chats", request.remote)
                raise socketio.exceptions.ConnectionRefusedError("too_many_chats")
        self.conns[socket_id] = RasaConnection(self.sio, socket_id, self.app[HUB])

    async def disconnect(self, socket_id: str, reason: Any = None) -> None:
        conn = self.conns.pop(socket_id, None)
        if conn is not None:
            conn.left()

    async def session_request(self, socket_id: str, *args: Any) -> None:
        await self._event(socket_id, "session_request", args)

    async def user_uttered(self, socket_id: str, *args: Any) -> None:
        await self._event(socket_id, "user_uttered", args)

    async def unknown(self, event: str, socket_id: str, *args: Any) -> None:
        conn = self.conns.get(socket_id)
        if conn is not None:
            async with conn.turns:
                await conn.error("unknown_event")

    async def _event(self, socket_id: str, event: str, args: tuple[Any, ...]) -> None:
        conn = self.conns.get(socket_id)
        if conn is None:
            return
        async with conn.turns:
            try:
                if event == "session_request":
                    await conn.on_session_request(session_requested(args))
                else:
                    await conn.on_utterance(utterance(args))
            except FrameError as exc:
                await conn.error(exc.reason)
            except Exception:  # a store hiccup must not kill the socket: say so, and the user can retry
                log.exception("%s failed on Rasa Webchat socket %s", event, socket_id)
                await conn.error("unavailable")

    async def close(self, app: web.Application) -> None:
        """At shutdown: close the transports (the widget reconnects, to another worker if need be, and
        resumes with session_request) and stop socket.io's background tasks."""
        eio = self.sio.eio
        for sock in list(eio.sockets.values()):
            # wait=False: a socket its client already left would wait forever for its queue to drain
            await sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        await self.sio.shutdown()


RASA = web.AppKey("rasa_socketio", RasaChannel)


def setup(app: web.Application) -> None:
    """Needs the chat widget's hub (ivr.web_chat.setup) first."""
    channel = RasaChannel(app)
    app[RASA] = channel
    channel.sio.attach(app, socketio_path=SOCKETIO_PATH)
    app.on_shutdown.append(channel.close)
