"""A record's transcript as the quality checks read it: typed turns, the slots, and what the NLU saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Turn:
    index: int
    speaker: str
    text: str
    at: datetime | None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def turns_of(record: Mapping[str, Any]) -> list[Turn]:
    """The transcript as typed turns; `[speaker, text]` pairs (case notes) are read too."""
    out: list[Turn] = []
    for i, raw in enumerate(record.get("transcript") or ()):
        if isinstance(raw, Mapping):
            out.append(Turn(i, str(raw.get("speaker") or ""), str(raw.get("text") or ""), _when(raw.get("at"))))
        elif isinstance(raw, list | tuple) and len(raw) >= 2:
            out.append(Turn(i, str(raw[0]), str(raw[1]), None))
    return out


def slots_of(record: Mapping[str, Any]) -> Mapping[str, Any]:
    note = record.get("case_note")
    slots = note.get("slots") if isinstance(note, Mapping) else None
    merged: dict[str, Any] = dict(slots) if isinstance(slots, Mapping) else {}
    if isinstance(record.get("slots"), Mapping):
        merged.update(record["slots"])
    return merged


def label_of(value: Any) -> str | None:
    # a turn's emotion may be stored as its label or as the NLU's {"label": ..., "score": ...}
    if isinstance(value, Mapping):
        value = value.get("label")
    return value if isinstance(value, str) else None


def caller_signals(record: Mapping[str, Any], turns: list[Turn]) -> dict[int, dict[str, Any]]:
    """What the NLU read in each caller turn: the turn's own `emotion`/`intent`/`harassment` where the record
    has them, else the case note's emotion labels (one per spoken caller turn, used only when the counts
    match) and its harassment events (by text)."""
    raw = list(record.get("transcript") or ())
    out = {t.index: dict(raw[t.index]) if isinstance(raw[t.index], Mapping) else {} for t in turns if t.speaker == "caller"}
    note = record.get("case_note")
    if not isinstance(note, Mapping):
        return out
    emotion = note.get("emotion")
    labels = emotion.get("labels") if isinstance(emotion, Mapping) else None
    spoken = [t for t in turns if t.speaker == "caller" and t.text and not t.text.startswith("[DTMF")]
    if isinstance(labels, list) and len(labels) == len(spoken):
        for t, label in zip(spoken, labels, strict=True):
            out[t.index].setdefault("emotion", label)
    abuse = {e.get("text") for e in note.get("harassment_events") or () if isinstance(e, Mapping)}
    for t in turns:
        if t.speaker == "caller" and t.text in abuse:
            out[t.index]["harassment"] = True
    return out
