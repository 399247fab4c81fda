"""What every request passes first: clients that go away, and how many chats one client may open.

- A client that disconnects mid-request (a closed tab, a caller's provider giving up) is normal
  traffic: one INFO line, never an "Error handling request" traceback.
- New chat sockets (`GET /chat/ws`) are limited per client address: a token bucket of CHAT_BURST
  sockets refilled at CHAT_PER_MINUTE; beyond it 429 with Retry-After, before any session exists.
  Behind our own proxy (IVR_TRUST_FORWARDED) the client is the last X-Forwarded-For hop.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

from ivr.metrics import CLIENT_GONE, REJECTED
from ivr.voice_common import CONFIG, VoiceConfig

log = logging.getLogger("ivr.guards")
CHAT_PATH = "/chat/ws"
CHAT_BURST = 20
CHAT_PER_MINUTE = 30.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TokenBuckets:
    """Per-key token buckets in memory, the least recently used forgotten beyond `max_keys`."""

    def __init__(self, burst: int, per_minute: float, max_keys: int = 100_000) -> None:
        self.burst, self.rate, self.max_keys = burst, per_minute / 60.0, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def take(self, key: str, now: float | None = None) -> float:
        """0.0 when a token was taken; otherwise the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


CHAT_BUCKETS = web.AppKey("chat_buckets", TokenBuckets)


def client_address(request: web.Request, cfg: VoiceConfig | None) -> str:
    if cfg is not None and cfg.trust_forwarded:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1]  # the address our proxy saw; earlier hops are the client's own claims
    return request.remote or "unknown"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == CHAT_PATH and request.method == "GET":
        wait = request.app[CHAT_BUCKETS].take(client_address(request, request.app.get(CONFIG)))
        if wait > 0:
            REJECTED.labels(CHAT_PATH, "too_many_chats").inc()
            log.warning("refused a new chat from %s: too many chats", request.remote)
            raise web.HTTPTooManyRequests(
                text="新しいチャットが多すぎます。しばらくしてからもう一度お試しください。",
                headers={"Retry-After": str(math.ceil(wait))})
    try:
        return await handler(request)
    except ConnectionResetError:  # aiohttp's ClientConnectionResetError too
        CLIENT_GONE.labels(request.path if request.match_info.route.resource else "unmatched").inc()
        log.info("client %s went away during %s %s", request.remote, request.method, request.path)
        return web.Response(status=499)  # nobody will read it; aiohttp drops it quietly


def setup(app: web.Application) -> None:
    app[CHAT_BUCKETS] = TokenBuckets(CHAT_BURST, CHAT_PER_MINUTE)
    app.middlewares.append(guard)
