"""The agents' live-chat API (SPEC 7.6): the queue, accept, messages, release, transfer, close, agent states.

JSON over HTTP behind the console login (ivr/agent_console.py). Every refusal is a 4xx with `{"error": ...}`:
401 without a login, 403 for a queue the user has no skill for (harassment: supervisors only) or a
cross-site post, 404 for an unknown conversation, 409 when the conversation is not in a state that allows
the request (not accepted, accepted by someone else, already closed), 400 for a body that is not the JSON
asked for. State lives in the hand-over desk (dialogue/desk.py), so any worker can serve any request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from aiohttp import web

from dialogue.crm import customer_of
from dialogue.desk import AGENT_STATES, MAX_MESSAGE_CHARS, Contact, DeskError
from dialogue.locks import Coordination, LocalLocks
from dialogue.records import add_turns, annotate
from ivr.agent_console import (
    AUTH,
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW_S,
    LoginThrottle,
    User,
    _json,
    _same_origin,
    api_user,
    queue_labels,
)
from ivr.app_keys import MANAGER
from ivr.desk_app import ACD, DESK, MOVES, WAITS, segment_turns, transcript

log = logging.getLogger("ivr.agent_api")
MAX_DISPOSITION_CHARS = 200
MAX_NOTE_CHARS = 1000
_STATUS = {"not_found": 404, "conflict": 409, "forbidden": 403, "invalid": 400}


def _error(status: int, message: str) -> web.HTTPException:
    cls = {400: web.HTTPBadRequest, 403: web.HTTPForbidden, 404: web.HTTPNotFound, 409: web.HTTPConflict}[status]
    return cls(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json")


async def _body(request: web.Request) -> dict[str, Any]:
    if not _same_origin(request):
        raise _error(403, "cross-site request refused")
    if not request.can_read_body:
        return {}
    try:
        data = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise _error(400, "the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise _error(400, "the body must be a JSON object")
    return data


def _text(data: dict[str, Any], key: str, limit: int, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _error(400, f"'{key}' must be a non-empty string")
    if len(value) > limit:
        raise _error(400, f"'{key}' is longer than {limit} characters")
    return value.strip()


def _may_see(request: web.Request, user: User, contact: Contact) -> bool:
    """Harassment and the supervisor queue are for supervisors only (kasu-hara policy)."""
    if user.supervisor:
        return True
    return contact.queue != "supervisor" and contact.reason != "harassment"


async def _contact(request: web.Request, user: User) -> Contact:
    cid = request.match_info["cid"]
    contact = await request.app[DESK].contact(cid)
    if contact is None or not _may_see(request, user, contact):
        raise _error(404, f"no conversation {cid} waits for a person")
    return contact


def _row(contact: Contact, now: float, note: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "conversation_id": contact.id,
        "channel": contact.channel,
        "queue": contact.queue,
        "priority": contact.priority,
        "waiting_seconds": round(max(0.0, now - contact.queued_at), 1) if contact.status == "queued" else 0.0,
        "status": contact.status,
        "reason": contact.reason,
        "agent": contact.agent,
        "agent_name": contact.agent_name,
        "case_id": contact.case_id,
        "case_note": note,
        "customer_id": customer_of(contact.caller, note),
    }


async def _note(request: web.Request, contact: Contact) -> dict[str, Any] | None:
    return await request.app[MANAGER].case_note(contact.case_id) if contact.case_id else None


def _desk_error(exc: DeskError) -> web.HTTPException:
    return _error(_STATUS[exc.code], exc.message)


# -- the queue and agent states -------------------------------------------------------------------------------


async def api_queue(request: web.Request) -> web.Response:
    user = await api_user(request)
    desk = request.app[DESK]
    now = time.time()
    waiting = [c for c in await desk.waiting() if _may_see(request, user, c)]
    mine = [c for c in await desk.open_contacts() if c.status == "assigned" and c.agent == user.name]
    me = await desk.agent(user.name)
    waits = {q: round(s, 1) for q, s in (await request.app[WAITS]()).items()}
    return _json({
        "queue": [_row(c, now, await _note(request, c)) for c in waiting],
        "assigned": [_row(c, now, await _note(request, c)) for c in mine],
        "me": {"name": user.name, "role": user.role, "state": me.state if me else "offline",
               "skills": list(me.skills) if me else list(request.app[ACD].skills_of(user.name, user.role))},
        "queues": list(request.app[ACD].queues),
        "queue_labels": queue_labels(request.app),  # the bot's names for them (escalation_rules/queues.yaml)
        "estimated_wait_seconds": waits,
    })


async def api_agents(request: web.Request) -> web.Response:
    user = await api_user(request)
    agents = await request.app[DESK].agents()
    if not user.supervisor:
        agents = [a for a in agents if a.name == user.name]
    return _json({"agents": [{"name": a.name, "display_name": a.display_name, "state": a.state, "since": a.since,
                              "skills": list(a.skills)} for a in agents]})


async def api_state(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    state = data.get("state")
    if state not in AGENT_STATES:
        raise _error(400, f"'state' must be one of {', '.join(AGENT_STATES)}")
    app = request.app
    agent = await app[DESK].set_agent_state(user.name, state, display_name=app[AUTH].display_name(user),
                                            skills=app[ACD].skills_of(user.name, user.role))
    app[WAITS].invalidate()
    return _json({"name": agent.name, "state": agent.state})


# -- one conversation ------------------------------------------------------------------------------------------


async def api_accept(request: web.Request) -> web.Response:
    user = await api_user(request)
    await _body(request)
    contact = await _contact(request, user)
    app = request.app
    if not user.supervisor and not app[ACD].can_answer(app[ACD].skills_of(user.name, user.role), contact.queue):
        raise _error(403, f"queue '{contact.queue}' needs a skill {user.name} does not have")
    before = contact
    try:
        contact = await app[DESK].accept(contact.id, user.name, app[AUTH].display_name(user))
    except DeskError as exc:
        raise _desk_error(exc) from None
    app[WAITS].invalidate()
    await app[MOVES](before, contact)
    log.info("%s accepted %s (%s)", user.name, contact.id, contact.queue)
    return _json(_row(contact, time.time(), await _note(request, contact)))


async def api_messages(request: web.Request) -> web.Response:
    user = await api_user(request)
    contact = await _contact(request, user)
    return _json({"conversation_id": contact.id, "status": contact.status, "agent": contact.agent,
                  "messages": await transcript(request.app, contact.id)})


async def api_post_message(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    text = _text(data, "text", MAX_MESSAGE_CHARS, required=True)
    contact = await _contact(request, user)
    if contact.channel == "voice":  # the caller hears the agent on the phone: a chat message reaches nobody
        raise _error(409, f"conversation {contact.id} is a phone call: talk to the caller on the phone "
                          "(messages are for chats; notes, transfer, release and close work)")
    try:
        msg = await request.app[DESK].post(contact.id, user.name, text or "")
    except DeskError as exc:
        raise _desk_error(exc) from None
    return _json({"seq": msg.seq, "speaker": "agent", "text": msg.text, "at": msg.at, "agent_name": msg.author_name},
                 status=201)


async def api_release(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    note = _text(data, "note", MAX_NOTE_CHARS, required=False)
    contact = await _contact(request, user)
    bot_session = f"{contact.id}-r{contact.bot_sessions}"
    handed_over_by = _handing_session(contact)
    try:
        contact = await request.app[DESK].release(contact.id, user.name, note, bot_session)
    except DeskError as exc:
        raise _desk_error(exc) from None
    await _record(request, contact, user, handed_over_by)
    return _json(_row(contact, time.time(), None))


async def api_transfer(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    queue = data.get("queue")
    acd = request.app[ACD]
    if not isinstance(queue, str) or queue not in acd.queues:
        raise _error(400, f"'queue' must be one of {', '.join(acd.queues)}")
    priority = data.get("priority")
    if priority is not None and (not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 9):
        raise _error(400, "'priority' must be an integer from 0 to 9")
    contact = await _contact(request, user)
    if contact.reason == "harassment" and queue != "supervisor":
        raise _error(403, "harassment stays with supervisors")
    before = contact
    try:
        contact = await request.app[DESK].transfer(contact.id, user.name, queue, priority)
    except DeskError as exc:
        raise _desk_error(exc) from None
    request.app[WAITS].invalidate()
    await request.app[MOVES](before, contact)
    return _json(_row(contact, time.time(), None))


async def api_close(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    disposition = _text(data, "disposition", MAX_DISPOSITION_CHARS, required=True)
    contact = await _contact(request, user)
    try:
        contact = await request.app[DESK].close_contact(contact.id, user.name, disposition or "")
    except DeskError as exc:
        raise _desk_error(exc) from None
    await _record(request, contact, user, _handing_session(contact))
    return _json(_row(contact, time.time(), None))


def _handing_session(contact: Contact) -> str:
    """The bot session whose hand-over the agent is answering: the first, or the one after the last release."""
    return contact.bot_session if contact.bot_sessions > 1 and contact.bot_session else contact.id


async def _record(request: web.Request, contact: Contact, user: User, session: str) -> None:
    """The agent's part joins the record of the bot session that handed the conversation over (records'
    `add_turns`), and the case note, so the contact's record is whole (one transcript)."""
    manager = request.app[MANAGER]
    try:
        await add_turns(manager.store, session, await segment_turns(request.app, contact.id))
    except Exception:  # a store the records cannot append to: the case note below still has it all
        log.exception("could not add the agent's part to the record of %s", session)
    fields: dict[str, Any] = {"agent": user.name, "queue": contact.queue, "wait_seconds": round(contact.wait_s, 1),
                              "handle_seconds": round(contact.handle_s, 1)}
    if contact.disposition:
        fields["disposition"] = contact.disposition
    try:  # what the bot cannot know joins the record: the wallboard's ASA, AHT and service level read it
        await annotate(manager.store, session, **fields)
    except Exception:
        log.exception("could not annotate the record of %s", session)
    if not contact.case_id:
        return
    note = await manager.case_note(contact.case_id)
    if note is None:
        return
    lines = await transcript(request.app, contact.id)
    note.update({
        "agent": user.name,
        "agent_name": request.app[AUTH].display_name(user),
        "disposition": contact.disposition,
        "handover_note": contact.note,
        "queue": contact.queue,
        "wait_seconds": round(contact.wait_s, 1),
        "handle_seconds": round(contact.handle_s, 1),
        "desk_status": contact.status,
        "transcript": [{"speaker": ln["speaker"], "text": ln["text"], "at": ln.get("at")}
                       for ln in lines if ln["speaker"] in ("caller", "bot", "agent")],
    })
    try:
        await manager.store.save_case(contact.case_id, note)
    except Exception:  # the chat goes on; the note keeps the bot's part
        log.exception("could not add the agent's part to %s", contact.case_id)


class SharedLoginThrottle(LoginThrottle):
    """The console's failed-login limit counted by every worker together (issue 13): the failures live in
    the store's engine (PostgreSQL rows, a Redis sorted set; dialogue.locks marks), so that N workers behind
    a load balancer allow LOGIN_MAX_FAILURES tries per name and address, not N times as many."""

    def __init__(self, shared: Coordination, max_failures: int = LOGIN_MAX_FAILURES,
                 window_s: float = LOGIN_WINDOW_S) -> None:
        super().__init__(max_failures, window_s)
        self.shared = shared

    @staticmethod
    def _key(key: tuple[str, str]) -> str:
        # a fixed-length key whatever name an attacker types (and no password-ish text in Redis or SQL)
        return "login:" + hashlib.sha256("\0".join(key).encode()).hexdigest()

    async def retry_after(self, key: tuple[str, str], now: float | None = None) -> int:
        times = await self.shared.marks(self._key(key), self.window_s)
        if len(times) < self.max_failures:
            return 0
        now = time.time() if now is None else now
        return max(1, int(times[-self.max_failures] + self.window_s - now) + 1)

    async def failed(self, key: tuple[str, str], now: float | None = None) -> None:
        await self.shared.mark(self._key(key), self.window_s)

    async def succeeded(self, key: tuple[str, str]) -> None:
        await self.shared.unmark(self._key(key))


def shared_login_limit(app: web.Application) -> None:
    """Workers sharing PostgreSQL or Redis share the failed-login count; one worker keeps it in memory."""
    manager = app.get(MANAGER)
    locks = getattr(manager, "locks", None)
    if locks is not None and not isinstance(locks, LocalLocks) and AUTH in app:
        app[AUTH].throttle = SharedLoginThrottle(locks)


def setup(app: web.Application) -> None:
    shared_login_limit(app)
    r = app.router
    r.add_get("/agent/api/queue", api_queue)
    r.add_get("/agent/api/agents", api_agents)
    r.add_post("/agent/api/state", api_state)
    base = "/agent/api/conversations/{cid}"
    r.add_post(base + "/accept", api_accept)
    r.add_get(base + "/messages", api_messages)
    r.add_post(base + "/messages", api_post_message)
    r.add_post(base + "/release", api_release)
    r.add_post(base + "/transfer", api_transfer)
    r.add_post(base + "/close", api_close)
