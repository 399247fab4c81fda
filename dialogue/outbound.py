"""Outbound work the bot promised: callbacks at the agreed time and proactive notices (a late delivery).

Jobs live in a table of their own beside the conversations (SQLite file or PostgreSQL schema of the session
store; an in-memory SQLite database with the memory store), so they survive a restart. Workers claim due
jobs with one atomic UPDATE ... RETURNING (PostgreSQL: FOR UPDATE SKIP LOCKED), so several `ivr serve`
processes polling the same table place each call once. The dialer itself is a channel (ivr/outbound_channel.py).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

import jpholiday

from dialogue.bot import Bot
from dialogue.clock import TOKYO
from dialogue.state import CallState

Kind = Literal["callback", "notice_voice", "notice_sms"]
Status = Literal["due", "dialing", "done", "failed", "cancelled"]
CALL_FROM = time(9, 0)  # quiet hours: never before 9:00 ...
CALL_UNTIL = time(20, 0)  # ... nor from 20:00, Japan time
RETRY_AFTER = timedelta(minutes=30)  # a number that did not answer is tried again this much later
MAX_ATTEMPTS = 3
STALE_CLAIM = timedelta(minutes=10)  # a claim with no call placed (the worker died): claimable again
NO_REQUEST = frozenset({"callback_request", "greet", "thanks", "goodbye", "affirm", "deny", "repeat",
                        "out_of_scope", "operator_request"})


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: Kind
    to: str  # E.164: +819012345678
    due_at: datetime  # aware
    topic: str = ""  # 先日お問い合わせいただいた{topic}の件で
    queue: str = "general"
    message: str = ""  # a notice's text (SMS body, or what a notice call says)
    conversation_id: str | None = None
    asked: bool = False  # the caller chose this time: quiet hours and holidays do not move it
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    status: Status = "due"
    outcome: str | None = None  # connected | voicemail | sent | no-answer | busy | failed | unreachable
    call_sid: str | None = None
    claimed_at: datetime | None = None
    updated_at: datetime | None = None


def new_job(kind: Kind, to: str, due_at: datetime, **more: Any) -> Job:
    if due_at.tzinfo is None:
        raise ValueError("due_at needs a timezone")
    number = e164(to)
    if number is None:
        raise ValueError(f"{to!r} is not a phone number")
    return Job(id=uuid.uuid4().hex, kind=kind, to=number, due_at=due_at, **more)


def e164(phone: str | None) -> str | None:
    """A Japanese number as Twilio dials it: 090-1234-5678 -> +819012345678; +E.164 kept."""
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    if digits.startswith("0") and len(digits) in (10, 11):
        return "+81" + digits[1:]
    return None


def is_holiday(day: date) -> bool:
    return bool(jpholiday.is_holiday(day))


def callable_at(moment: datetime, *, asked: bool = False) -> datetime:
    """The first moment at or after `moment` when a call may be placed: 9:00-20:00 Japan time, not on a
    national holiday, unless the caller asked for that very time."""
    if asked:
        return moment
    local = moment.astimezone(TOKYO)
    for _ in range(40):  # Golden Week and the new year are the longest runs of holidays
        if is_holiday(local.date()) or local.time() >= CALL_UNTIL:
            local = datetime.combine(local.date() + timedelta(days=1), CALL_FROM, TOKYO)
            continue
        if local.time() < CALL_FROM:
            local = datetime.combine(local.date(), CALL_FROM, TOKYO)
            continue
        return local
    return local


def topic_of(state: CallState, bot: Bot) -> str:
    """What the caller had asked about, in the words of the bot's prompts (`outbound_topic_<intent>`)."""
    for intent in state.intents:
        key = f"outbound_topic_{intent}"
        if intent not in NO_REQUEST and bot.prompts.has(key):
            return bot.prompts.render(key, "chat", {}).text
    return bot.prompts.render("outbound_topic_default", "chat", {}).text if bot.prompts.has(
        "outbound_topic_default") else "お問い合わせ"


def callback_job(state: CallState, bot: Bot, now: datetime) -> Job | None:
    """The call a finished conversation promised (`callback_request` flow: phone_number, date, time)."""
    number = e164(str(state.slots.get("phone_number") or state.caller_phone or ""))
    if number is None:
        return None
    asked = False
    due = now
    try:
        day, hour = state.slots.get("date"), state.slots.get("time")
        if day:
            due = datetime.fromisoformat(f"{day}T{hour or '10:00'}").replace(tzinfo=TOKYO)
            asked = bool(hour)
    except ValueError:
        due = now
    return Job(id=f"cb-{state.id}", kind="callback", to=number, due_at=callable_at(due, asked=asked),
               topic=topic_of(state, bot), conversation_id=state.id, asked=asked)


def delivery_delay_notice(bot: Bot, phone: str, order_id: str, new_date: str, now: datetime, *,
                          by: Literal["sms", "voice"] = "sms") -> Job:
    """A proactive notice that an order will arrive late (prompt `notice_delivery_delay`), by SMS or a call,
    sent at the first moment outside quiet hours."""
    company = bot.prompts.render("company_name", "chat", {}).text if bot.prompts.has("company_name") else ""
    text = bot.prompts.render("notice_delivery_delay", "chat",
                              {"company": company, "order_id": order_id, "date": new_date}).text
    if by == "voice":
        text = re.sub(r"^【[^】]*】", "", text)  # a text message's sender tag is not read out
    return new_job("notice_sms" if by == "sms" else "notice_voice", phone, callable_at(now), message=text,
                   topic="ご注文のお届け")


class Outbox(Protocol):
    async def add(self, job: Job) -> bool:
        """Keep a job; False when one with its id is already kept (a promise is booked once)."""
    async def claim_due(self, now: datetime, limit: int = 10) -> list[Job]:
        """Due jobs (and stale claims), marked `dialing` with one more attempt, each to one caller only."""
    async def update(self, job_id: str, **changes: Any) -> Job | None: ...
    async def get(self, job_id: str) -> Job | None: ...
    async def jobs(self, status: Status | None = None) -> list[Job]: ...
    async def close(self) -> None: ...


async def settle_attempt(outbox: Outbox, job: Job, outcome: str, now: datetime) -> Job | None:
    """A call ended without reaching anyone (no-answer, busy, failed): later within quiet hours, or given
    up as `unreachable` after the last attempt."""
    if job.attempts >= job.max_attempts:
        return await outbox.update(job.id, status="failed", outcome="unreachable", call_sid=None)
    return await outbox.update(job.id, status="due", outcome=outcome, call_sid=None,
                               due_at=callable_at(now + RETRY_AFTER))


# -- storage -----------------------------------------------------------------------------------------

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
        if schema is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
            raise ValueError(f"PostgreSQL schema name {schema!r} is not a plain identifier")
        self.dsn, self.schema, self.timeout_s = dsn, schema, timeout_s
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def _get(self) -> Any:
        import asyncpg

        async with self._lock:
            if self._pool is None:
                settings = {"search_path": self.schema} if self.schema else {}
                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=4, timeout=self.timeout_s,
                                                 command_timeout=self.timeout_s, server_settings=settings)
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ivr.outbound.schema'))")
                    if self.schema:  # the session store may not have created it yet
                        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                    await conn.execute(self._DDL)
                self._pool = pool
        return self._pool

    @staticmethod
    def _job(row: Any) -> Job:
        data = dict(row)
        data["to"] = data.pop("to_number")
        return _row(data)

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        async with asyncio.timeout(self.timeout_s):
            return list(await (await self._get()).fetch(sql, *args))

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
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def outbox_for(store: object) -> Outbox:
    """The outbox that lives where the session store does; in memory for stores without a database."""
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        return SQLiteOutbox(path)
    dsn = getattr(store, "dsn", None)
    if isinstance(dsn, str):
        return PostgresOutbox(dsn, getattr(store, "schema", None))
    return SQLiteOutbox(None)
