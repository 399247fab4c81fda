"""The state of one conversation: plain JSON-able data, so any session store can keep it.

`events` is the append-only record (what was said, slots set, flows, decisions); the other fields are
the current position, kept alongside so that a turn does not replay the whole call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from dialogue.api import Channel


@dataclass
class Frame:
    """A flow in progress: which flow, and which step it waits on."""

    flow: str
    step: str
    call: bool = False  # pushed by a `call` step: resumes silently when the called flow returns


@dataclass
class SessionState:
    id: str
    channel: Channel
    started_at: str
    caller_phone: str | None = None
    caller_vip: bool = False
    clock: str | None = None  # fixed ISO time for tests; None = the real clock
    frame: Frame | None = None
    stack: list[Frame] = field(default_factory=list)  # flows interrupted by a topic change
    awaiting: str = "free"
    slots: dict[str, Any] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    tries: int = 0  # failed tries at the current question
    failed_turns: int = 0
    consecutive_failures: int = 0
    no_inputs: int = 0
    harassment_warnings: int = 0
    intents: list[str] = field(default_factory=list)  # intents the bot acted on, in order
    resolved: int = 0  # requests resolved in this call
    pending: dict[str, Any] = field(default_factory=dict)  # a clarification or an offer in the air
    last_prompts: list[str] = field(default_factory=list)
    emotions: list[dict[str, Any]] = field(default_factory=list)  # per caller turn: label, scores
    outcome: str | None = None
    reason: str | None = None
    rule: str | None = None
    decision_why: str | None = None
    case_id: str | None = None
    ended: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)

    def log(self, kind: str, now: datetime, **data: Any) -> None:
        self.events.append({"type": kind, "at": now.isoformat(timespec="seconds"), **data})

    def transcript(self) -> list[tuple[str, str]]:
        return [
            (e["type"], str(e.get("text", "")))
            for e in self.events
            if e["type"] in ("caller", "bot") and e.get("text")
        ]

    def to_json(self) -> dict[str, Any]:
        # shallow: asdict() deep-copies the event list on every save, two thirds of a turn's cost;
        # the stores serialise the result at once, so sharing the inner lists is safe
        out = dict(self.__dict__)
        out["frame"] = asdict(self.frame) if self.frame else None
        out["stack"] = [asdict(f) for f in self.stack]
        return out

    @staticmethod
    def from_json(data: dict[str, Any]) -> SessionState:
        data = dict(data)
        frame = data.pop("frame", None)
        stack = data.pop("stack", [])
        state = SessionState(**data)
        state.frame = Frame(**frame) if frame else None
        state.stack = [Frame(**f) for f in stack]
        return state
