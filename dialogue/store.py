"""Session stores: where conversations live between turns, and where case notes are kept.

A store keeps two things per call: the current `CallState` (small and capped, rewritten each turn) and
the call's event log, which is only ever appended to, so a turn costs the same at turn 3,000 as at turn 10.

In memory for tests; SQLite for `ivr serve` (a restart does not lose a chat in progress); PostgreSQL
and Redis for deployments with several server processes (dialogue/store_remote.py).

Stores that keep records (memory, SQLite, PostgreSQL; not Redis, which holds live state only) also
implement `RecordStore`: finished contacts listed since a time, bulk-written, purged, and idle calls
found and closed. `dialogue.records` builds the records schema on top of it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dialogue.customer_keys import contact_keys
from dialogue.state import CallState

Events = Sequence[dict[str, Any]]

log = logging.getLogger(__name__)

# the event types a record's transcript and queue are read from: the rest of the log (steps, slots,
# emotion readings) stays out of bulk reads
RECORD_EVENT_TYPES = ("caller", "bot", "agent", "handover", "end")
# what a contact-history entry needs of a case note (the rest, its transcript above all, stays in the database)
HISTORY_NOTE_FIELDS = ("case_id", "summary_ja", "slots", "caller_phone")


class SessionStore(Protocol):
    async def load(self, session_id: str) -> CallState | None: ...
    async def save(self, state: CallState, events: Events = ()) -> None:
        """Replace the state and append the turn's events to the call's log, together."""
    async def events(self, session_id: str) -> list[dict[str, Any]]: ...
    async def save_case(self, case_id: str, note: dict[str, Any]) -> None: ...
    async def case(self, case_id: str) -> dict[str, Any] | None: ...
    async def cases(self, limit: int = 100) -> list[dict[str, Any]]: ...
    async def active(self) -> list[CallState]: ...
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredContact:
    """One conversation as a record store keeps it: the state row, the events a record needs, the case note,
    and `extra`, the record fields no state carries (queue, agent, disposition, satisfaction, wait and
    handle seconds), set by imports or by the agent console."""

    state: dict[str, Any]
    events: list[dict[str, Any]]
    note: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    ended_at: datetime | None = None


@runtime_checkable
class IdleStore(SessionStore, Protocol):
    """A store that can find calls nobody ended (a crashed worker, a caller who never hung up)."""

    async def idle(self, before: datetime) -> list[CallState]:
        """Calls not ended whose last turn was saved before `before`."""
    async def close_idle(self, state: CallState, events: Events, before: datetime) -> bool:
        """Save an ended `state` only if the call is still open and still idle since `before` (a turn that
        arrived meanwhile wins); True when it was saved."""
    async def claim(self, session_id: str, holder: str) -> None:
        """`holder` (a worker's connection) serves the conversation now: a chat's widget reconnected there.
        Counts as activity for the idle sweep. Nothing for an unknown id."""
    async def holder(self, session_id: str) -> str | None:
        """Who last claimed the conversation, on any worker sharing the store; None if nobody did."""


@runtime_checkable
class RecordStore(IdleStore, Protocol):
    async def contacts(self, since: datetime | None = None, *, only: str | None = None) -> list[StoredContact]:
        """Finished conversations started at or after `since` (or the one with id `only`), oldest first,
        with record events only."""
    async def put_contacts(self, contacts: Sequence[StoredContact]) -> int:
        """Write finished conversations (replacing any with the same id) in one transaction."""
    async def annotate(self, session_id: str, extra: dict[str, Any]) -> bool:
        """Merge record fields into a conversation's `extra`; False when there is no such conversation."""
    async def append_events(self, session_id: str, events: Events) -> bool:
        """Append to a conversation's log without touching its state (an agent's part of the talk);
        False when there is no such conversation."""
    async def delete_before(self, before: datetime) -> int:
        """Delete conversations started before `before`, their events and case notes; how many went."""
    async def customer_contacts(self, keys: list[str], since: datetime, limit: int) -> list[StoredContact]:
        """Finished conversations filed under any of the customer `keys` (dialogue.customer_keys: a caller id
        and the number the caller gave are one customer to a call) that started at or after `since`, each
        once, newest first, at most `limit`: what a contact history lists, no more. No events; the
        case note's HISTORY_NOTE_FIELDS only; the queue of the last hand-over in `extra`. One indexed query
        (the stores file a conversation under its keys when it ends), the trimming done by the database."""


def ended_at_of(state: CallState, events: Events) -> datetime | None:
    """When an ended call ended: its `end` event's time, else now."""
    if not state.ended:
        return None
    for event in reversed(events):
        if event.get("type") == "end" and event.get("at"):
            return aware(str(event["at"]))
    return datetime.now(UTC)


def aware(iso: str) -> datetime:
    """An ISO-8601 time; one without an offset is taken as UTC."""
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MemoryStore:
    """Keeps states as JSON strings, like the real stores, so nothing leaks between turns by reference."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}
        self._events: dict[str, list[str]] = {}
        self._cases: dict[str, str] = {}
        self._case_times: dict[str, datetime] = {}
        self._updated: dict[str, datetime] = {}
        self._ended_at: dict[str, datetime] = {}
        self._extra: dict[str, dict[str, Any]] = {}
        self._keys: dict[str, set[str]] = {}  # session id -> its customers, set when it ends
        self._holders: dict[str, str] = {}

    async def load(self, session_id: str) -> CallState | None:
        raw = self._sessions.get(session_id)
        return CallState.from_json(json.loads(raw)) if raw else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        self._sessions[state.id] = json.dumps(state.to_json(), ensure_ascii=False)
        self._events.setdefault(state.id, []).extend(json.dumps(e, ensure_ascii=False) for e in events)
        self._updated[state.id] = datetime.now(UTC)
        ended = ended_at_of(state, events)
        if ended is not None:
            self._ended_at.setdefault(state.id, ended)
            self._keys[state.id] = contact_keys(state.to_json())

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        return [json.loads(e) for e in self._events.get(session_id, [])]

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        self._cases.pop(case_id, None)  # a note saved again moves to the top of `cases`
        self._cases[case_id] = json.dumps(note, ensure_ascii=False)
        self._case_times[case_id] = datetime.now(UTC)

    async def case(self, case_id: str) -> dict[str, Any] | None:
        raw = self._cases.get(case_id)
        return dict(json.loads(raw)) if raw else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(v) for v in list(self._cases.values())[-limit:]][::-1] if limit > 0 else []

    async def active(self) -> list[CallState]:
        states = [CallState.from_json(json.loads(v)) for v in self._sessions.values()]
        return [s for s in states if not s.ended]

    async def close(self) -> None:
        return None

    # -- records ---------------------------------------------------------------------------------------

    async def contacts(self, since: datetime | None = None, *, only: str | None = None) -> list[StoredContact]:
        out = []
        for sid, raw in self._sessions.items():
            if only is not None and sid != only:
                continue
            state = json.loads(raw)
            if state.get("awaiting", {}).get("kind") != "done":
                continue
            if since is not None and aware(state["started_at"]) < since:
                continue
            events = [e for e in await self.events(sid) if e.get("type") in RECORD_EVENT_TYPES]
            case_id = state.get("case_id") or sid
            out.append(StoredContact(state, events, await self.case(case_id), dict(self._extra.get(sid, {})),
                                     self._ended_at.get(sid)))
        out.sort(key=lambda c: (aware(c.state["started_at"]), c.state["id"]))
        return out

    async def put_contacts(self, contacts: Sequence[StoredContact]) -> int:
        for contact in contacts:
            sid = contact.state["id"]
            self._sessions[sid] = json.dumps(contact.state, ensure_ascii=False)
            self._events[sid] = [json.dumps(e, ensure_ascii=False) for e in contact.events]
            self._updated[sid] = datetime.now(UTC)
            self._extra[sid] = dict(contact.extra)
            if contact.ended_at is not None:
                self._ended_at[sid] = contact.ended_at
            self._keys[sid] = contact_keys(contact.state, contact.note)
            if contact.note is not None:
                await self.save_case(contact.state.get("case_id") or sid, contact.note)
        return len(contacts)

    async def annotate(self, session_id: str, extra: dict[str, Any]) -> bool:
        if session_id not in self._sessions:
            return False
        self._extra[session_id] = {**self._extra.get(session_id, {}), **extra}
        return True

    async def append_events(self, session_id: str, events: Events) -> bool:
        if session_id not in self._sessions:
            return False
        self._events.setdefault(session_id, []).extend(json.dumps(e, ensure_ascii=False) for e in events)
        return True

    async def delete_before(self, before: datetime) -> int:
        doomed = [sid for sid, raw in self._sessions.items() if aware(json.loads(raw)["started_at"]) < before]
        for sid in doomed:
            state = json.loads(self._sessions.pop(sid))
            self._cases.pop(state.get("case_id") or sid, None)
            for table in (self._events, self._updated, self._ended_at, self._extra, self._keys, self._holders):
                table.pop(sid, None)
        for case_id in [c for c, at in self._case_times.items() if at < before]:
            self._cases.pop(case_id, None)
        self._case_times = {c: at for c, at in self._case_times.items() if c in self._cases}
        return len(doomed)

    async def customer_contacts(self, keys: list[str], since: datetime, limit: int) -> list[StoredContact]:
        found = []
        for sid in [sid for sid, filed in self._keys.items() if filed & set(keys)]:
            state = json.loads(self._sessions[sid])
            if aware(state["started_at"]) < since:
                continue
            note = await self.case(state.get("case_id") or sid)
            extra = dict(self._extra.get(sid, {}))
            if not extra.get("queue"):
                handovers = [e for e in await self.events(sid) if e.get("type") == "handover"]
                extra["queue"] = handovers[-1].get("queue") if handovers else None
            found.append(StoredContact(state, [], {k: note.get(k) for k in HISTORY_NOTE_FIELDS} if note else None,
                                       extra, self._ended_at.get(sid)))
        found.sort(key=lambda c: (aware(c.state["started_at"]), c.state["id"]), reverse=True)
        return found[:limit]

    async def idle(self, before: datetime) -> list[CallState]:
        return [s for s in await self.active() if self._updated[s.id] < before]

    async def close_idle(self, state: CallState, events: Events, before: datetime) -> bool:
        current = await self.load(state.id)
        if current is None or current.ended or self._updated[state.id] >= before:
            return False
        await self.save(state, events)
        return True

    async def claim(self, session_id: str, holder: str) -> None:
        if session_id in self._sessions:
            self._holders[session_id] = holder
            self._updated[session_id] = datetime.now(UTC)

    async def holder(self, session_id: str) -> str | None:
        return self._holders.get(session_id)


# -- SQLite ------------------------------------------------------------------------------------------

# version 1: the schema before records (CREATE ... IF NOT EXISTS, so a database from then passes through)
_SQLITE_V1 = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, ended INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, seq);
CREATE TABLE IF NOT EXISTS case_notes (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, note TEXT NOT NULL);
"""
# version 2: records. Times are UTC text as CURRENT_TIMESTAMP writes it ('YYYY-MM-DD HH:MM:SS'), so they
# compare as strings; SQLite's datetime() turns an ISO time with an offset into that form.
_SQLITE_V2_COLUMNS = {
    "started_at": "TEXT",
    "ended_at": "TEXT",
    "case_id": "TEXT",
    "extra": "TEXT NOT NULL DEFAULT '{}'",
}
_SQLITE_V2 = """
UPDATE sessions SET started_at = datetime(json_extract(state, '$.started_at')),
    case_id = json_extract(state, '$.case_id') WHERE started_at IS NULL;
UPDATE sessions SET ended_at = updated_at WHERE ended = 1 AND ended_at IS NULL;
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at);
CREATE INDEX IF NOT EXISTS sessions_idle ON sessions (updated_at) WHERE ended = 0;
CREATE INDEX IF NOT EXISTS case_notes_created ON case_notes (created_at);
"""
# version 3: the customers a finished conversation is filed under (dialogue/customer_keys.py), so that a
# customer's history is one indexed query, filled from the finished conversations already there; and the
# connection that holds a chat now (`holder`: the worker its widget reconnected to)
_SQLITE_V3 = """
ALTER TABLE sessions ADD COLUMN holder TEXT;
CREATE TABLE IF NOT EXISTS contact_keys (
    customer_key TEXT NOT NULL, session_id TEXT NOT NULL, started_at TEXT NOT NULL,
    PRIMARY KEY (customer_key, session_id));
CREATE INDEX IF NOT EXISTS contact_keys_recent ON contact_keys (customer_key, started_at);
CREATE INDEX IF NOT EXISTS contact_keys_session ON contact_keys (session_id);
"""
SQLITE_VERSION = 3


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def from_utc_text(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def private_file(path: Path) -> None:
    """Create the database file and any missing folders readable by its owner only: it holds what callers
    said. An existing file keeps its mode (an operator may have chosen one), with a warning if anyone can
    read it. Whatever else opens the same file (the agents' desk, the outbox) calls this before
    sqlite3.connect, which would create it world-readable under the usual umask."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    if path.exists():
        if path.stat().st_mode & stat.S_IROTH:
            log.warning("session database %s is world-readable; chmod 600 it", path)
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class SQLiteStore:
    """sqlite3 on the event loop's thread: a local WAL write is ~0.1 ms, cheaper than a hop to a worker
    thread (aiosqlite), whose queueing under 1,000 concurrent calls cost seconds at p99."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            private_file(self.path)  # SQLite gives its -wal and -shm files the database file's mode
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a process crash; a power cut may lose the last turns, not corrupt
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")  # `ivr records` beside a running server waits its turn
            _migrate_sqlite(db)
            self._db = db
        return self._db

    async def load(self, session_id: str) -> CallState | None:
        row = self._conn().execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return CallState.from_json(json.loads(row[0])) if row else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        db = self._conn()
        ended_at = ended_at_of(state, events)
        with db:  # one transaction: the state and its events land together or not at all
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO sessions (id, ended, state, started_at, ended_at, case_id) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET ended = excluded.ended, state = excluded.state, "
                "updated_at = CURRENT_TIMESTAMP, case_id = excluded.case_id, "
                "ended_at = CASE WHEN excluded.ended = 1 THEN coalesce(sessions.ended_at, excluded.ended_at) END",
                (state.id, int(state.ended), json.dumps(state.to_json(), ensure_ascii=False),
                 utc_text(aware(state.started_at)), utc_text(ended_at) if ended_at else None, state.case_id),
            )
            db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)",
                           [(state.id, json.dumps(e, ensure_ascii=False)) for e in events])
            if state.ended:
                _file_sqlite(db, state.id, state.started_at, contact_keys(state.to_json()))

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT event FROM events WHERE session_id = ? ORDER BY seq", (session_id,))
        return [json.loads(r[0]) for r in rows.fetchall()]

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO case_notes (id, note) VALUES (?, ?)",
            (case_id, json.dumps(note, ensure_ascii=False)),
        )

    async def case(self, case_id: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT note FROM case_notes WHERE id = ?", (case_id,)).fetchone()
        return dict(json.loads(row[0])) if row else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        sql = "SELECT note FROM case_notes ORDER BY created_at DESC, rowid DESC LIMIT ?"
        return [json.loads(r[0]) for r in self._conn().execute(sql, (limit,)).fetchall()]

    async def active(self) -> list[CallState]:
        rows = self._conn().execute("SELECT state FROM sessions WHERE ended = 0").fetchall()
        return [CallState.from_json(json.loads(r[0])) for r in rows]

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- records ---------------------------------------------------------------------------------------

    async def contacts(self, since: datetime | None = None, *, only: str | None = None) -> list[StoredContact]:
        db = self._conn()
        bound = utc_text(since) if since else ""
        which = "s.id = ?" if only is not None else "s.started_at >= ?"
        key = only if only is not None else bound
        rows = db.execute(
            "SELECT s.id, s.state, s.extra, s.ended_at, c.note FROM sessions s "
            "LEFT JOIN case_notes c ON c.id = coalesce(s.case_id, s.id) "
            f"WHERE s.ended = 1 AND {which} ORDER BY s.started_at, s.id", (key,)
        ).fetchall()
        types = ",".join("?" * len(RECORD_EVENT_TYPES))
        logs: dict[str, list[dict[str, Any]]] = {}
        for sid, event in db.execute(
            "SELECT e.session_id, e.event FROM sessions s JOIN events e ON e.session_id = s.id "
            f"WHERE s.ended = 1 AND {which} AND json_extract(e.event, '$.type') IN ({types}) "
            "ORDER BY e.seq", (key, *RECORD_EVENT_TYPES)
        ):
            logs.setdefault(sid, []).append(json.loads(event))
        return [
            StoredContact(json.loads(state), logs.get(sid, []), json.loads(note) if note else None,
                          json.loads(extra), from_utc_text(ended) if ended else None)
            for sid, state, extra, ended, note in rows
        ]

    async def put_contacts(self, contacts: Sequence[StoredContact]) -> int:
        db = self._conn()
        with db:
            db.execute("BEGIN")
            ids = [(c.state["id"],) for c in contacts]
            db.executemany("DELETE FROM events WHERE session_id = ?", ids)
            db.executemany(
                "INSERT OR REPLACE INTO sessions (id, ended, state, started_at, ended_at, case_id, extra) "
                "VALUES (?, 1, ?, ?, ?, ?, ?)",
                [(c.state["id"], json.dumps(c.state, ensure_ascii=False), utc_text(aware(c.state["started_at"])),
                  utc_text(c.ended_at) if c.ended_at else None, c.state.get("case_id"),
                  json.dumps(c.extra, ensure_ascii=False)) for c in contacts],
            )
            db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)",
                           [(c.state["id"], json.dumps(e, ensure_ascii=False)) for c in contacts for e in c.events])
            db.executemany(
                "INSERT OR REPLACE INTO case_notes (id, created_at, note) VALUES (?, ?, ?)",
                [(c.state.get("case_id") or c.state["id"], utc_text(c.ended_at or aware(c.state["started_at"])),
                  json.dumps(c.note, ensure_ascii=False)) for c in contacts if c.note is not None],
            )
            db.executemany("DELETE FROM contact_keys WHERE session_id = ?", ids)
            for c in contacts:
                _file_sqlite(db, c.state["id"], c.state["started_at"], contact_keys(c.state, c.note))
        return len(contacts)

    async def annotate(self, session_id: str, extra: dict[str, Any]) -> bool:
        db = self._conn()
        with db:
            db.execute("BEGIN IMMEDIATE")  # read-merge-write without another writer in between
            row = db.execute("SELECT extra FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                return False
            merged = {**json.loads(row[0]), **extra}
            db.execute("UPDATE sessions SET extra = ? WHERE id = ?", (json.dumps(merged, ensure_ascii=False), session_id))
        return True

    async def append_events(self, session_id: str, events: Events) -> bool:
        db = self._conn()
        with db:
            db.execute("BEGIN")
            if db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                return False
            db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)",
                           [(session_id, json.dumps(e, ensure_ascii=False)) for e in events])
        return True

    async def delete_before(self, before: datetime) -> int:
        db = self._conn()
        bound = utc_text(before)
        with db:
            db.execute("BEGIN")
            db.execute("DELETE FROM events WHERE session_id IN (SELECT id FROM sessions WHERE started_at < ?)", (bound,))
            db.execute("DELETE FROM case_notes WHERE created_at < ? OR id IN "
                       "(SELECT coalesce(case_id, id) FROM sessions WHERE started_at < ?)", (bound, bound))
            db.execute("DELETE FROM contact_keys WHERE started_at < ?", (bound,))
            removed = db.execute("DELETE FROM sessions WHERE started_at < ?", (bound,)).rowcount
        return int(removed)

    async def customer_contacts(self, keys: list[str], since: datetime, limit: int) -> list[StoredContact]:
        if not keys:
            return []
        db = self._conn()
        # each key's newest `limit` from the index alone (a number that calls all day costs no more than one
        # that called twice), then the newest `limit` of those, each conversation once
        newest = " UNION ALL ".join(
            "SELECT * FROM (SELECT session_id, started_at FROM contact_keys WHERE customer_key = ? "
            "AND started_at >= ? ORDER BY started_at DESC, session_id DESC LIMIT ?)" for _ in keys)
        bound = utc_text(since)
        note = ", ".join(f"'{f}', json(c.note -> '$.{f}')" for f in HISTORY_NOTE_FIELDS)  # -> keeps the JSON form
        rows = db.execute(
            f"SELECT s.state, s.ended_at, CASE WHEN c.note IS NULL THEN NULL ELSE json_object({note}) END, "
            "json_set(s.extra, '$.queue', coalesce(json_extract(s.extra, '$.queue'), (SELECT json_extract(e.event, "
            "'$.queue') FROM events e WHERE e.session_id = s.id AND json_extract(e.event, '$.type') = 'handover' "
            "ORDER BY e.seq DESC LIMIT 1))) "
            f"FROM (SELECT session_id, max(started_at) AS started_at FROM ({newest}) GROUP BY session_id "
            "ORDER BY started_at DESC, session_id DESC LIMIT ?) k JOIN sessions s ON s.id = k.session_id "
            "LEFT JOIN case_notes c ON c.id = coalesce(s.case_id, s.id) "
            "WHERE s.ended = 1 ORDER BY k.started_at DESC, k.session_id DESC",
            (*(v for key in keys for v in (key, bound, limit)), limit)
        ).fetchall()
        return [
            StoredContact(json.loads(state), [], json.loads(note) if note else None, json.loads(extra),
                          from_utc_text(ended) if ended else None)
            for state, ended, note, extra in rows
        ]

    async def idle(self, before: datetime) -> list[CallState]:
        rows = self._conn().execute("SELECT state FROM sessions WHERE ended = 0 AND updated_at < ?",
                                    (utc_text(before),)).fetchall()
        return [CallState.from_json(json.loads(r[0])) for r in rows]

    async def claim(self, session_id: str, holder: str) -> None:
        self._conn().execute("UPDATE sessions SET holder = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?",
                             (holder, session_id))

    async def holder(self, session_id: str) -> str | None:
        row = self._conn().execute("SELECT holder FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    async def close_idle(self, state: CallState, events: Events, before: datetime) -> bool:
        db = self._conn()
        ended_at = ended_at_of(state, events)
        with db:
            db.execute("BEGIN")
            changed = db.execute(
                "UPDATE sessions SET ended = ?, state = ?, ended_at = ?, case_id = ?, updated_at = CURRENT_TIMESTAMP "
                "WHERE id = ? AND ended = 0 AND updated_at < ?",
                (int(state.ended), json.dumps(state.to_json(), ensure_ascii=False),
                 utc_text(ended_at) if ended_at else None, state.case_id, state.id, utc_text(before)),
            ).rowcount
            if changed:
                db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)",
                               [(state.id, json.dumps(e, ensure_ascii=False)) for e in events])
                if state.ended:
                    _file_sqlite(db, state.id, state.started_at, contact_keys(state.to_json()))
        return bool(changed)


def _file_sqlite(db: sqlite3.Connection, session_id: str, started_at: str, keys: set[str]) -> None:
    """File a finished conversation under its customers (inside the caller's transaction)."""
    db.executemany("INSERT OR IGNORE INTO contact_keys (customer_key, session_id, started_at) VALUES (?, ?, ?)",
                   [(k, session_id, utc_text(aware(started_at))) for k in sorted(keys)])


def _migrate_sqlite(db: sqlite3.Connection) -> None:
    """Bring a database up to SQLITE_VERSION (PRAGMA user_version), one numbered step at a time."""
    if int(db.execute("PRAGMA user_version").fetchone()[0]) >= SQLITE_VERSION:
        return  # up to date: no write lock (an export beside a busy server must not wait for one)
    with db:
        db.execute("BEGIN IMMEDIATE")  # two processes opening a new file: one migrates, the other waits
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version >= SQLITE_VERSION:
            return
        if version < 1:
            for statement in _statements(_SQLITE_V1):
                db.execute(statement)
        if version < 2:
            have = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
            for column, decl in _SQLITE_V2_COLUMNS.items():
                if column not in have:
                    db.execute(f"ALTER TABLE sessions ADD COLUMN {column} {decl}")
            for statement in _statements(_SQLITE_V2):
                db.execute(statement)
        if version < 3:
            for statement in _statements(_SQLITE_V3):
                db.execute(statement)
            rows = db.execute("SELECT s.id, s.state, c.note FROM sessions s LEFT JOIN case_notes c "
                              "ON c.id = coalesce(s.case_id, s.id) WHERE s.ended = 1")
            for sid, state, note in rows.fetchall():
                data = json.loads(state)
                _file_sqlite(db, sid, data["started_at"], contact_keys(data, json.loads(note) if note else None))
        db.execute(f"PRAGMA user_version = {SQLITE_VERSION}")


def _statements(script: str) -> list[str]:
    # executescript() would commit the open transaction; these scripts hold no ';' inside a statement
    return [s.strip() for s in script.split(";") if s.strip()]
