"""Dialogue load: N concurrent chat sessions through one DialogueManager, in one process and one loop.

    .venv/bin/python benchmarks/dialogue_load.py [--sessions 1000] [--store memory|sqlite] [--no-nlu]
                                                 [--think 0:50] [--deadline 300]

Every session is a whole routine conversation (order status with verification, store hours, product
stock, a cancellation, a callback request, in rotation) and must end with its expected outcome, or it
counts as an error. Passes:

- `with_nlu`: the real NLU parses every turn (skipped with --no-nlu);
- `no_nlu`: a replay Understander returns the Parse the real NLU gave for that utterance (computed
  once per distinct utterance beforehand), so the turn times are the dialogue alone;
- `idle`: N sessions each take their first turn and then wait; memory per idle session is the growth
  of traced allocations (tracemalloc) and, in a second run without tracing, of RSS, divided by N.
  Then they all finish their conversations (errors count).

A turn's time is `DialogueManager.handle` measured around the await: with the memory and SQLite stores
and the demo backend nothing in a turn yields to the loop, so it is the turn's cost, not queueing behind
other sessions. Think time between turns (uniform, ms) keeps all N sessions live at once. Prints a JSON
summary; exits 1 if any session failed. Stops by itself (--deadline per pass).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.api import CallerInfo, SessionStart, UserTurn  # noqa: E402 (after the path fix above)
from dialogue.engine import DialogueManager  # noqa: E402
from dialogue.factory import build_manager, shared_nlu  # noqa: E402
from dialogue.interpret import Understander  # noqa: E402
from dialogue.store import MemoryStore, SessionStore, SQLiteStore  # noqa: E402
from nlu.types import Parse  # noqa: E402

# a working Tuesday morning: the result does not depend on agents' hours or the day of the run
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass(frozen=True)
class Script:
    name: str
    phone: str | None
    lines: tuple[str, ...]
    outcome: str


SCRIPTS = (
    Script(
        "order_status",
        "0312345678",
        ("注文した商品が届かない", "12345678", "09012345678", "以上です"),
        "resolved",
    ),
    Script("store_hours", None, ("渋谷店の営業時間を教えて", "以上です"), "resolved"),
    Script("product_stock", None, ("ワイヤレスイヤホンの在庫はありますか", "以上です"), "resolved"),
    Script(
        "cancel_order",
        "08098765432",
        ("注文をキャンセルしたいんですけど", "23456789", "はい", "以上です"),
        "resolved",
    ),
    Script(
        "callback_request",
        None,
        ("後で折り返し電話してもらえますか", "09012345678", "あさって", "午前十時", "はい"),
        "callback_scheduled",
    ),
)


class ReplayNLU:
    """The real NLU's answers, computed once per distinct utterance, replayed: a turn without NLU cost."""

    def __init__(self, nlu: Understander, utterances: Sequence[str], now: datetime) -> None:
        self.parses: dict[str, Parse] = {}
        self.parse_ms: list[float] = []
        for text in dict.fromkeys(utterances):
            began = time.perf_counter()
            self.parses[text] = nlu.parse(text, now)
            self.parse_ms.append((time.perf_counter() - began) * 1000)

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        return self.parses[text]

    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse:
        return self.parses[alternatives[0][0]]


@dataclass
class Pass:
    turn_ms: list[float] = field(default_factory=list)
    start_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    done: int = 0
    live: int = 0
    max_live: int = 0
    idle: int = 0  # sessions waiting at the gate (or failed before it)
    idle_target: int = 0
    all_idle: asyncio.Event = field(default_factory=asyncio.Event)

    def arrive(self) -> None:
        self.idle += 1
        if self.idle >= self.idle_target:
            self.all_idle.set()


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


async def converse(
    manager: DialogueManager, n: int, think: tuple[float, float], res: Pass, gate: asyncio.Event | None = None
) -> None:
    """One session; with `gate`, it takes its first turn and then waits for the gate before going on."""
    script = SCRIPTS[n % len(SCRIPTS)]
    rng = random.Random(n)
    arrived = False
    res.live += 1
    res.max_live = max(res.max_live, res.live)
    try:
        began = time.perf_counter()
        sid, reply = await manager.start(SessionStart("chat", CallerInfo(phone=script.phone), now=NOW))
        res.start_ms.append((time.perf_counter() - began) * 1000)
        for i, line in enumerate(script.lines):
            if gate is not None and i == 1:
                arrived = True
                res.arrive()
                await gate.wait()
            await asyncio.sleep(rng.uniform(*think) / 1000)  # the caller reads and types
            began = time.perf_counter()
            reply = await manager.handle(sid, UserTurn(text=line))
            res.turn_ms.append((time.perf_counter() - began) * 1000)
        if not reply.ended or reply.outcome != script.outcome:
            raise RuntimeError(f"ended={reply.ended} outcome={reply.outcome}, expected {script.outcome}")
        res.done += 1
    except Exception as exc:  # one failed session is a figure, not the end of the run
        res.errors.append(f"session {n} ({script.name}): {exc!r}"[:200])
    finally:
        res.live -= 1
        if gate is not None and not arrived:
            res.arrive()


def make_manager(
    nlu: Understander, kind: str, folder: Path, tag: str
) -> tuple[DialogueManager, SessionStore]:
    store: SessionStore = SQLiteStore(folder / f"{tag}.db") if kind == "sqlite" else MemoryStore()
    return build_manager(store=store, nlu=nlu), store


async def warm_up(manager: DialogueManager) -> None:
    res = Pass()
    for n in range(len(SCRIPTS) * 2):
        await converse(manager, n, (0.0, 0.0), res)
    if res.errors:
        raise SystemExit(f"warm-up failed: {res.errors[0]}")


async def load_pass(nlu: Understander, args: argparse.Namespace, folder: Path, tag: str) -> dict[str, Any]:
    manager, store = make_manager(nlu, args.store, folder, tag)
    try:
        await warm_up(manager)
        res = Pass()
        cpu, began = time.process_time(), time.perf_counter()
        try:
            async with asyncio.timeout(args.deadline), asyncio.TaskGroup() as group:
                for n in range(args.sessions):
                    group.create_task(converse(manager, n, args.think, res))
        except TimeoutError:
            res.errors.append(f"deadline of {args.deadline}s passed with {res.live} sessions live")
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        await store.close()
    turns = len(res.turn_ms)
    return {
        "sessions": args.sessions,
        "completed": res.done,
        "errors": len(res.errors),
        "error_examples": res.errors[:5],
        "max_live_sessions": res.max_live,
        "turns": turns,
        "turn_ms": {q: round(pct(res.turn_ms, p), 3) for q, p in (("p50", 50), ("p90", 90), ("p99", 99))}
        | {"max": round(max(res.turn_ms, default=float("nan")), 3)},
        "start_ms_p50": round(pct(res.start_ms, 50), 3),
        "elapsed_s": round(elapsed, 2),
        "turns_per_s": round(turns / elapsed, 1),  # achieved, paced by the think time
        "turns_per_cpu_s": round(turns / cpu, 1) if cpu else None,  # what one loop on one core can carry
    }


async def idle_run(
    nlu: Understander, args: argparse.Namespace, folder: Path, tag: str, traced: bool
) -> dict[str, Any]:
    manager, store = make_manager(nlu, args.store, folder, tag)
    res, gate = Pass(idle_target=args.sessions), asyncio.Event()
    before = after = rss_before = rss_after = 0
    try:
        await warm_up(manager)
        gc.collect()
        if traced:
            tracemalloc.start()
        before, rss_before = tracemalloc.get_traced_memory()[0], rss_kb()
        async with asyncio.timeout(args.deadline), asyncio.TaskGroup() as group:
            for n in range(args.sessions):
                group.create_task(converse(manager, n, (0.0, 0.0), res, gate))
            await res.all_idle.wait()  # every session has had its first turn and waits
            gc.collect()
            after, rss_after = tracemalloc.get_traced_memory()[0], rss_kb()
            tracemalloc.stop()
            gate.set()
    except TimeoutError:
        res.errors.append(f"deadline of {args.deadline}s passed with {res.live} sessions live")
    finally:
        tracemalloc.stop()
        await store.close()
    grown = after - before if traced else (rss_after - rss_before) * 1024
    return {"errors": res.errors, "kb": grown / 1024 / args.sessions}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    real = shared_nlu()
    replay = ReplayNLU(real, [line for s in SCRIPTS for line in s.lines], NOW)
    report: dict[str, Any] = {
        "sessions": args.sessions,
        "store": args.store,
        "think_ms": list(args.think),
        "scripts": [s.name for s in SCRIPTS],
        "nlu_parse_ms_p50_cold": round(pct(replay.parse_ms, 50), 3),
    }
    with tempfile.TemporaryDirectory(prefix="dialogue-load-") as tmp:
        folder = Path(tmp)
        idle_nlu = replay if args.no_nlu else real
        # RSS first: a process that already held N finished sessions reuses their freed pages
        untraced = await idle_run(idle_nlu, args, folder, "idle-rss", traced=False)
        traced = await idle_run(idle_nlu, args, folder, "idle-traced", traced=True)
        passes: dict[str, Understander] = (
            {"no_nlu": replay} if args.no_nlu else {"with_nlu": real, "no_nlu": replay}
        )
        for name, nlu in passes.items():
            report[name] = await load_pass(nlu, args, folder, name)
    idle_errors = traced["errors"] + untraced["errors"]
    report["idle"] = {
        "sessions": args.sessions,
        "kb_per_session_tracemalloc": round(traced["kb"], 2),
        "kb_per_session_rss": round(untraced["kb"], 2),
        "errors": len(idle_errors),
        "error_examples": idle_errors[:5],
    }
    errors = sum(report[name]["errors"] for name in passes) + len(idle_errors)
    report["errors"] = errors
    report["targets"] = {
        "turn_no_nlu_p50_le_1ms": report["no_nlu"]["turn_ms"]["p50"] <= 1.0,
        "no_errors": errors == 0,
        "max_live_sessions_ge_n": report["no_nlu"]["max_live_sessions"] >= args.sessions,
        "idle_kb_per_session_le_50": report["idle"]["kb_per_session_tracemalloc"] <= 50,
    }
    return report


def think_range(value: str) -> tuple[float, float]:
    low, _, high = value.partition(":")
    return float(low), float(high or low)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--store", choices=("memory", "sqlite"), default="memory")
    ap.add_argument("--no-nlu", action="store_true", help="only the replayed-NLU pass (the dialogue alone)")
    ap.add_argument("--think", type=think_range, default=(0.0, 50.0), help="ms between turns, low:high")
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds per pass before it is stopped")
    args = ap.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=1, ensure_ascii=False))
    sys.exit(1 if report["errors"] else 0)


if __name__ == "__main__":
    main()
