"""What the supervisors' report views share (ivr/qa_views.py, ivr/forecast_views.py): the page behind the
console login, JSON errors with a reason, and a cache that runs a heavy computation in a worker thread once
per question and state of the records.

Scoring a month of contacts or fitting a forecast takes from a fraction of a second to several seconds of
CPU: run on the event loop it would stall every call and chat this worker serves, so it runs in the
default executor, and the records are read there too, through a connection of the thread's own
(`read_records`). Several supervisors opening the same view share one computation (also while it runs),
and a result stays valid until the records it was made from change (`records_state`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from aiohttp import web

from dialogue.records import record_store, records
from dialogue.store import SessionStore, SQLiteStore
from dialogue.store_remote import PostgresStore
from ivr.agent_console import PAGE_HEADERS, STATIC, current_user
from ivr.voice_common import STORE_DOWN

log = logging.getLogger("ivr.ops_views")
UNREADABLE: tuple[type[BaseException], ...] = (*STORE_DOWN, sqlite3.Error)  # a database down or stuck
T = TypeVar("T")
MAX_CACHED = 16  # results kept per view: a few periods and horizons are what supervisors look at
FRESH_S = 15.0  # an answer this recent is given again without reading the records (filters, reloads)


def bad_request(message: str, status: int = 400) -> web.HTTPException:
    """A 4xx (or 503) JSON answer `{"error": message}` the page shows as it is."""
    cls = {400: web.HTTPBadRequest, 404: web.HTTPNotFound, 422: web.HTTPUnprocessableEntity,
           503: web.HTTPServiceUnavailable}[status]
    return cls(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json",
               headers={"Cache-Control": "no-store"})


def supervisor_page(name: str) -> Callable[[web.Request], Any]:
    """A static page of ivr/static for supervisors: the login page without a login, 403 for agents."""

    async def page(request: web.Request) -> web.Response:
        user = await current_user(request)
        if user is None:
            raise web.HTTPFound("/agent/login")
        if not user.supervisor:
            raise web.HTTPForbidden(text="スーパーバイザー専用の画面です。")
        return web.Response(text=(STATIC / name).read_text("utf-8"), content_type="text/html",
                            headers=PAGE_HEADERS)

    return page


def records_state(rows: Iterable[Mapping[str, Any]]) -> str:
    """A digest of what a report reads from the records: a new contact, a longer transcript, or an agent,
    handle time or rating set later changes it; the same records give the same digest."""
    digest = hashlib.blake2b(digest_size=16)
    for r in rows:
        digest.update(repr((r.get("conversation_id"), r.get("started_at"), r.get("ended_at"), r.get("outcome"),
                            r.get("queue"), r.get("agent"), r.get("handle_seconds"), r.get("satisfaction"),
                            len(r.get("transcript") or ()))).encode())
    return digest.hexdigest()


def _second_connection(store: SessionStore) -> SessionStore | None:
    """The same records through a connection of its own, for a worker thread's event loop; None for a store
    that lives in this process only (memory, in tests), which is read where it is."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)  # WAL: this reader does not hold up the writers on the loop
    if isinstance(store, PostgresStore):
        return PostgresStore(store.dsn, schema=store.schema, max_connections=2)
    return None


async def read_records(store: SessionStore, since: datetime | None = None,
                       until: datetime | None = None) -> tuple[list[dict[str, Any]], str]:
    """Finished contacts started in [since, until) and their `records_state`, read in a worker thread: a
    year of contacts is seconds of queries and JSON that would otherwise hold up every call on this worker.
    Raises RecordsUnavailable for a store without records (Redis)."""

    def pick(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
        if until is not None:
            rows = [r for r in rows if datetime.fromisoformat(r["started_at"]) < until]
        return rows, records_state(rows)

    record_store(store)  # the clear error for Redis, before any thread
    reader = _second_connection(store)
    try:
        if reader is None:
            return pick(await records(store, since))
        own: SessionStore = reader

        def read() -> tuple[list[dict[str, Any]], str]:
            async def go() -> tuple[list[dict[str, Any]], str]:
                try:
                    return pick(await records(own, since))
                finally:
                    await own.close()

            return asyncio.run(go())

        return await asyncio.to_thread(read)
    except UNREADABLE as exc:  # the database is down or stuck: say so, no traceback
        log.warning("records unreadable for a console report: %s: %s", type(exc).__name__, exc)
        raise bad_request(f"the records store does not answer ({type(exc).__name__}); try again shortly",
                          503) from None


class ComputeCache(Generic[T]):
    """Results of `compute()` per question (a period, a horizon) and state of the records, computed in the
    default executor; one run per key at a time. `fresh(question)` answers without reading the records again
    for FRESH_S after the last answer: a supervisor clicking through filters waits for nothing."""

    def __init__(self, max_entries: int = MAX_CACHED, fresh_s: float = FRESH_S) -> None:
        self.max_entries = max_entries
        self.fresh_s = fresh_s
        self._done: OrderedDict[Hashable, T] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[T]] = {}
        self._latest: dict[Hashable, tuple[float, Hashable]] = {}  # question -> (when, key) last answered
        self.runs = 0  # computations started (for tests: a second request must not start another)

    def fresh(self, question: Hashable) -> T | None:
        latest = self._latest.get(question)
        if latest is None or time.monotonic() - latest[0] >= self.fresh_s:
            return None
        return self._done.get(latest[1])

    async def get(self, question: Hashable, state: str, compute: Callable[[], T]) -> T:
        key = (question, state)
        if key in self._done:
            self._done.move_to_end(key)
            self._latest[question] = (time.monotonic(), key)
            return self._done[key]
        running = self._running.get(key)
        if running is None:
            self.runs += 1
            running = asyncio.get_running_loop().run_in_executor(None, compute)
            self._running[key] = running
            running.add_done_callback(lambda fut: self._finished(key, fut))
        # shield: a supervisor who closes the page must not cancel the result for the others
        result = await asyncio.shield(running)
        self._latest[question] = (time.monotonic(), key)
        return result

    def _finished(self, key: Hashable, fut: asyncio.Future[T]) -> None:
        self._running.pop(key, None)
        if fut.cancelled() or fut.exception() is not None:
            return  # errors (too little history) are answered each time, not kept
        self._done[key] = fut.result()
        while len(self._done) > self.max_entries:
            self._done.popitem(last=False)
