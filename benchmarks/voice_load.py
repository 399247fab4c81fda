"""Load test of the Twilio voice webhooks: N concurrent simulated phone calls against one `ivr serve`.

    .venv/bin/python benchmarks/voice_load.py [--calls 1000] [--think 2:6] [--ramp 10]

Starts `ivr serve` (SQLite store, signatures on) in a subprocess on 127.0.0.1, drives every call as
Twilio would (signed with the `twilio` package's RequestValidator, following the TwiML it gets back),
then does the same against a bare aiohttp handler as the floor. Server-side latency comes from each
response's Server-Timing header; a call fails if any turn is not a 200 with the TwiML it should be,
or the call does not end with <Hangup/>. Loopback only; stops by itself (--deadline).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-not-a-secret"
# routine calls (no transfer, so the result does not depend on agents' hours); "#" = keypad
SCRIPTS = [
    ["注文した商品がまだ届かないんですけど", "#12345678", "#09012345678", "以上です"],
    ["渋谷店の営業時間を教えて", "以上です"],
    ["ワイヤレスイヤホンの在庫はありますか", "以上です"],
    ["請求金額について聞きたい", "#12345678", "#09012345678", "はい", "以上です"],
    ["梅田店の場所を教えてください", "以上です"],
    ["ログインできません", "いいえ", "以上です"],
]


@dataclass
class Results:
    turn_ms: list[float] = field(default_factory=list)  # the dialogue turn, NLU included
    handler_ms: list[float] = field(default_factory=list)  # the whole request inside the server
    client_ms: list[float] = field(default_factory=list)  # round trip seen by the caller
    failures: list[str] = field(default_factory=list)
    calls_done: int = 0
    max_live: int = 0
    live: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timing(header: str, name: str) -> float | None:
    for part in header.split(","):
        key, _, value = part.strip().partition(";dur=")
        if key == name and value:
            return float(value)
    return None


async def post(session: aiohttp.ClientSession, base: str, path: str, params: dict[str, str],
               res: Results) -> ET.Element:
    url = base + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    began = time.perf_counter()
    async with session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as resp:
        body = await resp.text()
        res.client_ms.append((time.perf_counter() - began) * 1000)
        if resp.status != 200:
            raise RuntimeError(f"{path}: HTTP {resp.status} {body[:80]}")
        header = resp.headers.get("Server-Timing", "")
    for name, bucket in (("turn", res.turn_ms), ("handler", res.handler_ms)):
        value = timing(header, name)
        if value is not None:
            bucket.append(value)
    return ET.fromstring(body)


async def call(n: int, session: aiohttp.ClientSession, base: str, think: tuple[float, float], res: Results) -> None:
    sid = f"CA{n:032x}"
    script = SCRIPTS[n % len(SCRIPTS)]
    params = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+81312345678", "To": "+81120000000",
              "CallStatus": "in-progress", "Direction": "inbound"}
    res.live += 1
    res.max_live = max(res.max_live, res.live)
    try:
        root = await post(session, base, "/voice/twilio", params, res)
        for line in script:
            gather = root.find("Gather")
            if gather is None:
                raise RuntimeError(f"no <Gather> before {line!r}")
            await asyncio.sleep(random.uniform(*think))  # the prompt plays, the caller answers
            said = {"Digits": line[1:]} if line.startswith("#") else {"SpeechResult": line, "Confidence": "0.9"}
            root = await post(session, base, gather.get("action", ""), {**params, **said}, res)
        if root.find("Hangup") is None:
            raise RuntimeError("call did not end with <Hangup/>")
        await post_status(session, base, params, res)
        res.calls_done += 1
    except Exception as exc:  # one failed call is a figure, not the end of the run
        res.failures.append(f"{sid}: {exc!r}"[:200])
    finally:
        res.live -= 1


async def post_status(session: aiohttp.ClientSession, base: str, params: dict[str, str], res: Results) -> None:
    url = base + "/voice/twilio/status"
    done = {**params, "CallStatus": "completed"}
    signature = RequestValidator(TOKEN).compute_signature(url, done)
    async with session.post(url, data=done, headers={"X-Twilio-Signature": signature}) as resp:
        if resp.status not in (200, 204):
            raise RuntimeError(f"status callback: HTTP {resp.status}")


async def drive(base: str, calls: int, think: tuple[float, float], ramp: float) -> tuple[Results, float]:
    res = Results()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began = time.perf_counter()

        async def staggered(n: int) -> None:
            await asyncio.sleep(ramp * n / max(calls, 1))
            await call(n, session, base, think, res)

        async with asyncio.TaskGroup() as group:
            for n in range(calls):
                group.create_task(staggered(n))
    return res, time.perf_counter() - began


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, res: Results, wall: float) -> None:
    turns = len(res.client_ms)
    print(f"\n== {name}")
    print(f"calls completed {res.calls_done}, failed {len(res.failures)}, peak concurrent {res.max_live}, "
          f"requests {turns} in {wall:.1f} s ({turns / wall:.0f}/s)")
    for label, values in (("server turn (NLU incl.)", res.turn_ms), ("server handler", res.handler_ms),
                          ("client round trip", res.client_ms)):
        if values:
            print(f"  {label:24s} p50 {pct(values, 0.5):7.2f} ms  p99 {pct(values, 0.99):7.2f} ms  "
                  f"max {max(values):7.2f} ms  mean {statistics.fmean(values):6.2f} ms")
    for failure in res.failures[:5]:
        print("  FAIL", failure)


async def wait_ready(base: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                async with session.get(base + "/healthz") as resp:
                    if resp.status in (200, 404):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start in time")


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # the server's log goes to a file: an unread pipe would fill up and stall the server
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


async def run(opts: argparse.Namespace) -> int:
    think = tuple(float(x) for x in opts.think.split(":"))
    assert len(think) == 2
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("ivr serve (Twilio webhooks, SQLite store, signatures on)",
                    ["-c", "import sys; from ivr.cli import main; sys.exit(main())", "serve", "--host", "127.0.0.1",
                     "--port", "{port}", "--db", str(Path(tmp) / "bench.sqlite3")]),
                   ("the same app on the in-memory store", [__file__, "--memory-server", "{port}"]),
                   ("bare aiohttp handler (floor)", [__file__, "--floor-server", "{port}"])]
        targets = [t for t in targets if opts.only is None or opts.only in t[0]]
        for name, argv in targets:
            port = free_port()
            log = Path(tmp) / f"server-{port}.log"
            proc = start([a.replace("{port}", str(port)) for a in argv], env, log)
            base = f"http://127.0.0.1:{port}"
            try:
                await wait_ready(base, proc, time.monotonic() + 90)
                async with asyncio.timeout(opts.deadline):
                    res, wall = await drive(base, opts.calls, (think[0], think[1]), opts.ramp)
                report(name, res, wall)
                errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
                print(f"  server log: {len(errors)} ERROR lines" + (f", first: {errors[0][:160]}" if errors else ""))
                failed += len(res.failures) if "floor" not in name else 0
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 1 if failed else 0


# -- the floor: the least an aiohttp server can do per webhook -----------------------------------

FLOOR_TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/twilio/turn" '
               'input="speech dtmf"><Say>はい</Say></Gather></Response>')
FLOOR_END = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>はい</Say><Hangup /></Response>'


async def floor_handler(request: web.Request) -> web.Response:
    began = time.perf_counter()
    form = await request.post()
    body = FLOOR_END if form.get("SpeechResult") == "以上です" else FLOOR_TWIML
    dur = (time.perf_counter() - began) * 1000
    return web.Response(text=body, content_type="text/xml",
                        headers={"Server-Timing": f"turn;dur={dur:.3f}, handler;dur={dur:.3f}"})


def floor_server(port: int) -> None:
    app = web.Application()
    app.router.add_post("/voice/twilio", floor_handler)
    app.router.add_post("/voice/twilio/turn", floor_handler)
    app.router.add_post("/voice/twilio/status", floor_handler)
    app.router.add_get("/healthz", lambda r: web.Response(text="ok"))  # type: ignore[arg-type,return-value]
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def memory_server(port: int) -> None:
    """`ivr serve` with the session store in memory: isolates what SQLite adds to a turn."""
    from dialogue.factory import build_manager
    from dialogue.store import MemoryStore
    from ivr.server import create_app

    web.run_app(create_app(build_manager(store=MemoryStore())), host="127.0.0.1", port=port, print=None,
                access_log=None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--think", default="2:6", help="seconds between turns, min:max (prompt + answer)")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which calls start")
    parser.add_argument("--deadline", type=float, default=150.0, help="give up a target after this many seconds")
    parser.add_argument("--only", default=None, help="run only targets whose name contains this")
    parser.add_argument("--floor-server", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--memory-server", type=int, default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.floor_server is not None:
        floor_server(opts.floor_server)
        return 0
    if opts.memory_server is not None:
        memory_server(opts.memory_server)
        return 0
    return asyncio.run(run(opts))


if __name__ == "__main__":
    sys.exit(main())
