"""What the contact history (dialogue/crm.py) costs a worker's event loop while calls come and go.

    .venv/bin/python benchmarks/crm_load.py [--store postgresql|sqlite] [--history 1000] [--rate 12]
                                            [--seconds 40] [--customers 3000]

One process, one event loop, as one `ivr serve` worker: a store holding `--history` finished contacts of
the last hour (`--customers` callers; 1 = every call from one number, as benchmarks/workers_load.py's
driver makes them), then `--rate` new calls a second for `--seconds`. Each call does what the dialogue
manager asks of the history: `opening_repeat` when it starts, `note_context` when it ends, and its record is
written (so the history keeps growing, as in production). Meanwhile a probe sleeps 10 ms again and again;
how late it wakes is the time the loop was blocked, which every turn of every call on that worker waits
for. Prints lookup and loop-lag percentiles as JSON.

Run the same file against an older checkout to compare (it uses only APIs both have).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialogue import crm  # noqa: E402
from dialogue.clock import TOKYO  # noqa: E402
from dialogue.desk import MemoryDesk  # noqa: E402
from dialogue.records import put_records  # noqa: E402
from dialogue.state import CallState  # noqa: E402
from dialogue.store import SessionStore, SQLiteStore  # noqa: E402
from dialogue.store_remote import PostgresStore  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
LINES = ["注文した商品がまだ届かないんですけど", "ご注文番号をお願いいたします。", "12345678", "お電話番号をお願いいたします。",
         "09012345678", "配送中でございます。", "以上です", "ありがとうございました。"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def contact(cid: str, caller: str, started: datetime) -> dict[str, Any]:
    """A finished call as the records schema has it: an eight-line transcript and a case note."""
    at = started.isoformat(timespec="seconds")
    transcript = [{"speaker": "caller" if i % 2 == 0 else "bot", "text": t, "at": at} for i, t in enumerate(LINES)]
    return {
        "conversation_id": cid, "channel": "voice", "caller": caller, "started_at": at,
        "ended_at": (started + timedelta(minutes=2)).isoformat(timespec="seconds"), "outcome": "resolved",
        "reason": None, "queue": None, "intents": ["order_status"], "transcript": transcript,
        "case_note": {"case_id": f"CASE-{cid}", "slots": {"order_id": "12345678", "phone_number": "09012345678"},
                      "summary_ja": "お客様は配送状況についてお問い合わせです。", "caller_phone": caller,
                      "transcript": transcript},
    }


async def main(opts: argparse.Namespace) -> dict[str, Any]:
    tag = f"crm_load_{uuid.uuid4().hex[:8]}"
    store: SessionStore = (PostgresStore(PG, schema=tag) if opts.store == "postgresql"
                           else SQLiteStore(Path(f"/tmp/{tag}.sqlite3")))
    rng = random.Random(1)
    callers = [f"03{rng.randrange(10**8):08d}" for _ in range(opts.customers)]
    now = datetime.now(TOKYO)
    await put_records(store, [contact(f"old-{i}", rng.choice(callers), now - timedelta(seconds=rng.uniform(60, 3600)))
                              for i in range(opts.history)])
    customers = crm.Customers(store, MemoryDesk())
    lookups: list[float] = []
    lags: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - t - 0.01) * 1000)

    async def call(n: int) -> None:
        caller = rng.choice(callers)
        t = time.perf_counter()
        await crm.opening_repeat(customers, caller, datetime.now(TOKYO))
        lookups.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(rng.uniform(5, 12))
        state = CallState(id=f"new-{n}", channel="voice", started_at=datetime.now(TOKYO).isoformat(),
                          caller_phone=caller)
        t = time.perf_counter()
        await crm.note_context(customers, state, datetime.now(TOKYO))
        lookups.append((time.perf_counter() - t) * 1000)
        await put_records(store, [contact(state.id, caller, datetime.now(TOKYO))])

    watcher = asyncio.create_task(probe())
    await customers.history(callers[0])  # a worker's first lookup (the old index's full read) before timing
    lags.clear()
    calls = []
    started = time.perf_counter()
    for n in range(int(opts.rate * opts.seconds)):
        calls.append(asyncio.create_task(call(n)))
        await asyncio.sleep(1 / opts.rate)
    await asyncio.gather(*calls)
    stop.set()
    await watcher
    wall = time.perf_counter() - started
    await store.close()
    if opts.store == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(PG)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
        await conn.close()
    return {
        "store": opts.store, "history": opts.history, "customers": opts.customers, "calls": len(calls),
        "seconds": round(wall, 1),
        "lookup_ms": {"p50": round(pct(lookups, 0.5), 2), "p95": round(pct(lookups, 0.95), 2),
                      "p99": round(pct(lookups, 0.99), 2), "max": round(max(lookups), 2)},
        "loop_lag_ms": {"p50": round(pct(lags, 0.5), 2), "p95": round(pct(lags, 0.95), 2),
                        "p99": round(pct(lags, 0.99), 2), "max": round(max(lags), 2),
                        "mean": round(statistics.fmean(lags), 2)},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--history", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=12.0, help="new calls a second (the load test's ~1,000 in 80 s)")
    parser.add_argument("--seconds", type=float, default=40.0)
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False))
