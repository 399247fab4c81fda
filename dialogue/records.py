"""Conversation records: one finished contact as one JSON object, kept, exported, purged and closed.

The schema (shared with QA, forecasting and exports; docs/records.md):
  conversation_id, channel (voice|chat|email), caller, started_at, ended_at, outcome (resolved|handover|
  abandoned|callback|ended|...), reason, queue, intents, transcript [{speaker, text, at}], case_note, agent,
  disposition, satisfaction (1-5), satisfaction_comment, wait_seconds, handle_seconds.

A record is built from what the store keeps of a call (its state row, its event log, its case note and the
`extra` fields an import or the agent console sets); `put_records` writes finished contacts the same way,
so a synthetic or imported contact and a real call read back alike. Records need a store that keeps them
(SQLite, PostgreSQL, or memory in tests); Redis holds live state only.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from dialogue.events import CallEnded, apply, case_id_for
from dialogue.notes import save_case_note
from dialogue.redact import redact, redact_value
from dialogue.state import AwaitAnythingElse, CallState, Done
from dialogue.store import IdleStore, RecordStore, SessionStore, StoredContact, aware

log = logging.getLogger(__name__)
TOKYO = ZoneInfo("Asia/Tokyo")

FIELDS = ("conversation_id", "channel", "caller", "started_at", "ended_at", "outcome", "reason", "queue",
          "intents", "transcript", "case_note", "agent", "disposition", "satisfaction", "satisfaction_comment",
          "wait_seconds", "handle_seconds")
CHANNELS = ("voice", "chat", "email")
SPEAKERS = ("caller", "bot", "agent")
# record fields no call state carries: kept in the store's `extra`
EXTRA_FIELDS = ("queue", "agent", "disposition", "satisfaction", "satisfaction_comment", "wait_seconds",
                "handle_seconds")
MAX_COMMENT_CHARS = 1000  # the survey's free comment (the chat widget allows 500)
# what `annotate` may set of the outcome afterwards: a caller who hangs up while holding for an agent was
# handed over by the bot, but nobody answered: `abandoned` (the hand-over's reason and queue stay)
LATE_OUTCOMES = ("abandoned",)
# the dialogue manager's outcome names (SPEC 7.2) in the records schema's words
OUTCOMES = {"transferred": "handover", "callback_scheduled": "callback"}


class RecordsUnavailable(ValueError):
    """The store keeps live state only (Redis): records need SQLite or PostgreSQL."""


def record_store(store: SessionStore) -> RecordStore:
    if isinstance(store, RecordStore):
        return store
    raise RecordsUnavailable(
        f"{type(store).__name__} keeps live session state only; conversation records (export, purge, synth) "
        "need a store that keeps them: sqlite:///PATH or postgresql://..."
    )


# -- the API other tools read ------------------------------------------------------------------------

async def records(store: SessionStore, since: datetime | None = None) -> list[dict[str, Any]]:
    """Finished contacts started at or after `since` (all when None), oldest first, in the records schema."""
    if since is not None and since.tzinfo is None:
        raise ValueError("records(since=...) needs a time with a timezone")
    return [record_of(c) for c in await record_store(store).contacts(since)]


async def record(store: SessionStore, conversation_id: str) -> dict[str, Any] | None:
    """One finished contact in the records schema; None when there is none (or it is still going on)."""
    found = await record_store(store).contacts(only=conversation_id)
    return record_of(found[0]) if found else None


async def put_records(store: SessionStore, contacts: Sequence[Mapping[str, Any]]) -> int:
    """Write finished contacts (synthetic, e-mail, imports); one with a known conversation_id replaces it.
    Raises ValueError naming the first bad record and field; nothing is written then."""
    stored = [contact_of(validated(r, i)) for i, r in enumerate(contacts)]
    return await record_store(store).put_contacts(stored)


async def purge(store: SessionStore, older_than: datetime) -> int:
    """Delete conversations started before `older_than`, with their events and case notes; how many."""
    if older_than.tzinfo is None:
        raise ValueError("purge(older_than=...) needs a time with a timezone")
    return await record_store(store).delete_before(older_than)


async def apply_retention(store: SessionStore, retention_days: int | None, *, now: datetime | None = None) -> int:
    """The retention period of the settings: purge what is older than `retention_days` (None or 0: keep)."""
    if not retention_days or not isinstance(store, RecordStore):
        return 0
    removed = await purge(store, (now or datetime.now(UTC)) - timedelta(days=retention_days))
    if removed:
        log.info("retention: removed %d conversations older than %d days", removed, retention_days)
    return removed


async def annotate(store: SessionStore, conversation_id: str, **fields: Any) -> bool:
    """Set record fields the bot does not know (agent, disposition, satisfaction, queue, wait/handle seconds)
    on a conversation, e.g. when an agent closes it; False when there is no such conversation. `outcome` may
    be set to one of LATE_OUTCOMES: the desk's verdict on a hand-over nobody answered."""
    unknown = sorted(set(fields) - set(EXTRA_FIELDS) - {"outcome"})
    if unknown:
        raise ValueError(f"annotate: unknown record fields {unknown}; allowed: {', '.join(EXTRA_FIELDS)}, outcome")
    if "outcome" in fields and fields["outcome"] not in LATE_OUTCOMES:
        raise ValueError(f"annotate: outcome may only be set to {', '.join(LATE_OUTCOMES)}")
    _check_extra(fields, "annotate")
    return await record_store(store).annotate(conversation_id, fields)


async def add_turns(store: SessionStore, conversation_id: str, turns: Sequence[Mapping[str, Any]]) -> bool:
    """Append what was said after the bot (an agent's chat or call: `{speaker: agent|caller, text, at}`) to a
    conversation's transcript; `at` defaults to now. False when there is no such conversation."""
    now = datetime.now(TOKYO).isoformat(timespec="seconds")
    events = []
    for n, turn in enumerate(turns, 1):
        if turn.get("speaker") not in SPEAKERS or not isinstance(turn.get("text"), str):
            raise ValueError(f"add_turns: turn {n} needs speaker ({'|'.join(SPEAKERS)}) and text")
        events.append({"type": turn["speaker"], "text": turn["text"], "at": turn.get("at") or now})
    return await record_store(store).append_events(conversation_id, events)


async def close_stale(store: SessionStore, older_than_s: float, *, now: datetime | None = None) -> int:
    """Close calls with no turn for `older_than_s` seconds (a crashed worker, a caller who never hung up) as
    `abandoned` (`resolved` if the bot had resolved a request and only asked 「ほかにございますか」), with
    a case note, as a hang-up would. A call that gets a turn meanwhile is left alone. How many were closed.

    Works on Redis too (live state and case notes only)."""
    if not isinstance(store, IdleStore):
        return 0
    moment = now or datetime.now(UTC)
    before = moment - timedelta(seconds=older_than_s)
    closed = 0
    for state in await store.idle(before):
        done = state.resolved and isinstance(state.awaiting, AwaitAnythingElse)
        ending = CallEnded("resolved" if done else "abandoned", None)
        end = ending.to_json(moment.astimezone(TOKYO).isoformat(timespec="seconds"))
        final = apply(state, ending)
        if await store.close_idle(final, [end], before):
            await save_case_note(store, final, [*await store.events(state.id)])
            closed += 1
    if closed:
        log.info("closed %d idle conversations as abandoned", closed)
    return closed


async def claim(store: SessionStore, conversation_id: str, holder: str) -> None:
    """`holder` (one connection on one worker: a random token) serves the conversation now, for every
    worker sharing the store (SQLite, PostgreSQL, Redis, memory). A chat's widget that reconnects claims it."""
    if isinstance(store, IdleStore):
        await store.claim(conversation_id, holder)


async def held_elsewhere(store: SessionStore, conversation_id: str, holder: str | None) -> bool:
    """Whether a connection other than `holder` (None: this worker never claimed it) has claimed the
    conversation. A channel's delayed hang-up asks this before it closes a conversation as abandoned: a chat
    whose widget reconnected to another worker is that worker's to end. Who holds a chat is compared, not
    when: workers' clocks, and the moment each notices a dead socket, do not matter."""
    if not isinstance(store, IdleStore):
        return False
    found = await store.holder(conversation_id)
    return found is not None and found != holder


IDLE_TIMEOUT_S = 1800.0  # a call with no turn for 30 minutes was dropped (crash, caller never hung up)


async def housekeeping(store: SessionStore, *, idle_timeout_s: float = IDLE_TIMEOUT_S,
                       retention_days: int | None = None, every_s: float = 60.0,
                       purge_every_s: float = 3600.0) -> None:
    """Until cancelled: every `every_s`, close idle calls (`close_stale`); every `purge_every_s`, apply the
    retention period. The server starts it as a task at start-up (a sweep at once closes what a crash
    left open) and cancels it at shutdown. Several workers may run it together: closing is a compare-and-set
    and purging twice removes nothing twice. A store that is down is tried again next round."""
    last_purge: float | None = None
    loop = asyncio.get_running_loop()
    while True:
        try:
            await close_stale(store, idle_timeout_s)
            if retention_days and (last_purge is None or loop.time() - last_purge >= purge_every_s):
                await apply_retention(store, retention_days)
                last_purge = loop.time()
        except Exception as exc:  # noqa: BLE001 (a database outage must not end the sweeps)
            log.warning("records housekeeping failed, trying again in %.0f s: %s", every_s, exc)
        await asyncio.sleep(every_s)


# -- a record from what the store keeps, and back ------------------------------------------------------

def record_of(contact: StoredContact) -> dict[str, Any]:
    state, extra, events = contact.state, contact.extra, contact.events
    started = aware(state["started_at"])
    end_event = next((e for e in reversed(events) if e.get("type") == "end"), None)
    # the end event's own time first: a row migrated from before `ended_at` has only its last update time
    ended = aware(end_event["at"]) if end_event and end_event.get("at") else contact.ended_at
    handover = next((e for e in reversed(events) if e.get("type") == "handover"), None)
    handle = extra.get("handle_seconds")
    if handle is None and ended is not None:
        handle = round((ended - started).total_seconds(), 1)
    outcome = extra.get("outcome") or state.get("outcome")  # the desk's `abandoned` over the bot's hand-over
    return {
        "conversation_id": state["id"],
        "channel": state["channel"],
        "caller": state.get("caller_phone"),
        "started_at": _tokyo(started),
        "ended_at": _tokyo(ended) if ended else None,
        "outcome": OUTCOMES.get(outcome, outcome) if outcome else "abandoned",
        "reason": state.get("reason"),
        "queue": extra.get("queue") or (handover or {}).get("queue"),
        "intents": list(state.get("intents") or []),
        "transcript": [turn for e in events if (turn := _turn(e)) is not None],
        "case_note": contact.note,
        "agent": extra.get("agent"),
        "disposition": extra.get("disposition"),
        "satisfaction": extra.get("satisfaction"),
        "satisfaction_comment": extra.get("satisfaction_comment"),
        "wait_seconds": extra.get("wait_seconds"),
        "handle_seconds": handle,
    }


def _turn(event: Mapping[str, Any]) -> dict[str, Any] | None:
    speaker = event.get("type")
    if speaker not in SPEAKERS:
        return None
    text = event.get("text") or (f"[DTMF {event['dtmf']}]" if event.get("dtmf") else "")
    return {"speaker": speaker, "text": text, "at": event.get("at")} if text else None


def _tokyo(moment: datetime) -> str:
    return moment.astimezone(TOKYO).isoformat(timespec="seconds")


def contact_of(record: Mapping[str, Any]) -> StoredContact:
    sid = record["conversation_id"]
    note = record.get("case_note")
    case_id = (note or {}).get("case_id") or case_id_for(sid)
    state = CallState(id=sid, channel="voice", started_at=record["started_at"], caller_phone=record.get("caller"),
                      awaiting=Done(), intents=tuple(record.get("intents") or ()), outcome=record["outcome"],
                      reason=record.get("reason"), case_id=case_id).to_json()
    state["channel"] = record["channel"]  # e-mail is a channel of records, not of the dialogue manager
    ended_at = record.get("ended_at")
    events: list[dict[str, Any]] = [{"type": "start", "at": record["started_at"], "channel": record["channel"],
                                     "caller": record.get("caller")}]
    events += [{"type": t["speaker"], "text": t["text"], "at": t.get("at")} for t in record.get("transcript") or ()]
    events.append({"type": "end", "at": ended_at, "outcome": record["outcome"], "reason": record.get("reason")})
    extra = {k: record[k] for k in EXTRA_FIELDS if record.get(k) is not None}
    return StoredContact(state, events, dict(note) if note is not None else None, extra,
                         aware(ended_at) if ended_at else None)


def validated(record: Mapping[str, Any], index: int = 0) -> Mapping[str, Any]:
    """The record, if it fits the schema; else ValueError saying which record and field."""
    where = f"record {index + 1}"
    if not isinstance(record, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(record).__name__}")
    sid = record.get("conversation_id")
    if not isinstance(sid, str) or not sid.strip():
        raise ValueError(f"{where}: conversation_id must be a non-empty string")
    where = f"record {index + 1} ({sid})"
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise ValueError(f"{where}: unknown fields {unknown}")
    if record.get("channel") not in CHANNELS:
        raise ValueError(f"{where}: channel must be one of {', '.join(CHANNELS)}")
    for name in ("started_at", "ended_at"):
        value = record.get(name)
        if value is None and name == "ended_at":
            continue
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{where}: {name} must be an ISO-8601 time, got {value!r}") from None
        if moment.tzinfo is None:
            raise ValueError(f"{where}: {name} needs a UTC offset (e.g. +09:00), got {value!r}")
    if not isinstance(record.get("outcome"), str) or not record["outcome"]:
        raise ValueError(f"{where}: outcome must be a string (resolved, handover, abandoned, callback, ...)")
    for name in ("caller", "reason"):
        if record.get(name) is not None and not isinstance(record[name], str):
            raise ValueError(f"{where}: {name} must be a string or null")
    intents = record.get("intents") or []
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        raise ValueError(f"{where}: intents must be a list of strings")
    transcript = record.get("transcript") or []
    if not isinstance(transcript, list):
        raise ValueError(f"{where}: transcript must be a list")
    for n, turn in enumerate(transcript, 1):
        if not isinstance(turn, Mapping) or turn.get("speaker") not in SPEAKERS or not isinstance(turn.get("text"), str):
            raise ValueError(f"{where}: transcript turn {n} needs speaker ({'|'.join(SPEAKERS)}) and text")
    if record.get("case_note") is not None and not isinstance(record["case_note"], Mapping):
        raise ValueError(f"{where}: case_note must be an object or null")
    _check_extra(record, where)
    return record


def _check_extra(fields: Mapping[str, Any], where: str) -> None:
    for name in ("queue", "agent", "disposition"):
        if fields.get(name) is not None and not isinstance(fields[name], str):
            raise ValueError(f"{where}: {name} must be a string or null")
    satisfaction = fields.get("satisfaction")
    if satisfaction is not None and (isinstance(satisfaction, bool) or satisfaction not in range(1, 6)):
        raise ValueError(f"{where}: satisfaction must be an integer from 1 to 5 or null")
    comment = fields.get("satisfaction_comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS):
        raise ValueError(f"{where}: satisfaction_comment must be a string of at most {MAX_COMMENT_CHARS} "
                         "characters or null")
    for name in ("wait_seconds", "handle_seconds"):
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            raise ValueError(f"{where}: {name} must be a number of seconds >= 0 or null")


# -- exports -------------------------------------------------------------------------------------------

def redacted(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with phone numbers, addresses, names, card numbers and e-mail addresses masked, in every
    text: the transcript, the case note (its summary and slots) and the caller field."""
    out = {k: redact_value(v, k) for k, v in record.items()}
    out["caller"] = redact(record["caller"]) if record.get("caller") else record.get("caller")
    return {k: out.get(k) for k in FIELDS}


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """One row per contact under a header of the schema's fields; lists and objects as JSON text."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    n = 0
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in FIELDS])
        n += 1
    return n


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
