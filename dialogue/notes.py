"""Every conversation ends with a case note (call centers document every contact)."""

from __future__ import annotations

from datetime import datetime

from dialogue.escalation.case_note import ConversationRecord, HarassmentEvent, build_case_note
from dialogue.session import SessionState
from dialogue.signals import trajectory
from dialogue.store import SessionStore


def record_of(state: SessionState) -> ConversationRecord:
    return ConversationRecord(
        session_id=state.id,
        channel=state.channel,
        caller_phone=state.caller_phone,
        started_at=datetime.fromisoformat(state.started_at),
        intents=list(state.intents),
        slots=dict(state.slots),
        trajectory=trajectory(state),
        outcome=state.outcome or "abandoned",
        reason=state.reason,
        rule=state.rule,
        decision_why=state.decision_why,
        transcript=[("caller" if who == "caller" else "bot", text) for who, text in state.transcript()],
        harassment_events=_harassment_events(state),
    )


def _harassment_events(state: SessionState) -> list[HarassmentEvent]:
    out: list[HarassmentEvent] = []
    turn = 0
    for i, e in enumerate(state.events):
        if e["type"] != "caller":
            continue
        turn += 1
        if e.get("harassment"):
            # what the bot did is the escalation event logged right after this caller turn
            action = next(
                (x.get("action") for x in state.events[i + 1 : i + 3] if x["type"] == "escalation"), None
            )
            out.append(HarassmentEvent(turn, e["harassment"], 1.0, str(e.get("text", "")), action))
    return out


async def save_case_note(store: SessionStore, state: SessionState) -> None:
    note = build_case_note(record_of(state)).to_json()
    note["case_id"] = state.case_id
    await store.save_case(state.case_id or state.id, note)
