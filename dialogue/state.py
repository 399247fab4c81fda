"""The state of one call: frozen, typed, and changed only by `dialogue.events.apply`.

What the bot waits for is a union of small types (`Awaiting`), not a string to parse. The state keeps
only what the next turn needs, with every growing list capped; what grows with the call (transcript,
steps, decisions) is the append-only event log, which the stores append to and never rewrite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from dialogue.api import Channel

# how much of the past a state keeps: enough for the emotion trajectory that escalation rules read (its
# levels decay by 0.7 a turn: after 12 turns an old reading weighs under 2 %) and for 「もう一度」, never
# the whole call; the case note folds the whole log instead
MAX_EMOTIONS = 12
MAX_INTENTS = 40
MAX_LATER = 3  # requests said in one breath after the first: more are for a person to sort out


@dataclass(frozen=True, slots=True)
class Position:
    """A flow in progress: which flow, and which step it waits on (or resumes at)."""

    flow: str
    step: str
    call: bool = False  # pushed by a `call` step: resumes silently when the called flow returns
    # a topic change: the interrupted flow's values of the slots the new request's flow shares with it (its date, by
    # the time store hours take theirs), given back when it resumes (None: it was empty, and is again)
    kept: tuple[tuple[str, Any], ...] = ()


# -- what the bot waits for --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwaitSlot:
    flow: str
    step: str
    slot: str
    entity: str  # the entity type that fills it (order_id, time_window, name, ...)
    # the first digits of a number read in two breaths (「いちにさんよんの」 … 「ごろくななはち」): the speech
    # recogniser ends a turn at the caller's pause, so the rest comes in the next turn; at the date question, the
    # week said before the pause (「来週」), read with the next turn's words
    so_far: str = ""

    @property
    def label(self) -> str:
        return f"slot:{self.slot}"


# set with the request by interpretation: the first digits of a number said with it, the rest not yet said
# (「まだ届かないんですけど、番号が、いちにさんよん」); the flow's question for such a number goes on from them
NUMBER_BEGUN = "number_begun"


@dataclass(frozen=True, slots=True)
class AwaitConfirm:
    """A yes/no question of a flow's `confirm` step; `slot` is what a correction refills."""

    flow: str
    step: str
    slot: str | None = None
    offer: bool = False  # an offer (「おつなぎしましょうか」): 大丈夫です / 結構です decline it
    label: str = "confirm"


# person: 「担当者におつなぎいたしましょうか」 to a caller without what the flow needs (the order number, the phone)
OfferKind = Literal["clarify", "callback", "goodbye", "faq", "language_callback", "person"]


@dataclass(frozen=True, slots=True)
class AwaitOffer:
    """A yes/no question the manager asked itself: 「〇〇のお問い合わせでしょうか」, a callback, 「お切りしてよろしいですか」."""

    offer: OfferKind
    intent: str | None = None  # clarify: the request we think the caller has
    reason: str | None = None  # callback: why a person is needed
    prefill: Mapping[str, Any] = field(default_factory=dict)
    label: str = "confirm"
    # clarify: the caller's words the question is about (「…まだ来ねえんだ」), for the flow's first steps, which
    # would otherwise hear only the 「はい」 that confirmed it (dialogue/heard_words.py)
    words: str = ""
    again: bool = False  # callback: the offer has been made a second time (the next unanswered one ends the call)


@dataclass(frozen=True, slots=True)
class AwaitAnythingElse:
    label: str = "anything_else"


@dataclass(frozen=True, slots=True)
class AwaitMenu:
    flow: str
    step: str
    voice: bool = True  # on chat a menu is answered in words: `free`

    @property
    def label(self) -> str:
        return "menu" if self.voice else "free"


@dataclass(frozen=True, slots=True)
class AwaitFree:
    label: str = "free"


@dataclass(frozen=True, slots=True)
class Done:
    label: str = "none"


Awaiting = AwaitSlot | AwaitConfirm | AwaitOffer | AwaitAnythingElse | AwaitMenu | AwaitFree | Done
_AWAITING: dict[str, type[Any]] = {
    "slot": AwaitSlot, "confirm": AwaitConfirm, "offer": AwaitOffer, "anything_else": AwaitAnythingElse,
    "menu": AwaitMenu, "free": AwaitFree, "done": Done,
}
_KIND = {cls: kind for kind, cls in _AWAITING.items()}


def position_of(awaiting: Awaiting) -> Position | None:
    """The flow step a question belongs to (None for the manager's own questions)."""
    if isinstance(awaiting, AwaitSlot | AwaitConfirm | AwaitMenu):
        return Position(awaiting.flow, awaiting.step)
    return None


def awaiting_to_json(awaiting: Awaiting) -> dict[str, Any]:
    data = {k: v for k, v in asdict(awaiting).items() if k != "label"}
    if isinstance(awaiting, AwaitOffer):
        data["prefill"] = dict(awaiting.prefill)
        if awaiting.label != "confirm":
            data["label"] = awaiting.label  # an offer that waits for a number (language_callback in chat)
    return {"kind": _KIND[type(awaiting)], **data}


def awaiting_from_json(data: Mapping[str, Any]) -> Awaiting:
    data = dict(data)
    cls = _AWAITING[data.pop("kind")]
    out: Awaiting = cls(**data)
    return out


def frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A read-only view of a fresh copy: nothing outside `apply` can change a state's slots."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class CallState:
    id: str
    channel: Channel
    started_at: str
    caller_phone: str | None = None
    caller_vip: bool = False
    clock: str | None = None  # fixed ISO time for tests; None = the real clock
    awaiting: Awaiting = field(default_factory=AwaitFree)
    stack: tuple[Position, ...] = ()  # flows interrupted by a topic change, or waiting on a `call`
    slots: Mapping[str, Any] = field(default_factory=frozen)
    results: Mapping[str, Any] = field(default_factory=frozen)
    tries: int = 0  # failed tries at the current question
    failed_turns: int = 0
    consecutive_failures: int = 0
    no_inputs: int = 0
    hesitations: int = 0  # turns the caller only hesitated, in a row
    harassment_warnings: int = 0
    caller_turns: int = 0
    last_heard: str | None = None  # the caller's last words, for the console
    intents: tuple[str, ...] = ()  # intents the bot acted on, in order
    resolved: int = 0  # requests resolved in this call
    # `resolved` when the last intent was recorded: the same request again after it was served is acted on
    # anew (「さっきの梅田店、もう一回教えて」), a flow restarted before that is not
    resolved_at_intent: int = 0
    callback_reason: str | None = None
    callback: Mapping[str, Any] | None = None  # the callback booked in this call: phone, date, time
    last_prompts: tuple[str, ...] = ()  # what the bot said last turn, for 「もう一度」
    emotions: tuple[Mapping[str, Any], ...] = ()  # the last readings, for the call's emotion trajectory
    slow: bool = False  # the caller struggles: slower, simpler prompts with the keypad offered
    outcome: str | None = None
    reason: str | None = None
    rule: str | None = None
    decision_why: str | None = None
    case_id: str | None = None
    language: str = "ja"  # the caller's language (ISO 639-1), once a turn was clearly in another one
    # requests said in the same breath as the one served, in the order said: {"intent", "prefill"} or {"faq"}
    later: tuple[Mapping[str, Any], ...] = ()

    @property
    def ended(self) -> bool:
        return isinstance(self.awaiting, Done)

    @property
    def position(self) -> Position | None:
        return position_of(self.awaiting)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["awaiting"] = awaiting_to_json(self.awaiting)
        out["stack"] = [asdict(p) for p in self.stack]
        out["slots"] = dict(self.slots)
        out["results"] = dict(self.results)
        out["intents"] = list(self.intents)
        out["last_prompts"] = list(self.last_prompts)
        out["emotions"] = [dict(e) for e in self.emotions]
        out["callback"] = dict(self.callback) if self.callback is not None else None
        out["later"] = [{**e, "prefill": dict(e["prefill"])} if "prefill" in e else dict(e) for e in self.later]
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CallState:
        data = {k: v for k, v in data.items() if k in CallState.__dataclass_fields__}
        return CallState(
            **{
                **data,
                "awaiting": awaiting_from_json(data.get("awaiting") or {"kind": "free"}),
                "stack": tuple(Position(**{**p, "kept": tuple(tuple(kv) for kv in p.get("kept", ()))})
                               for p in data.get("stack", ())),
                "slots": frozen(data.get("slots")),
                "results": frozen(data.get("results")),
                "intents": tuple(data.get("intents", ())),
                "last_prompts": tuple(data.get("last_prompts", ())),
                "emotions": tuple(frozen(e) for e in data.get("emotions", ())),
                "later": tuple(frozen(e) for e in data.get("later", ())),
                "callback": frozen(data["callback"]) if data.get("callback") is not None else None,
            }
        )


def changed(state: CallState, **changes: Any) -> CallState:
    return replace(state, **changes)


def callers(stack: tuple[Position, ...]) -> list[Position]:
    """The flows waiting on the one in progress through `call` steps, nearest first (a topic change's own
    interrupted flow and those below it are not)."""
    out: list[Position] = []
    for position in reversed(stack):
        if not position.call:
            break
        out.append(position)
    return out
