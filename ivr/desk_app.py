"""Where the channels find the hand-over desk and the ACD: one of each per application, shared by the chat
socket (ivr/web_chat.py), the voice channels (a call handed to a person waits here, ivr/voice_hold.py) and the
agent console and API (ivr/agent_console.py, ivr/agent_api.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from aiohttp import web

from dialogue.acd import Acd, facts_from, wait_minutes
from dialogue.api import BotReply, Handover, Prompt
from dialogue.bot import Bot
from dialogue.desk import Contact, Desk, open_desk
from dialogue.records import RecordsUnavailable, annotate
from ivr.app_keys import MANAGER

log = logging.getLogger("ivr.desk")
DESK = web.AppKey("desk", Desk)
ACD = web.AppKey("acd", Acd)
WAITS_TTL_S = 2.0  # every bot turn asks for the waits; the desk is read at most this often


class CachedWaits:
    """The live queue waits for the escalation engine, read from the desk at most every WAITS_TTL_S."""

    def __init__(self, desk: Desk, acd: Acd) -> None:
        self.desk = desk
        self.acd = acd
        self._at = 0.0
        self._waits: dict[str, float] = {}

    async def __call__(self) -> Mapping[str, float]:
        now = time.monotonic()
        if now - self._at > WAITS_TTL_S:
            self._waits = await self.acd.waits(self.desk)
            self._at = now
        return self._waits

    def invalidate(self) -> None:
        self._at = 0.0


WAITS = web.AppKey("waits", CachedWaits)

DeskMove = Callable[[Contact, Contact], Awaitable[None]]  # (the contact before, after) a console action


class DeskMoves:
    """What a channel does the moment the console moves a contact (accepted, sent to another team): a phone
    caller held in Twilio's queue is moved at once rather than at their next hold check (ivr/voice_hold.py)."""

    def __init__(self) -> None:
        self.hooks: list[DeskMove] = []

    async def __call__(self, before: Contact, after: Contact) -> None:
        for hook in self.hooks:
            try:
                await hook(before, after)
            except Exception:  # the console's action stands; the channel catches up on its own (the hold check)
                log.exception("moving %s after the console's action failed", after.id)


MOVES = web.AppKey("desk_moves", DeskMoves)


@dataclass(frozen=True, slots=True)
class Queued:
    contact: Contact
    wait_s: float | None  # None: nobody signed in for the queue, so no estimate
    announcement: str | None  # 「ただいま5分ほどでおつなぎできる見込みです。」, for the caller


async def enqueue_handover(app: web.Application, conversation_id: str, channel: str, handover: Handover,
                           language: str | None = None) -> Queued:
    """Put a transfer in the desk with its ACD routing and priority, and say how long the wait is. The chat
    socket calls this; a voice channel that bridges calls to agents can too (the console then shows the
    call's case note in the queue)."""
    desk, acd = app[DESK], app[ACD]
    note = await app[MANAGER].case_note(handover.case_id) if handover.case_id else None
    caller = note.get("caller_phone") if note else None
    caller = caller if isinstance(caller, str) and caller else None
    repeat = caller is not None and await _contacted_lately(app, caller, conversation_id)
    # the contact history's verdict (dialogue/crm.py, in the case note): a third contact about one matter
    repeat = repeat or bool(((note or {}).get("history") or {}).get("escalates"))
    queue, priority = acd.route(facts_from(handover.queue or "general", handover.reason, handover.priority, note,
                                           language, repeat_contact=repeat))
    wait = (await acd.waits(desk)).get(queue)  # a new arrival's: read before this one joins the queue
    contact = await desk.enqueue(Contact(id=conversation_id, channel=channel, queue=queue, reason=handover.reason,
                                         priority=priority, queued_at=0.0, case_id=handover.case_id, caller=caller))
    app[WAITS].invalidate()
    return Queued(contact, wait, acd.announcement(wait))


async def queue_call(app: web.Application, call_id: str, reply: BotReply) -> BotReply:
    """A phone call the bot hands to a person joins the desk, so that the console shows it with its case note
    and an agent can accept it. The reply comes back with the queue and priority the ACD chose (what Twilio's
    queue or TaskRouter gets) and, when the wait is known, the estimate said to the caller in keigo."""
    handover = reply.handover
    if handover is None or handover.kind != "transfer" or DESK not in app:
        return reply
    queued = await enqueue_handover(app, call_id, "voice", handover, reply.language)
    routed = replace(handover, queue=queued.contact.queue, priority=queued.contact.priority)
    said = wait_prompt(app[MANAGER].bot, app[ACD], queued.wait_s)
    log.info("call %s waits in %s (priority %d, estimate %s s)", call_id, routed.queue, routed.priority,
             "unknown" if queued.wait_s is None else round(queued.wait_s))
    return replace(reply, handover=routed, prompts=reply.prompts + ((said,) if said else ()))


def handing_session(contact: Contact) -> str:
    """The bot session whose hand-over the desk is answering: the first, or the one after the last release
    (`<id>-r1`, ...). Its record gets what the desk adds: the agent's part, or that nobody answered."""
    return contact.bot_session if contact.bot_sessions > 1 and contact.bot_session else contact.id


async def left_the_queue(app: web.Application, conversation_id: str) -> Contact | None:
    """A caller who hung up, or a chat user who left, while waiting for a person. The desk's entry becomes
    `abandoned` (it leaves the console's queue) and so does the record of the session that handed it over,
    with its queue and wait: the wallboard's abandonment rate and service level count it (dialogue/kpis.py),
    and the export shows it. The hand-over's reason stays. A contact an agent already took, released or
    closed is left as it is; the desk's contact (None if it never reached the desk) is returned."""
    contact = await app[DESK].abandon(conversation_id)
    if contact is None or contact.status != "abandoned":
        return contact
    if WAITS in app:
        app[WAITS].invalidate()
    manager, session = app[MANAGER], handing_session(contact)
    wait = round(contact.wait_s, 1)
    try:
        await annotate(manager.store, session, outcome="abandoned", queue=contact.queue, wait_seconds=wait)
    except RecordsUnavailable:
        pass  # Redis keeps live state only: no record to correct
    except Exception:  # the store is down: the desk already knows; the record keeps the hand-over
        log.exception("could not record %s as abandoned in the queue", session)
    if contact.case_id:
        try:
            note = await manager.case_note(contact.case_id)
            if note is not None:
                note.update({"desk_status": "abandoned", "queue": contact.queue, "wait_seconds": wait})
                await manager.store.save_case(contact.case_id, note)
        except Exception:
            log.exception("could not add the abandonment to %s", contact.case_id)
    return contact


def wait_prompt(bot: Bot, acd: Acd, wait_s: float | None, *, reminder: bool = False) -> Prompt | None:
    """「ただいま5分ほどでおつなぎできる見込みです」 for a caller on the phone, from the bot's prompts
    (`hold_wait_soon`, `hold_wait_minutes`, and `hold_reminder_*` while on hold), or the ACD's announcement
    (queues/acd.yaml) for a bot without them. None when the wait is unknown: nothing is promised."""
    minutes = wait_minutes(wait_s)
    if minutes is None:
        return None
    key = ("hold_reminder_" if reminder else "hold_wait_") + ("soon" if minutes == 0 else "minutes")
    if bot.prompts.has(key):
        return bot.prompts.render(key, "voice", {"minutes": minutes}, interruptible=False)
    text = acd.announcement(wait_s)
    return Prompt(text, interruptible=False) if text else None


async def _contacted_lately(app: web.Application, caller: str, conversation_id: str) -> bool:
    window_s = app[ACD].config.priority.repeat_window_days * 86400
    now = time.time()
    return any(c.caller == caller and c.id != conversation_id and now - (c.first_queued_at or c.queued_at) <= window_s
               for c in await app[DESK].recent(("queued", "assigned", "released", "closed", "abandoned"),
                                               since=now - window_s))


async def _close_desk(app: web.Application) -> None:
    await app[DESK].close()


def ensure_desk(app: web.Application) -> Desk:
    """Create the desk next to the session store, once, and give the dialogue manager its queue waits."""
    if DESK not in app:
        manager = app[MANAGER]
        app[DESK] = open_desk(manager.store)
        app[ACD] = Acd.load().covering(manager.escalation.hours.queues)
        app[WAITS] = CachedWaits(app[DESK], app[ACD])
        app[MOVES] = DeskMoves()
        manager.queue_waits = app[WAITS]
        manager.exits.waits = app[WAITS]  # a flow's own hand-over (menu key 0) minds the wait too
        app.on_cleanup.append(_close_desk)
    return app[DESK]


# -- one transcript: the bot's sessions and the desk's messages, in order ------------------------------------

USER_NOTICES = {
    "released": "担当者から自動応答にお戻しいたします。引き続きご用件をお伺いします。",
    "transferred": "より適切な担当窓口におつなぎいたします。このまま少々お待ちください。",
    "closed": "担当者とのチャットを終了いたしました。お問い合わせいただき、ありがとうございました。",
}


def _bot_lines(events: list[dict[str, object]]) -> list[dict[str, object]]:
    """The bot's part of a session: up to its end (what follows, an agent's part that the records keep with
    `add_turns`, comes from the desk's messages here)."""
    lines: list[dict[str, object]] = []
    for e in events:
        if e.get("type") == "end":
            break
        if e.get("type") in ("caller", "bot") and e.get("text"):
            lines.append({"speaker": str(e["type"]), "text": str(e.get("text", "")), "at": e.get("at")})
    return lines


async def segment_turns(app: web.Application, cid: str) -> list[dict[str, object]]:
    """The user's and agents' messages since the conversation last joined the queue: the part of the talk
    that follows the bot session which handed it over."""
    turns: list[dict[str, object]] = []
    for m in await app[DESK].messages(cid):
        if m.kind == "system" and m.event == "queued":
            turns = []
        elif m.kind in ("user", "agent"):
            turns.append({"speaker": "caller" if m.kind == "user" else "agent", "text": m.text, "at": m.at})
    return turns


async def transcript(app: web.Application, cid: str, *, for_user: bool = False) -> list[dict[str, object]]:
    """Every line of a handed-over conversation: the bot's transcript up to the hand-over, the user's and the
    agents' messages, and the bot's again after each release. `for_user` keeps what the user was shown."""
    manager = app[MANAGER]
    lines = _bot_lines(await manager.events(cid))
    for m in await app[DESK].messages(cid):
        if m.kind == "user":
            lines.append({"speaker": "caller", "text": m.text, "at": m.at})
        elif m.kind == "agent":
            lines.append({"speaker": "agent", "text": m.text, "at": m.at, "agent_name": m.author_name})
        elif m.kind == "system" and m.event:
            shown = m.text if m.event == "accepted" else USER_NOTICES.get(m.event)
            if for_user:
                if shown:
                    lines.append({"speaker": "notice", "text": shown, "at": m.at})
            else:
                lines.append({"speaker": "system", "event": m.event, "text": m.text, "at": m.at,
                              "agent": m.author})
        if m.kind == "system" and m.event == "released" and m.session_id:
            lines.extend(_bot_lines(await manager.events(m.session_id)))
    return lines
