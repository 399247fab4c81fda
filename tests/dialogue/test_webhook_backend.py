"""A company's order system as an HTTP webhook: JSON in and out, timeouts, retries, and its failures."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.backends import BackendError
from dialogue.backends.demo import DemoBackend
from dialogue.backends.webhook import WebhookBackend
from dialogue.factory import build_manager
from nlu.pipeline import NLU

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


async def order_system(fail_first: int = 0, delay_s: float = 0.0) -> tuple[TestServer, dict[str, int]]:
    demo = DemoBackend()
    calls = {"n": 0}

    async def handle(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] <= fail_first:
            return web.Response(status=503)
        await asyncio.sleep(delay_s)
        body = await request.json()
        return web.json_response(await demo.call(body["action"], body["args"]))

    app = web.Application()
    app.router.add_post("/actions", handle)
    server = TestServer(app)
    await server.start_server()
    return server, calls


async def test_a_call_runs_against_the_webhook(nlu: NLU) -> None:
    server, calls = await order_system(fail_first=1)  # one 503: retried
    backend = WebhookBackend(str(server.make_url("/actions")), DemoBackend().actions(), timeout_s=2.0)
    try:
        manager = build_manager(nlu=nlu, backend=backend)
        sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="09012345678"),
                                                  now=TUESDAY_10))
        await manager.handle(sid, UserTurn(text="注文した商品が届かない"))
        reply = await manager.handle(sid, UserTurn(text="12345678"))
        assert "配送中" in reply.text
        assert calls["n"] >= 3  # 503, then verify_caller and order_status
    finally:
        await backend.close()
        await server.close()


async def test_a_slow_webhook_times_out_with_a_clear_error() -> None:
    server, _ = await order_system(delay_s=1.0)
    backend = WebhookBackend(str(server.make_url("/actions")), frozenset({"order_status"}), timeout_s=0.1, retries=1)
    try:
        with pytest.raises(BackendError, match="failed after 2 tries"):
            await backend.call("order_status", {"order_id": "12345678"})
    finally:
        await backend.close()
        await server.close()
