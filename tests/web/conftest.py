"""Fixtures of the web channels: an app with the chat widget and the console, and a real server for browsers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from dialogue.api import SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from ivr import agent_console, web_chat
from ivr.app_keys import MANAGER

USERS = "alice:alice-pw:agent,sam:sam-pw:supervisor"
ENV = {"IVR_CONSOLE_SECRET": "test-secret", "IVR_AGENT_USERS": USERS}
TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)  # every queue open: transfers are transfers


@pytest.fixture(autouse=True)
def _no_machine_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # a developer's own console settings must not change what the tests see
    for name in ("IVR_CONSOLE_SECRET", "IVR_AGENT_USERS"):
        monkeypatch.delenv(name, raising=False)


def make_app(manager: DialogueManager, env: dict[str, str] | None = None,
             now: datetime | None = WEEKDAY_10AM) -> web.Application:
    """Only the two web channels (the voice modules are not needed here), on a fixed clock."""
    app = web.Application()
    app[MANAGER] = manager
    web_chat.setup(app, now=now)
    agent_console.setup(app, env=ENV if env is None else env)
    return app


@pytest.fixture
def manager() -> DialogueManager:
    return build_manager()


@pytest.fixture
async def client(aiohttp_client: Any, manager: DialogueManager) -> AsyncIterator[TestClient[Any, Any]]:
    yield await aiohttp_client(make_app(manager))


async def converse(manager: DialogueManager, lines: list[str], now: datetime = WEEKDAY_10AM) -> str:
    """Run one chat straight through the manager; returns its case id (the note is saved at the end)."""
    sid, _ = await manager.start(SessionStart(channel="chat", now=now))
    for line in lines:
        reply = await manager.handle(sid, UserTurn(text=line))
        if reply.ended:
            break
    else:
        await manager.hangup(sid)
    state = await manager.state(sid)
    assert state is not None and state.case_id is not None
    return state.case_id


class ServerThread:
    """A real aiohttp server on a free loopback port, in its own thread and loop, for the browser."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app)
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    async def _start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    def __enter__(self) -> str:
        self._thread.start()
        assert self._ready.wait(30), "server did not start"
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)


@pytest.fixture
def live_server() -> Iterator[str]:
    with ServerThread(make_app(build_manager())) as url:
        yield url
