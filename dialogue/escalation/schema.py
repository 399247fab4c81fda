"""The shape of escalation_rules/*.yaml, as pydantic models (data enters from designers' files here)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from dialogue.escalation.trajectory import Trend
from nlu.types import EmotionLabel, HarassmentKind

Reason = Literal["human_request", "emotion", "complex", "repeated_failure", "backend_error", "harassment",
                 "language"]
ActionName = Literal["transfer", "warn", "end", "supervisor", "offer_callback"]
SUPERVISOR_QUEUE = "supervisor"
GENERAL_QUEUE = "general"  # the queue every routine hand-over goes to (queues.yaml)


def _as_list(v: Any) -> Any:
    # a designer writes `intent: complaint` as often as `intent: [complaint]`; both mean the same
    return [v] if isinstance(v, str) else v


def _no_blank(v: list[str]) -> list[str]:
    if not v or any(not str(x).strip() for x in v):
        raise ValueError("needs at least one non-empty name")
    return v


Score = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]
Names = Annotated[list[str], BeforeValidator(_as_list), Field(min_length=1)]
Priority = Annotated[int, Field(ge=0, le=9)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class When(_Strict):
    """All listed conditions must hold; `any:` holds when one of its branches does."""

    intent: Names | None = None
    intent_confidence_below: Score | None = None
    intent_confidence_at_least: Score | None = None
    emotion: Annotated[list[EmotionLabel], BeforeValidator(_as_list), Field(min_length=1)] | None = None
    min_score: Score | None = None  # with `emotion`: that label's score this turn
    anger_level_at_least: Score | None = None
    distress_level_at_least: Score | None = None
    trend: Annotated[list[Trend], BeforeValidator(_as_list), Field(min_length=1)] | None = None
    harassment: bool | None = None
    harassment_kind: Annotated[list[HarassmentKind], BeforeValidator(_as_list), Field(min_length=1)] | None = (
        None
    )
    harassment_score_at_least: Score | None = None
    harassment_warnings_at_least: Count | None = None
    failed_turns_at_least: Count | None = None
    consecutive_failures_at_least: Count | None = None
    flags: Names | None = None
    keywords: Names | None = None
    # regular expressions on the utterance (and its katakana form): for what needs two words together,
    # like 二重 ... 請求 or 配達済み ... 届いていない
    patterns: Names | None = None
    caller_vip: bool | None = None
    backend_error: bool | None = None
    channel: Literal["voice", "chat"] | None = None
    language: Names | None = None  # the caller speaks one of these (ISO 639-1)
    language_not: Names | None = None  # the caller speaks none of these
    any_: list[When] | None = Field(default=None, alias="any", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> When:
        if self.min_score is not None and self.emotion is None:
            raise ValueError("'min_score' needs 'emotion' (e.g. emotion: anger, min_score: 0.8)")
        if not self.model_fields_set:
            raise ValueError("'when' has no conditions; it would match every turn")
        if self.keywords is not None:
            _no_blank(self.keywords)
        if self.patterns is not None:
            _no_blank(self.patterns)
            for p in self.patterns:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise ValueError(f"pattern {p!r} is not a regular expression: {exc}") from exc
        return self


CONDITIONS: tuple[str, ...] = tuple(
    (f.alias or name) for name, f in When.model_fields.items()
)


class Transfer(_Strict):
    queue: str = "general"
    priority: Priority = 1
    reason: Reason
    prompt: str | None = None


class Warn(_Strict):
    reason: Reason = "harassment"
    prompt: str = "harassment_warning"


class End(_Strict):
    reason: Reason = "harassment"
    prompt: str = "harassment_end"


class Supervisor(_Strict):
    """Always the supervisor queue: harassment never reaches an ordinary agent (SPEC 6)."""

    reason: Reason = "harassment"
    priority: Priority = 8
    prompt: str | None = None


class OfferCallback(_Strict):
    queue: str = "general"
    priority: Priority = 1
    reason: Reason
    prompt: str | None = None


class Then(_Strict):
    transfer: Transfer | None = None
    warn: Warn | None = None
    end: End | None = None
    supervisor: Supervisor | None = None
    offer_callback: OfferCallback | None = None

    @model_validator(mode="after")
    def _one(self) -> Then:
        chosen = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(chosen) != 1:
            found = ", ".join(chosen) or "none"
            raise ValueError(f"'then' needs exactly one action ({', '.join(ACTIONS)}); found {found}")
        return self

    @property
    def action(self) -> ActionName:
        for name in ACTIONS:
            if getattr(self, name) is not None:
                return name
        raise AssertionError("validated to have one action")


ACTIONS: tuple[ActionName, ...] = ("transfer", "warn", "end", "supervisor", "offer_callback")


class Rule(_Strict):
    id: str = Field(min_length=1)
    description: str | None = None
    enabled: bool = True
    when: When
    then: Then


class Boost(_Strict):
    """Raises the priority of any decision that has one (transfer, supervisor, callback)."""

    id: str = Field(min_length=1)
    when: When
    add: Annotated[int, Field(ge=-9, le=9)]


class RuleFile(_Strict):
    rules: list[Rule] = Field(default_factory=list)
    priority_boosts: list[Boost] = Field(default_factory=list)


_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


def _windows(v: Any) -> Any:
    """`closed`, one "09:00-18:00" window, or a list of them -> a list of windows ([] = closed)."""
    if v == "closed":
        return []
    v = _as_list(v)
    if isinstance(v, list):
        for w in v:
            if not isinstance(w, str) or not _WINDOW.match(w) or w[:5] >= w[6:]:
                raise ValueError(f"{w!r} is not a time window like '09:00-18:00' (or write 'closed')")
    return v


DayHours = Annotated[list[str], BeforeValidator(_windows)]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]


class Closure(_Strict):
    from_: MonthDay = Field(alias="from")
    to: MonthDay
    name: str | None = None


class HoursSpec(_Strict):
    weekdays: DayHours = Field(default_factory=list)  # [] = closed
    saturday: DayHours = Field(default_factory=list)
    sunday: DayHours = Field(default_factory=list)
    holidays: Literal["closed", "open"] = "closed"  # national + substitute holidays (jpholiday)
    closures: list[Closure] = Field(default_factory=list)


class QueueSpec(_Strict):
    label: str | None = None
    max_wait_s: Annotated[float, Field(gt=0)] = 300.0
    hours: HoursSpec | None = None  # None: the file's default `hours`
    # languages its agents speak besides Japanese (ISO 639-1): a caller served in one of them who needs a
    # person is handed to this queue, whichever queue the flow or rule named
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(default_factory=list)


class QueuesFile(_Strict):
    timezone: Literal["Asia/Tokyo"] = "Asia/Tokyo"
    hours: HoursSpec
    queues: dict[str, QueueSpec] = Field(min_length=1)


VOCAB: dict[str, tuple[str, ...]] = {
    "when": ("condition", *CONDITIONS),
    "any": ("condition", *CONDITIONS),
    "then": ("action", *ACTIONS),
    "rules": ("rule key", *Rule.model_fields),
    "priority_boosts": ("boost key", *Boost.model_fields),
    "transfer": ("transfer option", *Transfer.model_fields),
    "warn": ("warn option", *Warn.model_fields),
    "end": ("end option", *End.model_fields),
    "supervisor": ("supervisor option", *Supervisor.model_fields),
    "offer_callback": ("offer_callback option", *OfferCallback.model_fields),
}
