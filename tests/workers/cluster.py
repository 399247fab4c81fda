"""Several real `ivr serve` processes behind Debian's haproxy, on loopback: the test set-up of SPEC 7.5.

Used by tests/workers and benchmarks/workers_load.py. Each cluster gets a fresh PostgreSQL database
(or a Redis database number of its own, flushed), workers started with the real CLI
(`ivr serve --store URL`), and haproxy balancing round-robin with health checks on `/readyz`, retrying
a request whose worker refused the connection on the other one (a worker killed with -9).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import redis.asyncio as aioredis
from twilio.request_validator import RequestValidator

from ivr.voice_common import APOLOGY

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "workers-test-token-0123456789abcdef"  # made up: signatures on, as in production
PG_ADMIN = os.environ.get("IVR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("IVR_TEST_REDIS_BASE", "redis://127.0.0.1:6379")
# A cluster flushes its database before and after it runs. pytest-xdist may start the module-scoped cluster in
# both of its processes at once, so each process gets a database of its own (10, 11, 12): a shared one let one
# process's flush wipe the other's calls mid-test. tests/dialogue uses 15; the lock and login tests use 13.
REDIS_DB = 10 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 3


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fresh_postgres() -> tuple[str, str]:
    """(dsn of a new empty database, its name)."""
    name = f"ivr_workers_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{name}", name


async def drop_postgres(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def flush_redis(url: str) -> None:
    client = aioredis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


HAPROXY_CFG = """
global
    maxconn 8000
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 30s
    timeout tunnel 300s
    option http-server-close
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
frontend ivr
    bind 127.0.0.1:{port}
    default_backend workers
backend workers
    balance roundrobin
    # liveness: a worker whose store is down still answers callers politely; /readyz is for deploys
    option httpchk GET /healthz
    timeout check 3s
    default-server check inter 1s fall 3 rise 2 maxconn 2000
{servers}
"""


@dataclass
class Cluster:
    store_url: str
    workers: int = 2
    workdir: Path = field(default_factory=lambda: Path("/tmp"))
    env: dict[str, str] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    haproxy: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_base(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(self, i: int) -> subprocess.Popen[bytes]:
        env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), "IVR_LOG_FORMAT": "json",
               **self.env}
        args = [sys.executable, "-c", "import sys; from ivr.cli import main; sys.exit(main())", "serve",
                "--host", "127.0.0.1", "--port", str(self.ports[i]), "--store", self.store_url]
        with self.log(f"worker{i}").open("ab") as out:  # a file: an unread pipe would stall the server
            return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    async def start(self, deadline_s: float = 120.0) -> None:
        self.launch()
        until = time.monotonic() + deadline_s
        for i in range(self.workers):
            await self.wait_ready(self.worker_base(i), until, self.procs[i])
        await self.wait_ready(self.base, until, self.haproxy)
        await asyncio.sleep(2.2)  # haproxy marks a server up after two good checks, 1 s apart

    def launch(self) -> None:
        binary = haproxy_binary()
        if binary is None:
            raise RuntimeError("haproxy is not installed (scripts/services.sh installs it)")
        self.ports = [free_port() for _ in range(self.workers)]
        self.procs = [self._spawn(i) for i in range(self.workers)]
        self.port = free_port()
        servers = "\n".join(f"    server w{i} 127.0.0.1:{p}" for i, p in enumerate(self.ports))
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(HAPROXY_CFG.format(port=self.port, servers=servers))
        with self.log("haproxy").open("ab") as out:
            self.haproxy = subprocess.Popen([binary, "-f", str(cfg), "-db"], stdout=out, stderr=subprocess.STDOUT)

    async def wait_ready(self, base: str, until: float, proc: subprocess.Popen[bytes] | None) -> None:
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < until:
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{base} exited with {proc.returncode}: {self.tail()}")
                try:
                    async with session.get(base + "/readyz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                        if resp.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{base} was not ready in time: {self.tail()}")

    def respawn(self, i: int) -> None:
        self.procs[i] = self._spawn(i)

    def kill(self, i: int) -> None:
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait(timeout=10)

    def tail(self, lines: int = 15) -> str:
        out = []
        for path in sorted(self.workdir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    def worker_logs(self) -> str:
        return "\n".join(self.log(f"worker{i}").read_text(errors="replace") for i in range(self.workers)
                         if self.log(f"worker{i}").exists())

    def stop(self) -> None:
        for proc in [*self.procs, *([self.haproxy] if self.haproxy else [])]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.procs, *([self.haproxy] if self.haproxy else [])]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


class TwilioCaller:
    """One phone call as Twilio drives it, through the load balancer, every post signed."""

    def __init__(self, session: aiohttp.ClientSession, base: str, sid: str, caller: str = "+81312345678") -> None:
        self.session, self.base, self.sid, self.caller = session, base, sid, caller
        self.action = ""
        self.last = ""

    def params(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.caller, "To": "+81120000000",
                "CallStatus": "in-progress", "Direction": "inbound", **extra}

    async def post(self, path: str, params: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        url = self.base + path
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        async with self.session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as resp:
            return resp.status, await resp.text(), dict(resp.headers)

    @property
    def ended(self) -> bool:
        """The last TwiML ends the call: a hang-up, or (a call the bot resolved) the keypad survey."""
        return "<Hangup" in self.last or "/survey/twilio" in self.last

    def _follow(self, body: str) -> None:
        self.last = body
        marker = 'action="'
        at = body.find(marker)
        self.action = body[at + len(marker): body.find('"', at + len(marker))].replace("&amp;", "&") if at >= 0 else ""

    async def dial(self) -> str:
        status, body, _ = await self.post("/voice/twilio", self.params(CallStatus="ringing"))
        assert status == 200, (status, body)
        self._follow(body)
        return body

    def turn_params(self, said: str) -> dict[str, str]:
        return self.params(Digits=said) if said.isdigit() else self.params(SpeechResult=said, Confidence="0.9")

    async def say(self, said: str, duplicates: int = 0) -> list[tuple[int, str, dict[str, str]]]:
        """Post one turn, with `duplicates` identical deliveries racing it; the answers, 200s first."""
        assert self.action, self.last
        params = self.turn_params(said)
        results = await asyncio.gather(*(self.post(self.action, params) for _ in range(1 + duplicates)))
        # the answer that ran the turn first; duplicates are asked politely to say it again
        results.sort(key=lambda r: (r[0], APOLOGY in r[1]))
        if results[0][0] == 200:
            self._follow(results[0][1])
        return list(results)

    async def hang_up(self) -> int:
        status, _, _ = await self.post("/voice/twilio/status", self.params(CallStatus="completed"))
        return status


def call_sid(n: int) -> str:
    return f"CA{n:032x}"


async def caller_turns(store_url: str, sid: str) -> list[str]:
    """What the store logged the caller as saying, in order (each turn once, or the test fails)."""
    from dialogue.store_remote import store_from_url

    store = store_from_url(store_url)
    try:
        events: list[dict[str, Any]] = await store.events(sid)
    finally:
        await store.close()
    return [str(e.get("text")) for e in events if e.get("type") == "caller"]
