"""Session stores shared by several server processes: PostgreSQL (asyncpg) and Redis (redis.asyncio).

Both keep a state as the JSON of `SessionState.to_json`, like the local stores in dialogue/store.py, and
put a timeout around every round trip: a stuck database fails the turn (the caller hears an apology
and is handed over) instead of holding the call forever.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis

from dialogue.customer_keys import contact_keys
from dialogue.state import CallState
from dialogue.store import (
    HISTORY_NOTE_FIELDS,
    RECORD_EVENT_TYPES,
    Events,
    MemoryStore,
    SessionStore,
    SQLiteStore,
    StoredContact,
    aware,
    ended_at_of,
)

_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Versioned migrations, applied in order at connect under an advisory lock (several workers start at
# once); `schema_version` holds the steps applied. Step 1 is the schema from before versions, written with
# IF NOT EXISTS, so a database created by an older release passes through it and upgrades from there.
PG_MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, ended BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    state JSONB NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_active ON sessions (id) WHERE NOT ended;
CREATE TABLE IF NOT EXISTS events (
    seq BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, event JSONB NOT NULL);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, seq);
CREATE TABLE IF NOT EXISTS case_notes (
    id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), note JSONB NOT NULL);
CREATE INDEX IF NOT EXISTS case_notes_created ON case_notes (created_at DESC);
"""),
    (2, """
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS started_at TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS ended_at TIMESTAMPTZ, ADD COLUMN IF NOT EXISTS case_id TEXT,
    ADD COLUMN IF NOT EXISTS extra JSONB NOT NULL DEFAULT '{}'::jsonb;
UPDATE sessions SET started_at = (state->>'started_at')::timestamptz, case_id = state->>'case_id'
    WHERE started_at IS NULL;
UPDATE sessions SET ended_at = updated_at WHERE ended AND ended_at IS NULL;
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at);
CREATE INDEX IF NOT EXISTS sessions_idle ON sessions (updated_at) WHERE NOT ended;
"""),
    # the customers a finished conversation is filed under (dialogue/customer_keys.py): a customer's history
    # is one indexed query. Filled from the finished conversations already there (_backfill_contact_keys).
    # And the connection that holds a chat now (`holder`: the worker its widget reconnected to).
    (3, """
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS holder TEXT;
CREATE TABLE IF NOT EXISTS contact_keys (
    customer_key TEXT NOT NULL, session_id TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_key, session_id));
CREATE INDEX IF NOT EXISTS contact_keys_recent ON contact_keys (customer_key, started_at DESC);
CREATE INDEX IF NOT EXISTS contact_keys_session ON contact_keys (session_id);
"""),
)
PG_VERSION = PG_MIGRATIONS[-1][0]


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _state(raw: str | bytes) -> CallState:
    return CallState.from_json(json.loads(raw))


def _text(value: object) -> str:
    # the client decodes replies (decode_responses=True); its type hints cannot know that
    return value.decode() if isinstance(value, bytes) else str(value)


class PostgresStore:
    """asyncpg pool, created at the first use (so the store can be built before the event loop runs).

    `schema` puts the tables in their own PostgreSQL schema (created if missing): one bot per schema,
    or one schema per test run.
    """

    def __init__(
        self, dsn: str, *, schema: str | None = None, timeout_s: float = 5.0, max_connections: int = 10
    ) -> None:
        if schema is not None and not _IDENT.fullmatch(schema):
            raise ValueError(f"PostgreSQL schema name {schema!r} must match {_IDENT.pattern}")
        self.dsn = dsn
        self.schema = schema
        self.timeout_s = timeout_s
        self.max_connections = max_connections
        self._pool: Any = None  # asyncpg.Pool; asyncpg ships no type hints
        self._pool_lock = asyncio.Lock()

    async def _get_pool(self) -> Any:
        if self._pool is not None:
            return self._pool
        async with self._pool_lock:  # 1,000 calls arriving at once must not open 1,000 pools
            if self._pool is None:
                settings = {"search_path": self.schema} if self.schema else {}
                pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=1,
                    max_size=self.max_connections,
                    timeout=self.timeout_s,
                    command_timeout=self.timeout_s,
                    server_settings=settings,
                )
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        # concurrent CREATE ... IF NOT EXISTS from several processes can still collide
                        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ivr.store.schema'))")
                        if self.schema:
                            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                        await _migrate_postgres(conn)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool
        return self._pool

    async def _fetchval(self, sql: str, *args: Any) -> Any:
        async with asyncio.timeout(self.timeout_s):
            return await (await self._get_pool()).fetchval(sql, *args)

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        async with asyncio.timeout(self.timeout_s):
            return list(await (await self._get_pool()).fetch(sql, *args))

    async def _execute(self, sql: str, *args: Any) -> None:
        async with asyncio.timeout(self.timeout_s):
            await (await self._get_pool()).execute(sql, *args)

    async def load(self, session_id: str) -> CallState | None:
        raw = await self._fetchval("SELECT state::text FROM sessions WHERE id = $1", session_id)
        return _state(raw) if raw else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        async with asyncio.timeout(self.timeout_s), (await self._get_pool()).acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO sessions (id, ended, state, started_at, ended_at, case_id) "
                "VALUES ($1, $2, $3::jsonb, $4, $5, $6) ON CONFLICT (id) DO UPDATE "
                "SET ended = excluded.ended, state = excluded.state, updated_at = now(), case_id = excluded.case_id, "
                "ended_at = CASE WHEN excluded.ended THEN coalesce(sessions.ended_at, excluded.ended_at) END",
                state.id,
                state.ended,
                _dumps(state.to_json()),
                aware(state.started_at),
                ended_at_of(state, events),
                state.case_id,
            )
            if events:
                await conn.executemany("INSERT INTO events (session_id, event) VALUES ($1, $2::jsonb)",
                                       [(state.id, _dumps(e)) for e in events])
            if state.ended:
                await _file_pg(conn, state.id, state.started_at, contact_keys(state.to_json()))

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        rows = await self._fetch("SELECT event::text FROM events WHERE session_id = $1 ORDER BY seq", session_id)
        return [dict(json.loads(r[0])) for r in rows]

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        # a note saved again moves to the top of `cases`, as INSERT OR REPLACE does in SQLiteStore
        await self._execute(
            "INSERT INTO case_notes (id, note) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE "
            "SET note = excluded.note, created_at = now()",
            case_id,
            _dumps(note),
        )

    async def case(self, case_id: str) -> dict[str, Any] | None:
        raw = await self._fetchval("SELECT note::text FROM case_notes WHERE id = $1", case_id)
        return dict(json.loads(raw)) if raw else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT note::text FROM case_notes ORDER BY created_at DESC, id DESC LIMIT $1", limit
        )
        return [dict(json.loads(r[0])) for r in rows]

    async def active(self) -> list[CallState]:
        rows = await self._fetch("SELECT state::text FROM sessions WHERE NOT ended")
        return [_state(r[0]) for r in rows]

    # -- records ---------------------------------------------------------------------------------------

    async def contacts(self, since: datetime | None = None, *, only: str | None = None) -> list[StoredContact]:
        which = "s.id = $1" if only is not None else "s.started_at >= $1"
        key: Any = only if only is not None else since or datetime(1, 1, 1, tzinfo=UTC)
        rows = await self._fetch(
            "SELECT s.id, s.state::text, s.extra::text, s.ended_at, c.note::text FROM sessions s "
            "LEFT JOIN case_notes c ON c.id = coalesce(s.case_id, s.id) "
            f"WHERE s.ended AND {which} ORDER BY s.started_at, s.id", key
        )
        logs: dict[str, list[dict[str, Any]]] = {}
        for sid, event in await self._fetch(
            "SELECT e.session_id, e.event::text FROM sessions s JOIN events e ON e.session_id = s.id "
            f"WHERE s.ended AND {which} AND e.event->>'type' = ANY($2::text[]) ORDER BY e.seq",
            key, list(RECORD_EVENT_TYPES),
        ):
            logs.setdefault(sid, []).append(json.loads(event))
        return [
            StoredContact(json.loads(state), logs.get(sid, []), json.loads(note) if note else None,
                          json.loads(extra), ended)
            for sid, state, extra, ended, note in rows
        ]

    async def put_contacts(self, contacts: Sequence[StoredContact]) -> int:
        if not contacts:
            return 0
        ids = [c.state["id"] for c in contacts]
        # bulk work gets ten round trips' time, not one: thousands of contacts in one transaction
        async with asyncio.timeout(self.timeout_s * 10), (await self._get_pool()).acquire() as conn, \
                conn.transaction():
            await conn.execute("DELETE FROM events WHERE session_id = ANY($1::text[])", ids)
            await conn.executemany(
                "INSERT INTO sessions (id, ended, state, started_at, ended_at, case_id, extra) "
                "VALUES ($1, true, $2::jsonb, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO UPDATE SET ended = true, "
                "state = excluded.state, started_at = excluded.started_at, ended_at = excluded.ended_at, "
                "case_id = excluded.case_id, extra = excluded.extra, updated_at = now()",
                [(c.state["id"], _dumps(c.state), aware(c.state["started_at"]), c.ended_at, c.state.get("case_id"),
                  _dumps(c.extra)) for c in contacts],
            )
            await conn.copy_records_to_table(
                "events", records=[(c.state["id"], _dumps(e)) for c in contacts for e in c.events],
                columns=["session_id", "event"], schema_name=self.schema,
            )
            await conn.executemany(
                "INSERT INTO case_notes (id, created_at, note) VALUES ($1, $2, $3::jsonb) ON CONFLICT (id) "
                "DO UPDATE SET note = excluded.note, created_at = excluded.created_at",
                [(c.state.get("case_id") or c.state["id"], c.ended_at or aware(c.state["started_at"]), _dumps(c.note))
                 for c in contacts if c.note is not None],
            )
            await conn.execute("DELETE FROM contact_keys WHERE session_id = ANY($1::text[])", ids)
            await conn.executemany(
                "INSERT INTO contact_keys (customer_key, session_id, started_at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                [(k, c.state["id"], aware(c.state["started_at"])) for c in contacts
                 for k in sorted(contact_keys(c.state, c.note))],
            )
        return len(contacts)

    async def annotate(self, session_id: str, extra: dict[str, Any]) -> bool:
        found = await self._fetchval(
            "UPDATE sessions SET extra = extra || $2::jsonb WHERE id = $1 RETURNING true", session_id, _dumps(extra)
        )
        return bool(found)

    async def append_events(self, session_id: str, events: Events) -> bool:
        async with asyncio.timeout(self.timeout_s), (await self._get_pool()).acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT true FROM sessions WHERE id = $1", session_id):
                return False
            if events:
                await conn.executemany("INSERT INTO events (session_id, event) VALUES ($1, $2::jsonb)",
                                       [(session_id, _dumps(e)) for e in events])
        return True

    async def delete_before(self, before: datetime) -> int:
        async with asyncio.timeout(self.timeout_s * 10), (await self._get_pool()).acquire() as conn, \
                conn.transaction():
            doomed = await conn.fetch("DELETE FROM sessions WHERE started_at < $1 RETURNING id, coalesce(case_id, id)",
                                      before)
            await conn.execute("DELETE FROM contact_keys WHERE started_at < $1", before)
            ids = [r[0] for r in doomed]
            await conn.execute("DELETE FROM events WHERE session_id = ANY($1::text[])", ids)
            await conn.execute("DELETE FROM case_notes WHERE created_at < $1 OR id = ANY($2::text[])",
                               before, [r[1] for r in doomed])
        return len(ids)

    async def customer_contacts(self, keys: list[str], since: datetime, limit: int) -> list[StoredContact]:
        if not keys:
            return []
        note = ", ".join(f"'{f}', c.note->'{f}'" for f in HISTORY_NOTE_FIELDS)
        rows = await self._fetch(
            f"SELECT s.state::text, s.ended_at, CASE WHEN c.note IS NULL THEN NULL ELSE jsonb_build_object({note}) "
            "END::text, jsonb_set(s.extra, '{queue}', coalesce(s.extra->'queue', (SELECT e.event->'queue' "
            "FROM events e WHERE e.session_id = s.id AND e.event->>'type' = 'handover' ORDER BY e.seq DESC LIMIT 1), "
            "'null'::jsonb))::text "
            # each key's newest `limit` from the index alone (a number that calls all day costs no more than
            # one that called twice), then the newest `limit` of those, each conversation once
            "FROM (SELECT session_id, max(started_at) AS started_at FROM unnest($1::text[]) q(key) "
            "CROSS JOIN LATERAL (SELECT session_id, started_at FROM contact_keys WHERE customer_key = q.key "
            "AND started_at >= $2 ORDER BY started_at DESC, session_id DESC LIMIT $3) x GROUP BY session_id "
            "ORDER BY started_at DESC, session_id DESC LIMIT $3) k JOIN sessions s ON s.id = k.session_id "
            "LEFT JOIN case_notes c ON c.id = coalesce(s.case_id, s.id) "
            "WHERE s.ended ORDER BY k.started_at DESC, k.session_id DESC", list(keys), since, limit
        )
        return [
            StoredContact(json.loads(state), [], json.loads(note) if note else None, json.loads(extra), ended)
            for state, ended, note, extra in rows
        ]

    async def idle(self, before: datetime) -> list[CallState]:
        rows = await self._fetch("SELECT state::text FROM sessions WHERE NOT ended AND updated_at < $1", before)
        return [_state(r[0]) for r in rows]

    async def close_idle(self, state: CallState, events: Events, before: datetime) -> bool:
        async with asyncio.timeout(self.timeout_s), (await self._get_pool()).acquire() as conn, conn.transaction():
            changed = await conn.fetchval(
                "UPDATE sessions SET ended = $2, state = $3::jsonb, ended_at = $4, case_id = $5, updated_at = now() "
                "WHERE id = $1 AND NOT ended AND updated_at < $6 RETURNING true",
                state.id, state.ended, _dumps(state.to_json()), ended_at_of(state, events), state.case_id, before,
            )
            if changed and events:
                await conn.executemany("INSERT INTO events (session_id, event) VALUES ($1, $2::jsonb)",
                                       [(state.id, _dumps(e)) for e in events])
            if changed and state.ended:
                await _file_pg(conn, state.id, state.started_at, contact_keys(state.to_json()))
        return bool(changed)

    async def claim(self, session_id: str, holder: str) -> None:
        await self._execute("UPDATE sessions SET holder = $2, updated_at = now() WHERE id = $1", session_id, holder)

    async def holder(self, session_id: str) -> str | None:
        found = await self._fetchval("SELECT holder FROM sessions WHERE id = $1", session_id)
        return str(found) if found is not None else None

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            async with asyncio.timeout(self.timeout_s):
                await pool.close()


async def _migrate_postgres(conn: Any) -> None:
    """Apply the migrations this database has not had yet, each step recorded in `schema_version`."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    current = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
    for version, script in PG_MIGRATIONS:
        if version > current:
            await conn.execute(script)
            if version == 3:
                await _backfill_contact_keys(conn)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)


async def _file_pg(conn: Any, session_id: str, started_at: str, keys: set[str]) -> None:
    """File a finished conversation under its customers (inside the caller's transaction)."""
    if keys:
        await conn.executemany(
            "INSERT INTO contact_keys (customer_key, session_id, started_at) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING", [(k, session_id, aware(started_at)) for k in sorted(keys)])


async def _backfill_contact_keys(conn: Any) -> None:
    """Migration 3's data step: the keys are computed in Python (dialogue.customer_keys), as new calls do."""
    rows = await conn.fetch("SELECT s.id, s.state::text, c.note::text FROM sessions s LEFT JOIN case_notes c "
                            "ON c.id = coalesce(s.case_id, s.id) WHERE s.ended")
    filed = []
    for sid, state, note in rows:
        data = json.loads(state)
        filed += [(k, sid, aware(data["started_at"])) for k in sorted(contact_keys(data, json.loads(note) if note else None))]
    if filed:
        await conn.copy_records_to_table("contact_keys", records=filed,
                                         columns=["customer_key", "session_id", "started_at"],
                                         schema_name=await conn.fetchval("SELECT current_schema()"))


class RedisStore:
    """Sessions as JSON strings that expire `ttl_s` after their last turn; case notes do not expire.

    Keys (under `prefix`, "ivr" by default): `<prefix>:session:<id>`, the set `<prefix>:active` of ids
    of calls in progress with `<prefix>:active:at` (id scored by its last save, for the idle sweep), the hash `<prefix>:cases` (id -> note) and the sorted set
    `<prefix>:cases:by_time` (id scored by the time it was saved), and `<prefix>:holder:<id>`, the
    connection that holds a chat now (the worker its widget reconnected to).
    """

    def __init__(self, url: str, ttl_s: int = 86400, *, prefix: str = "ivr", timeout_s: float = 5.0) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self.prefix = prefix
        self.timeout_s = timeout_s
        self._redis: aioredis.Redis = aioredis.from_url(
            url, decode_responses=True, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._active = f"{prefix}:active"
        self._active_at = f"{prefix}:active:at"  # id -> time of its last save, for the idle sweep
        self._cases = f"{prefix}:cases"
        self._by_time = f"{prefix}:cases:by_time"

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}:session:{session_id}"

    def _events_key(self, session_id: str) -> str:
        return f"{self.prefix}:events:{session_id}"

    def _holder_key(self, session_id: str) -> str:
        return f"{self.prefix}:holder:{session_id}"

    async def claim(self, session_id: str, holder: str) -> None:
        async with asyncio.timeout(self.timeout_s):
            if not await self._redis.exists(self._key(session_id)):
                return
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(self._holder_key(session_id), holder, ex=self.ttl_s)
                pipe.zadd(self._active_at, {session_id: time.time()}, xx=True)  # an open call: not idle
                await pipe.execute()

    async def holder(self, session_id: str) -> str | None:
        async with asyncio.timeout(self.timeout_s):
            found = await self._redis.get(self._holder_key(session_id))
        return _text(found) if found is not None else None

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        async with asyncio.timeout(self.timeout_s):
            raws = await self._redis.lrange(self._events_key(session_id), 0, -1)
        return [dict(json.loads(_text(r))) for r in raws]

    async def load(self, session_id: str) -> CallState | None:
        async with asyncio.timeout(self.timeout_s):
            raw = await self._redis.get(self._key(session_id))
        return _state(raw) if raw else None

    async def save(self, state: CallState, events: Events = ()) -> None:
        async with asyncio.timeout(self.timeout_s), self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(state.id), _dumps(state.to_json()), ex=self.ttl_s)
            if events:
                pipe.rpush(self._events_key(state.id), *(_dumps(e) for e in events))
                pipe.expire(self._events_key(state.id), self.ttl_s)
            if state.ended:
                pipe.srem(self._active, state.id)
                pipe.zrem(self._active_at, state.id)
            else:
                pipe.sadd(self._active, state.id)
                pipe.zadd(self._active_at, {state.id: time.time()})
            await pipe.execute()

    async def idle(self, before: datetime) -> list[CallState]:
        async with asyncio.timeout(self.timeout_s):
            ids = [_text(i) for i in await self._redis.zrangebyscore(self._active_at, "-inf", before.timestamp())]
            if not ids:
                return []
            raws = await self._redis.mget([self._key(i) for i in ids])
            expired = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
            if expired:  # past its TTL: nothing left to close
                await self._redis.zrem(self._active_at, *expired)
        states = [_state(raw) for raw in raws if raw]
        return [s for s in states if not s.ended]

    async def close_idle(self, state: CallState, events: Events, before: datetime) -> bool:
        key = self._key(state.id)
        async with asyncio.timeout(self.timeout_s), self._redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key, self._active_at)  # a turn saved meanwhile makes EXEC fail
                score = await pipe.zscore(self._active_at, state.id)
                if score is None or score >= before.timestamp() or not await pipe.exists(key):
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]
                pipe.set(key, _dumps(state.to_json()), ex=self.ttl_s)
                if events:
                    pipe.rpush(self._events_key(state.id), *(_dumps(e) for e in events))
                    pipe.expire(self._events_key(state.id), self.ttl_s)
                pipe.srem(self._active, state.id)
                pipe.zrem(self._active_at, state.id)
                await pipe.execute()
            except aioredis.WatchError:
                return False
        return True

    async def save_case(self, case_id: str, note: dict[str, Any]) -> None:
        async with asyncio.timeout(self.timeout_s), self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._cases, case_id, _dumps(note))
            pipe.zadd(self._by_time, {case_id: time.time()})
            await pipe.execute()

    async def case(self, case_id: str) -> dict[str, Any] | None:
        async with asyncio.timeout(self.timeout_s):
            raw = await self._redis.hget(self._cases, case_id)
        return dict(json.loads(raw)) if raw else None

    async def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        async with asyncio.timeout(self.timeout_s):
            ids = [_text(i) for i in await self._redis.zrevrange(self._by_time, 0, limit - 1)]
            if not ids:
                return []
            raws = await self._redis.hmget(self._cases, ids)
        return [dict(json.loads(raw)) for raw in raws if raw]

    async def active(self) -> list[CallState]:
        async with asyncio.timeout(self.timeout_s):
            ids = sorted(_text(i) for i in await self._redis.smembers(self._active))
            if not ids:
                return []
            raws = await self._redis.mget([self._key(i) for i in ids])
            expired = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
            if expired:  # a call abandoned without a hang-up outlives its TTL only in the set
                await self._redis.srem(self._active, *expired)
        states = [_state(raw) for raw in raws if raw]
        return [s for s in states if not s.ended]

    async def close(self) -> None:
        await self._redis.aclose()


def store_from_url(url: str) -> SessionStore:
    """`memory://`, `sqlite:///relative.db` or `sqlite:////absolute.db`, `postgresql://...`,
    `redis://...` (`rediss://` for TLS)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "memory":
        return MemoryStore()
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.lower().startswith("sqlite:///") else ""
        if not path:
            raise ValueError(f"store URL {url!r}: expected sqlite:///path/to/file.db")
        return SQLiteStore(Path(path))
    if scheme in ("postgresql", "postgres"):
        return PostgresStore(url)
    if scheme in ("redis", "rediss", "unix"):
        return RedisStore(url)
    raise ValueError(
        f"store URL {url!r}: unknown scheme; use memory://, sqlite:///path, postgresql://... or redis://..."
    )
