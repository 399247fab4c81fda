"""Fuzz every entry point for minutes: HTTP webhooks, the three WebSockets, each designer-YAML loader.

    .venv/bin/python benchmarks/fuzz.py [--minutes 10] [--only http|/chat/ws|/voice/stream|/voice/relay/ws|flows|...]

The drivers of tests/hardening/fuzzing.py (the CI test runs them for a few dozen examples): one live
server in-process, hypothesis generating fresh inputs round after round until each target's time is up.
Prints, per target: examples run, findings (a 5xx, a socket closed on an internal error, a log record
with a traceback, a YAML problem without file:line:col or an unexpected exception), and the process's
resident memory before and after (bounded memory: it must level off, not grow with the examples).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hardening.fuzzing import (  # noqa: E402  (the repository root is on sys.path only now)
    WS_TYPES,
    LiveServer,
    SocketClient,
    YamlBench,
    _loaders,
    frames_for,
    http_requests,
    post,
    yaml_texts,
)

ROUND = settings(max_examples=200, deadline=None, database=None, derandomize=False,
                 suppress_health_check=list(HealthCheck))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def targets(server: LiveServer, sockets: SocketClient, yaml_bench: YamlBench,
            count: list[int]) -> dict[str, Callable[[], None]]:
    out: dict[str, Callable[[], None]] = {}

    @ROUND
    @given(request=http_requests())
    def http(request: tuple[str, bytes, str]) -> None:
        count[0] += 1
        path, body, content_type = request
        status = post(server, path, body, content_type)
        assert status < 500, (path, body[:120], content_type, status)
        assert not server.crash_log.crashes(), server.crash_log.crashes()

    out["http"] = http
    for path in WS_TYPES:
        def socket_target(path: str = path) -> Callable[[], None]:
            @ROUND
            @given(frames=st.lists(frames_for(path), min_size=1, max_size=6))
            def run(frames: list[str]) -> None:
                count[0] += 1
                alive, why = sockets.run(path, frames)
                assert alive, (why, [f[:80] for f in frames])
                assert not server.crash_log.crashes(), server.crash_log.crashes()
            return run
        out[path] = socket_target()
    for name in _loaders():
        def yaml_target(name: str = name) -> Callable[[], None]:
            @ROUND
            @given(text=yaml_texts())
            def run(text: str) -> None:
                count[0] += 1
                problem = yaml_bench.load(name, text)
                assert problem is None, (problem, text[:200])
            return run
        out[f"yaml:{name}"] = yaml_target()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="per target (default 10)")
    parser.add_argument("--only", default=None, help="run only targets whose name contains this")
    opts = parser.parse_args()
    server = LiveServer().start()
    sockets = SocketClient(server)
    yaml_bench = YamlBench()
    count = [0]
    findings_total = 0
    try:
        for name, run in targets(server, sockets, yaml_bench, count).items():
            if opts.only and opts.only not in name:
                continue
            count[0] = 0
            findings: list[str] = []
            before = rss_mb()
            until = time.monotonic() + opts.minutes * 60
            rounds = 0
            while time.monotonic() < until:
                rounds += 1
                try:
                    run()
                except Exception as exc:  # a finding: note it, clear the log, keep fuzzing
                    findings.append(f"{type(exc).__name__}: {str(exc)[:300]}")
                    server.crash_log.records.clear()
            findings_total += len(findings)
            print(f"{name:22s} {count[0]:7d} examples in {opts.minutes:g} min, {len(findings)} findings, "
                  f"RSS {before:.0f} -> {rss_mb():.0f} MB", flush=True)
            for finding in findings[:3]:
                print("   ", finding.replace("\n", " ")[:300], flush=True)
    finally:
        yaml_bench.close()
        sockets.close()
        server.stop()
    return 1 if findings_total else 0


if __name__ == "__main__":
    sys.exit(main())
