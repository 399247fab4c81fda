"""Backend actions as HTTP webhooks: POST {"action", "args"} as JSON, a JSON object back."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from dialogue.backends import ActionResult, BackendError, UnknownAction


class WebhookBackend:
    def __init__(
        self,
        url: str,
        actions: frozenset[str],
        *,
        timeout_s: float = 3.0,
        retries: int = 2,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url = url
        self._actions = actions
        self.timeout_s = timeout_s
        self.retries = retries
        self.headers = headers or {}
        self._session: aiohttp.ClientSession | None = None

    def actions(self) -> frozenset[str]:
        return self._actions

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, action: str, args: dict[str, Any]) -> ActionResult:
        if action not in self._actions:
            raise UnknownAction(f"webhook backend has no action '{action}'")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                async with asyncio.timeout(self.timeout_s):
                    async with self._session.post(
                        self.url, json={"action": action, "args": args}, headers=self.headers
                    ) as resp:
                        if resp.status >= 500:
                            raise BackendError(f"{self.url}: HTTP {resp.status}")
                        if resp.status >= 400:
                            # a client error will not improve by retrying
                            return {"result": "error", "status": resp.status}
                        body = await resp.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, BackendError, ValueError) as exc:
                last = exc
                await asyncio.sleep(min(0.1 * 2**attempt, 1.0))
                continue
            if not isinstance(body, dict):
                raise BackendError(f"{self.url}: expected a JSON object, got {type(body).__name__}")
            return body
        raise BackendError(f"{self.url}: {action} failed after {self.retries + 1} tries: {last!r}")
