"""Session stores: where conversations live between turns, and where case notes are kept.

A store keeps two things per call: the current `CallState` (small and capped, rewritten each turn) and
the call's event log, which is only ever appended to, so a turn costs the same at turn 3,000 as at turn 10.

In memory for tests; SQLite for `ivr serve` (a restart does not lose a chat in progress); PostgreSQL
and Redis for deployments with several server processes (dialogue/store_remote.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from dialogue.state import CallState

Events = Sequence[dict[str, Any]]


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


class MemoryStore:
    """Keeps states as JSON strings, like the real stores, so nothing leaks between turns by reference."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}
        self._events: dict[str, list[str]] = {}
        self._cases: dict[str, str] = {}

    async def load(self, session_id: str) -> CallState | None:
        raw = self._sessions.get(session_id)
        return CallState.from_json(json.loads(raw)) if raw else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        self._sessions[state.id] = json.dumps(state.to_json(), ensure_ascii=False)
        self._events.setdefault(state.id, []).extend(json.dumps(e, ensure_ascii=False) for e in events)

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        return [json.loads(e) for e in self._events.get(session_id, [])]

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        self._cases[case_id] = json.dumps(note, ensure_ascii=False)

    async def case(self, case_id: str) -> dict[str, Any] | None:
        raw = self._cases.get(case_id)
        return dict(json.loads(raw)) if raw else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(v) for v in list(self._cases.values())[-limit:]][::-1]

    async def active(self) -> list[CallState]:
        states = [CallState.from_json(json.loads(v)) for v in self._sessions.values()]
        return [s for s in states if not s.ended]

    async def close(self) -> None:
        return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, ended INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, seq);
CREATE TABLE IF NOT EXISTS case_notes (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, note TEXT NOT NULL);
"""


class SQLiteStore:
    """sqlite3 on the event loop's thread: a local WAL write is ~0.1 ms, cheaper than a hop to a worker
    thread (aiosqlite), whose queueing under 1,000 concurrent calls cost seconds at p99."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a process crash; a power cut may lose the last turns, not corrupt
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        return self._db

    async def load(self, session_id: str) -> CallState | None:
        row = self._conn().execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return CallState.from_json(json.loads(row[0])) if row else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        db = self._conn()
        with db:  # one transaction: the state and its events land together or not at all
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO sessions (id, ended, state) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "ended = excluded.ended, state = excluded.state, updated_at = CURRENT_TIMESTAMP",
                (state.id, int(state.ended), json.dumps(state.to_json(), ensure_ascii=False)),
            )
            db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)",
                           [(state.id, json.dumps(e, ensure_ascii=False)) for e in events])

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
