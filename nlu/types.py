"""Typed results of the NLU pipeline: frozen dataclasses, built once per utterance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

EmotionLabel = Literal["neutral", "anger", "anxiety", "sadness"]
EMOTION_LABELS: tuple[EmotionLabel, ...] = ("neutral", "anger", "anxiety", "sadness")
HarassmentKind = Literal["insult", "threat", "sexual", "unreasonable_demand"]


class Token(NamedTuple):
    """One morpheme. A NamedTuple: built a dozen times per utterance, and a frozen dataclass's
    __init__ costs several times more."""

    surface: str
    lemma: str
    reading: str  # katakana reading; the surface in katakana for unknown words
    pos: str  # UniDic pos1 (名詞, 動詞, ...)


@dataclass(frozen=True, slots=True)
class Entity:
    type: str  # order_id, phone_number, postal_code, date, time, time_end, time_window, store, product, amount
    value: str | int
    start: int  # character offsets into the ORIGINAL text
    end: int
    # other candidate values when the mention is ambiguous (梅田 or 渋谷?); empty when certain
    alternatives: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "value": self.value, "start": self.start, "end": self.end}
        if self.alternatives:
            out["ambiguous"] = True
            out["alternatives"] = list(self.alternatives)
        return out


class IntentScore(NamedTuple):
    """One row of the ranking (a NamedTuple: the whole catalog is ranked for every utterance)."""

    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Emotion:
    label: EmotionLabel
    score: float
    scores: dict[str, float]


@dataclass(frozen=True, slots=True)
class Harassment:
    detected: bool
    score: float
    kind: HarassmentKind | None = None


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, for each of its characters, the offset of the source character."""

    text: str
    offsets: tuple[int, ...]  # len(offsets) == len(text) + 1; last entry is len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Parse:
    text: str
    normalized: str
    tokens: tuple[Token, ...]
    intent: IntentScore
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...]
    emotion: Emotion
    harassment: Harassment
    # the classifier is unsure: low confidence, or the top two are close
    low_confidence: bool = False
    ambiguous: bool = False
    flags: frozenset[str] = field(default_factory=frozenset)  # e.g. legal_threat
    language: str = "ja"  # ISO 639-1 (SPEC 7.1)
    language_confidence: float = 1.0

    def entity(self, type_: str) -> Entity | None:
        for e in self.entities:
            if e.type == type_:
                return e
        return None

    def to_json(self) -> dict[str, Any]:
        """The SPEC 7.1 output object."""
        return {
            "text": self.text,
            "normalized": self.normalized,
            "tokens": [t._asdict() for t in self.tokens],
            "intent": {"name": self.intent.name, "confidence": round(self.intent.confidence, 4)},
            "ranking": [{"name": r.name, "confidence": round(r.confidence, 4)} for r in self.ranking],
            "entities": [e.to_json() for e in self.entities],
            "emotion": {
                "label": self.emotion.label,
                "score": round(self.emotion.score, 4),
                "scores": {k: round(v, 4) for k, v in self.emotion.scores.items()},
            },
            "harassment": {
                "detected": self.harassment.detected,
                "score": round(self.harassment.score, 4),
                "kind": self.harassment.kind,
            },
            "low_confidence": self.low_confidence,
            "ambiguous": self.ambiguous,
            "flags": sorted(self.flags),
            "language": self.language,
        }
