"""Hypothesis against every entry point: no 5xx, no crashed socket handler, no traceback, YAML errors located.

Short in CI (IVR_FUZZ_EXAMPLES, 60 by default); benchmarks/fuzz.py runs the same drivers for minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.fuzzing import (
    LiveServer,
    SocketClient,
    YamlBench,
    frames_for,
    http_requests,
    post,
    yaml_texts,
)

EXAMPLES = int(os.environ.get("IVR_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer().start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def sockets(server: LiveServer) -> Iterator[SocketClient]:
    client = SocketClient(server)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def yaml_bench() -> Iterator[YamlBench]:
    bench = YamlBench()
    try:
        yield bench
    finally:
        bench.close()


@FUZZ
@given(request=http_requests())
def test_http_entry_points_never_answer_5xx(server: LiveServer, request: tuple[str, bytes, str]) -> None:
    path, body, content_type = request
    status = post(server, path, body, content_type)
    assert status < 500, (path, body[:200], content_type, status)
    assert not server.crash_log.crashes(), server.crash_log.crashes()


@pytest.mark.parametrize("path", ["/chat/ws", "/voice/stream", "/voice/relay/ws"])
def test_socket_handlers_survive_any_frames(server: LiveServer, sockets: SocketClient, path: str) -> None:
    @FUZZ
    @given(frames=st.lists(frames_for(path), min_size=1, max_size=6))
    def run(frames: list[str]) -> None:
        alive, why = sockets.run(path, frames)
        assert alive, (why, [f[:120] for f in frames])
        assert not server.crash_log.crashes(), server.crash_log.crashes()

    run()


@pytest.mark.parametrize("loader", ["flows", "prompts", "entities", "escalation", "hours", "faq"])
def test_yaml_loaders_refuse_bad_files_with_a_location(yaml_bench: YamlBench, loader: str) -> None:
    @FUZZ
    @given(text=yaml_texts())
    def run(text: str) -> None:
        problem = yaml_bench.load(loader, text)
        assert problem is None, (problem, text[:300])

    run()
