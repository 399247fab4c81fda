"""What the three voice channels share: configuration, request checks, turn timing and caller habits.

Twilio webhooks, ConversationRelay and the streaming gateway differ on the wire, but they refuse
forged or replayed requests the same way, time turns the same way, and treat a caller's はい said over
the bot's speech the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl

import asyncpg
import redis.exceptions
from aiohttp import web
from twilio.request_validator import RequestValidator

from dialogue.api import (
    BotReply,
    CallerInfo,
    Conversations,
    InputSpec,
    Prompt,
    SessionStart,
    UserTurn,
)
from dialogue.locks import Coordination, LockTimeout
from ivr.app_keys import MANAGER
from ivr.metrics import CALLS, OUTCOMES, REJECTED, TURN_SECONDS

log = logging.getLogger("ivr.voice")
LANGUAGE = "ja-JP"
MAX_BODY = 16 * 1024  # a Twilio webhook is ~1 KB; anything near this is not Twilio
TURN_TIMEOUT_S = 5.0  # the engine times out backends at 3 s; this is the net under everything else
# Elderly callers pause before answering and between words: wait long before calling it silence.
INITIAL_TIMEOUT_S = 8
END_OF_SPEECH_S = 3
INTER_DIGIT_TIMEOUT_S = 5
YES_NO = frozenset({"confirm", "anything_else"})
APOLOGY = "申し訳ございません。ただいま確認に時間がかかっております。恐れ入りますが、もう一度おっしゃっていただけますか。"
UNKNOWN_CALL = "申し訳ございません。通話の情報を確認できませんでした。恐れ入りますが、おかけ直しください。"
SERVICE_DOWN = ("お電話ありがとうございます。申し訳ございません。ただいまシステムが混み合っており、ご案内ができません。"
                "恐れ入りますが、しばらくしてからおかけ直しください。")
# what a shared store or its locks raise while the database or Redis is down or stuck: the caller hears
# an apology, the log gets one line (no traceback), and the next turn works once the engine is back
STORE_DOWN: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, LockTimeout, asyncpg.PostgresError, asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
)


class DuplicateTurn(Exception):
    """A Gather result already claimed by an earlier delivery: no turn runs for it."""


class StoreUnavailable(Exception):
    """A request could not be checked against the shared store (replays): no turn may run now."""


@dataclass(frozen=True)
class VoiceConfig:
    """Secrets and deployment facts, from the environment or a JSON file outside the repository."""

    auth_token: str | None = None
    public_base_url: str | None = None  # https://ivr.example.co.jp: the URL Twilio signs
    trust_forwarded: bool = False  # honour X-Forwarded-Proto/Host (only behind our own proxy)
    stream_token: str | None = None  # bearer token of GET /voice/stream
    voice: str = "Polly.Mizuki"
    workflow_sid: str | None = None  # TaskRouter workflow: transfers carry the case note in the task
    agent_sip: str | None = None  # sip:{queue}@pbx.example.jp: transfers dial the agent PBX instead
    queue_digits: dict[str, str] = field(default_factory=dict)  # relay: DTMF that selects a PBX queue
    # where a caller waiting in <Enqueue> is put through once a console agent accepts the call:
    # client:{agent}, sip:{agent}@pbx.example.jp or a phone number; None: the agents' phones take calls
    # from the Twilio queue themselves (<Dial><Queue>)
    agent_dial: str | None = None
    hold_music_url: str | None = None  # <Play>ed while a caller waits for an agent; silence without it
    survey: bool = True  # a caller the bot helped is asked the keypad survey (ivr/survey_channel.py)
    pay_connector: str = "Default"  # the Twilio payment connector of <Pay> (IVR_PAYMENT_VIA=twilio)
    # with the auth token and public_base_url, Twilio's REST API moves a held caller the moment an agent
    # accepts them in the console (ivr/voice_hold.py); without it, at the caller's next hold check
    account_sid: str | None = None
    api_url: str | None = None  # another address of Twilio's API (a regional edge, a stand-in in tests)

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None) -> VoiceConfig:
        env = os.environ if environ is None else environ
        data: dict[str, object] = {}
        path = env.get("IVR_VOICE_CONFIG")
        if path:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        def pick(key: str, var: str) -> str | None:
            value = env.get(var) or data.get(key)
            return str(value) if value else None
        return VoiceConfig(
            auth_token=pick("auth_token", "TWILIO_AUTH_TOKEN"),
            public_base_url=pick("public_base_url", "IVR_PUBLIC_URL"),
            trust_forwarded=(pick("trust_forwarded", "IVR_TRUST_FORWARDED") or "").lower() in ("1", "true"),
            stream_token=pick("stream_token", "IVR_STREAM_TOKEN"),
            voice=pick("voice", "IVR_TTS_VOICE") or "Polly.Mizuki",
            workflow_sid=pick("workflow_sid", "TWILIO_WORKFLOW_SID"),
            agent_sip=pick("agent_sip", "IVR_AGENT_SIP"),
            queue_digits={str(k): str(v) for k, v in dict(data.get("queue_digits") or {}).items()},  # type: ignore[call-overload]
            agent_dial=pick("agent_dial", "IVR_AGENT_DIAL"),
            hold_music_url=pick("hold_music_url", "IVR_HOLD_MUSIC_URL"),
            survey=str(env.get("IVR_VOICE_SURVEY", data.get("survey", True))).lower() not in ("0", "false", "no", "off"),
            pay_connector=pick("pay_connector", "IVR_TWILIO_PAY_CONNECTOR") or "Default",
            account_sid=pick("account_sid", "TWILIO_ACCOUNT_SID"),
            api_url=pick("api_url", "IVR_TWILIO_API_URL"),
        )


CONFIG = web.AppKey("voice_config", VoiceConfig)
# a caller handed to a person waits in Twilio's queue: its waitUrl, the <Enqueue action>, and the <Dial
# action> of the agent's leg (ivr/voice_hold.py)
HOLD_PATH = "/voice/twilio/hold"
HOLD_DONE_PATH = "/voice/twilio/hold/done"
HOLD_MOVED_PATH = "/voice/twilio/hold/moved"  # where Twilio's REST API sends a held caller an agent accepted
AGENT_DONE_PATH = "/voice/twilio/hold/agent-done"
# the agents' own line (ivr/voice_hold.py): an agent's phone calls in and takes the caller who has waited
# longest (`<Dial><Queue>`); the `<Queue url>` tells the desk which caller that agent now has
AGENT_LINE_PATH = "/voice/twilio/agent"
AGENT_BRIDGED_PATH = "/voice/twilio/agent/bridged"
SURVEY_PATH = "/survey/twilio"  # ivr/survey_channel.py: where a helped caller goes instead of <Hangup/>
# ivr/voice_pay.py hands the Gather channel this: `<Pay>` TwiML for a reply asking for the card number when
# Twilio collects cards, None otherwise (a callback, so the Gather channel does not import the Pay module)
PayTwiml = Callable[[web.Request, str, BotReply, str, str | None], Awaitable[str | None]]
PAY_TWIML: web.AppKey[PayTwiml] = web.AppKey("voice_pay_twiml")
REPLAYS = web.AppKey("voice_replays", Coordination)
REPLAY_TTL_S = 3600.0  # Twilio retries within minutes; a captured request is refused for an hour


def ensure_setup(app: web.Application) -> None:
    """Each voice module calls this; the first one reads the configuration."""
    if CONFIG not in app:
        app[CONFIG] = VoiceConfig.from_env()
    if REPLAYS not in app:
        # the dialogue manager's coordination: PostgreSQL or Redis when the store is shared, so a
        # replay is refused by every worker and after a restart
        app[REPLAYS] = app[MANAGER].locks


def reject(request: web.Request, status: int, why: str) -> web.HTTPException:
    REJECTED.labels(request.path, why).inc()
    log.warning("refused %s %s from %s: %s", request.method, request.path, request.remote, why)
    if status == 413:
        return web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length or 0)
    if status == 409:
        return web.HTTPConflict(text=why)
    return web.HTTPForbidden(text=why) if status == 403 else web.HTTPBadRequest(text=why)


def public_url(request: web.Request, cfg: VoiceConfig, websocket: bool = False) -> str:
    """The URL the caller's provider requested: what Twilio signed, not what our socket saw."""
    if cfg.public_base_url:
        base = cfg.public_base_url.rstrip("/")
    elif cfg.trust_forwarded:
        proto = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
        host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
        base = f"{proto}://{host}"
    else:
        base = f"{request.scheme}://{request.host}"
    if websocket:
        base = re.sub(r"^http", "ws", base)
    return base + request.raw_path


def is_loopback(request: web.Request) -> bool:
    # a proxy on this host would make every caller look local: a forwarded request is never "loopback"
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def check_signature(request: web.Request, params: Mapping[str, str], websocket: bool = False,
                          body: bytes = b"") -> None:
    """X-Twilio-Signature when a token is configured; otherwise loopback only (SPEC 7.3)."""
    cfg = request.app[CONFIG]
    if not cfg.auth_token:
        if not is_loopback(request):
            raise reject(request, 403, "unsigned request from outside loopback")
        if not websocket:  # no signature to tell a duplicate delivery by: the body itself
            await refuse_replay(request, params, hashlib.blake2b(body, digest_size=16).hexdigest())
        return
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        raise reject(request, 403, "missing X-Twilio-Signature")
    url = public_url(request, cfg, websocket)
    if not RequestValidator(cfg.auth_token).validate(url, dict(params), signature):
        raise reject(request, 403, "bad X-Twilio-Signature")
    # a WebSocket handshake signs only the URL, so every call to it carries the same signature
    if not websocket:
        await refuse_replay(request, params, signature)


async def refuse_replay(request: web.Request, params: Mapping[str, str], fingerprint: str) -> None:
    """The same request twice (a replay, or a duplicate delivery racing the first on another worker)
    runs no second turn: 409 (DuplicateTurn for a Gather result). The claim is atomic in the shared store."""
    if params.get("Digits"):
        # keys may be card details (docs/payments.md): the stored key must not be derived from them (the
        # signature and a hash of the body are), and a Gather's action URL is unique to its turn anyway
        fingerprint = "keys"
    key = f"twilio|{params.get('CallSid', '')}|{request.path_qs}|{fingerprint}"
    try:
        first = await request.app[REPLAYS].first_time(key, REPLAY_TTL_S)
    except STORE_DOWN as exc:  # the database or Redis is down: no turn can run safely now
        log.error("replay check of %s failed: %s", request.path, exc or type(exc).__name__)
        raise StoreUnavailable(str(exc)) from None
    if not first:
        refusal = reject(request, 409, "replayed request")
        if request.path == "/voice/twilio/turn":
            # Twilio sends a turn again only when it got no answer (its worker died mid-turn, behind a
            # balancer that retried): the caller is still on the line, so the turn answers a polite
            # "say it again" instead of a 409 Twilio would read out as an application error
            raise DuplicateTurn()
        raise refusal


async def read_form(request: web.Request) -> dict[str, str]:
    """Twilio's form body, size-limited and strictly parsed; the signature is checked before returning."""
    if (request.content_length or 0) > MAX_BODY:
        raise reject(request, 413, "body too large")
    if request.content_type != "application/x-www-form-urlencoded":
        raise reject(request, 400, "expected application/x-www-form-urlencoded")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise reject(request, 413, "body too large")
    if request.content_length is not None and len(body) < request.content_length:
        # the stream ended early: the client went away mid-body, and half a webhook runs no turn
        raise ConnectionResetError("request body cut short")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body),
                          max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise reject(request, 400, "malformed form body") from None
    params = dict(pairs)
    await check_signature(request, params, body=body)
    sid = params.get("CallSid", "")
    if not re.fullmatch(r"CA[0-9a-fA-F]{32}", sid):
        raise reject(request, 400, "missing or malformed CallSid")
    return params


def check_bearer(request: web.Request) -> None:
    """GET /voice/stream: a shared token when configured, loopback only otherwise."""
    cfg = request.app[CONFIG]
    if not cfg.stream_token:
        if not is_loopback(request):
            raise reject(request, 403, "stream gateway is loopback-only without IVR_STREAM_TOKEN")
        return
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), cfg.stream_token.encode()):
        raise reject(request, 403, "bad stream token")


async def start_call(manager: Conversations, sid: str, caller_id: str | None, now: datetime | None) -> BotReply:
    """A new phone call, the same for every voice front end: the greeting, counted once.

    The caller id may be E.164 (+81...); the dialogue manager turns it into the national number."""
    start = SessionStart(channel="voice", caller=CallerInfo(phone=caller_id), now=now, session_id=sid)
    try:
        _, reply = await manager.start(start)
    except STORE_DOWN as exc:
        log.error("call %s could not start, the store is unavailable: %s", sid, exc or type(exc).__name__)
        return service_down()
    CALLS.labels("voice").inc()
    return reply


def service_down() -> BotReply:
    return BotReply(prompts=(Prompt(SERVICE_DOWN),), expect=InputSpec(awaiting="none"), ended=True,
                    outcome="abandoned")


async def hang_up(manager: Conversations, sid: str) -> None:
    """The caller is gone: record it, or log one line when the store cannot be reached (the session
    is closed as abandoned later by its timeout)."""
    try:
        await manager.hangup(sid)
    except STORE_DOWN as exc:
        log.error("hang-up of %s not recorded, the store is unavailable: %s", sid, exc or type(exc).__name__)


# -- turns -----------------------------------------------------------------------------------------

async def run_turn(manager: Conversations, sid: str, turn: UserTurn, previous: BotReply | None) -> tuple[BotReply, float]:
    """One timed turn. A slow or failing turn answers with an apology and listens again, never silence.

    SessionNotFound is raised for the channel to answer (the call is not ours, or the server restarted).
    """
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TURN_TIMEOUT_S):
            reply = await manager.handle(sid, turn)
    except TimeoutError:
        log.error("turn of %s took longer than %.1f s", sid, TURN_TIMEOUT_S)
        reply = apology(previous)
    except STORE_DOWN as exc:
        log.error("turn of %s not run, the store is unavailable: %s", sid, exc or type(exc).__name__)
        reply = apology(previous)
    elapsed = time.perf_counter() - started
    TURN_SECONDS.labels("voice").observe(elapsed)
    if reply.ended:
        count_outcome(reply)
    return reply, elapsed


def apology(previous: BotReply | None) -> BotReply:
    expect = previous.expect if previous is not None else InputSpec(awaiting="free")
    return BotReply(prompts=(Prompt(APOLOGY),), expect=expect)


def count_outcome(reply: BotReply) -> None:
    reason = reply.handover.reason if reply.handover is not None else None
    OUTCOMES.labels("voice", reply.outcome or "ended", reason or "").inc()


# -- caller habits ---------------------------------------------------------------------------------

_BACKCHANNEL = re.compile(r"(?:はい|ええ|えぇ|うん|ふん|ああ|あぁ|そう(?:です)?(?:ね|か)?|なるほど|へえ|ほう|はあ)+")
_PUNCT = re.compile(r"[\s、。,.!?！？ー〜…・]+")


def is_backchannel(text: str) -> bool:
    """はい / ええ / うんうん / なるほど: the caller showing they are listening, not answering."""
    core = _PUNCT.sub("", text)
    return bool(core) and _BACKCHANNEL.fullmatch(core) is not None


def takes_as_answer(text: str, expect: InputSpec, during_question: bool) -> bool:
    """Whether words said over the bot's speech answer it.

    A backchannel over an informing prompt is not an answer; はい over a yes/no question is one.
    """
    if not is_backchannel(text):
        return True
    return expect.awaiting in YES_NO and during_question


def remainder(full: str, spoken: str) -> str:
    """What the caller has not heard yet, after an interruption at `spoken`."""
    spoken = spoken.strip()
    index = full.find(spoken) if spoken else 0
    return full[index + len(spoken):] if index >= 0 else full


class DigitCollector:
    """Keypad input one key at a time: max digits, a finish key, * to start over."""

    def __init__(self, spec: InputSpec) -> None:
        self.max_digits = spec.dtmf_max_digits
        self.finish_key = spec.dtmf_finish_key or "#"
        self.buffer = ""

    def push(self, keys: str) -> str | None:
        """Returns the finished entry ("*" to start over), or None while the caller is still typing."""
        for key in keys:
            if key == "*":
                self.buffer = ""
                return "*"
            if key == self.finish_key:
                return self.flush()
            if key.isdigit():
                self.buffer += key
                if self.max_digits and len(self.buffer) >= self.max_digits:
                    return self.flush()
        return None

    def flush(self) -> str | None:
        """The inter-digit timeout or the finish key: what was typed so far, if anything."""
        entry, self.buffer = self.buffer, ""
        return entry or None
