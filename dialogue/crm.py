"""Contact history (CRM): who is calling, what they contacted us about before, and whether they are flagged.

A customer is a key: a phone number in national digits (0312345678, as the caller id arrives) or an e-mail
address in lower case. Every finished contact (dialogue.records) is filed under the caller id, the number
the caller gave the bot (the `phone_number` slot) and the case note's phone (dialogue/customer_keys.py): the
store writes those keys in an indexed table when the contact ends, so a customer's history is one query for
that customer's newest contacts, never a read of everyone's records, and every worker sees a contact the
moment it is saved. (An earlier index of every record in each process, refreshed from the store every few
seconds, re-read hours of records on the event loop: turn p99 went to seconds under load.)

Harassment flags set by a supervisor in the console live in the hand-over desk (dialogue/desk.py), as
system messages on the conversation id `crm:<key>`: an append-only log shared by every worker, whose last
flag/unflag wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from dialogue.api import Handover
from dialogue.clock import TOKYO
from dialogue.customer_keys import contact_keys, customer_key
from dialogue.records import record_of
from dialogue.state import CallState
from dialogue.store import RecordStore, SessionStore

log = logging.getLogger(__name__)
LOOKBACK_DAYS = 90  # how far back a profile reaches
PROFILE_LIMIT = 200  # contacts a console profile lists (newest first)
# contacts the dialogue manager reads for a repeat count: more than any customer makes in the window; a
# caller past it is a repeat caller whatever the exact count (and a turn stays cheap for a number that
# calls all day, a shop's own phone or a test line)
DIALOGUE_LIMIT = 20
REPEAT_WINDOW_DAYS = 7
HISTORY_WAIT_S = 1.5  # a caller is not kept waiting for the history by a slow store
FLAG_PREFIX = "crm:"
_NOT_TOPICS = frozenset({"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope",
                         "operator_request"})
__all__ = ["customer_key"]  # re-exported: callers know it as dialogue.crm.customer_key


def customer_of(caller: str | None, note: Mapping[str, Any] | None) -> str | None:
    """The customer a hand-over is about: the caller id, else the number the caller gave the bot."""
    slots = (note or {}).get("slots") or {}
    for raw in (caller, (note or {}).get("caller_phone"), slots.get("phone_number")):
        if isinstance(raw, str) and (key := customer_key(raw)):
            return key
    return None


def keys_of(record: Mapping[str, Any]) -> set[str]:
    """The customers a record (dialogue.records schema) is filed under."""
    note = record.get("case_note")
    return contact_keys(record, note if isinstance(note, Mapping) else None)


def order_of(record: Mapping[str, Any]) -> str | None:
    note = record.get("case_note")
    slots = note.get("slots") if isinstance(note, Mapping) else None
    order = slots.get("order_id") if isinstance(slots, Mapping) else None
    return str(order) if order else None


@dataclass(frozen=True, slots=True)
class PastContact:
    """One earlier contact as a profile lists it (the transcript stays in the record and the case note)."""

    conversation_id: str
    channel: str
    started_at: datetime
    outcome: str
    reason: str | None
    queue: str | None
    intents: tuple[str, ...]
    order_id: str | None
    slots: Mapping[str, Any]
    summary_ja: str | None
    case_id: str | None
    agent: str | None
    disposition: str | None
    satisfaction: int | None

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for i in self.intents if i not in _NOT_TOPICS))

    def to_json(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "channel": self.channel,
                "started_at": self.started_at.isoformat(timespec="seconds"), "outcome": self.outcome,
                "reason": self.reason, "queue": self.queue, "intents": list(self.intents), "order_id": self.order_id,
                "summary_ja": self.summary_ja, "case_id": self.case_id, "agent": self.agent,
                "disposition": self.disposition, "satisfaction": self.satisfaction}


def past_contact(record: Mapping[str, Any]) -> PastContact:
    raw_note, raw_slots = record.get("case_note"), None
    note: Mapping[str, Any] = raw_note if isinstance(raw_note, Mapping) else {}
    raw_slots = note.get("slots")
    slots: Mapping[str, Any] = raw_slots if isinstance(raw_slots, Mapping) else {}
    return PastContact(
        conversation_id=str(record["conversation_id"]), channel=str(record.get("channel")),
        started_at=datetime.fromisoformat(str(record["started_at"])).astimezone(TOKYO),
        outcome=str(record.get("outcome") or "abandoned"), reason=record.get("reason"), queue=record.get("queue"),
        intents=tuple(str(i) for i in record.get("intents") or ()), order_id=order_of(record), slots=dict(slots),
        summary_ja=note.get("summary_ja"), case_id=note.get("case_id"), agent=record.get("agent"),
        disposition=record.get("disposition"), satisfaction=record.get("satisfaction"))


@dataclass(frozen=True, slots=True)
class Repeat:
    """How this contact stands against the customer's recent ones (the window: REPEAT_WINDOW_DAYS)."""

    count: int  # this contact's number in the window: 3 = the third
    same_matter: int  # of those, how many (this one included) are about the same order or request
    order_id: str | None
    previous: PastContact | None

    @property
    def escalates(self) -> bool:
        """The third contact (or later) about the same matter: priority up, an apology first."""
        return self.same_matter >= 3

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "same_matter": self.same_matter, "order_id": self.order_id,
                "escalates": self.escalates, "previous": self.previous.to_json() if self.previous else None}


def repeat_of(history: Sequence[PastContact], now: datetime, *, order_id: str | None = None,
              intents: Iterable[str] = (), window_days: int = REPEAT_WINDOW_DAYS,
              exclude: str | None = None) -> Repeat:
    """This contact against the earlier ones of the window. Without an order or a request yet (the opening
    of a call), the matter is the latest earlier contact's order."""
    since = now - timedelta(days=window_days)
    recent = sorted((c for c in history if since <= c.started_at <= now and c.conversation_id != exclude),
                    key=lambda c: c.started_at)
    topics = {i for i in intents if i not in _NOT_TOPICS}
    order = order_id or (None if topics else next((c.order_id for c in reversed(recent) if c.order_id), None))
    if order:
        same = [c for c in recent if c.order_id == order]
    elif topics:
        same = [c for c in recent if topics & set(c.topics)]
    else:
        same = []
    return Repeat(count=len(recent) + 1, same_matter=len(same) + 1, order_id=order,
                  previous=recent[-1] if recent else None)


@dataclass(frozen=True, slots=True)
class Flag:
    flagged: bool
    by: str | None = None
    note: str | None = None
    at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"flagged": self.flagged, "by": self.by, "note": self.note, "at": self.at}


class FlagLog(Protocol):
    """Where flags are kept: the hand-over desk's messages (dialogue.desk.Desk has both)."""

    async def say(self, cid: str, kind: Any, text: str, now: float | None = None, **extra: Any) -> int: ...
    async def messages(self, cid: str, after: int = 0) -> Sequence[Any]: ...


@dataclass
class Customers:
    """The contact history of every customer, by key, read from the store per customer; flags from `flags`
    (the desk) when given."""

    store: SessionStore
    flags: FlagLog | None = None
    lookback_days: int = LOOKBACK_DAYS

    async def history(self, key: str | None, *, limit: int = PROFILE_LIMIT,
                      wait_s: float | None = None) -> list[PastContact]:
        """The customer's contacts of the lookback period, newest first, at most `limit`. `wait_s` bounds
        how long a slow store may keep a caller waiting (an empty history then). A store that keeps no
        records (Redis) has no history; one that is down is one warning line and an empty history."""
        return await self.history_of([key] if key else [], limit=limit, wait_s=wait_s)

    async def history_of(self, keys: list[str], *, limit: int = PROFILE_LIMIT,
                         wait_s: float | None = None) -> list[PastContact]:
        """The contacts of a customer known by several keys (a caller id and the number given), each once,
        newest first, in one query; as `history` otherwise."""
        if not keys or not isinstance(self.store, RecordStore):
            return []
        since = datetime.now(TOKYO) - timedelta(days=self.lookback_days)
        try:
            async with asyncio.timeout(wait_s):
                found = await self.store.customer_contacts(keys, since, limit)
        except TimeoutError:
            log.warning("contact history not read in time (the store is slow); the caller is served without it")
            return []
        except Exception as exc:  # noqa: BLE001 (a store that is down: one line, the caller is served anyway)
            log.warning("contact history could not be read: %s", exc)
            return []
        return [past_contact(record_of(c)) for c in found]

    async def flag(self, key: str) -> Flag:
        if self.flags is None:
            return Flag(False)
        found = Flag(False)
        for m in await self.flags.messages(FLAG_PREFIX + key):
            if getattr(m, "event", None) in ("flag", "unflag"):
                found = Flag(m.event == "flag", getattr(m, "author", None), m.text or None, getattr(m, "at", None))
        return found

    async def set_flag(self, key: str, flagged: bool, by: str, note: str = "") -> Flag:
        if self.flags is None:
            raise RuntimeError("flags need the hand-over desk")
        await self.flags.say(FLAG_PREFIX + key, "system", note, event="flag" if flagged else "unflag", author=by)
        return await self.flag(key)

    async def repeat(self, key: str | None, now: datetime, **kw: Any) -> Repeat:
        found = await self.history(key, limit=DIALOGUE_LIMIT, wait_s=HISTORY_WAIT_S)
        return repeat_of(found, now, **kw)


def profile(key: str, history: Sequence[PastContact], flag: Flag, now: datetime) -> dict[str, Any]:
    """What the console shows of a customer: every contact newest first, counts by channel and outcome,
    the open matter (the last week's repeat count) and the harassment flag."""
    newest = sorted(history, key=lambda c: c.started_at, reverse=True)
    by_channel: dict[str, int] = {}
    for c in newest:
        by_channel[c.channel] = by_channel.get(c.channel, 0) + 1
    callbacks = [c for c in newest if c.outcome == "callback"]
    return {
        "customer_id": key,
        "kind": "email" if "@" in key else "phone",
        "contacts": [c.to_json() for c in newest],
        "total": len(newest),
        "by_channel": by_channel,
        "callbacks": len(callbacks),
        "first_contact": newest[-1].started_at.isoformat(timespec="seconds") if newest else None,
        "last_contact": newest[0].started_at.isoformat(timespec="seconds") if newest else None,
        "recent": repeat_of(newest, now).to_json(),
        "flag": flag.to_json(),
    }


# -- what the dialogue manager asks (dialogue/engine.py) ------------------------------------------------------

SUPERVISOR = "supervisor"
FLAGGED_PRIORITY = 7


def call_keys(state: CallState) -> list[str]:
    """The customers a call may be: the caller id, then a number the caller gave."""
    raw = (state.caller_phone, state.slots.get("phone_number"))
    return list(dict.fromkeys(k for r in raw if isinstance(r, str) and (k := customer_key(r))))


async def opening_repeat(customers: Customers, phone: str | None, now: datetime) -> Repeat | None:
    """At the start of a call: the caller's third contact (or later) about one order within the week."""
    key = customer_key(phone)
    if key is None:
        return None
    found = await customers.repeat(key, now)
    return found if found.escalates and found.order_id else None


async def is_flagged(customers: Customers, state: CallState) -> bool:
    for key in call_keys(state):
        if (await customers.flag(key)).flagged:
            return True
    return False


async def protected_handover(customers: Customers, state: CallState, handover: Handover) -> Handover:
    """A caller a supervisor flagged for harassment goes to the supervisor queue on every later contact,
    never to an ordinary agent (SPEC 6), whatever the reason for this transfer."""
    if handover.kind != "transfer" or handover.queue == SUPERVISOR or not await is_flagged(customers, state):
        return handover
    return replace(handover, queue=SUPERVISOR, priority=max(handover.priority, FLAGGED_PRIORITY))


async def flagged_route(customers: Customers | None, keys: Iterable[str], queue: str | None,
                        priority: int) -> tuple[str | None, int]:
    """The queue and priority of a hand-over of a customer known by `keys` that a channel routes itself
    (an e-mail sender): the supervisor queue for one a supervisor flagged, as protected_handover does for
    calls and chats; unchanged otherwise."""
    if customers is None or queue == SUPERVISOR:
        return queue, priority
    for key in keys:
        if (await customers.flag(key)).flagged:
            return SUPERVISOR, max(priority, FLAGGED_PRIORITY)
    return queue, priority


async def note_context(customers: Customers, state: CallState, now: datetime) -> tuple[dict[str, Any] | None, bool]:
    """What the case note says of the history: the repeat count (None for a first contact) and the flag."""
    keys = call_keys(state)
    if not keys:
        return None, False
    history = await customers.history_of(keys, limit=DIALOGUE_LIMIT, wait_s=HISTORY_WAIT_S)
    order = state.slots.get("order_id")
    found = repeat_of(history, now, order_id=str(order) if order else None, intents=state.intents,
                      exclude=state.id)
    return (found.to_json() if found.count > 1 else None), await is_flagged(customers, state)
