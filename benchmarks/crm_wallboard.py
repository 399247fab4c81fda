"""How long the contact history and the wallboard take on a realistic history (synthetic, SQLite).

    .venv/bin/python benchmarks/crm_wallboard.py [--days 30]

Prints: one customer's history lookup (an indexed query per customer: no first load, no refresh), for an
unknown number and for the busiest customer, and the wallboard's figures for today and for 7 days (records,
event logs, outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from dialogue.crm import Customers, keys_of
from dialogue.desk import MemoryDesk
from dialogue.factory import build_manager
from dialogue.records import put_records
from dialogue.store import SQLiteStore
from dialogue.synth import synthesize


async def main(days: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.sqlite3")
        rows = synthesize(days, seed=1)
        await put_records(store, rows)
        print(f"{len(rows)} contacts over {days} days")
        customers = Customers(store, MemoryDesk(), lookback_days=days)
        t = time.perf_counter()
        await customers.history("09000000000")
        print(f"an unknown number: {(time.perf_counter() - t) * 1000:.2f} ms")
        busiest = Counter(k for r in rows for k in keys_of(r)).most_common(1)[0][0]
        t = time.perf_counter()
        found = await customers.history(busiest)
        print(f"the busiest customer ({len(found)} contacts): {(time.perf_counter() - t) * 1000:.1f} ms")
        from aiohttp import web

        from ivr import wallboard
        from ivr.app_keys import MANAGER
        from ivr.desk_app import ensure_desk
        app = web.Application()
        app[MANAGER] = build_manager(store=store)
        ensure_desk(app)
        wallboard.setup(app)
        for period in ("today", "7d"):
            app[wallboard.BOARD_CACHE].clear()
            t = time.perf_counter()
            board = await wallboard.board(app, period)
            print(f"wallboard {period}: {board['kpis']['contacts']} contacts in {time.perf_counter() - t:.2f} s")
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    asyncio.run(main(parser.parse_args().days))
