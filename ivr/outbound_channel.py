"""Outbound calls and text messages through Twilio's REST API: promised callbacks and proactive notices.

POST /outbound/twilio/answer?job=ID   the callee picked up (or a machine did: AnsweredBy): TwiML
POST /outbound/twilio/status?job=ID   the call's final status: done, or tried again later within quiet hours

A worker loop claims due jobs from the outbox (dialogue/outbound.py) every `IVR_OUTBOUND_INTERVAL_S`
seconds; it runs when `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `IVR_OUTBOUND_FROM` (the number calls come
from) and `IVR_PUBLIC_URL` (where Twilio reaches these webhooks) are set. The webhooks are signed like the
inbound voice ones (ivr/voice_common.py). docs/outreach.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from prometheus_client import Counter
from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import BotReply, Handover, InputSpec, Prompt
from dialogue.bot import Bot
from dialogue.outbound import Job, Outbox, postponed, settle_attempt
from ivr.app_keys import MANAGER
from ivr.metrics import REGISTRY
from ivr.twilio_rest import rest_client
from ivr.voice_common import CONFIG, ensure_setup, read_form
from ivr.voice_twilio import leave, say, to_desk, twiml

log = logging.getLogger("ivr.outbound")
ANSWER_PATH = "/outbound/twilio/answer"
STATUS_PATH = "/outbound/twilio/status"
UNANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")
RING_S = 30  # how long a callback rings before it counts as no-answer

OUTBOUND = Counter("ivr_outbound_total", "Outbound calls and messages, by kind and what happened",
                   ["kind", "outcome"], registry=REGISTRY)


@dataclass(frozen=True)
class DialerConfig:
    account_sid: str
    auth_token: str
    caller_id: str  # the number callees see (From)
    public_url: str  # https://ivr.example.co.jp: where Twilio posts the call's webhooks
    api_url: str | None = None  # a stand-in of https://api.twilio.com (tests, a regional edge)
    interval_s: float = 30.0

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None) -> DialerConfig | None:
        env = os.environ if environ is None else environ
        needed = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "IVR_OUTBOUND_FROM", "IVR_PUBLIC_URL")
        if not all(env.get(v) for v in needed):
            return None
        return DialerConfig(env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], env["IVR_OUTBOUND_FROM"],
                            env["IVR_PUBLIC_URL"].rstrip("/"), env.get("IVR_TWILIO_API_URL") or None,
                            float(env.get("IVR_OUTBOUND_INTERVAL_S") or 30))


class Dialer:
    """The `twilio` package's REST client; create it in a running event loop (it opens an HTTP session)."""

    def __init__(self, config: DialerConfig) -> None:
        self.config = config
        self.client, self.http = rest_client(config.account_sid, config.auth_token, config.api_url)

    def _hook(self, path: str, job: Job) -> str:
        return f"{self.config.public_url}{path}?job={quote(job.id)}"

    async def call(self, job: Job) -> str:
        call = await self.client.calls.create_async(
            to=job.to, from_=self.config.caller_id, url=self._hook(ANSWER_PATH, job),
            status_callback=self._hook(STATUS_PATH, job), status_callback_event=["completed"],
            machine_detection="Enable", timeout=RING_S)
        return str(call.sid)

    async def text(self, job: Job) -> str:
        message = await self.client.messages.create_async(to=job.to, from_=self.config.caller_id, body=job.message)
        return str(message.sid)

    async def close(self) -> None:
        await self.http.close()


def _count(kind: str, outcome: str) -> None:
    OUTBOUND.labels(kind, outcome).inc()


async def run_due(outbox: Outbox, dialer: Dialer, now: datetime | None = None, limit: int = 10) -> int:
    """Place the due calls and send the due messages (each claimed by this worker only); how many."""
    moment = now or datetime.now(UTC)
    jobs = await outbox.claim_due(moment, limit)
    for job in jobs:
        later = postponed(job, moment)
        if later is not None:  # e.g. every worker was down at the agreed time and it is night now
            await outbox.update(job.id, status="due", due_at=later, attempts=job.attempts - 1)
            continue
        try:
            if job.kind == "notice_sms":
                sid = await dialer.text(job)
                await outbox.update(job.id, status="done", outcome="sent", call_sid=sid)
                _count(job.kind, "sent")
            else:
                await outbox.update(job.id, call_sid=await dialer.call(job))
                _count(job.kind, "placed")
        except TwilioRestException as exc:
            if 400 <= exc.status < 500:  # a number Twilio refuses (invalid, blocked): trying again will not help
                log.warning("outbound %s to %s refused by Twilio: %s %s", job.id, job.to, exc.code, exc.msg)
                await outbox.update(job.id, status="failed", outcome=f"refused:{exc.code}")
                _count(job.kind, "refused")
            else:
                await settle_attempt(outbox, job, "failed", moment)
                _count(job.kind, "error")
        except Exception:  # the API is unreachable: the job waits for the next round
            log.exception("outbound %s: the telephony API failed", job.id)
            await settle_attempt(outbox, job, "failed", moment)
            _count(job.kind, "error")
    return len(jobs)


# -- the call's webhooks ---------------------------------------------------------------------------

def _prompt(bot: Bot, key: str, **values: Any) -> Prompt:
    company = bot.prompts.render("company_name", "chat", {}).text if bot.prompts.has("company_name") else ""
    return bot.prompts.render(key, "voice", {"company": company, **values}, interruptible=False)


async def answer(request: web.Request) -> web.Response:
    params = await read_form(request)
    manager, cfg = request.app[MANAGER], request.app[CONFIG]
    job = await manager.outbox.get(request.query.get("job", ""))
    resp = VoiceResponse()
    if job is None:
        resp.hangup()
        return twiml(str(resp))
    machine = params.get("AnsweredBy", "human") in MACHINE
    notice = job.kind != "callback"
    if machine:
        # a message in keigo on the answering machine, then the call is over (and counted as reached)
        say(resp, _prompt(manager.bot, "outbound_notice_machine" if notice else "outbound_machine", topic=job.topic), cfg)
        resp.hangup()
    elif notice:
        say(resp, _prompt(manager.bot, "outbound_notice_opening"), cfg)
        say(resp, Prompt(job.message, None, False), cfg)
        say(resp, _prompt(manager.bot, "outbound_goodbye"), cfg)
        resp.hangup()
    else:
        say(resp, _prompt(manager.bot, "outbound_opening", topic=job.topic), cfg)
        case = await manager.view(job.conversation_id) if job.conversation_id else None
        handover = Handover("transfer", "callback", job.queue, 2, case.case_id if case else None)
        # the agents' desk holds the callback like an inbound transfer: the console shows the first call's note
        reply = await to_desk(request, params["CallSid"], BotReply((), InputSpec(awaiting="none"), handover))
        leave(resp, reply.handover, cfg)
    await manager.outbox.update(job.id, outcome="voicemail" if machine else "connected")
    return twiml(str(resp))


async def status(request: web.Request) -> web.Response:
    params = await read_form(request)
    outbox = request.app[MANAGER].outbox
    job = await outbox.get(request.query.get("job", ""))
    call_status = params.get("CallStatus", "")
    if job is None or job.status != "dialing" or job.call_sid not in (None, params["CallSid"]):
        return web.Response(status=204)  # a late or repeated callback changes nothing
    if call_status == "completed":
        outcome = job.outcome or "completed"
        await outbox.update(job.id, status="done", outcome=outcome)
        _count(job.kind, outcome)
    elif call_status in UNANSWERED:
        after = await settle_attempt(outbox, job, call_status, datetime.now(UTC))
        _count(job.kind, call_status)
        log.info("outbound %s to %s: %s (attempt %d): %s", job.id, job.to, call_status, job.attempts,
                 f"again at {after.due_at.isoformat()}" if after and after.status == "due" else "given up")
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app.router.add_post(ANSWER_PATH, answer)
    app.router.add_post(STATUS_PATH, status)
    config = DialerConfig.from_env()
    if config is None:
        return

    async def work(app: web.Application) -> AsyncIterator[None]:
        dialer, outbox = Dialer(config), app[MANAGER].outbox
        log.info("outbound dialer: every %.0f s, calls from %s", config.interval_s, config.caller_id)

        async def loop() -> None:
            while True:
                try:
                    await run_due(outbox, dialer)
                except Exception:
                    log.exception("outbound round failed; trying again next round")
                await asyncio.sleep(config.interval_s)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await dialer.close()

    app.cleanup_ctx.append(work)
