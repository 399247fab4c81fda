"""Backend actions as HTTP webhooks: POST {"action", "args", "conversation_id"} as JSON, a JSON object back.

The schema is in docs/deployment.md. A slow or failing company system must not hold callers: every try has a
timeout, failures are retried with a short back-off, and after several failed calls in a row a circuit
breaker answers at once (the caller hears an apology and is handed over) until a trial call succeeds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from dialogue.backends import ActionResult, BackendError, UnknownAction, current_conversation


class CircuitOpen(BackendError):
    """The backend failed too often lately; calls are refused without trying until `reset_s` has passed."""


class CircuitBreaker:
    """Closed -> open after `failures` failed calls in a row -> one trial call after `reset_s` (half open).

    Hand-written (30 lines): the maintained breakers on PyPI are synchronous or tied to tornado.
    """

    def __init__(self, failures: int = 5, reset_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.reset_s, self._clock = failures, reset_s, clock
        self._failed = 0
        self._opened_at: float | None = None
        self._trial = False  # a half-open trial call is in flight: the others keep being refused

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.reset_s else "open"

    def before_call(self, what: str) -> None:
        state = self.state
        if state == "open" or (state == "half_open" and self._trial):
            raise CircuitOpen(f"{what}: circuit open after {self._failed} failed calls; retrying in "
                              f"{self.reset_s:g} s")
        self._trial = state == "half_open"

    def succeeded(self) -> None:
        self._failed, self._opened_at, self._trial = 0, None, False

    def failed(self) -> None:
        self._failed += 1
        self._trial = False
        if self._failed >= self.failures:
            self._opened_at = self._clock()


class WebhookBackend:
    def __init__(
        self,
        url: str,
        actions: frozenset[str],
        *,
        timeout_s: float = 3.0,
        retries: int = 2,
        headers: dict[str, str] | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.url = url
        self._actions = actions
        self.timeout_s = timeout_s
        self.retries = retries
        self.headers = headers or {}
        self.breaker = breaker or CircuitBreaker()
        self._session: aiohttp.ClientSession | None = None

    def actions(self) -> frozenset[str]:
        return self._actions

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, action: str, args: dict[str, Any]) -> ActionResult:
        if action not in self._actions:
            raise UnknownAction(f"webhook backend has no action '{action}'")
        self.breaker.before_call(self.url)
        try:
            result = await self._call(action, args)
        except BaseException:
            # a turn's own timeout cancels the call (CancelledError): a slow system, so a failure too; a
            # half-open trial must end one way or the other or the circuit would never close again
            self.breaker.failed()
            raise
        self.breaker.succeeded()
        return result

    async def _call(self, action: str, args: dict[str, Any]) -> ActionResult:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        # the conversation lets the company's system tie calls of one caller together (logs, idempotency)
        request = {"action": action, "args": args, "conversation_id": current_conversation()}
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(min(0.1 * 2 ** (attempt - 1), 1.0))
            try:
                async with asyncio.timeout(self.timeout_s):
                    async with self._session.post(self.url, json=request, headers=self.headers) as resp:
                        if resp.status >= 500:
                            raise BackendError(f"{self.url}: HTTP {resp.status}")
                        if resp.status >= 400:
                            # a client error will not improve by retrying
                            return {"result": "error", "status": resp.status}
                        body = await resp.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, BackendError, ValueError) as exc:
                last = exc
                continue
            if not isinstance(body, dict):
                raise BackendError(f"{self.url}: expected a JSON object, got {type(body).__name__}")
            return body
        raise BackendError(f"{self.url}: {action} failed after {self.retries + 1} tries: {last!r}")
