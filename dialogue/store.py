"""Session stores: where conversations live between turns, and where case notes are kept.

In memory for tests; SQLite for `ivr serve` (a restart does not lose a chat in progress); PostgreSQL
and Redis for deployments with several server processes (dialogue/store_remote.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

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
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.executescript(_SCHEMA)
            await self._db.commit()
        return self._db

    async def load(self, session_id: str) -> SessionState | None:
        db = await self._conn()
        async with db.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)) as cur:
            row = await cur.fetchone()
        return SessionState.from_json(json.loads(row[0])) if row else None

    async def save(self, state: SessionState) -> None:
        db = await self._conn()
        await db.execute(
            "INSERT INTO sessions (id, ended, state) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "ended = excluded.ended, state = excluded.state, updated_at = CURRENT_TIMESTAMP",
            (state.id, int(state.ended), json.dumps(state.to_json(), ensure_ascii=False)),
        )
        await db.commit()

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        db = await self._conn()
        await db.execute(
            "INSERT OR REPLACE INTO case_notes (id, note) VALUES (?, ?)",
            (case_id, json.dumps(note, ensure_ascii=False)),
        )
        await db.commit()

    async def case(self, case_id: str) -> dict[str, Any] | None:
        db = await self._conn()
        async with db.execute("SELECT note FROM case_notes WHERE id = ?", (case_id,)) as cur:
            row = await cur.fetchone()
        return dict(json.loads(row[0])) if row else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        db = await self._conn()
        sql = "SELECT note FROM case_notes ORDER BY created_at DESC, rowid DESC LIMIT ?"
        async with db.execute(sql, (limit,)) as cur:
            rows = await cur.fetchall()
        return [json.loads(r[0]) for r in rows]

    async def active(self) -> list[SessionState]:
        db = await self._conn()
        async with db.execute("SELECT state FROM sessions WHERE ended = 0") as cur:
            rows = await cur.fetchall()
        return [SessionState.from_json(json.loads(r[0])) for r in rows]

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None
