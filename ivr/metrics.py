"""Prometheus metrics (turn latency, calls, outcomes, time per stage, no-matches) and `GET /readyz`.

Time per stage (`ivr_stage_seconds{stage}`): normalise, tokenise, classify, entities (the NLU),
dialogue (one whole turn), backend (one action), store (one round trip). The NLU is not edited for
this: `instrument` wraps the functions the pipeline calls and the methods of the manager's NLU,
backend and store objects, once per object, so every channel and every path is measured alike.
The same wrappers put the conversation id in the logging context (ivr/logging_setup.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from ivr.app_keys import MANAGER
from ivr.logging_setup import with_conversation

REGISTRY = CollectorRegistry()
TURN_SECONDS = Histogram(
    "ivr_turn_seconds", "Server-side time to answer one caller turn", ["channel"], registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CALLS = Counter("ivr_calls_total", "Conversations started", ["channel"], registry=REGISTRY)
OUTCOMES = Counter("ivr_outcomes_total", "Conversations ended, by outcome and reason", ["channel", "outcome", "reason"],
                   registry=REGISTRY)
REJECTED = Counter("ivr_rejected_requests_total", "Requests refused (signature, size, malformed)", ["path", "why"],
                   registry=REGISTRY)
STAGE_SECONDS = Histogram(
    "ivr_stage_seconds", "Time spent in one stage of a turn", ["stage"], registry=REGISTRY,
    buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 3.0),
)
NO_MATCH = Counter("ivr_no_match_total", "Turns the bot did not understand, by flow step", ["flow", "step"],
                   registry=REGISTRY)
CLIENT_GONE = Counter("ivr_client_gone_total", "Requests whose client disconnected before the answer", ["path"],
                      registry=REGISTRY)
NOT_READY = Counter("ivr_not_ready_total", "Readiness checks that failed, by check", ["check"], registry=REGISTRY)

STAGES = ("normalise", "tokenise", "classify", "entities", "dialogue", "backend", "store")
_MARK = "__ivr_timed__"
F = TypeVar("F", bound=Callable[..., Any])


def timed(stage: str, fn: F) -> F:
    """`fn` (sync or async) observed into ivr_stage_seconds{stage}; wrapping twice wraps once."""
    if getattr(fn, _MARK, None) == stage:
        return fn
    observe = STAGE_SECONDS.labels(stage).observe
    if asyncio.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def async_timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                observe(time.perf_counter() - began)
        wrapper: Any = async_timed
    else:
        @functools.wraps(fn)
        def sync_timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                observe(time.perf_counter() - began)
        wrapper = sync_timed
    setattr(wrapper, _MARK, stage)
    return wrapper  # type: ignore[no-any-return]


def _wrap_attr(owner: Any, name: str, stage: str) -> None:
    fn = getattr(owner, name, None)
    if fn is not None and callable(fn):
        with contextlib.suppress(AttributeError, TypeError):  # a slotted or frozen object: left unmeasured
            setattr(owner, name, timed(stage, fn))


def instrument_nlu(nlu: Any) -> None:
    """The NLU stages: the functions nlu.pipeline calls, and the manager's own NLU object."""
    import nlu.pipeline as pipeline  # the ivr layer may know the NLU; dialogue code never imports this

    _wrap_attr(pipeline, "normalize", "normalise")
    _wrap_attr(pipeline, "tokenize", "tokenise")
    _wrap_attr(pipeline, "extract_entities", "entities")
    scorer = getattr(nlu, "scorer", None)
    if scorer is not None:
        _wrap_attr(scorer, "scores", "classify")
    transformer = getattr(nlu, "transformer", None)
    if transformer is not None:
        _wrap_attr(transformer, "predict", "classify")


def instrument(manager: Any) -> None:
    """Measure one dialogue manager's turns, backend and store; count its no-matches per flow step."""
    instrument_nlu(manager.nlu)
    for name in ("handle", "start", "hangup"):
        method = getattr(manager, name)
        if not getattr(method, _MARK, None):
            wrapped = with_conversation(method)
            setattr(manager, name, timed("dialogue", wrapped) if name == "handle" else _marked(wrapped))
    _wrap_attr(manager.backend, "call", "backend")
    for name in ("load", "save", "events", "save_case", "case"):
        _wrap_attr(manager.store, name, "store")
    conductor = manager.conductor
    if not getattr(conductor.no_match, _MARK, None):
        conductor.no_match = _count_no_match(conductor.no_match)


def _marked(fn: F) -> F:
    setattr(fn, _MARK, "context")
    return fn


def _count_no_match(no_match: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(no_match)
    async def counted(turn: Any, *args: Any, **kwargs: Any) -> None:
        position = turn.state.position
        if position is not None:
            NO_MATCH.labels(position.flow, position.step).inc()
        else:
            NO_MATCH.labels("", turn.state.awaiting.label).inc()
        await no_match(turn, *args, **kwargs)
    setattr(counted, _MARK, "no_match")
    return counted


# -- readiness -------------------------------------------------------------------------------------

READY_TIMEOUT_S = 2.0


async def readiness(manager: Any) -> dict[str, str]:
    """Each check: "ok" or why not. The store must answer a read, the locks their engine, the model load."""
    checks: dict[str, str] = {}
    nlu = manager.nlu
    checks["model"] = "ok" if nlu is not None and getattr(nlu, "model", True) is not None else "not loaded"
    probes: dict[str, Callable[[], Awaitable[Any]]] = {
        "store": lambda: manager.store.load("readyz-probe"),
        "locks": manager.locks.ping,
    }
    for name, probe in probes.items():
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                await probe()
            checks[name] = "ok"
        except Exception as exc:  # whatever the engine raises, the answer is "not ready", with why
            checks[name] = f"{type(exc).__name__}: {exc}"[:200] or "unreachable"
    for name, result in checks.items():
        if result != "ok":
            NOT_READY.labels(name).inc()
    return checks


async def readyz(request: web.Request) -> web.Response:
    checks = await readiness(request.app[MANAGER])
    ready = all(v == "ok" for v in checks.values())
    return web.json_response({"status": "ready" if ready else "unavailable", "checks": checks},
                             status=200 if ready else 503)


def setup(app: web.Application) -> None:
    instrument(app[MANAGER])
    app.router.add_get("/readyz", readyz)
