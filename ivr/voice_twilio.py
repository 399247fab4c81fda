"""Twilio voice webhooks: an incoming call and each Gather result in, TwiML out.

POST /voice/twilio         a new call: greet and gather speech and keypad input
POST /voice/twilio/turn    a Gather result (SpeechResult/Digits), or ?noinput=1 when the caller stayed silent
POST /voice/twilio/status  the call's status callback: a caller who hangs up mid-call is `abandoned`

Transfers: the call joins the agents' desk (the console shows it with its case note, ivr/desk_app.py) and
the caller hears the wait estimate; then `<Enqueue workflowSid>` with a TaskRouter task carrying the case
id when a workflow is configured; `<Dial><Sip>` with X-Case-Id when an agent PBX is; otherwise an
`<Enqueue>` named after the queue, whose waitUrl and action (ivr/voice_hold.py) hold the caller and put
them through to the agent who accepts the call in the console. A call the bot resolved ends with the
keypad survey instead of `<Hangup/>`. See docs/voice-protocol.md.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import quote

from aiohttp import web
from twilio.twiml import TwiML
from twilio.twiml.voice_response import Say, VoiceResponse

from dialogue.api import BotReply, Handover, InputSpec, Prompt, SessionNotFound, UserTurn
from dialogue.desk import DeskError
from dialogue.payments import KEYPAD_ONLY
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK, ensure_desk, left_the_queue, queue_call
from ivr.metrics import TURN_SECONDS
from ivr.voice_common import (
    CONFIG,
    END_OF_SPEECH_S,
    HOLD_DONE_PATH,
    HOLD_PATH,
    INITIAL_TIMEOUT_S,
    LANGUAGE,
    PAY_TWIML,
    SERVICE_DOWN,
    STORE_DOWN,
    SURVEY_PATH,
    TURN_TIMEOUT_S,
    UNKNOWN_CALL,
    YES_NO,
    DuplicateTurn,
    StoreUnavailable,
    VoiceConfig,
    apology,
    count_outcome,
    ensure_setup,
    is_backchannel,
    log,
    read_form,
    reject,
    run_turn,
    start_call,
)

TURN_PATH = "/voice/twilio/turn"
ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
# 090, 03: identifiers, read digit by digit, never as amounts; not the 00 of 12,800円 or 1,000
_LEADING_ZERO = re.compile(r"(?<![0-9０-９,，.．])0[0-9]+")


class ReplyCache:
    """The last reply of each live call, to replay it when the caller only said うん over it.

    Each reply is kept with the nonce of its Gather action URL and found only by that nonce: behind a
    load balancer the previous turn may have been answered by another worker, and this worker's older
    reply must then not be taken for the question the caller is answering.
    """

    def __init__(self, max_calls: int = 50_000) -> None:
        self.max_calls = max_calls
        self._replies: OrderedDict[str, tuple[str, BotReply]] = OrderedDict()

    def get(self, sid: str, nonce: str | None) -> BotReply | None:
        kept = self._replies.get(sid)
        return kept[1] if kept is not None and nonce is not None and kept[0] == nonce else None

    def put(self, sid: str, reply: BotReply, nonce: str) -> None:
        if reply.ended:
            self._replies.pop(sid, None)
            return
        self._replies[sid] = (nonce, reply)
        self._replies.move_to_end(sid)
        while len(self._replies) > self.max_calls:
            self._replies.popitem(last=False)

    def drop(self, sid: str) -> None:
        self._replies.pop(sid, None)


LAST_REPLIES = web.AppKey("voice_twilio_last", ReplyCache)
FIXED_NOW = web.AppKey("voice_fixed_now", datetime)  # tests and demos: the clock of new calls


# -- TwiML -----------------------------------------------------------------------------------------

ENGLISH, ENGLISH_VOICE = "en-US", "Polly.Joanna"  # callers served in English (docs/languages.md)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# a caller who asked 「もう少しゆっくり」 or struggles (BotReply.slow): slower speech, a pause after each sentence,
# and more time to start and finish answering, for the rest of the call (issue 15, elderly-friendly voice)
SLOW_RATE, SLOW_PAUSE, SLOW_EXTRA_S = "80%", "700ms", 4


def say(parent: TwiML, prompt: Prompt, cfg: VoiceConfig, slow: bool = False) -> None:
    """<Say> with the prompt's SSML (digit runs spelled out, pauses) rebuilt through the TwiML builder."""
    pieces: list[tuple[str, str, str | None]] = []  # (kind, text, attribute)
    try:
        root = ET.fromstring(prompt.ssml) if prompt.ssml else None
    except ET.ParseError:
        root = None
    # an English prompt (<key>_en, issue 14) is spoken in English, with an English voice
    english = root is not None and root.get(_XML_LANG) == ENGLISH
    node = parent.nest(Say(language=ENGLISH if english else LANGUAGE, voice=ENGLISH_VOICE if english else cfg.voice))
    if slow:
        node = node.prosody(rate=SLOW_RATE)
    if root is None:
        pieces.append(("text", prompt.text, None))
    else:
        pieces.append(("text", root.text or "", None))
        for child in root:
            if child.tag == "say-as":
                pieces.append(("say-as", child.text or "", child.get("interpret-as")))
            elif child.tag == "break":
                pieces.append(("break", "", child.get("time")))
            else:
                pieces.append(("text", "".join(child.itertext()), None))
            pieces.append(("text", child.tail or "", None))
    for kind, text, attr in pieces:
        if kind == "say-as":
            node.say_as(text, interpret_as=attr)
        elif kind == "break":
            node.break_(time=attr)
        elif slow:
            sentences = _SENTENCE_END.split(text)
            for i, sentence in enumerate(sentences):
                _text_with_ids(node, sentence)
                if i < len(sentences) - 1:
                    node.break_(time=SLOW_PAUSE)
        else:
            _text_with_ids(node, text)


_SENTENCE_END = re.compile(r"(?<=[。？！?!])")


def _text_with_ids(node: TwiML, text: str) -> None:
    at = 0
    for match in _LEADING_ZERO.finditer(text):
        node.nest(text[at:match.start()])
        node.say_as(match.group(), interpret_as="characters")
        at = match.end()
    node.nest(text[at:])


def gather_args(spec: InputSpec, action: str, slow: bool = False) -> dict[str, object]:
    hints = list(spec.hints) + list(spec.menu_options.values())
    args: dict[str, object] = {
        # card details (dialogue/payments.py) are taken by keypad only: no speech is recognised or posted
        "input": "dtmf" if spec.entity_type in KEYPAD_ONLY else "speech dtmf",
        "language": ENGLISH if spec.language == "en" else LANGUAGE,  # the caller's language (issue 14)
        "action": action,
        "method": "POST",
        "timeout": INITIAL_TIMEOUT_S + (SLOW_EXTRA_S if slow else 0),
        "speech_timeout": END_OF_SPEECH_S + (SLOW_EXTRA_S // 2 if slow else 0),
        "finish_on_key": spec.dtmf_finish_key or "#",
        # kasu-hara detection needs the words as said; Twilio would mask them with asterisks
        "profanity_filter": False,
    }
    if hints:
        args["hints"] = ",".join(hints)
    if spec.dtmf_max_digits:
        args["num_digits"] = spec.dtmf_max_digits
    return args


def leave(resp: VoiceResponse, handover: Handover | None, cfg: VoiceConfig, survey: bool = False,
          session: str | None = None) -> None:
    """After the last prompts: to an agent queue, the survey (a call the bot resolved), or a polite hang-up.
    The survey rates the CallSid's conversation, or `session` (the bot again after an agent's release)."""
    if handover is None or handover.kind != "transfer":
        if survey:
            resp.redirect(SURVEY_PATH + (f"?conversation_id={quote(session)}" if session else ""), method="POST")
        else:
            resp.hangup()
        return
    queue = handover.queue or "general"
    case = handover.case_id or ""
    # the waitUrl says the wait and plays hold music, and notices when a console agent accepts the call
    hold = {"wait_url": HOLD_PATH, "wait_url_method": "POST", "action": HOLD_DONE_PATH, "method": "POST"}
    if cfg.workflow_sid:
        attrs = {"case_id": case, "queue": queue, "reason": handover.reason, "channel": "voice"}
        enqueue = resp.enqueue(None, workflow_sid=cfg.workflow_sid, **hold)
        enqueue.task(json.dumps(attrs, ensure_ascii=False), priority=handover.priority)
    elif cfg.agent_sip:
        # Twilio passes X- parameters of a SIP URI on as SIP headers: the PBX sees the case id
        headers = f"X-Case-Id={quote(case)}&X-Reason={quote(handover.reason or '')}"
        resp.dial().sip(f"{cfg.agent_sip.format(queue=queue)}?{headers}")
    else:
        resp.enqueue(queue, **hold)


def render(reply: BotReply, cfg: VoiceConfig, nonce: str | None = None, session: str | None = None,
           survey: bool = False) -> str:
    """TwiML of one reply; `nonce` (fresh when not given) makes its Gather action URL unique. `session`
    names a bot session other than the CallSid (the bot again after an agent's release); `survey` sends a
    finished call to the keypad survey instead of hanging up."""
    resp = VoiceResponse()
    if reply.ended or reply.handover is not None:
        for prompt in reply.prompts:
            say(resp, prompt, cfg, reply.slow)
        leave(resp, reply.handover, cfg, survey, session)
        return str(resp)
    # Twilio lets the caller barge in only on what is nested in <Gather>: a prompt that must be heard
    # in full (and everything before it) is said before the Gather opens.
    cut = max((i + 1 for i, p in enumerate(reply.prompts) if not p.interruptible), default=0)
    for prompt in reply.prompts[:cut]:
        say(resp, prompt, cfg, reply.slow)
    nonce = nonce or new_nonce()  # every action URL unique, so an identical signed post is a replay
    action = f"{TURN_PATH}?seq={nonce}" + (f"&session={quote(session)}" if session else "")
    gather = resp.gather(**gather_args(reply.expect, action, reply.slow))
    for prompt in reply.prompts[cut:]:
        say(gather, prompt, cfg, reply.slow)
    resp.redirect(f"{action}&noinput=1", method="POST")
    return str(resp)


def offers_survey(request: web.Request, reply: BotReply) -> bool:
    """The after-call survey is for calls the bot itself resolved, when the bot has its question."""
    transfer = reply.handover is not None and reply.handover.kind == "transfer"
    return (request.app[CONFIG].survey and reply.ended and not transfer and reply.outcome == "resolved"
            and request.app[MANAGER].bot.prompts.has("survey_voice_question"))


_DESK_DOWN: tuple[type[BaseException], ...] = (DeskError, *STORE_DOWN)


async def to_desk(request: web.Request, sid: str, reply: BotReply) -> BotReply:
    """A transfer joins the agents' desk with the wait said; a desk that cannot be reached leaves the caller
    transferred all the same (Twilio's queue still holds them), without the estimate."""
    try:
        return await queue_call(request.app, sid, reply)
    except _DESK_DOWN as exc:
        log.error("call %s not put on the agents' desk: %s", sid, exc or type(exc).__name__)
        return reply


def session_of(sid: str, named: str | None) -> str:
    """The bot session a webhook is for: the CallSid's own, or the one an agent handed the call back to
    (`<CallSid>-r1`, ...); a name of another call is refused."""
    if not named or named == sid:
        return sid
    if re.fullmatch(re.escape(sid) + r"-r\d{1,3}", named):
        return named
    raise web.HTTPBadRequest(text="session does not belong to this call")


def new_nonce() -> str:
    return secrets.token_hex(8)


def twiml(body: str, elapsed: float | None = None, began: float | None = None) -> web.Response:
    """TwiML, with Server-Timing: `turn` is the dialogue turn (NLU included), `handler` the whole request."""
    timing = []
    if elapsed is not None:
        timing.append(f"turn;dur={elapsed * 1000:.2f}")
    if began is not None:
        timing.append(f"handler;dur={(time.perf_counter() - began) * 1000:.2f}")
    headers = {"Server-Timing": ", ".join(timing)} if timing else None
    return web.Response(text=body, content_type="text/xml", headers=headers)


def goodbye(text: str, cfg: VoiceConfig) -> web.Response:
    return twiml(render(BotReply((Prompt(text),), InputSpec(awaiting="none"), ended=True), cfg))


# -- webhooks --------------------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.Response]]


def when_store_down(answer: Callable[[web.Request], web.Response]) -> Callable[[Handler], Handler]:
    """A webhook that needs the shared store answers `answer` while it is down: polite TwiML, one log
    line, no traceback; nothing ran, so the caller may simply say it again once the store is back."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.Response:
            try:
                return await handler(request)
            except StoreUnavailable:
                return answer(request)  # read_form logged why
            except ConnectionResetError:
                raise  # the client went away (ivr/guards.py), not the store
            except STORE_DOWN as exc:
                log.error("%s: the store is unavailable: %s", request.path, exc or type(exc).__name__)
                return answer(request)
        return guarded

    return wrap


def down_goodbye(request: web.Request) -> web.Response:
    return goodbye(SERVICE_DOWN, request.app[CONFIG])


def down_apology(request: web.Request) -> web.Response:
    return twiml(render(apology(None), request.app[CONFIG]))


def down_status(request: web.Request) -> web.Response:
    return web.Response(status=503, text="store unavailable")


@when_store_down(down_goodbye)
async def incoming(request: web.Request) -> web.Response:
    entered = time.perf_counter()
    params = await read_form(request)
    manager, cfg = request.app[MANAGER], request.app[CONFIG]
    sid = params["CallSid"]
    if await manager.view(sid) is not None:
        raise reject(request, 409, "call already started")
    began = time.perf_counter()
    try:
        async with asyncio.timeout(TURN_TIMEOUT_S):
            reply = await start_call(manager, sid, params.get("From"), request.app.get(FIXED_NOW))
    except TimeoutError:
        log.error("greeting of %s timed out", sid)
        return goodbye(UNKNOWN_CALL, cfg)
    elapsed = time.perf_counter() - began
    TURN_SECONDS.labels("voice").observe(elapsed)
    reply = await to_desk(request, sid, reply)  # a greeting may hand over at once (a flagged caller)
    nonce = new_nonce()
    request.app[LAST_REPLIES].put(sid, reply, nonce)
    return twiml(render(reply, cfg, nonce), elapsed, entered)


def turn_of(params: dict[str, str]) -> UserTurn:
    """Keys win over speech; nothing at all (the ?noinput=1 redirect) is the caller's silence."""
    digits = params.get("Digits", "").strip()
    speech = params.get("SpeechResult", "").strip()[:500]
    if digits:
        return UserTurn(dtmf="*" if "*" in digits else digits)  # * anywhere: the caller starts over
    if speech:
        try:
            confidence: float | None = float(params.get("Confidence", ""))
        except ValueError:
            confidence = None
        return UserTurn(text=speech, asr_confidence=confidence)
    return UserTurn(no_input=True)


@when_store_down(down_apology)
async def turn(request: web.Request) -> web.Response:
    entered = time.perf_counter()
    try:
        params = await read_form(request)
    except DuplicateTurn:
        return twiml(render(apology(None), request.app[CONFIG]), None, entered)
    manager, cfg, cache = request.app[MANAGER], request.app[CONFIG], request.app[LAST_REPLIES]
    session = request.query.get("session")
    sid = session_of(params["CallSid"], session)
    previous = cache.get(sid, request.query.get("seq"))
    user = turn_of(params)
    # うん said over a prompt stops Twilio's <Say>: the caller has not heard the question yet, so say
    # it again rather than count a failed answer. はい to a yes/no question is an answer.
    if user.text and previous is not None and previous.expect.awaiting not in YES_NO and is_backchannel(user.text):
        nonce = new_nonce()
        cache.put(sid, previous, nonce)
        return twiml(render(previous, cfg, nonce, session), 0.0, entered)
    try:
        reply, elapsed = await run_turn(manager, sid, user, previous)
    except SessionNotFound:
        log.warning("turn for unknown call %s", sid)
        return goodbye(UNKNOWN_CALL, cfg)
    except Exception:
        log.exception("turn of %s failed outside the engine", sid)
        reply, elapsed = apology(previous), 0.0
    reply = await to_desk(request, params["CallSid"], reply)
    nonce = new_nonce()
    cache.put(sid, reply, nonce)
    return twiml(await reply_twiml(request, sid, reply, nonce, session), elapsed, entered)


async def reply_twiml(request: web.Request, sid: str, reply: BotReply, nonce: str, session: str | None) -> str:
    """The TwiML of a turn's reply: `<Pay>` where Twilio collects the card (ivr/voice_pay.py), else render()."""
    pay = request.app.get(PAY_TWIML)
    body = await pay(request, sid, reply, nonce, session) if pay is not None else None
    return body or render(reply, request.app[CONFIG], nonce, session, offers_survey(request, reply))


@when_store_down(down_status)
async def status(request: web.Request) -> web.Response:
    params = await read_form(request)
    sid = params["CallSid"]
    if params.get("CallStatus") in ENDED_STATUSES:
        sessions = [sid]
        if DESK in request.app:
            # a caller who hangs up on hold leaves the agents' queue; one an agent gave back to the bot
            # hangs up that bot session too
            contact = await left_the_queue(request.app, sid)
            if contact is not None and contact.status == "released" and contact.bot_session:
                sessions.append(contact.bot_session)
        for session in sessions:
            await _caller_gone(request, session, params.get("CallStatus"))
    return web.Response(status=204)


async def _caller_gone(request: web.Request, sid: str, status: str | None) -> None:
    manager = request.app[MANAGER]
    request.app[LAST_REPLIES].drop(sid)
    state = await manager.view(sid)
    if state is not None and not state.ended:
        await manager.hangup(sid)
        state = await manager.view(sid)
        outcome = state.outcome if state is not None else None
        count_outcome(BotReply((), InputSpec(awaiting="none"), ended=True, outcome=outcome))  # type: ignore[arg-type]
        log.info("call %s ended by the caller (%s): %s", sid, status, outcome)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    ensure_desk(app)  # transfers wait on the agents' desk (the console may be served by another worker)
    app[LAST_REPLIES] = ReplyCache()
    app.router.add_post("/voice/twilio", incoming)
    app.router.add_post(TURN_PATH, turn)
    app.router.add_post("/voice/twilio/status", status)
