"""Builders for test signals: a staffed-hours clock, emotions and harassment readings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogue.escalation import Signals
from nlu.types import Emotion, Harassment

JST = ZoneInfo("Asia/Tokyo")
OPEN = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # a Tuesday morning: every queue is staffed


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(JST)


def sig(**kw: Any) -> Signals:
    kw.setdefault("now", OPEN)
    return Signals(**kw)


def emo(label: str, score: float, **others: float) -> Emotion:
    scores = {"neutral": 0.0, "anger": 0.0, "anxiety": 0.0, "sadness": 0.0, **others, label: score}
    return Emotion(label=label, score=score, scores=scores)  # type: ignore[arg-type]


def abuse(kind: str | None, score: float = 0.95) -> Harassment:
    return Harassment(detected=True, score=score, kind=kind)  # type: ignore[arg-type]
