"""How long an agent's message takes to reach the user's chat socket, on the same worker and across two
workers sharing one SQLite file (the socket polls the desk every `poll_s`), and what the agent API costs.

    .venv/bin/python benchmarks/desk_latency.py [--messages 40]

Prints one line per case: median and p95 milliseconds from the agent's POST returning to the user's frame.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dialogue.factory import build_manager
from dialogue.store import SQLiteStore
from ivr import agent_console, web_chat
from ivr.app_keys import MANAGER

WEEKDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
ENV = {"IVR_CONSOLE_SECRET": "bench", "IVR_AGENT_USERS": "alice:pw:agent"}


def app_on(db: Path) -> web.Application:
    app = web.Application()
    app[MANAGER] = build_manager(store=SQLiteStore(db))
    web_chat.setup(app, now=WEEKDAY_10AM)
    agent_console.setup(app, env=ENV)
    return app


async def frame(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        msg = await ws.receive_json(timeout=10)
        if msg["type"] == kind:
            return dict(msg)


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


async def run(case: str, messages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ivr.db"
        user_app = app_on(db)
        agent_app = user_app if case == "same worker" else app_on(db)
        user = TestClient(TestServer(user_app))
        agent = user if agent_app is user_app else TestClient(TestServer(agent_app))
        await user.start_server()
        if agent is not user:
            await agent.start_server()
        try:
            await agent.post("/agent/login", data={"username": "alice", "password": "pw"}, allow_redirects=False)
            async with user.ws_connect("/chat/ws") as ws:
                await ws.send_json({"type": "hello"})
                await frame(ws, "bot")
                await ws.send_json({"type": "message", "text": "オペレーターと話したい"})
                await frame(ws, "handover")
                cid = (await (await agent.get("/agent/api/queue")).json())["queue"][0]["conversation_id"]
                await agent.post(f"/agent/api/conversations/{cid}/accept")
                await frame(ws, "status")
                delivery, api = [], []
                for i in range(messages):
                    began = time.perf_counter()
                    resp = await agent.post(f"/agent/api/conversations/{cid}/messages", json={"text": f"メッセージ{i}"})
                    posted = time.perf_counter()
                    assert resp.status == 201
                    got = await frame(ws, "agent")
                    assert got["text"] == f"メッセージ{i}"
                    api.append((posted - began) * 1000)
                    delivery.append((time.perf_counter() - posted) * 1000)
                    await asyncio.sleep(random.uniform(0.0, 0.5))  # not in step with the poll
            print(f"{case}: delivery median {statistics.median(delivery):.1f} ms, p95 {pct(delivery, 0.95):.1f} ms; "
                  f"POST messages median {statistics.median(api):.1f} ms ({messages} messages)", flush=True)
        finally:
            await user.close()
            if agent is not user:
                await agent.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=40)
    args = parser.parse_args()
    for case in ("same worker", "two workers, one SQLite file"):
        await run(case, args.messages)


if __name__ == "__main__":
    asyncio.run(main())
