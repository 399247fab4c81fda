"""What the supervisors' report views share (ivr/qa_views.py, ivr/forecast_views.py): the page behind the
console login, JSON errors with a reason, and a cache that runs a heavy computation in a worker thread once
per question and state of the records.

Scoring a month of contacts or fitting a forecast takes from a fraction of a second to several seconds of
CPU: run on the event loop it would stall every call and chat this worker serves, so it runs in the
default executor. Several supervisors opening the same view share one computation (also while it runs),
and a result stays valid until the records it was made from change (`records_state`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from aiohttp import web

from ivr.agent_console import PAGE_HEADERS, STATIC, current_user

T = TypeVar("T")
MAX_CACHED = 16  # results kept per view: a few periods and horizons are what supervisors look at


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


class ComputeCache(Generic[T]):
    """Results of `compute()` by key, computed in the default executor; one run per key at a time."""

    def __init__(self, max_entries: int = MAX_CACHED) -> None:
        self.max_entries = max_entries
        self._done: OrderedDict[Hashable, T] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[T]] = {}
        self.runs = 0  # computations started (for tests: a second request must not start another)

    async def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self._done:
            self._done.move_to_end(key)
            return self._done[key]
        running = self._running.get(key)
        if running is None:
            self.runs += 1
            running = asyncio.get_running_loop().run_in_executor(None, compute)
            self._running[key] = running
            running.add_done_callback(lambda fut: self._finished(key, fut))
        # shield: a supervisor who closes the page must not cancel the result for the others
        return await asyncio.shield(running)

    def _finished(self, key: Hashable, fut: asyncio.Future[T]) -> None:
        self._running.pop(key, None)
        if fut.cancelled() or fut.exception() is not None:
            return  # errors (too little history) are answered each time, not kept
        self._done[key] = fut.result()
        while len(self._done) > self.max_entries:
            self._done.popitem(last=False)
