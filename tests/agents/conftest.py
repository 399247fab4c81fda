"""Fixtures for people in the loop: the web app with a named agent, and helpers for both sides."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, web
from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from ivr.desk_app import DESK
from tests.web.conftest import WEEKDAY_10AM, make_app

Client = TestClient[Any, Any]
FRAME_TIMEOUT_S = 10.0
ENV = {"IVR_CONSOLE_SECRET": "test-secret", "IVR_AGENT_USERS": "alice:alice-pw:agent,sam:sam-pw:supervisor",
       "IVR_AGENT_NAMES": "alice:佐藤,sam:鈴木"}


def agents_app(manager: DialogueManager) -> web.Application:
    app = make_app(manager, env=ENV, now=WEEKDAY_10AM)
    app[DESK].poll_s = 0.2  # a second process's changes show within this
    return app


@pytest.fixture
def manager() -> DialogueManager:
    return build_manager()


@pytest.fixture
async def app_client(aiohttp_client: Any, manager: DialogueManager) -> AsyncIterator[Client]:
    yield await aiohttp_client(agents_app(manager))


async def login(client: Client, name: str = "alice", password: str = "alice-pw") -> None:
    resp = await client.post("/agent/login", data={"username": name, "password": password}, allow_redirects=False)
    assert resp.status == 303, await resp.text()


async def frames_until(ws: ClientWebSocketResponse, kind: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of type `kind`."""
    out: list[dict[str, Any]] = []
    while not out or out[-1]["type"] != kind:
        out.append(json.loads(await ws.receive_str(timeout=FRAME_TIMEOUT_S)))
    return out


async def hand_over(ws: ClientWebSocketResponse, text: str = "オペレーターと話したい") -> dict[str, Any]:
    """Start a chat and ask for a person; returns the handover frame."""
    await ws.send_json({"type": "hello"})
    await frames_until(ws, "bot")
    await ws.send_json({"type": "message", "text": text})
    return (await frames_until(ws, "handover"))[-1]


async def until_event(ws: ClientWebSocketResponse, event: str) -> list[dict[str, Any]]:
    """Frames up to and including the status frame of `event` (accepted, released, transferred, closed)."""
    out: list[dict[str, Any]] = []
    while not out or out[-1].get("event") != event:
        out += await frames_until(ws, "status")
    return out
