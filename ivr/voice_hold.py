"""A phone caller handed to a person: held in Twilio's queue, put through to the agent who accepts the call.

POST /voice/twilio/hold              the `<Enqueue waitUrl>`: hold music, now and then the wait in keigo, and
                                     `<Leave/>` once a console agent accepted the call (or gave it back to the bot)
POST /voice/twilio/hold/done         the `<Enqueue action>`: after `<Leave/>`, `<Dial>` the agent or the bot again;
                                     a caller who hung up on hold leaves the desk's queue (`abandoned`)
POST /voice/twilio/hold/agent-done   the `<Dial action>` of the agent's leg: the bot again after a release, the
                                     queue again when the agent did not answer, else the end of the call

The desk (ivr/desk_app.py) is the truth: any worker answers any of these, since the desk lives in the shared
store. docs/voice-protocol.md.
"""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import Handover, Prompt
from dialogue.bot import Bot
from dialogue.desk import Contact, DeskError
from ivr.app_keys import MANAGER
from ivr.desk_app import ACD, DESK, WAITS, left_the_queue, wait_prompt
from ivr.voice_common import (
    AGENT_DONE_PATH,
    CONFIG,
    HOLD_DONE_PATH,
    HOLD_PATH,
    VoiceConfig,
    apology,
    ensure_setup,
    log,
    read_form,
    start_call,
)
from ivr.voice_twilio import (
    FIXED_NOW,
    LAST_REPLIES,
    leave,
    new_nonce,
    render,
    say,
    to_desk,
    twiml,
    when_store_down,
)

REMINDER_AFTER_S = 30  # the wait was just said at the hand-over: the first reminder comes after this
SILENT_HOLD_S = 40  # without hold music, a pause of this length between reminders
UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})  # DialCallStatus of an agent not reached


def _prompt(bot: Bot, key: str) -> Prompt:
    return bot.prompts.render(key, "voice", {}, interruptible=False)


def _seconds(value: str | None) -> int:
    try:
        return max(0, int(value or "0"))
    except ValueError:
        return 0


def _music(resp: VoiceResponse, cfg: VoiceConfig) -> None:
    if cfg.hold_music_url:
        resp.play(cfg.hold_music_url)
    else:
        resp.pause(length=SILENT_HOLD_S)


def _keep_holding(request: web.Request) -> web.Response:
    """The store is down: the caller keeps waiting (Twilio asks again after the music) rather than being dropped."""
    resp = VoiceResponse()
    _music(resp, request.app[CONFIG])
    return twiml(str(resp))


def _hang_up() -> web.Response:
    resp = VoiceResponse()
    resp.hangup()
    return twiml(str(resp))


def _sorry(request: web.Request) -> web.Response:
    resp = VoiceResponse()
    say(resp, _prompt(request.app[MANAGER].bot, "hold_unavailable"), request.app[CONFIG])
    resp.hangup()
    return twiml(str(resp))


@when_store_down(_keep_holding)
async def hold(request: web.Request) -> web.Response:
    """Twilio asks this each time the previous answer has played, for as long as the caller is in the queue."""
    params = await read_form(request)
    app, cfg = request.app, request.app[CONFIG]
    contact = await app[DESK].contact(params["CallSid"])
    if contact is not None and contact.status in ("closed", "abandoned"):
        return _sorry(request)  # nobody will answer: an agent closed the call without taking it
    resp = VoiceResponse()
    if contact is not None and (contact.status == "released" or (contact.status == "assigned" and cfg.agent_dial)):
        resp.leave()  # the <Enqueue action> (hold_done) puts the caller through
        return twiml(str(resp))
    # still waiting, accepted by an agent whose own phone takes the call from the Twilio queue, or unknown
    # to this desk (a Redis store keeps the desk in each process): the caller keeps holding
    if (contact is None or contact.status == "queued") and _seconds(params.get("QueueTime")) >= REMINDER_AFTER_S:
        bot = app[MANAGER].bot
        wait = await app[ACD].wait_in_line(app[DESK], contact) if contact is not None else None
        say(resp, wait_prompt(bot, app[ACD], wait, reminder=True) or _prompt(bot, "hold_reminder"), cfg)
    _music(resp, cfg)
    return twiml(str(resp))


@when_store_down(_sorry)
async def hold_done(request: web.Request) -> web.Response:
    """The caller left the queue: `QueueResult` says how (leave, hangup, bridged, redirected, queue-full, error)."""
    params = await read_form(request)
    desk, sid = request.app[DESK], params["CallSid"]
    result = params.get("QueueResult", "")
    if result == "hangup":
        await left_the_queue(request.app, sid)
        log.info("call %s hung up on hold after %s s", sid, _seconds(params.get("QueueTime")))
        return twiml(str(VoiceResponse()))
    if result == "redirected":
        return twiml(str(VoiceResponse()))  # moved on by the REST API: that URL's TwiML runs instead
    if result == "bridged":  # an agent's phone took the call from the queue, and the conversation is over
        return _hang_up()
    contact = await desk.contact(sid)
    if result == "leave" and contact is not None:
        put_through = await _put_through(request, params, contact)
        if put_through is not None:
            return put_through
    log.warning("call %s left the queue (%s) with nobody to take it", sid, result or "no result")
    await left_the_queue(request.app, sid)
    return _sorry(request)


@when_store_down(_sorry)
async def agent_done(request: web.Request) -> web.Response:
    """The agent's leg ended (`DialCallStatus`): back in a queue, back to the bot, or the end of the call."""
    params = await read_form(request)
    app, sid = request.app, params["CallSid"]
    contact = await app[DESK].contact(sid)
    notice = "hold_transferred"  # the agent moved the call to another team in the console (転送)
    if contact is not None and contact.status == "assigned" and params.get("DialCallStatus") in UNANSWERED:
        # the agent accepted in the console but their phone did not answer: back in the queue for another
        try:
            contact = await app[DESK].transfer(sid, contact.agent or "", contact.queue)
        except DeskError as exc:
            log.warning("call %s could not go back in the queue: %s", sid, exc.message)
            return _sorry(request)
        notice = "hold_reminder"
    if contact is not None and contact.status == "queued":
        app[WAITS].invalidate()
        resp = VoiceResponse()
        say(resp, _prompt(app[MANAGER].bot, notice), app[CONFIG])
        leave(resp, Handover("transfer", contact.reason, contact.queue, contact.priority, contact.case_id), app[CONFIG])
        return twiml(str(resp))
    if contact is not None and contact.status == "released":
        return await _back_to_bot(request, params, contact)
    return _hang_up()  # the agent finished the call


async def _put_through(request: web.Request, params: dict[str, str], contact: Contact) -> web.Response | None:
    cfg = request.app[CONFIG]
    if contact.status == "assigned" and cfg.agent_dial and contact.agent:
        resp = VoiceResponse()
        say(resp, _prompt(request.app[MANAGER].bot, "hold_connecting"), cfg)
        # the caller hears ringing until the agent answers; the case id travels for the agent's softphone
        dial = resp.dial(action=AGENT_DONE_PATH, method="POST", answer_on_bridge=True, timeout=20)
        target = cfg.agent_dial.format(agent=contact.agent)
        if target.startswith("client:"):
            dial.client(target.removeprefix("client:"))
        elif target.startswith("sip:"):
            dial.sip(target)
        else:
            dial.number(target)
        log.info("call %s put through to %s", contact.id, contact.agent)
        return twiml(str(resp))
    if contact.status == "released" and contact.bot_session:
        return await _back_to_bot(request, params, contact)
    return None


async def _back_to_bot(request: web.Request, params: dict[str, str], contact: Contact) -> web.Response:
    """An agent gave the call back to the bot: a new bot session of the same conversation (as on chat), whose
    turns carry its name in their URLs (the CallSid stays the call's)."""
    app = request.app
    manager, cfg, session = app[MANAGER], app[CONFIG], contact.bot_session or f"{contact.id}-r1"
    if await manager.view(session) is None:
        reply = await start_call(manager, session, params.get("From"), app.get(FIXED_NOW))
    else:  # the same webhook delivered twice: the session already greeted, so just listen again
        reply = apology(None)
    reply = replace(reply, prompts=(_prompt(manager.bot, "hold_back_to_bot"), *reply.prompts))
    reply = await to_desk(request, contact.id, reply)
    nonce = new_nonce()
    app[LAST_REPLIES].put(session, reply, nonce)
    return twiml(render(reply, cfg, nonce, session))


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app.router.add_post(HOLD_PATH, hold)
    app.router.add_post(HOLD_DONE_PATH, hold_done)
    app.router.add_post(AGENT_DONE_PATH, agent_done)
