"""The case note that travels with every handover, so the caller never has to repeat themselves.

The dialogue manager assembles a `ConversationRecord` from its event log; `build_case_note` adds the
Japanese summary. Slots the summary reads besides the SPEC 5 entities: `verified` (bool) and
`verified_by` ("ani" for the caller id, anything else for a spoken phone number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from dialogue.escalation.note_words import collected_phone, fields_ja
from dialogue.escalation.summary_ja import summarize
from dialogue.escalation.trajectory import Trajectory
from nlu.types import HarassmentKind

Speaker = Literal["caller", "bot"]

@dataclass(frozen=True, slots=True)
class HarassmentEvent:
    turn_index: int
    kind: HarassmentKind | None
    score: float
    text: str
    action: str | None = None  # what the bot did: warn | end | supervisor | None


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """Everything the bot knows about the call at handover time."""

    session_id: str
    channel: str
    caller_phone: str | None
    started_at: datetime
    intents: list[str]  # in the order detected
    slots: dict[str, Any]
    trajectory: Trajectory
    outcome: str  # resolved | transferred | callback_scheduled | ended | abandoned
    reason: str | None
    rule: str | None  # id of the escalation rule that fired
    decision_why: str | None
    transcript: list[tuple[str, str]]  # (speaker "caller" | "bot", text)
    harassment_events: list[HarassmentEvent] = field(default_factory=list)
    problem: str | None = None  # the caller's own words for what is wrong (the turn that made the request)
    history: Mapping[str, Any] | None = None  # the contact history's view (dialogue.crm.Repeat.to_json)
    flagged: bool = False  # a supervisor flagged this caller for harassment (dialogue.crm)


def _plain(v: Any) -> Any:
    # slots may hold dates or other objects; the note goes over the wire as JSON
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return str(v)


@dataclass(frozen=True, slots=True)
class CaseNote:
    session_id: str
    channel: str
    caller_phone: str | None
    started_at: datetime
    intents: list[str]
    slots: dict[str, Any]
    trajectory: Trajectory
    outcome: str
    reason: str | None
    rule: str | None
    decision_why: str | None
    transcript: list[tuple[str, str]]
    harassment_events: list[HarassmentEvent]
    summary_ja: str
    problem: str | None = None
    history: Mapping[str, Any] | None = None
    flagged: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)  # intent -> what an agent reads
    names: Mapping[str, str] = field(default_factory=dict)  # slot value ids (kettle) -> display names

    @property
    def intent(self) -> str | None:
        """The last intent that was about something (not a greeting or yes/no); a person asked for in a call about
        an order is still about the order (the agent reads what to help with, not that a person was asked for)."""
        skip = {"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope"}
        about = [i for i in self.intents if i not in skip]
        return next((i for i in reversed(about) if i != "operator_request"), about[-1] if about else None)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (agent console, store, webhook)."""
        return {
            "session_id": self.session_id,
            "channel": self.channel,
            "caller_phone": self.caller_phone,
            "started_at": self.started_at.isoformat(),
            "intent": self.intent,
            "intents": list(self.intents),
            "slots": _plain(self.slots),
            "emotion": self.trajectory.to_json(),
            "outcome": self.outcome,
            "reason": self.reason,
            "rule": self.rule,
            "decision_why": self.decision_why,
            "transcript": [{"speaker": s, "text": t} for s, t in self.transcript],
            "harassment_events": [
                {"turn_index": e.turn_index, "kind": e.kind, "score": round(e.score, 3), "text": e.text, "action": e.action}
                for e in self.harassment_events
            ],
            "summary_ja": self.summary_ja,
            "problem": self.problem,
            "collected_phone": collected_phone(self.slots),
            "history": _plain(self.history) if self.history else None,
            "flagged": self.flagged,
            "fields_ja": fields_ja(self, self.labels, self.names),
        }


def build_case_note(record: ConversationRecord, *, names: Mapping[str, str] | None = None,
                    topics: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> CaseNote:
    """The note for `record`. From the bot's data: `names` maps slot ids (store, product) to what an agent
    reads, `topics` says each request in the agent's words (see dialogue.notes.wording)."""
    return CaseNote(
        session_id=record.session_id,
        channel=record.channel,
        caller_phone=record.caller_phone,
        started_at=record.started_at,
        intents=list(record.intents),
        slots=dict(record.slots),
        trajectory=record.trajectory,
        outcome=record.outcome,
        reason=record.reason,
        rule=record.rule,
        decision_why=record.decision_why,
        transcript=list(record.transcript),
        harassment_events=list(record.harassment_events),
        summary_ja=summarize(record, names or {}, topics),
        problem=record.problem,
        history=record.history,
        flagged=record.flagged,
        labels=dict(labels or {}),
        names=dict(names or {}),
    )
