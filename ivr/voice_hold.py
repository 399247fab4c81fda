"""A phone caller handed to a person: held in Twilio's queue, put through to the agent who accepts the call.

POST /voice/twilio/hold              the `<Enqueue waitUrl>`: hold music, now and then the wait in keigo, and
                                     `<Leave/>` once a console agent accepted the call (or gave it back to the bot)
POST /voice/twilio/hold/done         the `<Enqueue action>`: after `<Leave/>`, `<Dial>` the agent or the bot again;
                                     a caller who hung up on hold leaves the desk's queue (`abandoned`)
POST /voice/twilio/hold/moved        where Twilio's REST API redirects a held caller the moment a console agent
                                     accepts them or moves them to another team (with TWILIO_ACCOUNT_SID and
                                     IVR_PUBLIC_URL set; without them the next hold check does it): as hold/done
POST /voice/twilio/hold/agent-done   the `<Dial action>` of the agent's leg: the bot again after a release, the
                                     queue again when the agent did not answer, else the end of the call
POST /voice/twilio/agent             the agents' line (without IVR_AGENT_DIAL): an agent's phone calls in and gets
                                     `<Dial><Queue>`: the caller they accepted in the console, else the caller
                                     the ACD ranks first in the queues they may answer (priority, then the
                                     longest wait: the console queue's order)
POST /voice/twilio/agent/bridged     the `<Queue url>`: Twilio dequeued a caller for that agent's phone; the desk
                                     gives the call to that agent (the console pops its case note)

Without IVR_AGENT_DIAL, Twilio's queue follows the desk: a caller an agent accepts in the console moves to that
agent's own queue (`agent-<name>`), and one moved to another team (転送) to that team's queue, each through
`<Leave/>` and the `<Enqueue action>` (the waitUrl names the queue the caller is in: `?queue=`).

The desk (ivr/desk_app.py) is the truth: any worker answers any of these, since the desk lives in the shared
store. docs/voice-protocol.md.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from aiohttp import ClientError, web
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from dialogue.acd import SUPERVISOR
from dialogue.api import Handover, Prompt
from dialogue.bot import Bot
from dialogue.desk import OPEN, Contact, DeskError, in_line_order
from ivr.agent_console import AUTH, User
from ivr.app_keys import MANAGER
from ivr.desk_app import ACD, DESK, MOVES, WAITS, ensure_desk, left_the_queue, wait_prompt
from ivr.twilio_rest import TwilioHttp, rest_client
from ivr.voice_common import (
    AGENT_BRIDGED_PATH,
    AGENT_DONE_PATH,
    AGENT_LINE_PATH,
    CONFIG,
    HOLD_DONE_PATH,
    HOLD_MOVED_PATH,
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
AGENT_LINE_WAIT_S = 60  # an agent's phone on the line waits this long for a caller to reach the queue it dials
REDIRECT_TIMEOUT_S = 5.0  # the console's accept waits at most this for Twilio; else the next hold check moves them


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
    if contact is not None and await _must_move(request, contact):
        resp.leave()  # the <Enqueue action> (hold_done) puts the caller in the queue the desk says
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
        contact = await left_the_queue(request.app, sid)
        if contact is not None and contact.status == "assigned":  # accepted, gone before an agent's phone took it
            await desk.say(sid, "system", "お客様が電話を切られました", event="hung_up")
        log.info("call %s hung up on hold after %s s", sid, _seconds(params.get("QueueTime")))
        return twiml(str(VoiceResponse()))
    if result == "redirected":
        return twiml(str(VoiceResponse()))  # moved on by the REST API: that URL's TwiML runs instead
    contact = await desk.contact(sid)
    if result == "bridged":  # an agent's phone took the call from the queue (<Dial><Queue>), and hung up
        if contact is not None and contact.status == "released":  # 自動応答に戻す while on the phone
            return await _back_to_bot(request, params, contact)
        if contact is not None and contact.status == "queued" and not request.app[CONFIG].workflow_sid:
            return _requeue(request, contact, "hold_transferred")  # 転送 while on the phone
        return _hang_up()
    if result == "leave" and contact is not None:
        put_through = await _put_through(request, params, contact)
        if put_through is not None:
            return put_through
    log.warning("call %s left the queue (%s) with nobody to take it", sid, result or "no result")
    await left_the_queue(request.app, sid)
    return _sorry(request)


@when_store_down(_sorry)
async def hold_moved(request: web.Request) -> web.Response:
    """Twilio's REST API took the caller out of the queue because the console moved them (`_redirect`): put them
    through as `<Leave/>` would have, or into the Twilio queue the desk now names."""
    params = await read_form(request)
    contact = await request.app[DESK].contact(params["CallSid"])
    if contact is not None and contact.status in OPEN:
        put_through = await _put_through(request, params, contact)
        if put_through is not None:
            return put_through
        return _requeue(request, contact, "hold_reminder")  # nothing to do after all: back where they were
    if contact is not None and contact.status == "released" and contact.bot_session:
        return await _back_to_bot(request, params, contact)
    await left_the_queue(request.app, params["CallSid"])
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
    if not cfg.agent_dial and not cfg.workflow_sid and contact.status in OPEN:
        # accepted in the console: the agent's own queue, for their phone; moved to another team: that team's
        if contact.status == "assigned" and contact.agent:
            return _requeue(request, contact, "hold_connecting")
        if contact.status == "queued":
            return _requeue(request, contact, "hold_transferred")
    return None


def agent_queue(agent: str) -> str:
    """The Twilio queue where a caller an agent accepted in the console waits for that agent's phone."""
    return f"agent-{agent}"[:64]


def _line_queue(contact: Contact) -> str:
    """The Twilio queue the desk wants this waiting caller in (without IVR_AGENT_DIAL)."""
    return agent_queue(contact.agent) if contact.status == "assigned" and contact.agent else contact.queue


def _requeue(request: web.Request, contact: Contact, notice: str) -> web.Response:
    app, queue = request.app, _line_queue(contact)
    resp = VoiceResponse()
    say(resp, _prompt(app[MANAGER].bot, notice), app[CONFIG])
    resp.enqueue(queue, wait_url=f"{HOLD_PATH}?queue={quote(queue)}", wait_url_method="POST",
                 action=HOLD_DONE_PATH, method="POST")
    log.info("call %s waits in Twilio's queue %s", contact.id, queue)
    return twiml(str(resp))


async def _must_move(request: web.Request, contact: Contact) -> bool:
    """Without IVR_AGENT_DIAL: is the caller in another Twilio queue than the desk says (accepted in the console,
    or moved to another team)? The waitUrl names the queue (`?queue=`) except for the first `<Enqueue>`, which
    is the queue the ACD chose: stale once an agent accepted the call or moved it."""
    cfg = request.app[CONFIG]
    if cfg.agent_dial or cfg.workflow_sid or contact.status not in OPEN:
        return False
    named = request.query.get("queue")
    if named is not None:
        return named != _line_queue(contact)
    if contact.status == "assigned":
        return True
    last = None
    for m in await request.app[DESK].messages(contact.id):
        if m.kind == "system" and m.event in ("queued", "transferred"):
            last = m.event
    return last == "transferred"


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


# -- the agents' line: an agent's phone takes the caller first in line (the console queue's order) -----------------


def _agent_of(request: web.Request, params: dict[str, str]) -> User | None:
    """The console user on the agents' line: `?agent=` in the line's (signed) webhook URL, else the identity
    of a Twilio Client softphone (`From=client:alice`) or a SIP endpoint (`sip:alice@…`)."""
    auth = request.app.get(AUTH)
    if auth is None:
        return None
    name = request.query.get("agent")
    caller = params.get("From", "")
    if not name and caller.startswith("client:"):
        name = caller.removeprefix("client:")
    elif not name and caller.startswith("sip:"):
        name = caller.removeprefix("sip:").partition("@")[0]
    return auth.users.get(name or "")


def _may_take(request: web.Request, user: User, contact: Contact) -> bool:
    """What the console lets this agent accept: a queue they have a skill for; harassment for supervisors only."""
    if user.supervisor:
        return True
    acd = request.app[ACD]
    return (contact.queue != SUPERVISOR and contact.reason != "harassment"
            and acd.can_answer(acd.skills_of(user.name, user.role), contact.queue))


async def _awaits_phone(request: web.Request, contact: Contact) -> bool:
    """Is this call, accepted in the console, still waiting for the agent's phone (not taken by it yet, and the
    caller has not hung up)?"""
    last = None
    for m in await request.app[DESK].messages(contact.id):
        if m.kind == "system" and m.event in ("accepted", "queued", "transferred", "connected", "hung_up"):
            last = m.event
    return last == "accepted"


async def line_queue_for(request: web.Request, user: User) -> str | None:
    """The Twilio queue the agent's phone dials: the caller they accepted in the console (their own queue),
    else the caller the ACD ranks first among those they may take, in the console queue's order (priority,
    then the longest wait: dialogue.desk.in_line_order); None: nobody waits. Twilio's `<Dial><Queue>` takes
    the front of a queue, first in, first out: when someone who came earlier waits in front of that caller in
    the same Twilio queue, the caller is given to this agent on the desk and moves to the agent's own queue at
    the next hold request (as after an accept in the console). Callers who hung up are `abandoned` on the desk
    (Twilio drops them from its queue), so they never count."""
    app = request.app
    contacts = [c for c in await app[DESK].open_contacts() if c.channel == "voice"]
    if not app[CONFIG].agent_dial:
        for c in sorted((c for c in contacts if c.status == "assigned" and c.agent == user.name),
                        key=lambda c: c.accepted_at or 0.0):
            if await _awaits_phone(request, c):
                return agent_queue(user.name)
    queued = [c for c in contacts if c.status == "queued"]
    for first in sorted((c for c in queued if _may_take(request, user, c)), key=in_line_order):
        in_front = any(c.queue == first.queue and c.queued_at < first.queued_at for c in queued)
        auth = app.get(AUTH)
        if not in_front or app[CONFIG].agent_dial or auth is None:
            return first.queue
        try:
            await app[DESK].accept(first.id, user.name, auth.display_name(user))
        except DeskError:  # another agent took it a moment ago: the next in line
            continue
        app[WAITS].invalidate()
        log.info("call %s, first in line, goes ahead of earlier callers to %s's phone", first.id, user.name)
        return agent_queue(user.name)
    return None


def _line_down(request: web.Request) -> web.Response:
    resp = VoiceResponse()
    say(resp, _prompt(request.app[MANAGER].bot, "hold_unavailable"), request.app[CONFIG])
    resp.hangup()
    return twiml(str(resp))


@when_store_down(_line_down)
async def agent_line(request: web.Request) -> web.Response:
    """An agent's phone calls the agents' line: `<Dial><Queue>` of the caller they are to take, or a word and
    a hang-up when nobody waits (or the phone is not an agent's)."""
    params = await read_form(request)
    cfg = request.app[CONFIG]
    resp = VoiceResponse()
    user = _agent_of(request, params)
    queue = await line_queue_for(request, user) if user is not None else None
    if user is None or queue is None:
        # said to agents on their own line, not to customers (prompts agent_line_*)
        key = "agent_line_not_an_agent" if user is None else "agent_line_nobody_waiting"
        say(resp, _prompt(request.app[MANAGER].bot, key), cfg)
        resp.hangup()
        if user is None:
            log.warning("agents' line: %s is not a console user", params.get("From", "")[:40])
        return twiml(str(resp))
    dial = resp.dial(timeout=AGENT_LINE_WAIT_S)
    dial.queue(queue, url=f"{AGENT_BRIDGED_PATH}?agent={quote(user.name)}", method="POST")
    log.info("agent %s takes the next caller from %s", user.name, queue)
    return twiml(str(resp))


def _connecting(request: web.Request) -> web.Response:
    resp = VoiceResponse()
    say(resp, _prompt(request.app[MANAGER].bot, "hold_connecting"), request.app[CONFIG])
    return twiml(str(resp))


@when_store_down(_connecting)
async def agent_bridged(request: web.Request) -> web.Response:
    """Twilio dequeued a caller (CallSid) for the agent's phone (DequeueingCallSid): the desk gives the call to
    that agent, whoever had accepted it in the console, and the caller hears `hold_connecting` (the `<Queue
    url>` TwiML may only Say, Play, Pause or Redirect)."""
    params = await read_form(request)
    app, sid = request.app, params["CallSid"]
    auth = app.get(AUTH)
    user = auth.users.get(request.query.get("agent", "")) if auth is not None else None
    desk = app[DESK]
    contact = await desk.contact(sid)
    if user is not None and auth is not None and contact is not None and contact.status in OPEN:
        try:
            if contact.status == "assigned" and contact.agent != user.name:  # the phone that took it has it
                contact = await desk.transfer(sid, contact.agent or "", contact.queue)
            await desk.accept(sid, user.name, auth.display_name(user))
            await desk.say(sid, "system", user.name, event="connected", author=user.name)
        except DeskError as exc:
            log.warning("call %s bridged to %s but not given to them on the desk: %s", sid, user.name, exc.message)
        else:
            app[WAITS].invalidate()
            log.info("call %s put through to %s's phone after %s s", sid, user.name, _seconds(params.get("QueueTime")))
    return _connecting(request)


class CallRedirects:
    """Twilio's REST client, opened on first use (in the running loop) and closed with the application."""

    def __init__(self) -> None:
        self._client: tuple[Client, TwilioHttp] | None = None

    def client(self, cfg: VoiceConfig) -> Client:
        if self._client is None:
            self._client = rest_client(cfg.account_sid or "", cfg.auth_token or "", cfg.api_url,
                                       timeout_s=REDIRECT_TIMEOUT_S)
        return self._client[0]

    async def close(self, _app: web.Application) -> None:
        if self._client is not None:
            await self._client[1].close()


REDIRECTS = web.AppKey("call_redirects", CallRedirects)


def _moves_now(cfg: VoiceConfig, before: Contact, after: Contact) -> bool:
    """Does the console's action change what a caller held in Twilio's queue must hear next? Only a caller
    still waiting (`queued` before) is redirected: one already bridged to an agent's phone must not be cut off."""
    if not (cfg.account_sid and cfg.auth_token and cfg.public_base_url) or cfg.workflow_sid:
        return False
    if after.channel != "voice" or before.status != "queued":
        return False
    if after.status == "assigned":
        return True  # accepted: put through to the agent (IVR_AGENT_DIAL) or into the agent's own queue
    return after.status == "queued" and not cfg.agent_dial and after.queue != before.queue  # 転送


async def _redirect(app: web.Application, before: Contact, after: Contact) -> None:
    cfg = app[CONFIG]
    if not _moves_now(cfg, before, after):
        return
    url = f"{(cfg.public_base_url or '').rstrip('/')}{HOLD_MOVED_PATH}"
    client = app[REDIRECTS].client(cfg)
    try:
        await client.calls(after.id).update_async(url=url, method="POST")
    except (TimeoutError, TwilioRestException, ClientError) as exc:
        # the call may have ended, or Twilio is slow: the caller's next hold check moves them instead
        log.warning("call %s could not be moved at once (%s); the next hold check will", after.id, exc)
        return
    log.info("call %s moved out of Twilio's queue %s by the console", after.id, before.queue)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    ensure_desk(app)
    app[REDIRECTS] = redirects = CallRedirects()
    app.on_cleanup.append(redirects.close)

    async def redirect(before: Contact, after: Contact) -> None:
        await _redirect(app, before, after)

    app[MOVES].hooks.append(redirect)
    app.router.add_post(HOLD_MOVED_PATH, hold_moved)
    app.router.add_post(HOLD_PATH, hold)
    app.router.add_post(HOLD_DONE_PATH, hold_done)
    app.router.add_post(AGENT_DONE_PATH, agent_done)
    app.router.add_post(AGENT_LINE_PATH, agent_line)
    app.router.add_post(AGENT_BRIDGED_PATH, agent_bridged)
