"""What the dialogue manager knows about the current turn, handed to the escalation engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogue.escalation.trajectory import Trajectory
from nlu.types import Emotion, Harassment


@dataclass(frozen=True, slots=True, kw_only=True)
class Signals:
    """One turn's facts. Built fresh each turn; the engine never mutates it."""

    now: datetime  # tz-aware, Asia/Tokyo
    channel: str = "voice"  # voice | chat
    text: str = ""  # normalised utterance; "" for DTMF / no-input
    reading: str = ""  # katakana reading of the utterance; "" if none
    # where the words of two kana or more start in the folded reading (conditions.kana), when the words are known:
    # a keyword in kana counts only from there (「くださいばんごう」 holds no さいばん)
    word_starts: frozenset[int] | None = None
    intent: str | None = None
    intent_confidence: float = 0.0
    emotion: Emotion | None = None  # this turn only
    trajectory: Trajectory = field(default_factory=Trajectory)
    harassment: Harassment | None = None
    harassment_warnings: int = 0  # warnings already given in this call
    failed_turns: int = 0  # no-match / no-input over the whole call
    consecutive_failures: int = 0
    flags: frozenset[str] = frozenset()  # from NLU: legal_threat, repetition_complaint, urgent
    caller_vip: bool = False
    backend_error: bool = False
    queue_wait_s: dict[str, float] = field(default_factory=dict)  # missing queue = unknown = 0
    turn_index: int = 0
    asr_confidence: float | None = None
    interrupted: bool = False
    language: str = "ja"  # the caller's language (ISO 639-1)
