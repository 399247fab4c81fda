"""Session stores: where conversations live between turns, and where case notes are kept.

In memory for tests; SQLite for `ivr serve` (a restart does not lose a chat in progress); PostgreSQL
and Redis for deployments with several server processes (dialogue/store_remote.py).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Protocol

from dialogue.session import SessionState


class SessionStore(Protocol):
    async def load(self, session_id: str) -> SessionState | None: ...
    async def save(self, state: SessionState) -> None: ...
    async def save_case(self, case_id: str, note: dict[str, Any]) -> None: ...
    async def case(self, case_id: str) -> dict[str, Any] | None: ...
    async def cases(self, limit: int = 100) -> list[dict[str, Any]]: ...
    async def active(self) -> list[SessionState]: ...
    async def close(self) -> None: ...


class MemoryStore:
    """Keeps states as JSON strings, like the real stores, so nothing leaks between turns by reference."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}
        self._cases: dict[str, str] = {}

    async def load(self, session_id: str) -> SessionState | None:
        raw = self._sessions.get(session_id)
        return SessionState.from_json(json.loads(raw)) if raw else None

    async def save(self, state: SessionState) -> None:
        self._sessions[state.id] = json.dumps(state.to_json(), ensure_ascii=False)

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        self._cases[case_id] = json.dumps(note, ensure_ascii=False)

    async def case(self, case_id: str) -> dict[str, Any] | None:
        raw = self._cases.get(case_id)
        return dict(json.loads(raw)) if raw else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(v) for v in list(self._cases.values())[-limit:]][::-1]

    async def active(self) -> list[SessionState]:
        states = [SessionState.from_json(json.loads(v)) for v in self._sessions.values()]
        return [s for s in states if not s.ended]

    async def close(self) -> None:
        return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, ended INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    state TEXT NOT NULL);
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

    async def load(self, session_id: str) -> SessionState | None:
        row = self._conn().execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return SessionState.from_json(json.loads(row[0])) if row else None

    async def save(self, state: SessionState) -> None:
        self._conn().execute(
            "INSERT INTO sessions (id, ended, state) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "ended = excluded.ended, state = excluded.state, updated_at = CURRENT_TIMESTAMP",
            (state.id, int(state.ended), json.dumps(state.to_json(), ensure_ascii=False)),
        )

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

    async def active(self) -> list[SessionState]:
        rows = self._conn().execute("SELECT state FROM sessions WHERE ended = 0").fetchall()
        return [SessionState.from_json(json.loads(r[0])) for r in rows]

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
