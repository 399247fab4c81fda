"""The webhook backend: the documented JSON exchange, retries, and a circuit breaker for a system that is down."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.backends import BackendError, calling_for
from dialogue.backends.webhook import CircuitBreaker, CircuitOpen, WebhookBackend
from dialogue.bot_project import load_project
from dialogue.yaml_source import REPO_ROOT
from ivr.deploy_commands import build_for
from ivr.settings import Secrets, Settings
from tests.bots.clinic_backend import PATH, Clinic, make_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_failures_and_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=2, reset_s=30, clock=clock)
    for _ in range(2):
        breaker.before_call("x")
        breaker.failed()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        breaker.before_call("x")
    clock.now += 30
    breaker.before_call("x")  # the trial call
    with pytest.raises(CircuitOpen):
        breaker.before_call("x")  # a second caller meanwhile is refused
    breaker.failed()
    assert breaker.state == "open"  # the trial failed: another full wait
    clock.now += 30
    breaker.before_call("x")
    breaker.succeeded()
    assert breaker.state == "closed"


class Service:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[str | None] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.headers.append(request.headers.get("Authorization"))
        if self.status != 200:
            return web.Response(status=self.status)
        return web.json_response({"result": "ok", "echo": self.bodies[-1]["args"]})


async def serve(service: Service) -> TestServer:
    app = web.Application()
    app.router.add_post("/hook", service.handle)
    server = TestServer(app)
    await server.start_server()
    return server


async def test_the_request_and_reply_follow_the_documented_schema() -> None:
    service = Service()
    server = await serve(service)
    backend = WebhookBackend(str(server.make_url("/hook")), frozenset({"find_slot"}),
                             headers={"Authorization": "Bearer t"})
    try:
        reply = await backend.call("find_slot", {"date": "2026-12-08", "time": "10:00"})
    finally:
        await backend.close()
        await server.close()
    # outside a conversation (a test, a script) the id is null; inside one, see the test below
    assert service.bodies == [{"action": "find_slot", "args": {"date": "2026-12-08", "time": "10:00"},
                               "conversation_id": None}]
    assert service.headers == ["Bearer t"]
    assert reply == {"result": "ok", "echo": {"date": "2026-12-08", "time": "10:00"}}


async def test_a_failing_system_opens_the_circuit_and_is_not_called_while_open() -> None:
    service = Service()
    service.status = 503
    server = await serve(service)
    clock = Clock()
    backend = WebhookBackend(str(server.make_url("/hook")), frozenset({"a"}), retries=1, timeout_s=1,
                             breaker=CircuitBreaker(failures=2, reset_s=5, clock=clock))
    try:
        for _ in range(2):
            with pytest.raises(BackendError, match="failed after 2 tries"):
                await backend.call("a", {})
        assert len(service.bodies) == 4  # two calls, two tries each
        with pytest.raises(CircuitOpen, match="circuit open"):
            await backend.call("a", {})
        assert len(service.bodies) == 4  # refused at once: the system gets a rest
        service.status = 200
        clock.now += 5
        assert (await backend.call("a", {}))["result"] == "ok"  # the trial call closes it again
        assert backend.breaker.state == "closed"
    finally:
        await backend.close()
        await server.close()


async def test_a_client_error_is_an_answer_not_a_failure() -> None:
    service = Service()
    service.status = 404
    server = await serve(service)
    backend = WebhookBackend(str(server.make_url("/hook")), frozenset({"a"}),
                             breaker=CircuitBreaker(failures=1))
    try:
        assert await backend.call("a", {}) == {"result": "error", "status": 404}
        assert backend.breaker.state == "closed" and len(service.bodies) == 1
    finally:
        await backend.close()
        await server.close()


async def test_a_call_cut_off_by_the_turn_timeout_counts_as_a_failure() -> None:
    import asyncio

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"result": "ok"})

    app = web.Application()
    app.router.add_post("/hook", slow)
    server = TestServer(app)
    await server.start_server()
    backend = WebhookBackend(str(server.make_url("/hook")), frozenset({"a"}), timeout_s=10,
                             breaker=CircuitBreaker(failures=1))
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):  # what the dialogue engine does around every backend call
                await backend.call("a", {})
        assert backend.breaker.state == "open"
    finally:
        await backend.close()
        await server.close()


async def test_every_try_names_the_conversation_it_is_made_for() -> None:
    service = Service()
    service.status = 503
    server = await serve(service)
    backend = WebhookBackend(str(server.make_url("/hook")), frozenset({"a"}), retries=1, timeout_s=1)
    try:
        with calling_for("CA0123"), pytest.raises(BackendError):
            await backend.call("a", {"x": "1"})
    finally:
        await backend.close()
        await server.close()
    assert [b["conversation_id"] for b in service.bodies] == ["CA0123", "CA0123"]  # the retry too


async def test_a_bot_conversation_sends_its_id_to_the_company_system() -> None:
    """The clinic bot against its HTTP stand-in: the actions a chat calls carry that chat's id."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clinic = Clinic()
    seen: list[Any] = []
    app = make_app(clinic)

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        seen.append(await request.json())
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(record)
    server = TestServer(app)
    await server.start_server()
    manager = build_for(load_project(REPO_ROOT / "bots" / "clinic"), None,
                        Settings(backend_url=str(server.make_url(PATH))), Secrets({}))
    try:
        thursday_10 = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
        sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="09011112222"),
                                                  now=thursday_10))
        other, _ = await manager.start(SessionStart(channel="chat", now=thursday_10))
        await manager.handle(sid, UserTurn(text="診察の予約を取りたいのですが"))
        await manager.handle(sid, UserTurn(text="204818"))
        await manager.handle(other, UserTurn(text="診察の予約を取りたいのですが"))
        await manager.handle(other, UserTurn(text="204818"))
    finally:
        await manager.backend.close()  # type: ignore[attr-defined]
        await server.close()
    assert [(b["action"], b["conversation_id"]) for b in seen] == [("verify_patient", sid), ("verify_patient", other)]
    assert sid != other and [c["action"] for c in clinic.calls] == ["verify_patient", "verify_patient"]
