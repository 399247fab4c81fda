"""Prometheus metrics of the channels (turn latency, calls, outcomes)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

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
