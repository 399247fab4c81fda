"""Two `ivr serve` workers + PostgreSQL (or Redis) + haproxy: N concurrent phone calls at a caller's pace.

    .venv/bin/python benchmarks/workers_load.py [--calls 1000] [--store postgresql|redis] [--think 2:6]
                                                [--ramp 20] [--kill-at SECONDS] [--pg-outage-at SECONDS]

The set-up of tests/workers (real CLI workers sharing one store, haproxy round-robin with health checks)
driven as Twilio would drive it: every webhook signed, each caller waiting `--think` seconds between
turns (the prompt plays, the caller answers). Prints turn latency (server-side from Server-Timing, and
the round trip through haproxy), then checks the store: every acknowledged turn (a 200) must be logged
exactly once and in order; lost and duplicated turns are counted.

--kill-at S     kill -9 worker 0 S seconds into the run: its calls must go on from worker 1.
--pg-outage-at S  (PostgreSQL only) run a private PostgreSQL on its own port and stop it for
                --outage-s seconds (default 10) at S: callers must hear a polite apology, and the
                service recover without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from ivr.voice_common import APOLOGY, SERVICE_DOWN

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.workers.cluster import (  # noqa: E402  (the repository root is on sys.path only now)
    REDIS_BASE,
    REDIS_DB,
    Cluster,
    TwilioCaller,
    caller_turns,
    drop_postgres,
    flush_redis,
    free_port,
    fresh_postgres,
)

SCRIPTS = [
    ["注文した商品がまだ届かないんですけど", "12345678", "09012345678", "以上です"],
    ["渋谷店の営業時間を教えて", "以上です"],
    ["ワイヤレスイヤホンの在庫はありますか", "以上です"],
    ["請求金額について聞きたい", "12345678", "09012345678", "はい", "以上です"],
    ["梅田店の場所を教えてください", "以上です"],
]


@dataclass
class Results:
    turn_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # sid -> turns answered with a 200
    attempts: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # sid -> (said, acknowledged)
    failures: list[str] = field(default_factory=list)
    apologies: int = 0  # turns answered with the polite apology (store down, turn timed out)
    refused: int = 0  # calls greeted with the polite "call again later"
    calls_done: int = 0
    live: int = 0
    max_live: int = 0


def timing(header: str, name: str) -> float | None:
    for part in header.split(","):
        key, _, value = part.strip().partition(";dur=")
        if key == name and value:
            return float(value)
    return None


def logged_as(said: str) -> str:
    return f"[DTMF {said}]" if said.isdigit() else said


async def one_call(n: int, session: aiohttp.ClientSession, base: str, think: tuple[float, float],
                   res: Results) -> None:
    caller = TwilioCaller(session, base, f"CA{uuid.uuid4().hex}")
    script = SCRIPTS[n % len(SCRIPTS)]
    res.live += 1
    res.max_live = max(res.max_live, res.live)
    acked = res.acknowledged.setdefault(caller.sid, [])
    attempts = res.attempts.setdefault(caller.sid, [])
    try:
        status, body, _ = await caller.post("/voice/twilio", caller.params(CallStatus="ringing"))
        if status != 200:
            raise RuntimeError(f"dial: HTTP {status}")
        caller._follow(body)
        if SERVICE_DOWN in body:
            res.refused += 1
            raise RuntimeError("refused politely at the greeting (store unavailable or overloaded)")
        for said in script:
            await asyncio.sleep(random.uniform(*think))
            for _attempt in range(5):  # an apology (store down) asks the caller to say it again
                began = time.perf_counter()
                status, body, headers = (await caller.say(said))[0]
                res.client_ms.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    raise RuntimeError(f"{said!r}: HTTP {status} {body[:80]}")
                turn = timing(headers.get("Server-Timing", ""), "turn")
                if turn is not None:
                    res.turn_ms.append(turn)
                if APOLOGY in body:  # nothing ran (store down, or the turn timed out): say it again
                    res.apologies += 1
                    attempts.append((logged_as(said), False))
                    await asyncio.sleep(random.uniform(*think))
                    continue
                acked.append(logged_as(said))
                attempts.append((logged_as(said), True))
                break
            else:
                raise RuntimeError(f"{said!r}: five apologies in a row")
        # a call the bot resolved goes on to the keypad survey (<Redirect> to /survey/twilio); this caller
        # hangs up there, as most do
        if not caller.ended:
            raise RuntimeError("call did not end with <Hangup/> or the survey")
        await caller.hang_up()
        res.calls_done += 1
    except Exception as exc:  # one failed call is a figure, not the end of the run
        res.failures.append(f"{caller.sid}: {exc!r}"[:200])
    finally:
        res.live -= 1


async def drive(cluster: Cluster, opts: argparse.Namespace, res: Results) -> float:
    think = tuple(float(x) for x in opts.think.split(":"))
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        began = time.perf_counter()

        async def staggered(n: int) -> None:
            await asyncio.sleep(opts.ramp * n / max(opts.calls, 1))
            await one_call(n, session, cluster.base, (think[0], think[1]), res)

        async with asyncio.TaskGroup() as group:
            for n in range(opts.calls):
                group.create_task(staggered(n))
    return time.perf_counter() - began


async def check_store(store_url: str, res: Results) -> tuple[int, int, int, int]:
    """(acknowledged turns, lost, duplicated, processed but unanswered).

    The store's caller turns are matched in order against what each caller said: every attempt answered
    with a 200 must be there (else lost); an attempt answered with the apology, or left without an answer
    by a dying worker, may be there once (processed but unanswered); anything more is a duplicate."""
    acked = lost = duplicated = unanswered = 0
    for sid, attempts in res.attempts.items():
        logged = await caller_turns(store_url, sid)
        at = 0
        for i, (said, acknowledged) in enumerate(attempts):
            acked += acknowledged
            if at < len(logged) and logged[at] == said:
                repeated = i + 1 < len(attempts) and attempts[i + 1][0] == said
                if not acknowledged and repeated and logged[at + 1: at + 2] != [said]:
                    continue  # the apologised attempt did not run; its repetition is the logged one
                at += 1
                unanswered += not acknowledged
            elif acknowledged:
                lost += 1
        # a last turn sent to a worker that died before answering (its call failed) may be logged too
        extra = logged[at:]
        if extra and sid in {f.split(":", 1)[0] for f in res.failures}:
            unanswered += 1
            extra = extra[1:]
        duplicated += len(extra)
    return acked, lost, duplicated, unanswered


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(res: Results, wall: float, checks: tuple[int, int, int, int], cluster: Cluster) -> None:
    acked, lost, duplicated, unanswered = checks
    print(f"calls completed {res.calls_done}, failed {len(res.failures)}, peak concurrent {res.max_live}, "
          f"turn requests {len(res.client_ms)} in {wall:.1f} s ({len(res.client_ms) / wall:.0f}/s)")
    for label, values in (("server turn (Server-Timing)", res.turn_ms), ("round trip via haproxy", res.client_ms)):
        if values:
            print(f"  {label:28s} p50 {pct(values, 0.5):7.2f} ms  p95 {pct(values, 0.95):7.2f} ms  "
                  f"p99 {pct(values, 0.99):7.2f} ms  "
                  f"max {max(values):8.2f} ms  mean {statistics.fmean(values):6.2f} ms")
    print(f"  acknowledged turns {acked}: lost {lost}, duplicated {duplicated}; processed but unanswered "
          f"{unanswered}; polite apologies {res.apologies}, calls refused politely {res.refused}")
    logs = cluster.worker_logs().splitlines()
    errors = [line for line in logs if '"level": "ERROR"' in line]
    kinds: dict[str, int] = {}
    for line in errors:
        message = line.split('"message": "', 1)[-1]
        kind = message.split(" of CA", 1)[0].split(": ", 1)[-1][:60] if " of CA" in message else message[:60]
        reason = message.rsplit(": ", 1)[-1][:50]
        kinds[f"{kind} .. {reason}"] = kinds.get(f"{kind} .. {reason}", 0) + 1
    tracebacks = sum(1 for line in logs if "Traceback" in line)
    print(f"  worker logs: {len(errors)} ERROR lines, {tracebacks} tracebacks"
          + (f"; first: {errors[0][:200]}" if errors else ""))
    for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4]:
        print(f"    {n:5d} x {kind}")
    traced = [line for line in logs if "Traceback" in line]
    if traced:
        print("  first traceback:", traced[0][:400], "...", traced[0][-300:])
    for failure in res.failures[:5]:
        print("  FAIL", failure)


async def stage_means(cluster: Cluster) -> str:
    """Mean ms per stage (ivr_stage_seconds) over the workers still alive: where a turn's time goes."""
    sums: dict[str, list[float]] = {}
    async with aiohttp.ClientSession() as session:
        for i, proc in enumerate(cluster.procs):
            if proc.poll() is not None:
                continue
            async with session.get(cluster.worker_base(i) + "/metrics") as resp:
                text = await resp.text()
            for line in text.splitlines():
                for kind in ("sum", "count"):
                    head = f"ivr_stage_seconds_{kind}{{stage=\""
                    if line.startswith(head):
                        stage = line[len(head):line.index('"', len(head))]
                        pair = sums.setdefault(stage, [0.0, 0.0])
                        pair[0 if kind == "sum" else 1] += float(line.rsplit(" ", 1)[1])
    return ", ".join(f"{k} {v[0] / v[1] * 1000:.2f}" for k, v in sums.items() if v[1])


# -- a private PostgreSQL for the outage run (the shared one serves other people's tests) -------------

class PrivatePostgres:
    def __init__(self, workdir: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin, self.data, self.port = bins[-1], workdir / "pgdata", free_port()
        self.sock = workdir / "pgsock"

    def _run(self, *args: str) -> None:
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> str:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
            shutil.chown(self.sock, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data.parent / "pg.log"),
                  "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")


async def outage(pg: PrivatePostgres, at: float, seconds: float) -> None:
    await asyncio.sleep(at)
    print(f"  [{at:.0f} s] PostgreSQL stopped for {seconds:.0f} s", flush=True)
    await asyncio.to_thread(pg.stop)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(pg.start)
    print("  PostgreSQL started again", flush=True)


async def kill_later(cluster: Cluster, at: float) -> None:
    await asyncio.sleep(at)
    print(f"  [{at:.0f} s] kill -9 worker 0 (pid {cluster.procs[0].pid})", flush=True)
    await asyncio.to_thread(cluster.kill, 0)


async def run(opts: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="workers-load-") as tmp:
        workdir = Path(opts.keep) if opts.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        pg: PrivatePostgres | None = None
        dropped: str | None = None
        if opts.pg_outage_at is not None:
            pg = PrivatePostgres(workdir)
            url = await asyncio.to_thread(pg.init)
        elif opts.store == "postgresql":
            url, dropped = await fresh_postgres()
        else:
            url = f"{REDIS_BASE}/{REDIS_DB}"
            await flush_redis(url)
        if opts.async_commit and url.startswith("postgresql"):
            url += "?synchronous_commit=off"  # asyncpg passes unknown DSN parameters on as server settings
        cluster = Cluster(url, workers=2, workdir=workdir)
        try:
            await cluster.start()
            print(f"== {opts.calls} calls, think {opts.think} s, ramp {opts.ramp} s, store {url.split('://')[0]}, "
                  f"2 workers + haproxy on {os.cpu_count()} CPUs (a shared machine: figures vary with others' load)")
            res = Results()
            cpu_before = sum(cpu_seconds(proc.pid) for proc in cluster.procs)
            driver_before = time.process_time()
            side: list[asyncio.Task[None]] = []
            if opts.kill_at is not None:
                side.append(asyncio.create_task(kill_later(cluster, opts.kill_at)))
            if pg is not None:
                side.append(asyncio.create_task(outage(pg, opts.pg_outage_at, opts.outage_s)))
            async with asyncio.timeout(opts.deadline):
                wall = await drive(cluster, opts, res)
            await asyncio.gather(*side)
            checks = await check_store(url, res)
            report(res, wall, checks, cluster)
            print("  mean ms per stage:", await stage_means(cluster))
            used = sum(cpu_seconds(proc.pid) for proc in cluster.procs) - cpu_before
            print(f"  worker CPU: {used:.1f} s in all, {used * 1000 / max(1, len(res.client_ms)):.1f} ms per turn "
                  f"request; this driver used {time.process_time() - driver_before:.1f} s")
            if pg is not None:  # recovered without a restart: a fresh call is served
                async with aiohttp.ClientSession() as session:
                    probe = TwilioCaller(session, cluster.base, f"CA{uuid.uuid4().hex}")
                    status, body, _ = await probe.post("/voice/twilio", probe.params(CallStatus="ringing"))
                    print("  after the outage, a new call:", "served" if status == 200 and "<Gather" in body
                          else f"FAILED ({status})")
            return 1 if checks[1] or checks[2] else 0
        finally:
            cluster.stop()
            if dropped is not None:
                await drop_postgres(dropped)
            if pg is not None:
                await asyncio.to_thread(pg.stop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--store", choices=["postgresql", "redis"], default="postgresql")
    parser.add_argument("--think", default="2:6", help="seconds between turns, MIN:MAX (default 2:6)")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which calls start (default 20)")
    parser.add_argument("--kill-at", type=float, default=None, help="kill -9 worker 0 this many seconds in")
    parser.add_argument("--pg-outage-at", type=float, default=None, help="stop PostgreSQL this many seconds in")
    parser.add_argument("--outage-s", type=float, default=10.0)
    parser.add_argument("--keep", default=None, help="write the workers' and haproxy's logs to this directory")
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--async-commit", action="store_true",
                        help="PostgreSQL: synchronous_commit=off (a worker crash loses nothing; a database crash "
                             "may lose the last ~0.6 s of turns)")
    opts = parser.parse_args()
    return asyncio.run(run(opts))


if __name__ == "__main__":
    sys.exit(main())
