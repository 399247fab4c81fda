"""Hypothesis strategies and drivers for every way in: HTTP webhooks, WebSocket frames, designer YAML.

The server runs in a thread of its own (a real socket, every channel, no token: loopback requests are
accepted unsigned), so a test or benchmarks/fuzz.py can throw thousands of inputs at it and then ask
whether anything crashed: a 5xx answer, a socket the server closed with an internal error, or a log
record carrying a traceback. tests/hardening/test_fuzz.py runs a few hundred examples per entry point;
benchmarks/fuzz.py runs them for minutes and prints figures.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from hypothesis import strategies as st

from dialogue.backends.demo import DemoBackend
from dialogue.factory import build_manager
from dialogue.store import SQLiteStore
from dialogue.yaml_source import REPO_ROOT, SourceError
from ivr.guards import CHAT_BUCKETS, TokenBuckets
from ivr.server import create_app
from ivr.voice_common import CONFIG, VoiceConfig

SIDS = [f"CA{n:032x}" for n in range(1, 6)]  # a few calls, so turns land on calls that exist
TWILIO_KEYS = ["CallSid", "From", "To", "CallStatus", "SpeechResult", "Digits", "Confidence", "HandoffData",
               "AccountSid", "Direction"]
HTTP_PATHS = ["/voice/twilio", "/voice/twilio/turn", "/voice/twilio/turn?seq=x&noinput=1", "/voice/twilio/status",
              "/voice/twilio/relay", "/voice/twilio/relay/handoff", "/agent/login", "/readyz", "/healthz"]
WS_TYPES = {
    "/chat/ws": ["hello", "message"],
    "/voice/stream": ["start", "transcript", "dtmf", "playback_done", "no_input", "hangup"],
    "/voice/relay/ws": ["setup", "prompt", "dtmf", "interrupt", "error"],
}
WS_FIELDS = ["session_id", "text", "call_id", "from", "final", "alternatives", "confidence", "digits", "digit",
             "prompt_id", "callSid", "voicePrompt", "last", "utteranceUntilInterrupt", "description"]
CALLER_WORDS = ["注文した商品が届かない", "12345678", "09012345678", "オペレーター", "はい", "いいえ", "以上です",
                "うん", "バカ", "", "　", "\u0000", "🙂" * 20, "ﾃｽﾄ", "０９０", "[[[[", "{\"a\":"]


# -- strategies ------------------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True)
           | st.text(max_size=40) | st.sampled_from(CALLER_WORDS) | st.sampled_from(SIDS))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(WS_FIELDS),
                                                                inner, max_size=4),
    max_leaves=12,
)


def deep(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", "{": "}"}[opener]
    body = ('{"a":' * depth + "1" + "}" * depth) if opener == "{" else opener * depth + closer * depth
    return body


def frames_for(path: str) -> st.SearchStrategy[str]:
    typed = st.fixed_dictionaries({"type": st.sampled_from(WS_TYPES[path])},
                                  optional=dict.fromkeys(WS_FIELDS, json_values)).map(
                                      lambda d: json.dumps(d, ensure_ascii=False))
    raw = st.text(max_size=200)
    nested = st.builds(deep, st.integers(1, 1300), st.sampled_from(["[", "{"]))  # under 8 KB, the chat's limit
    anything = json_values.map(lambda v: json.dumps(v, ensure_ascii=False))
    return st.one_of(typed, typed, typed, raw, nested, anything)


forms = st.dictionaries(st.sampled_from(TWILIO_KEYS) | st.text(max_size=10),
                        st.text(max_size=60) | st.sampled_from(CALLER_WORDS) | st.sampled_from(SIDS), max_size=8)


@st.composite
def http_requests(draw: st.DrawFn) -> tuple[str, bytes, str]:
    path = draw(st.sampled_from(HTTP_PATHS))
    kind = draw(st.sampled_from(["form", "form", "form", "bytes", "json", "multipart"]))
    if kind == "form":
        params = draw(forms)
        if draw(st.booleans()):
            params["CallSid"] = draw(st.sampled_from(SIDS))
        return path, urllib.parse.urlencode(params).encode(), "application/x-www-form-urlencoded"
    if kind == "json":
        return path, json.dumps(draw(json_values)).encode(), "application/json"
    if kind == "multipart":
        boundary = draw(st.text("abc-", min_size=1, max_size=10))
        return path, draw(st.binary(max_size=300)), f"multipart/form-data; boundary={boundary}"
    return path, draw(st.binary(max_size=400)), draw(st.sampled_from(
        ["application/x-www-form-urlencoded", "text/plain", "", "application/x-www-form-urlencoded; charset=sjis"]))


# -- the server under fire --------------------------------------------------------------------------

class CrashLog(logging.Handler):
    """Every record with a traceback or at ERROR and above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def crashes(self) -> list[str]:
        # a store or lock failure is not what fuzzing looks for; a traceback is always a finding
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records if r.exc_info]


@dataclass
class LiveServer:
    port: int = 0
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    thread: threading.Thread | None = None
    runner: web.AppRunner | None = None
    crash_log: CrashLog = field(default_factory=CrashLog)

    def start(self) -> LiveServer:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            # SQLite, as `ivr serve` runs: the server's memory is measured, not the conversations kept
            store = SQLiteStore(Path(tempfile.mkdtemp(prefix="fuzz-store-")) / "fuzz.sqlite3")
            app = create_app(build_manager(backend=DemoBackend(), store=store))
            app[CONFIG] = VoiceConfig()  # no token: loopback requests are accepted unsigned
            app[CHAT_BUCKETS] = TokenBuckets(10**9, 10**9)  # one client opening thousands of chats, on purpose
            self.runner = web.AppRunner(app, access_log=None)
            self.loop.run_until_complete(self.runner.setup())
            self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True, name="fuzzed-server")
        self.thread.start()
        if not ready.wait(60):
            raise RuntimeError("fuzzed server did not start")
        logging.getLogger().addHandler(self.crash_log)
        return self

    def stop(self) -> None:
        logging.getLogger().removeHandler(self.crash_log)
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def post(server: LiveServer, path: str, body: bytes, content_type: str) -> int:
    """One HTTP request; the status code (a refused connection or reset is a finding too)."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(server.base + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class SocketClient:
    """A client event loop of its own, reused across examples."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()

    def close(self) -> None:
        self.loop.close()

    def run(self, path: str, frames: list[str]) -> tuple[bool, str]:
        return self.loop.run_until_complete(self._run(path, frames))

    async def _run(self, path: str, frames: list[str]) -> tuple[bool, str]:
        """(the handler survived, why not): after the fuzzed frames, a valid one must still be answered."""
        url = self.server.base.replace("http://", "ws://") + path
        fresh = f"CA{uuid.uuid4().hex}"
        # a frame each handler always answers, and how its answer starts
        probe, answer = {"/chat/ws": ({"type": "hello"}, '{"type": "session"'),
                         "/voice/stream": ({"type": "fuzz-probe"}, '{"type": "error"'),
                         "/voice/relay/ws": ({"type": "setup", "callSid": fresh}, '{"type": "text"')}[path]
        async with aiohttp.ClientSession() as session, session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(
                ws_close=5)) as ws:
            for frame in frames:
                await ws.send_str(frame)
                if ws.closed:
                    break
            if not ws.closed:
                await ws.send_str(json.dumps(probe))
            while True:
                try:
                    msg = await ws.receive(timeout=10)
                except TimeoutError:
                    return False, "no answer to a valid frame within 10 s"
                if msg.type == aiohttp.WSMsgType.TEXT and str(msg.data).startswith(answer):
                    return True, ""
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    code = ws.close_code
                    # 1000 (the call ended), 1008 (a second setup) and 1009 (a frame over the size limit)
                    # are polite; 1011 (internal error) or 1006 (dropped without a close) are findings
                    return code in (1000, 1001, 1008, 1009), f"closed with {code}"
                if msg.type == aiohttp.WSMsgType.ERROR:
                    return False, f"socket error {ws.exception()!r}"


# -- designer YAML ----------------------------------------------------------------------------------

def yaml_texts() -> st.SearchStrategy[str]:
    """Mutations of real files, random YAML documents, and plain garbage."""
    sources = [p.read_text(encoding="utf-8") for p in (
        REPO_ROOT / "dialogue" / "flows" / "order_status.yaml", REPO_ROOT / "prompts" / "sakura.yaml",
        REPO_ROOT / "entities" / "sakura.yaml", REPO_ROOT / "escalation_rules" / "default.yaml",
        REPO_ROOT / "faq" / "sakura.yaml")]

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        text = draw(st.sampled_from(sources))
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            op = draw(st.sampled_from(["cut", "insert", "dup"]))
            if op == "cut":
                text = text[:at] + text[at + draw(st.integers(1, 60)):]
            elif op == "insert":
                text = text[:at] + draw(st.sampled_from([":", "- ", "\t", "  ", "{", "[", "&a ", "*a", "!!python/object ",
                                                         "\n", "'", '"', "? ", "%YAML 1.1\n", "～"])) + text[at:]
            else:
                end = min(len(text), at + draw(st.integers(1, 200)))
                text = text[:end] + text[at:end] + text[end:]
        return text

    documents = json_values.map(lambda v: json.dumps(v, ensure_ascii=False))
    return st.one_of(mutated(), mutated(), documents, st.text(max_size=300))


LOADERS: dict[str, tuple[str, str, Callable[[Path], Any]]] = {}


def _loaders() -> dict[str, tuple[str, str, Callable[[Path], Any]]]:
    """name -> (directory of the sample bot to copy, file to replace, load(directory))."""
    if not LOADERS:
        from dialogue.bot import load_flows
        from dialogue.entity_types import load_entity_types
        from dialogue.escalation.engine import EscalationEngine
        from dialogue.faq import load_faq
        from dialogue.prompts import load_prompts

        LOADERS.update({
            "flows": ("dialogue/flows", "order_status.yaml", load_flows),
            "prompts": ("prompts", "sakura.yaml", load_prompts),
            "entities": ("entities", "sakura.yaml", load_entity_types),
            "escalation": ("escalation_rules", "default.yaml", EscalationEngine.load),
            "hours": ("escalation_rules", "queues.yaml", EscalationEngine.load),
            "faq": ("faq", "sakura.yaml", load_faq),
        })
    return LOADERS


class YamlBench:
    """A copy of one of the bot's directories per loader, whose file each example overwrites."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="yaml-fuzz-"))
        self.dirs: dict[str, Path] = {}
        for name, (src, _, _) in _loaders().items():
            target = self.tmp / name
            shutil.copytree(REPO_ROOT / src, target)
            self.dirs[name] = target

    def load(self, name: str, text: str) -> str | None:
        """None when the loader accepted the file or refused it with file:line:col; else what went wrong."""
        _, filename, loader = _loaders()[name]
        (self.dirs[name] / filename).write_text(text, encoding="utf-8")
        try:
            loader(self.dirs[name])
        except SourceError as exc:
            bad = [p for p in exc.problems if not _located(p)]
            return f"problem without file:line:col: {bad[0][:200]}" if bad else None
        except Exception as exc:  # anything else is what fuzzing is for
            return f"{type(exc).__name__}: {str(exc)[:200]}"
        return None

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _located(problem: str) -> bool:
    head = problem.split(": ", 1)[0]
    parts = head.rsplit(":", 2)
    return len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit()
