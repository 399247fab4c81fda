"""Emotion over a whole call: an immutable record updated once per turn.

One angry line is easy to spot; the caller who is only mildly irritated on every line while the bot keeps
failing is not. So the call-level `anger_level` is a leaky accumulator: each turn adds a share of the
turn's anger score plus "pressure" from what the caller had to put up with (a failed turn, having to
repeat themselves, barging in over a prompt, being misheard), and the old level leaks away slowly.

    level' = min(1, DECAY * level + GAIN * anger_score + pressure)

Mild irritation alone settles below the transfer threshold (0.4 anger -> 0.53); the same irritation with
a failure every turn crosses 0.7 on the third turn. A turn without an emotion reading (DTMF, silence)
does not calm the caller down: the level is kept and only pressure is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from nlu.types import Emotion, EmotionLabel

Trend = Literal["rising", "steady", "falling"]
TRENDS: tuple[Trend, ...] = ("rising", "steady", "falling")

DECAY = 0.7  # share of the previous level kept each turn
GAIN = 0.4  # share of this turn's score added
PRESSURE_FAILED = 0.2
PRESSURE_REPETITION = 0.3  # 「さっきも言いましたよね」 is irritation even in calm words
PRESSURE_INTERRUPTED = 0.1
PRESSURE_LOW_ASR = 0.05  # misheard again; also shouting lowers ASR confidence
LOW_ASR = 0.5
TREND_DELTA = 0.1  # change over the last two turns that counts as a trend
_WINDOW = 3  # levels kept for the trend: now and the two turns before


@dataclass(frozen=True, slots=True)
class MoodTurn:
    """One analysed turn: the classifier's reading and the call-level levels after it."""

    index: int  # update number, 0-based (turns without an emotion reading are counted, not stored)
    label: EmotionLabel
    score: float
    scores: dict[str, float]
    anger_level: float
    distress_level: float


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@dataclass(frozen=True, slots=True)
class Trajectory:
    """Emotion over the call. `update` returns a new Trajectory; nothing is mutated."""

    turns: tuple[MoodTurn, ...] = ()
    anger_level: float = 0.0  # 0..1, smoothed call-level anger (see module docstring)
    distress_level: float = 0.0  # 0..1, smoothed sadness + anxiety
    updates: int = 0
    failures: int = 0
    repetitions: int = 0
    interruptions: int = 0
    low_asr_turns: int = 0
    peak_label: EmotionLabel = "neutral"
    peak_score: float = 0.0
    # negativity (max of the two levels) after the last few updates, oldest first; starts calm
    recent: tuple[float, ...] = field(default=(0.0,))

    def update(
        self,
        emotion: Emotion | None,
        *,
        failed: bool = False,
        repetition: bool = False,
        interrupted: bool = False,
        asr_confidence: float | None = None,
    ) -> Trajectory:
        """The trajectory after one more turn."""
        low_asr = asr_confidence is not None and asr_confidence < LOW_ASR
        pressure = (
            PRESSURE_FAILED * failed
            + PRESSURE_REPETITION * repetition
            + PRESSURE_INTERRUPTED * interrupted
            + PRESSURE_LOW_ASR * low_asr
        )
        turns = self.turns
        peak_label, peak_score = self.peak_label, self.peak_score
        if emotion is None:
            anger = _clip(self.anger_level + pressure)
            distress = self.distress_level
        else:
            scores = emotion.scores
            anger_score = scores.get("anger", emotion.score if emotion.label == "anger" else 0.0)
            sad = scores.get("sadness", 0.0) + scores.get("anxiety", 0.0)
            if not scores and emotion.label in ("sadness", "anxiety"):
                sad = emotion.score
            anger = _clip(DECAY * self.anger_level + GAIN * anger_score + pressure)
            distress = _clip(DECAY * self.distress_level + GAIN * sad)
            if emotion.label != "neutral" and emotion.score > peak_score:
                peak_label, peak_score = emotion.label, emotion.score
            turns = (*turns, MoodTurn(self.updates, emotion.label, emotion.score, scores, anger, distress))
        return Trajectory(
            turns=turns,
            anger_level=anger,
            distress_level=distress,
            updates=self.updates + 1,
            failures=self.failures + failed,
            repetitions=self.repetitions + repetition,
            interruptions=self.interruptions + interrupted,
            low_asr_turns=self.low_asr_turns + low_asr,
            peak_label=peak_label,
            peak_score=peak_score,
            recent=(*self.recent[-(_WINDOW - 1) :], max(anger, distress)),
        )

    @property
    def trend(self) -> Trend:
        """Direction of negative feeling (anger or distress) over the last two turns."""
        delta = self.recent[-1] - self.recent[0]
        if delta >= TREND_DELTA:
            return "rising"
        if delta <= -TREND_DELTA:
            return "falling"
        return "steady"

    @property
    def peak(self) -> EmotionLabel:
        """The strongest non-neutral emotion seen in the call; "neutral" if none."""
        return self.peak_label

    def summary(self) -> list[str]:
        """The classifier's label for each analysed turn, in order."""
        return [t.label for t in self.turns]

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": self.summary(),
            "anger_levels": [round(t.anger_level, 3) for t in self.turns],
            "anger_level": round(self.anger_level, 3),
            "distress_level": round(self.distress_level, 3),
            "trend": self.trend,
            "peak": self.peak,
            "failures": self.failures,
            "repetitions": self.repetitions,
            "interruptions": self.interruptions,
        }
