"""The outbox in SQL: outbound jobs in a table beside the conversations, claimed once across workers.

The SQLite file or PostgreSQL schema of the session store (an in-memory SQLite database with the memory
store). A worker claims due jobs with one atomic statement: `UPDATE ... RETURNING` in SQLite (its write lock
serialises processes), `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING` in PostgreSQL,
so several `ivr serve` processes polling the same table place each call once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dialogue.outbound import STALE_CLAIM, Job, Outbox, Status
from dialogue.pg_tables import PgTables

_COLUMNS = tuple(f.name for f in fields(Job))
_TIMES = ("due_at", "claimed_at", "updated_at")


def _row(values: Mapping[str, Any]) -> Job:
    data = dict(values)
    for key in _TIMES:
        if isinstance(data[key], str):
            data[key] = datetime.fromisoformat(data[key])
    data["asked"] = bool(data["asked"])
    return Job(**data)


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(_COLUMNS) | {"id"} & set(changes)
    if unknown:
        raise ValueError(f"cannot change job fields {sorted(unknown)}")
    return changes


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")  # one format: text order is time order


class SQLiteOutbox:
    """Beside the SQLite session store (`path`), or in memory (None) for the memory store."""

    _DDL = ("CREATE TABLE IF NOT EXISTS outbound_jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, to_number TEXT NOT NULL,"
            " due_at TEXT NOT NULL, topic TEXT, queue TEXT, message TEXT, conversation_id TEXT, asked INTEGER,"
            " attempts INTEGER, max_attempts INTEGER, status TEXT NOT NULL, outcome TEXT, call_sid TEXT,"
            " claimed_at TEXT, updated_at TEXT);"
            "CREATE INDEX IF NOT EXISTS outbound_jobs_due ON outbound_jobs (status, due_at)")

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path or ":memory:", isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout=5000")
            db.executescript(self._DDL)
            self._db = db
        return self._db

    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        data = {k: row[k] for k in row.keys()}  # noqa: SIM118 (sqlite3.Row iterates values)
        data["to"] = data.pop("to_number")
        return _row(data)

    @staticmethod
    def _params(job: Job) -> dict[str, Any]:
        data = {c: getattr(job, c) for c in _COLUMNS}
        data["to_number"] = data.pop("to")
        for key in _TIMES:
            data[key] = _utc(data[key]) if data[key] else None
        return data

    async def add(self, job: Job) -> bool:
        data = self._params(replace(job, updated_at=datetime.now(UTC)))
        cur = self._conn().execute(
            f"INSERT INTO outbound_jobs ({', '.join(data)}) VALUES ({', '.join(':' + k for k in data)}) "
            "ON CONFLICT(id) DO NOTHING", data)
        return cur.rowcount == 1

    async def claim_due(self, now: datetime, limit: int = 10) -> list[Job]:
        # one statement: SQLite's write lock makes it atomic across processes
        rows = self._conn().execute(
            "UPDATE outbound_jobs SET status = 'dialing', attempts = attempts + 1, claimed_at = :now, updated_at = :now "
            "WHERE id IN (SELECT id FROM outbound_jobs WHERE (status = 'due' AND due_at <= :now) OR "
            "(status = 'dialing' AND call_sid IS NULL AND claimed_at <= :stale) ORDER BY due_at LIMIT :limit) "
            "RETURNING *", {"now": _utc(now), "stale": _utc(now - STALE_CLAIM), "limit": limit}).fetchall()
        return sorted((self._job(r) for r in rows), key=lambda j: j.due_at)

    async def update(self, job_id: str, **changes: Any) -> Job | None:
        sets = {("to_number" if k == "to" else k): (_utc(v) if k in _TIMES and v is not None else v)
                for k, v in _checked({**changes, "updated_at": datetime.now(UTC)}).items()}
        row = self._conn().execute(
            f"UPDATE outbound_jobs SET {', '.join(f'{k} = :{k}' for k in sets)} WHERE id = :id RETURNING *",
            {**sets, "id": job_id}).fetchone()
        return self._job(row) if row else None

    async def get(self, job_id: str) -> Job | None:
        row = self._conn().execute("SELECT * FROM outbound_jobs WHERE id = ?", (job_id,)).fetchone()
        return self._job(row) if row else None

    async def jobs(self, status: Status | None = None) -> list[Job]:
        sql = "SELECT * FROM outbound_jobs" + (" WHERE status = ?" if status else "") + " ORDER BY due_at"
        return [self._job(r) for r in self._conn().execute(sql, (status,) if status else ()).fetchall()]

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class PostgresOutbox:
    """In the PostgreSQL schema of the session store; its own small pool."""

    _DDL = ("CREATE TABLE IF NOT EXISTS outbound_jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, to_number TEXT NOT NULL,"
            " due_at TIMESTAMPTZ NOT NULL, topic TEXT, queue TEXT, message TEXT, conversation_id TEXT, asked BOOLEAN,"
            " attempts INTEGER, max_attempts INTEGER, status TEXT NOT NULL, outcome TEXT, call_sid TEXT,"
            " claimed_at TIMESTAMPTZ, updated_at TIMESTAMPTZ);"
            "CREATE INDEX IF NOT EXISTS outbound_jobs_due ON outbound_jobs (status, due_at)")

    def __init__(self, dsn: str, schema: str | None = None, timeout_s: float = 5.0) -> None:
        self._pg = PgTables(dsn, schema, ddl=self._DDL, name="outbound", timeout_s=timeout_s)
        self.dsn, self.schema, self.timeout_s = dsn, schema, timeout_s

    @staticmethod
    def _job(row: Any) -> Job:
        data = dict(row)
        data["to"] = data.pop("to_number")
        return _row(data)

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._pg.fetch(sql, *args)

    async def add(self, job: Job) -> bool:
        values = [getattr(job, c) for c in _COLUMNS[:-1]] + [datetime.now(UTC)]
        cols = ", ".join("to_number" if c == "to" else c for c in _COLUMNS)
        marks = ", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))
        rows = await self._fetch(f"INSERT INTO outbound_jobs ({cols}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING "
                                 "RETURNING id", *values)
        return bool(rows)

    async def claim_due(self, now: datetime, limit: int = 10) -> list[Job]:
        rows = await self._fetch(
            "UPDATE outbound_jobs SET status = 'dialing', attempts = attempts + 1, claimed_at = $1, updated_at = $1 "
            "WHERE id IN (SELECT id FROM outbound_jobs WHERE (status = 'due' AND due_at <= $1) OR "
            "(status = 'dialing' AND call_sid IS NULL AND claimed_at <= $2) ORDER BY due_at LIMIT $3 "
            "FOR UPDATE SKIP LOCKED) RETURNING *", now, now - STALE_CLAIM, limit)
        return sorted((self._job(r) for r in rows), key=lambda j: j.due_at)

    async def update(self, job_id: str, **changes: Any) -> Job | None:
        changes = _checked({**changes, "updated_at": datetime.now(UTC)})
        names = ["to_number" if k == "to" else k for k in changes]
        sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=2))
        rows = await self._fetch(f"UPDATE outbound_jobs SET {sets} WHERE id = $1 RETURNING *", job_id, *changes.values())
        return self._job(rows[0]) if rows else None

    async def get(self, job_id: str) -> Job | None:
        rows = await self._fetch("SELECT * FROM outbound_jobs WHERE id = $1", job_id)
        return self._job(rows[0]) if rows else None

    async def jobs(self, status: Status | None = None) -> list[Job]:
        if status:
            rows = await self._fetch("SELECT * FROM outbound_jobs WHERE status = $1 ORDER BY due_at", status)
        else:
            rows = await self._fetch("SELECT * FROM outbound_jobs ORDER BY due_at")
        return [self._job(r) for r in rows]

    async def close(self) -> None:
        await self._pg.close()


def outbox_for(store: object) -> Outbox:
    """The outbox that lives where the session store does; in memory for stores without a database."""
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        return SQLiteOutbox(path)
    dsn = getattr(store, "dsn", None)
    if isinstance(dsn, str):
        return PostgresOutbox(dsn, getattr(store, "schema", None))
    return SQLiteOutbox(None)
