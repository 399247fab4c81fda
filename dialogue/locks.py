"""Coordination shared by every server process of one store: per-conversation locks and once-only keys.

SPEC 7.5: turns of one conversation are processed one at a time, in order, exactly once, whichever
worker gets the request. The lock is the store's own engine, so nothing here is a home-made cluster:

- PostgreSQL: a transaction-scoped advisory lock (`pg_advisory_xact_lock`) on a 64-bit hash of the
  conversation id, held on a connection of a small pool of its own (the store's pool stays free for
  the turn's load and save). A worker killed mid-turn drops its connection, and PostgreSQL the lock.
- Redis: redis-py's `Lock` (SET NX PX with a token, released by a Lua script) that expires after
  `lease_s`, so a killed worker's lock frees itself.
- SQLite and memory stores serve one process: an `asyncio.Lock` per conversation.

Every implementation first takes an in-process lock, so two requests of one call on the same worker
queue in memory instead of each holding a database connection while they wait.

`first_time(key)` claims a key once for `ttl_s` (replay protection of signed webhooks): a row in the
`ivr_once` table, or a Redis `SET NX EX` key; both survive a restart and are seen by every worker.

`mark(key, window_s)` / `marks(key, window_s)` / `unmark(key)` keep the times of events under a key for a
sliding window, shared the same way (rows of `ivr_marks`, a Redis sorted set): failed console logins are
counted across workers with them, so a second worker is no second allowance.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import asyncpg
import redis.asyncio as aioredis
from redis.exceptions import LockError

from dialogue.store import SessionStore
from dialogue.store_remote import PostgresStore, RedisStore

log = logging.getLogger(__name__)
LEASE_S = 10.0  # a Redis lock outlives the longest turn (channels give up after 5 s), not a killed worker
WAIT_S = 10.0  # how long a turn waits for the turn before it of the same conversation


class LockTimeout(Exception):
    """Another worker held the conversation for longer than WAIT_S."""


class Coordination(Protocol):
    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Exclusive use of one conversation, across every process of the store."""
        ...

    def forget(self, conversation_id: str) -> None:
        """The conversation ended: drop what this process keeps for it."""
        ...

    async def first_time(self, key: str, ttl_s: float = 300.0) -> bool:
        """True for the first claim of `key` within `ttl_s`, False for every later one (any process)."""
        ...

    async def mark(self, key: str, window_s: float) -> None:
        """Note one event under `key` now, kept for `window_s` (any process)."""
        ...

    async def marks(self, key: str, window_s: float) -> list[float]:
        """The times (epoch seconds, oldest first) of the events under `key` in the last `window_s`."""
        ...

    async def unmark(self, key: str) -> None:
        """Forget the events under `key`."""
        ...

    async def ping(self) -> None:
        """Raise when the engine behind the locks cannot be reached (readiness)."""
        ...

    async def close(self) -> None: ...


class LocalLocks:
    """One process: an asyncio.Lock per conversation with a turn running or waiting (dropped when the
    last one leaves, so memory follows the calls in flight), and a bounded in-memory set of claimed keys."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._marks: OrderedDict[str, list[float]] = OrderedDict()
        self.max_keys = max_keys

    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(conversation_id) or (asyncio.Lock(), 0)
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            if users <= 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    def forget(self, conversation_id: str) -> None:
        return None  # nothing outlives the turns in flight

    def in_use(self) -> int:
        return len(self._locks)

    async def first_time(self, key: str, ttl_s: float = 300.0) -> bool:
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) > self.max_keys):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now + ttl_s
        return True

    async def mark(self, key: str, window_s: float) -> None:
        times = await self.marks(key, window_s)
        self._marks[key] = [*times, time.time()]
        self._marks.move_to_end(key)
        while len(self._marks) > self.max_keys:  # a flood of keys: the least recently marked go first
            self._marks.popitem(last=False)

    async def marks(self, key: str, window_s: float) -> list[float]:
        since = time.time() - window_s
        return [t for t in self._marks.get(key, []) if t > since]

    async def unmark(self, key: str) -> None:
        self._marks.pop(key, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


async def _no_reset(conn: Any) -> None:
    """Lock connections keep no session state (transaction-scoped locks only): skip asyncpg's reset
    query, one round trip per turn."""


def advisory_key(namespace: str, conversation_id: str) -> int:
    """A signed 64-bit key (PostgreSQL's bigint) for one conversation of one schema."""
    digest = hashlib.blake2b(f"{namespace}\0{conversation_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_ONCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS ivr_once (key TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS ivr_once_expires ON ivr_once (expires_at);
CREATE TABLE IF NOT EXISTS ivr_marks (key TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS ivr_marks_key ON ivr_marks (key, at);
CREATE INDEX IF NOT EXISTS ivr_marks_expires ON ivr_marks (expires_at);
"""


class PostgresLocks:
    """Advisory locks and once-keys in the store's database (and schema)."""

    def __init__(self, dsn: str, schema: str | None = None, *, timeout_s: float = 5.0, max_connections: int = 20) -> None:
        self.dsn, self.schema, self.timeout_s, self.max_connections = dsn, schema, timeout_s, max_connections
        self.local = LocalLocks()
        self._pool: Any = None  # asyncpg.Pool (untyped)
        self._pool_lock = asyncio.Lock()
        self._claims = 0

    async def _get_pool(self) -> Any:
        if self._pool is not None:
            return self._pool
        async with self._pool_lock:
            if self._pool is None:
                settings = {"search_path": self.schema} if self.schema else {}
                # lock_timeout bounds the wait for an advisory lock too: a stuck holder fails one turn
                settings["lock_timeout"] = f"{int(WAIT_S * 1000)}"
                # a once-key is not worth a disk flush per turn: a PostgreSQL crash may forget the last
                # keys (a replay just then would be refused by its signature's age no more), never a turn
                settings["synchronous_commit"] = "off"
                # a worker killed with -9 leaves backends behind that may be waiting on a lock: check the
                # client every second (PostgreSQL 14+) and never keep a lock idle longer than any turn
                settings["client_connection_check_interval"] = "1000"
                settings["idle_in_transaction_session_timeout"] = f"{int(LEASE_S * 1500)}"
                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.max_connections,
                                                 timeout=self.timeout_s, server_settings=settings, reset=_no_reset)
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ivr.store.schema'))")
                        if self.schema:
                            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                        await conn.execute(_ONCE_SCHEMA)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool
        return self._pool

    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[None]:
        key = advisory_key(self.schema or "public", conversation_id)  # an int we made: safe in the SQL text
        async with self.local.hold(conversation_id):
            pool = await self._get_pool()
            conn = await pool.acquire(timeout=WAIT_S)
            committed = False
            try:
                # BEGIN and the lock in one round trip (simple protocol); COMMIT ends both
                try:
                    await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({key})")
                except asyncpg.exceptions.LockNotAvailableError:
                    raise LockTimeout(conversation_id) from None
                try:
                    yield
                finally:
                    await conn.execute("COMMIT")
                    committed = True
            finally:
                # failed, timed out or cancelled half-way: the connection's state is unknown, so it is
                # closed, and PostgreSQL drops the lock with it; the pool opens a fresh one. A connection
                # the pool already took back (the database went away) refuses both: nothing left to do.
                with contextlib.suppress(asyncpg.InterfaceError):
                    if not committed:
                        conn.terminate()
                    await pool.release(conn)

    def forget(self, conversation_id: str) -> None:
        self.local.forget(conversation_id)

    async def first_time(self, key: str, ttl_s: float = 300.0) -> bool:
        pool = await self._get_pool()
        async with asyncio.timeout(self.timeout_s):
            claimed = await pool.fetchval(
                "INSERT INTO ivr_once (key, expires_at) VALUES ($1, now() + make_interval(secs => $2)) "
                "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at "
                "WHERE ivr_once.expires_at < now() RETURNING true", key, float(ttl_s))
            self._claims += 1
            if self._claims % 1000 == 0:  # keep the table small without a cron job
                await pool.execute("DELETE FROM ivr_once WHERE expires_at < now()")
        return bool(claimed)

    async def mark(self, key: str, window_s: float) -> None:
        pool = await self._get_pool()
        async with asyncio.timeout(self.timeout_s):
            await pool.execute("INSERT INTO ivr_marks (key, at, expires_at) VALUES ($1, clock_timestamp(), "
                               "clock_timestamp() + make_interval(secs => $2))", key, float(window_s))
            self._claims += 1
            if self._claims % 1000 == 0:
                await pool.execute("DELETE FROM ivr_marks WHERE expires_at < now()")

    async def marks(self, key: str, window_s: float) -> list[float]:
        pool = await self._get_pool()
        async with asyncio.timeout(self.timeout_s):
            rows = await pool.fetch(
                "SELECT extract(epoch FROM at)::float8 FROM ivr_marks WHERE key = $1 "
                "AND at > clock_timestamp() - make_interval(secs => $2) ORDER BY at", key, float(window_s))
        return [float(r[0]) for r in rows]

    async def unmark(self, key: str) -> None:
        pool = await self._get_pool()
        async with asyncio.timeout(self.timeout_s):
            await pool.execute("DELETE FROM ivr_marks WHERE key = $1", key)

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout_s):
            await (await self._get_pool()).fetchval("SELECT 1")

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


class RedisLocks:
    """redis-py locks and SET NX keys under the store's key prefix."""

    def __init__(self, url: str, prefix: str = "ivr", *, timeout_s: float = 5.0) -> None:
        self.prefix, self.timeout_s = prefix, timeout_s
        self.local = LocalLocks()
        self._redis: aioredis.Redis = aioredis.from_url(url, socket_timeout=timeout_s,
                                                        socket_connect_timeout=timeout_s)

    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[None]:
        async with self.local.hold(conversation_id):
            lock = self._redis.lock(f"{self.prefix}:lock:{conversation_id}", timeout=LEASE_S,
                                    sleep=0.005, blocking_timeout=WAIT_S)
            if not await lock.acquire():
                raise LockTimeout(conversation_id)
            try:
                yield
            finally:
                try:
                    await lock.release()
                except LockError:
                    # the lease ran out during a very slow turn; another worker may hold it now
                    log.warning("lock of %s expired before its turn ended", conversation_id)

    def forget(self, conversation_id: str) -> None:
        self.local.forget(conversation_id)

    async def first_time(self, key: str, ttl_s: float = 300.0) -> bool:
        async with asyncio.timeout(self.timeout_s):
            done = await self._redis.set(f"{self.prefix}:once:{key}", b"1", nx=True, ex=max(1, int(ttl_s)))
        return bool(done)

    async def mark(self, key: str, window_s: float) -> None:
        now = time.time()
        name = f"{self.prefix}:marks:{key}"
        async with asyncio.timeout(self.timeout_s), self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {uuid.uuid4().hex: now})  # a member each: two events in one instant count twice
            pipe.zremrangebyscore(name, "-inf", now - window_s)
            pipe.expire(name, max(1, math.ceil(window_s)))
            await pipe.execute()

    async def marks(self, key: str, window_s: float) -> list[float]:
        async with asyncio.timeout(self.timeout_s):
            found = await self._redis.zrangebyscore(f"{self.prefix}:marks:{key}", f"({time.time() - window_s}",
                                                    "+inf", withscores=True)
        return [float(pair[1]) for pair in found]  # (member, score) pairs

    async def unmark(self, key: str) -> None:
        async with asyncio.timeout(self.timeout_s):
            await self._redis.delete(f"{self.prefix}:marks:{key}")

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout_s):
            await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def coordination_for(store: SessionStore) -> Coordination:
    """The engine of the store coordinates its workers; a local store has only one process to serve."""
    if isinstance(store, PostgresStore):
        return PostgresLocks(store.dsn, store.schema, timeout_s=store.timeout_s)
    if isinstance(store, RedisStore):
        return RedisLocks(store.url, store.prefix, timeout_s=store.timeout_s)
    return LocalLocks()
