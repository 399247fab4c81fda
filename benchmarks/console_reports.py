"""How long the console's QA and forecast views take on a synthetic history, and whether the server keeps
answering while they compute.

    .venv/bin/python benchmarks/console_reports.py [--days 120] [--per-day 240]

Serves the console over a SQLite store of `--days` synthetic days and, as a supervisor, asks for the QA
view of the last 30 days and for a 2-week forecast (JSON, then the chart), twice each (the second answer is
the cache's). Meanwhile a probe requests /healthz every 20 ms: its slowest answer is how long the event loop
was held (the records are read on the loop; scoring and fitting run in a worker thread).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dialogue.clock import TOKYO
from dialogue.factory import build_manager
from dialogue.records import put_records
from dialogue.store import SQLiteStore
from dialogue.synth import synthesize
from ivr import agent_console
from ivr.app_keys import MANAGER

USERS = {"IVR_CONSOLE_SECRET": "bench", "IVR_AGENT_USERS": "sam:sam-pw:supervisor"}


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def probe(client: TestClient[Any, Any], worst: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await client.get("/healthz")
        worst.append(time.perf_counter() - t)
        await asyncio.sleep(0.02)


async def timed(client: TestClient[Any, Any], label: str, path: str) -> None:
    worst: list[float] = []
    stop = asyncio.Event()
    task = asyncio.create_task(probe(client, worst, stop))
    t = time.perf_counter()
    resp = await client.get(path)
    await resp.read()
    took = time.perf_counter() - t
    stop.set()
    await task
    print(f"{label:<34} {resp.status}  {took:6.2f} s   /healthz during it: max {max(worst) * 1000:6.0f} ms, "
          f"{len(worst)} answers")


async def main(days: int, per_day: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.sqlite3")
        rows = synthesize(days, seed=1, per_day=per_day)
        await put_records(store, rows)
        print(f"{len(rows)} contacts over {days} days (SQLite)")
        app = web.Application()
        app[MANAGER] = build_manager(store=store)
        app.router.add_get("/healthz", healthz)
        agent_console.setup(app, env=USERS)
        async with TestClient(TestServer(app)) as client:
            await client.post("/agent/login", data={"username": "sam", "password": "sam-pw"})
            since = (datetime.now(TOKYO) - timedelta(days=29)).date().isoformat()
            for n in (1, 2):
                await timed(client, f"QA view, 30 days ({n})", f"/agent/api/qa?from={since}")
            for n in (1, 2):
                await timed(client, f"forecast JSON, 2 weeks ({n})", "/agent/api/forecast?weeks=2")
            await timed(client, "forecast chart (SVG)", "/agent/api/forecast.svg?weeks=2")
            await timed(client, "forecast CSV", "/agent/api/forecast.csv?weeks=2")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--per-day", type=float, default=240.0)
    args = parser.parse_args()
    asyncio.run(main(args.days, args.per_day))
