"""Fuzz each HTTP entry point of `ivr serve` on its own, for minutes: every route the app registers.

    .venv/bin/python benchmarks/fuzz_entrypoints.py [--minutes 2] [--only /agent/api] [--route 'POST /callback/api'] [--list]

benchmarks/fuzz.py fires at a fixed list of webhook paths; this one asks the server's router for every
route (the voice webhooks, the survey, the web callback form, the console's login and JSON API, the
customer profiles, the wallboard, QA and forecast views, static files, health) and gives each route its
own `--minutes`, so a rarely drawn path is not starved. Path parameters ({cid}, {customer}, {case_id},
...) are drawn from real ids of the server (calls and chats made before fuzzing), a few shapes of id and
hostile text. Each example is one request with a random query string and, for a POST, a form, JSON,
multipart or raw body; with or without a supervisor's console cookie, with or without a same-origin
`Origin`. A finding is a 5xx, a refused or reset connection, or a log record with a traceback. WebSockets
are fuzzed by benchmarks/fuzz.py.

Prints per route: examples run, findings (the first three with the request that caused them), and the
server's resident memory before and after. Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# the console needs users and a fixed secret before the app is built (LiveServer builds it from the env)
os.environ.setdefault("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
os.environ.setdefault("IVR_CONSOLE_SECRET", "fuzz-secret")

from tests.hardening.fuzzing import SIDS, LiveServer, forms, json_values  # noqa: E402

ROUND = settings(max_examples=100, deadline=None, database=None, derandomize=False,
                 suppress_health_check=list(HealthCheck))
HOSTILE = ["", "..", "%2e%2e%2f", "a" * 300, "０９０１２３４５６７８", "09012345678", "taro@example.jp", "<script>",
           "' OR 1=1 --", "\u0000", "🙂", "-1", "999999999999999999999", "null", "{}", "[]"]
WEBSOCKETS = {"/chat/ws", "/voice/stream", "/voice/relay/ws"}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """Synchronous requests to the live server: status codes, never an exception for a 4xx or 5xx."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                cookie: bool = False) -> int:
        req = urllib.request.Request(self.server.base + path, data=body, headers=headers or {}, method=method)
        opener = self.opener if cookie else urllib.request.build_opener(_NoRedirect())
        try:
            with opener.open(req, timeout=30) as resp:
                resp.read()
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def log_in(self) -> None:
        body = urllib.parse.urlencode({"username": "sam", "password": "sam-pw"}).encode()
        status = self.request("POST", "/agent/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                               "Origin": self.server.base}, cookie=True)
        if status not in (200, 303):  # e.g. 429: fuzzed logins as sam hit the failure limit
            print(f"     (console login refused: HTTP {status}; this route is fuzzed without a login)", flush=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 303 is an answer here, not a page to fetch


def live_ids(client: Client) -> list[str]:
    """Ids the server knows: chats and calls made through its own entry points before fuzzing."""
    for sid in SIDS[:2]:
        form = {"CallSid": sid, "From": "+819012345678", "To": "+81120000000", "CallStatus": "ringing"}
        client.request("POST", "/voice/twilio", urllib.parse.urlencode(form).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    return [*SIDS]


def routes(server: LiveServer) -> list[tuple[str, str]]:
    assert server.runner is not None
    found = set()
    for route in server.runner.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("path") or info.get("formatter") or info.get("prefix") or "")
        if not path or path in WEBSOCKETS or route.method == "HEAD":
            continue
        found.add((route.method, path))
    return sorted(found, key=lambda r: (r[1], r[0]))


def requests_for(method: str, template: str, ids: list[str]) -> st.SearchStrategy[tuple[str, bytes | None, dict[str, str], bool]]:
    names = re.findall(r"\{([^}:]+)(?::[^}]*)?\}", template)
    params = st.fixed_dictionaries({n: st.sampled_from(ids) | st.sampled_from(HOSTILE) | st.text(max_size=30)
                                    for n in names})
    query = st.dictionaries(st.sampled_from(["since", "period", "queue", "days", "limit", "conversation_id", "try",
                                             "seq", "session", "noinput", "format", "agent", "flow"])
                            | st.text(max_size=8), st.sampled_from(HOSTILE) | st.text(max_size=20), max_size=3)
    bodies: st.SearchStrategy[tuple[bytes | None, str]] = st.just((None, ""))
    if method == "POST":
        bodies = st.one_of(
            forms.map(lambda f: (urllib.parse.urlencode(f).encode(), "application/x-www-form-urlencoded")),
            json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
            st.fixed_dictionaries({"text": st.text(max_size=40) | st.sampled_from(HOSTILE),
                                   "disposition": st.text(max_size=20), "queue": st.text(max_size=12),
                                   "rating": st.integers(-3, 9) | st.text(max_size=3), "flagged": st.booleans(),
                                   "note": st.text(max_size=30), "state": st.sampled_from(["available", "x"]),
                                   "name": st.text(max_size=10), "phone": st.sampled_from(HOSTILE),
                                   "topic": st.text(max_size=10), "window": st.text(max_size=12)})
            .map(lambda v: (json.dumps(v).encode(), "application/json")),
            st.binary(max_size=300).map(lambda b: (b, "application/json")),
            st.binary(max_size=300).map(lambda b: (b, "multipart/form-data; boundary=zz")),
            st.binary(max_size=300).map(lambda b: (b, "application/x-www-form-urlencoded")),
        )

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, bytes | None, dict[str, str], bool]:
        values = draw(params)
        path = template
        for name, value in values.items():
            path = re.sub(r"\{" + re.escape(name) + r"(?::[^}]*)?\}", urllib.parse.quote(value, safe=""), path)
        q = draw(query)
        if q:
            path += "?" + urllib.parse.urlencode(q)
        body, content_type = draw(bodies)
        headers = {"Content-Type": content_type} if content_type else {}
        if draw(st.booleans()):
            headers["Origin"] = "SAME"
        return path, body, headers, draw(st.booleans())

    return build()


def target(client: Client, method: str, template: str, ids: list[str], count: list[int]) -> Callable[[], None]:
    server = client.server

    @ROUND
    @given(request=requests_for(method, template, ids))
    def run(request: tuple[str, bytes | None, dict[str, str], bool]) -> None:
        count[0] += 1
        path, body, headers, cookie = request
        if headers.get("Origin") == "SAME":
            headers["Origin"] = server.base
        status = client.request(method, path, body, headers, cookie=cookie)
        assert status < 500, (method, path[:160], (body or b"")[:120], headers, cookie, status)
        assert not server.crash_log.crashes(), (method, path[:160], server.crash_log.crashes())

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0, help="per route (default 2)")
    parser.add_argument("--only", default=None, help="run only routes whose path contains this")
    parser.add_argument("--route", action="append", default=[], metavar="'METHOD PATH'",
                        help="run exactly this route, as --list prints it (repeatable; the order is kept)")
    parser.add_argument("--list", action="store_true", help="print the routes and exit")
    opts = parser.parse_args()
    server = LiveServer().start()
    client = Client(server)
    findings_total = 0
    try:
        chosen = [r for r in routes(server) if not opts.only or opts.only in r[1]]
        if opts.route:  # exact routes, in the order asked, so a long run can go through them one by one
            wanted = [tuple(spec.split(maxsplit=1)) for spec in opts.route]
            unknown = [" ".join(spec) for spec in wanted if spec not in chosen]
            if unknown:
                parser.error(f"no such route: {', '.join(unknown)} (see --list)")
            chosen = [(method, path) for method, path in wanted]
        if opts.list:
            for method, path in chosen:
                print(method, path)
            return 0
        client.log_in()
        ids = live_ids(client)
        server.crash_log.records.clear()
        for method, path in chosen:
            client.log_in()  # again: a fuzzed POST /agent/logout revokes the login of the routes before
            count = [0]
            findings: list[str] = []
            run = target(client, method, path, ids, count)
            before = rss_mb()
            until = time.monotonic() + opts.minutes * 60
            while time.monotonic() < until:
                try:
                    run()
                except Exception as exc:  # a finding: note it, clear the log, keep fuzzing
                    findings.append(f"{type(exc).__name__}: {str(exc)[:400]}")
                    server.crash_log.records.clear()
            findings_total += len(findings)
            print(f"{method:4s} {path:48s} {count[0]:6d} examples, {len(findings)} findings, "
                  f"RSS {before:.0f} -> {rss_mb():.0f} MB", flush=True)
            for finding in findings[:3]:
                print("    ", finding.replace("\n", " ")[:400], flush=True)
    finally:
        server.stop()
    return 1 if findings_total else 0


if __name__ == "__main__":
    sys.exit(main())
