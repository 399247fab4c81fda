"""GET /voice/stream: the WebSocket voice gateway for ASR/TTS front ends (protocol: docs/voice-protocol.md).

The front end owns audio: it recognises speech and plays prompts. We own the conversation: when a
prompt may be interrupted, when a transcript is only the caller's うん, when typed digits are complete,
and what to say next. One connection is one call, served by one loop.

A transfer puts the call on the agents' desk (ivr.desk_app.queue_call, as the Twilio channels do): the console
lists it with its case note, and the front end holds the caller with the socket open. When an agent accepts
it in the console the front end is told (`{"type": "accepted", "agent", "agent_name"}`) and may put the call
through and close; a `hangup` from the front end, or a socket that closes, while the call still waits records
it as abandoned in the queue (ivr.desk_app.left_the_queue), for the wallboard's abandonment rate.

A front end that keeps the socket open while the caller talks to the agent hears what the agent does next:
自動応答に戻す (release) brings the caller back to the bot on the same socket, in a new bot session
`<call_id>-r1` of the same conversation (`{"type": "released", "session_id", "note"}`, then the bot's
`hold_back_to_bot` and greeting, as on the Twilio channels, ivr/voice_hold.py); 転送 puts the call back in a
queue (`{"type": "desk", "event": "transferred", "queue"}`), and 終了 ends it (`"event": "closed"`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web

from dialogue.api import Alternative, BotReply, Conversations, SessionNotFound, UserTurn
from dialogue.desk import Contact, DeskError
from ivr import frames
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK, left_the_queue, queue_call
from ivr.voice_common import (
    END_OF_SPEECH_S,
    INITIAL_TIMEOUT_S,
    INTER_DIGIT_TIMEOUT_S,
    LANGUAGE,
    MAX_BODY,
    STORE_DOWN,
    DigitCollector,
    apology,
    check_bearer,
    ensure_setup,
    hang_up,
    is_backchannel,
    log,
    run_turn,
    start_call,
    takes_as_answer,
)
from ivr.voice_twilio import FIXED_NOW

IDLE_LIMIT_S = 60.0  # a front end that never reports silence still gets a reprompt, never dead air
MIN_BARGE_IN_CHARS = 3  # a partial "は" may become はい: wait for words before stopping the bot
_CALL_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HOLD_POLL_S = 1.0  # while the caller holds for a person, how often the desk is asked whether an agent took it
_DESK_DOWN: tuple[type[BaseException], ...] = (DeskError, *STORE_DOWN)


@dataclass
class Playing:
    prompt_id: str
    interruptible: bool
    question: bool  # the reply's last prompt: what the caller is being asked


@dataclass
class StreamCall:
    ws: web.WebSocketResponse
    manager: Conversations
    now: datetime | None
    sid: str | None = None  # the bot session the caller talks to: the call's id, `<call_id>-r1` after a release
    call_id: str | None = None  # the call, as the desk knows it (the conversation's id)
    caller: str = ""
    reply: BotReply | None = None
    keys: DigitCollector | None = None
    playing: list[Playing] = field(default_factory=list)
    barged_in: bool = False
    ended: bool = False
    app: web.Application | None = None  # where the agents' desk is (None: a transfer only tells the front end)
    holding: bool = False  # on the desk, waiting for an agent: a hang-up now is an abandonment in the queue
    desk_status: str | None = None  # what the desk last said of the call (None: not handed to a person)
    _next_id: int = 0

    async def on_start(self, msg: dict[str, Any]) -> None:
        call_id = str(msg.get("call_id", ""))
        if self.sid is not None or not _CALL_ID.fullmatch(call_id) or await self.manager.view(call_id):
            await self.error("bad_start", "start once per connection with a new call_id")
            return
        self.sid = self.call_id = call_id
        self.caller = str(msg.get("from") or "")[:64]
        await self.send(await start_call(self.manager, call_id, self.caller, self.now))

    async def on_transcript(self, msg: dict[str, Any]) -> None:
        text = str(msg.get("text") or "").strip()[:500]
        final = bool(msg.get("final", True))
        if not text or self.reply is None:
            return
        if self.playing:
            if not all(p.interruptible for p in self.playing):
                return  # a notice the caller must hear in full: talk over it is not an answer
            if not takes_as_answer(text, self.reply.expect, self.playing[0].question):
                return  # うん while the bot speaks: keep speaking
            if not final and (is_backchannel(text) or len(text) < MIN_BARGE_IN_CHARS):
                return
            await self.stop_speaking()
        if final:
            alternatives = tuple(
                Alternative(str(a.get("text", ""))[:500], float(a.get("confidence", 0.0)))
                for a in msg.get("alternatives") or [] if isinstance(a, dict) and a.get("text")
            )[:10]
            confidence = msg.get("confidence")
            await self.turn(UserTurn(text=text, alternatives=alternatives, interrupted=self.barged_in,
                                     asr_confidence=float(confidence) if confidence is not None else None))

    async def on_dtmf(self, msg: dict[str, Any]) -> None:
        if self.keys is None or (self.playing and not all(p.interruptible for p in self.playing)):
            return
        if self.playing:
            await self.stop_speaking()
        entry = self.keys.push(str(msg.get("digits") or msg.get("digit") or "")[:32])
        if entry is not None:
            await self.turn(UserTurn(dtmf=entry))

    async def on_playback_done(self, msg: dict[str, Any]) -> None:
        done = msg.get("prompt_id")
        ids = [p.prompt_id for p in self.playing]
        # prompts play in order: "p3 done" means p1..p3 are done; no id means everything
        cut = ids.index(done) + 1 if done in ids else len(ids)
        del self.playing[:cut]

    async def on_no_input(self, msg: dict[str, Any]) -> None:
        if not self.playing:
            await self.turn(UserTurn(no_input=True))

    async def stop_speaking(self) -> None:
        self.playing.clear()
        self.barged_in = True
        await self.ws.send_json({"type": "stop_speaking"})

    async def turn(self, user: UserTurn) -> None:
        if self.sid is None or self.ended:
            return
        try:
            reply, _ = await run_turn(self.manager, self.sid, user, self.reply)
        except SessionNotFound:
            await self.error("unknown_call", "the call is not known (server restarted?)")
            return
        self.barged_in = False
        await self.send(reply)

    async def send(self, reply: BotReply) -> None:
        if reply.handover is not None and reply.handover.kind == "transfer":
            reply = await self.to_desk(reply)
        self.reply, self.keys = reply, DigitCollector(reply.expect)
        for i, prompt in enumerate(reply.prompts):
            self._next_id += 1
            pid = f"p{self._next_id}"
            last = i == len(reply.prompts) - 1
            self.playing.append(Playing(pid, prompt.interruptible, last))
            await self.ws.send_json({"type": "prompt", "prompt_id": pid, "text": prompt.text, "ssml": prompt.ssml,
                                     "barge_in": prompt.interruptible, "last": last})
        h = reply.handover
        if reply.ended or h is not None:
            self.ended = True
            if h is not None and h.kind == "transfer":
                await self.ws.send_json({"type": "transfer", "queue": h.queue, "reason": h.reason,
                                         "priority": h.priority, "case_id": h.case_id})
            else:
                await self.ws.send_json({"type": "hangup", "outcome": reply.outcome,
                                         "reason": h.reason if h else None, "case_id": h.case_id if h else None})
            return
        spec = reply.expect
        await self.ws.send_json({
            "type": "listen", "awaiting": spec.awaiting, "entity_type": spec.entity_type, "language": LANGUAGE,
            "hints": list(spec.hints) + list(spec.menu_options.values()), "menu": spec.menu_options,
            "timeouts_ms": {"no_input": INITIAL_TIMEOUT_S * 1000, "end_of_speech": END_OF_SPEECH_S * 1000,
                            "inter_digit": INTER_DIGIT_TIMEOUT_S * 1000},
            "dtmf": {"max_digits": spec.dtmf_max_digits, "finish_key": spec.dtmf_finish_key, "restart_key": "*"},
        })

    async def to_desk(self, reply: BotReply) -> BotReply:
        """The call joins the desk with the ACD's queue and priority and the wait said (before `transfer`)."""
        if self.app is None or DESK not in self.app or self.call_id is None:
            return reply
        try:
            queued = await queue_call(self.app, self.call_id, reply)
        except _DESK_DOWN as exc:  # the front end still transfers; the console just does not see the call
            log.error("stream call %s not put on the agents' desk: %s", self.call_id, exc or type(exc).__name__)
            return reply
        self.holding, self.desk_status = True, "queued"
        return queued

    @property
    def with_desk(self) -> bool:
        """Waiting for an agent, or with one: the desk is watched for what the agents do with the call."""
        return self.desk_status in ("queued", "assigned")

    async def check_desk(self) -> None:
        """While the call is with the desk: tell the front end what an agent did with it in the console."""
        if self.app is None or self.call_id is None:
            return
        contact = await self.app[DESK].contact(self.call_id)
        if contact is None or contact.status == self.desk_status:
            return
        if contact.status == "released":  # (a store that fails here is asked again at the next poll)
            await self.back_to_bot(contact)
            return
        self.desk_status = contact.status
        self.holding = contact.status == "queued"  # only a caller still waiting abandons by hanging up
        if contact.status == "queued":  # 転送: an agent moved the call to another queue
            await self.ws.send_json({"type": "desk", "event": "transferred", "queue": contact.queue,
                                     "priority": contact.priority, "case_id": contact.case_id})
        elif contact.status == "assigned":
            await self.ws.send_json({"type": "accepted", "agent": contact.agent, "agent_name": contact.agent_name,
                                     "case_id": contact.case_id})
        else:  # closed without putting the caller through, or abandoned
            await self.ws.send_json({"type": "desk", "event": contact.status})

    async def back_to_bot(self, contact: Contact) -> None:
        """自動応答に戻す: the caller talks to the bot again on this socket, in a new bot session of the same
        conversation (`<call_id>-r1`, ...; the agent's note is in the desk and the case note), as on Twilio."""
        assert self.app is not None and self.call_id is not None
        session = contact.bot_session or f"{self.call_id}-r1"
        bot = self.app[MANAGER].bot
        if await self.manager.view(session) is None:
            reply = await start_call(self.manager, session, self.caller, self.now)
        else:  # another connection already greeted in it: just listen again
            reply = apology(None)
        back = bot.prompts.render("hold_back_to_bot", "voice", {}, interruptible=False)
        self.sid, self.ended, self.playing = session, False, []
        self.desk_status, self.holding = "released", False  # a new transfer in `send` puts it back on the desk
        await self.ws.send_json({"type": "released", "session_id": session, "note": contact.note,
                                 "agent": contact.agent, "case_id": contact.case_id})
        log.info("stream call %s back with the bot (%s)", self.call_id, session)
        await self.send(replace(reply, prompts=(back, *reply.prompts)))

    async def caller_gone(self) -> None:
        """The socket closed or the front end said `hangup`: a call still waiting for a person is abandoned."""
        if not self.holding or self.app is None or self.call_id is None:
            return
        try:
            await left_the_queue(self.app, self.call_id)
        except _DESK_DOWN as exc:
            log.error("stream call %s: could not take it off the desk: %s", self.call_id, exc or type(exc).__name__)
        else:
            log.info("stream call %s hung up while holding for an agent", self.call_id)

    async def error(self, code: str, message: str) -> None:
        await self.ws.send_json({"type": "error", "code": code, "message": message})


async def stream_socket(request: web.Request) -> web.WebSocketResponse:
    check_bearer(request)
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_BODY)
    await ws.prepare(request)
    call = StreamCall(ws, request.app[MANAGER], request.app.get(FIXED_NOW), app=request.app)
    handlers = {"start": call.on_start, "transcript": call.on_transcript, "dtmf": call.on_dtmf,
                "playback_done": call.on_playback_done, "no_input": call.on_no_input}
    try:
        while not ws.closed:
            typing = call.keys is not None and call.keys.buffer
            wait = HOLD_POLL_S if call.with_desk else INTER_DIGIT_TIMEOUT_S if typing else IDLE_LIMIT_S
            try:
                msg = await ws.receive(timeout=wait)
            except TimeoutError:
                if call.with_desk:
                    try:
                        await call.check_desk()
                    except _DESK_DOWN as exc:  # the caller keeps holding; the next poll tries again
                        log.warning("stream call %s: the desk does not answer: %s", call.sid, exc)
                    continue
                entry = call.keys.flush() if call.keys is not None else None
                await call.turn(UserTurn(dtmf=entry) if entry else UserTurn(no_input=True))
                continue
            if msg.type != WSMsgType.TEXT:
                break
            try:
                data = frames.loads(msg.data)
                handler = handlers.get(str(data["type"]))
            except (ValueError, KeyError, TypeError):
                await call.error("bad_message", "expected a JSON object with a type")
                continue
            if data.get("type") == "hangup":
                break
            if handler is None:
                await call.error("unknown_type", f"unknown message type {str(data.get('type'))[:40]!r}")
                continue
            try:
                await handler(data)
            except (ValueError, TypeError):
                await call.error("bad_message", f"bad {data['type']} message")
            except STORE_DOWN as exc:
                log.error("stream %s: the store is unavailable: %s", call.sid, exc or type(exc).__name__)
                await call.error("unavailable", "the service is temporarily unavailable; try again shortly")
    finally:
        if call.sid is not None and not call.ended:
            await hang_up(call.manager, call.sid)  # the caller hung up mid-call: abandoned
            log.info("stream call %s abandoned", call.sid)
        await call.caller_gone()
    return ws


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app.router.add_get("/voice/stream", stream_socket)
