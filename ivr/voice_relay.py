"""Twilio ConversationRelay: Twilio recognises and speaks; we exchange text over a WebSocket.

POST /voice/twilio/relay          a new call: `<Connect><ConversationRelay>` pointing at the socket below
GET  /voice/relay/ws              the relay socket: setup, prompt, dtmf, interrupt in; text, sendDigits, end out
POST /voice/twilio/relay/handoff  the `<Connect action>`: after `end`, the last prompts and the transfer as TwiML

Closing prompts travel in the `end` message's handoffData, so the transfer notice is said by `<Say>`
(never cut off) and the transfer itself is the same TwiML as on the Gather channel: the call waits on the
agents' desk (queued by the socket, with the wait estimate in the closing prompts) and in Twilio's queue.
A call the bot resolved goes on to the keypad survey.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import BotReply, Conversations, Handover, Prompt, SessionNotFound, UserTurn
from ivr import frames
from ivr.app_keys import MANAGER
from ivr.voice_common import (
    CONFIG,
    INTER_DIGIT_TIMEOUT_S,
    LANGUAGE,
    MAX_BODY,
    STORE_DOWN,
    UNKNOWN_CALL,
    DigitCollector,
    VoiceConfig,
    check_signature,
    ensure_setup,
    hang_up,
    log,
    read_form,
    remainder,
    run_turn,
    start_call,
    takes_as_answer,
)
from ivr.voice_twilio import FIXED_NOW, down_goodbye, leave, say, to_desk, twiml, when_store_down

WS_PATH = "/voice/relay/ws"
IDLE_LIMIT_S = 600.0  # Twilio reports silence itself; this only reaps a socket nobody closes
HANDOFF_CODES = {"transfer": "live-agent-handoff", "callback": "callback", "end": "end-call"}


def connect_twiml(request: web.Request) -> str:
    cfg = request.app[CONFIG]
    base = cfg.public_base_url.rstrip("/") if cfg.public_base_url else f"{request.scheme}://{request.host}"
    ws_url = re.sub(r"^http", "ws", base) + WS_PATH
    resp = VoiceResponse()
    connect = resp.connect(action="/voice/twilio/relay/handoff")
    connect.conversation_relay(url=ws_url, language=LANGUAGE, voice=cfg.voice.removeprefix("Polly."),
                               tts_provider="Amazon" if cfg.voice.startswith("Polly.") else None,
                               dtmf_detection=True, interruptible="any", profanity_filter=False)
    return str(resp)


async def incoming(request: web.Request) -> web.Response:
    await read_form(request)
    return twiml(connect_twiml(request))


@dataclass
class RelayCall:
    """One live relay socket: what was said last, and what the caller has typed or interrupted."""

    ws: web.WebSocketResponse
    manager: Conversations
    cfg: VoiceConfig
    sid: str | None = None
    reply: BotReply | None = None
    keys: DigitCollector | None = None
    heard_until: str | None = None  # utteranceUntilInterrupt of the last interruption
    ended: bool = False
    now: datetime | None = None
    request: web.Request | None = None  # the handshake: where the agents' desk is

    async def on_setup(self, msg: dict[str, Any]) -> None:
        sid = str(msg.get("callSid", ""))
        # a setup naming a call we already know must not start it afresh (and wipe what was said)
        if not re.fullmatch(r"CA[0-9a-fA-F]{32}", sid) or self.sid is not None or await self.manager.view(sid):
            await self.ws.close(code=1008, message=b"bad setup")
            return
        self.sid = sid
        await self.send(await start_call(self.manager, sid, str(msg.get("from") or ""), self.now))

    async def on_prompt(self, msg: dict[str, Any]) -> None:
        if msg.get("last") is False:
            return  # partial prompts are only for eager answers; we answer the final one
        text = str(msg.get("voicePrompt") or "").strip()[:500]
        interrupted = self.heard_until is not None
        if interrupted and self.reply is not None and not self.answers(text):
            # うん over a long notice: finish saying what the caller has not heard yet
            rest = remainder(self.reply.text, self.heard_until or "")
            self.heard_until = None
            await self.ws.send_json({"type": "text", "token": rest or self.reply.text, "last": True})
            return
        await self.turn(UserTurn(text=text, interrupted=interrupted) if text else UserTurn(no_input=True))

    def answers(self, text: str) -> bool:
        assert self.reply is not None
        prompts = self.reply.prompts
        question_starts = len(self.reply.text) - (len(prompts[-1].text) if prompts else 0)
        during_question = len((self.heard_until or "").strip()) >= question_starts
        return takes_as_answer(text, self.reply.expect, during_question)

    async def on_dtmf(self, msg: dict[str, Any]) -> None:
        if self.keys is None:
            return
        entry = self.keys.push(str(msg.get("digit", ""))[:1])
        if entry is not None:
            await self.turn(UserTurn(dtmf=entry))

    async def turn(self, user: UserTurn) -> None:
        if self.sid is None or self.ended:
            return
        self.heard_until = None
        try:
            reply, _ = await run_turn(self.manager, self.sid, user, self.reply)
        except SessionNotFound:
            await self.ws.close(code=1011, message=b"unknown call")
            return
        await self.send(reply)

    async def send(self, reply: BotReply) -> None:
        self.reply = reply
        self.keys = DigitCollector(reply.expect)
        if reply.ended or reply.handover is not None:
            self.ended = True
            if self.request is not None and self.sid is not None:
                reply = await to_desk(self.request, self.sid, reply)  # the queue ACD chose, the wait said
            await self.hand_off(reply.prompts, reply.handover, reply.outcome)
            return
        for i, prompt in enumerate(reply.prompts):
            await self.ws.send_json({"type": "text", "token": prompt.text, "last": i == len(reply.prompts) - 1,
                                     "interruptible": prompt.interruptible, "preemptible": False})

    async def hand_off(self, prompts: tuple[Prompt, ...], handover: Handover | None, outcome: str | None) -> None:
        kind = handover.kind if handover is not None else "end"
        if handover is not None and kind == "transfer" and handover.queue in self.cfg.queue_digits:
            # a PBX behind the number picks its agent queue by keypad
            await self.ws.send_json({"type": "sendDigits", "digits": self.cfg.queue_digits[handover.queue]})
        data = {"reasonCode": HANDOFF_CODES[kind], "reason": handover.reason if handover else None,
                "queue": handover.queue if handover else None, "priority": handover.priority if handover else 0,
                "caseId": handover.case_id if handover else None, "outcome": outcome,
                "prompts": [p.text for p in prompts]}
        await self.ws.send_json({"type": "end", "handoffData": json.dumps(data, ensure_ascii=False)})


async def relay_socket(request: web.Request) -> web.WebSocketResponse:
    await check_signature(request, {}, websocket=True)
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_BODY)
    await ws.prepare(request)
    call = RelayCall(ws, request.app[MANAGER], request.app[CONFIG], now=request.app.get(FIXED_NOW), request=request)
    handlers = {"setup": call.on_setup, "prompt": call.on_prompt, "dtmf": call.on_dtmf}
    try:
        while not ws.closed:
            typing = call.keys is not None and call.keys.buffer
            try:
                msg = await ws.receive(timeout=INTER_DIGIT_TIMEOUT_S if typing else IDLE_LIMIT_S)
            except TimeoutError:
                entry = call.keys.flush() if call.keys is not None else None
                if entry is None:
                    break
                await call.turn(UserTurn(dtmf=entry))
                continue
            if msg.type != WSMsgType.TEXT:
                break
            try:
                data = frames.loads(msg.data)
                kind = str(data["type"])
            except (ValueError, KeyError, TypeError):
                log.warning("relay %s: malformed message dropped", call.sid)
                continue
            if kind == "interrupt":
                call.heard_until = str(data.get("utteranceUntilInterrupt") or "")
            elif kind == "error":
                log.warning("relay %s: Twilio reports %s", call.sid, data.get("description"))
            elif kind in handlers:
                try:
                    await handlers[kind](data)
                except STORE_DOWN as exc:  # the caller hears Twilio's own error; we log one line
                    log.error("relay %s: the store is unavailable: %s", call.sid, exc or type(exc).__name__)
                    await ws.close(code=1011, message=b"store unavailable")
    finally:
        if call.sid is not None and not call.ended:
            await asyncio.shield(hang_up(call.manager, call.sid))  # the caller hung up mid-call: abandoned
    return ws


@when_store_down(down_goodbye)
async def handoff(request: web.Request) -> web.Response:
    """Twilio's `<Connect action>` after the relay session: say the closing prompts and transfer or hang up."""
    params = await read_form(request)
    cfg = request.app[CONFIG]
    resp = VoiceResponse()
    try:
        data = frames.loads(params.get("HandoffData") or "{}")
        prompts = [Prompt(text[:1000]) for text in data.get("prompts", []) if isinstance(text, str)][:20]
        code = data.get("reasonCode")
    except (ValueError, AttributeError, TypeError):
        prompts, code, data = [], None, {}
    if not prompts:
        # the relay failed mid-call (no handoff data): a caller still on the line hears why we part
        prompts = [Prompt(UNKNOWN_CALL)]
    for prompt in prompts:
        say(resp, prompt, cfg)
    kind = {v: k for k, v in HANDOFF_CODES.items()}.get(str(code), "end")
    if kind == "transfer":
        # the data made the round trip through Twilio: every field is checked again, none trusted
        leave(resp, Handover("transfer", _field(data, "reason"), _field(data, "queue"),
                             frames.as_int(data.get("priority"), low=0, high=100), _field(data, "caseId")), cfg)
    else:
        bot = request.app[MANAGER].bot
        survey = (cfg.survey and kind == "end" and data.get("outcome") == "resolved"
                  and bot.prompts.has("survey_voice_question"))
        leave(resp, None, cfg, survey)
    return twiml(str(resp))


def _field(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value[:200] if isinstance(value, str) and value else None


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app.router.add_post("/voice/twilio/relay", incoming)
    app.router.add_get(WS_PATH, relay_socket)
    app.router.add_post("/voice/twilio/relay/handoff", handoff)
