"""What happens in a call, as typed events, and `apply`: the one writer of call state.

Everything that changes a `CallState` is an event: the flow runner, the interpretation of a turn and the
manager emit them, `apply` folds them into the state, and the stores append them to the call's log
(Rasa's `Event.apply_to`). The log gives transcripts, case notes, coverage and replays; the state is
only the position and what the next turn needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any, ClassVar

from dialogue.state import (
    MAX_EMOTIONS,
    MAX_INTENTS,
    MAX_LATER,
    Awaiting,
    CallState,
    Done,
    Position,
    awaiting_to_json,
    frozen,
)


@dataclass(frozen=True, slots=True)
class Event:
    type: ClassVar[str] = "event"

    def to_json(self, at: str) -> dict[str, Any]:
        # shallow: asdict() deep-copies every value, and the log is serialised at once anyway
        out: dict[str, Any] = {"type": self.type, "at": at}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                value = dict(value)
            elif is_dataclass(value) and not isinstance(value, type):
                value = asdict(value)  # a Position
            out[name] = value
        return out


_FIELDS: dict[type[Event], tuple[str, ...]] = {}


def _field_names(cls: type[Event]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass(frozen=True, slots=True)
class CallStarted(Event):
    type: ClassVar[str] = "start"
    channel: str
    caller: str | None


@dataclass(frozen=True, slots=True)
class CallerSaid(Event):
    """A caller turn as understood: words (with the NLU's reading), keys, or silence."""

    type: ClassVar[str] = "caller"
    text: str
    dtmf: str | None = None
    no_input: bool = False
    intent: str | None = None
    confidence: float | None = None
    entities: Mapping[str, Any] = field(default_factory=dict)
    emotion: str | None = None
    harassment: str | None = None


@dataclass(frozen=True, slots=True)
class LanguageHeard(Event):
    """The caller speaks another language than the call so far (ISO 639-1)."""

    type: ClassVar[str] = "language"
    code: str


@dataclass(frozen=True, slots=True)
class EmotionRead(Event):
    type: ClassVar[str] = "emotion"
    reading: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BotSaid(Event):
    type: ClassVar[str] = "bot"
    text: str
    prompt: str


@dataclass(frozen=True, slots=True)
class Replied(Event):
    """The turn's reply went out: kept for 「もう一度」."""

    type: ClassVar[str] = "replied"
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SlotSet(Event):
    type: ClassVar[str] = "slot"
    slot: str
    value: Any
    how: str = "answer"  # answer | prefilled | correction | set | heard_early


@dataclass(frozen=True, slots=True)
class SlotsCleared(Event):
    type: ClassVar[str] = "slots_cleared"
    slots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlowStarted(Event):
    type: ClassVar[str] = "flow"
    flow: str
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class RequestTaken(Event):
    """A request the bot acts on by handing it over at once, without a flow of its own (「人と話したい」, a
    complaint): it is one of the call's intents all the same (SPEC 7.2), for the case note and the routing."""

    type: ClassVar[str] = "request"
    intent: str


@dataclass(frozen=True, slots=True)
class RequestQueued(Event):
    """A second request said in the same breath (「届かないのと、あとポイントも」): served when the first is done.
    `request` is {"intent", "prefill"} for a flow, {"faq": entry id} for a question the knowledge base answers."""

    type: ClassVar[str] = "queued"
    request: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class QueuedTaken(Event):
    """The bot turns to the request that waited."""

    type: ClassVar[str] = "queued_taken"


@dataclass(frozen=True, slots=True)
class StepEntered(Event):
    type: ClassVar[str] = "step"
    flow: str
    step: str


@dataclass(frozen=True, slots=True)
class Waiting(Event):
    """The bot now waits for this; a new question starts its tries afresh."""

    type: ClassVar[str] = "waiting"
    awaiting: Awaiting

    def to_json(self, at: str) -> dict[str, Any]:
        return {"type": self.type, "at": at, "awaiting": awaiting_to_json(self.awaiting)}


@dataclass(frozen=True, slots=True)
class Pushed(Event):
    type: ClassVar[str] = "pushed"
    position: Position


@dataclass(frozen=True, slots=True)
class Popped(Event):
    type: ClassVar[str] = "popped"


@dataclass(frozen=True, slots=True)
class StackCleared(Event):
    type: ClassVar[str] = "stack_cleared"


@dataclass(frozen=True, slots=True)
class ActionDone(Event):
    type: ClassVar[str] = "action"
    action: str
    save_as: str
    result: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BackendFailed(Event):
    type: ClassVar[str] = "backend_error"
    action: str
    error: str


@dataclass(frozen=True, slots=True)
class TurnFailed(Event):
    """The bot did not understand the turn (no-match)."""

    type: ClassVar[str] = "no_match"


@dataclass(frozen=True, slots=True)
class TurnUnderstood(Event):
    """The bot acted on the turn. One that only hesitated (`hesitated`) keeps the count of hesitations in a row,
    which leads to a person after MAX_HESITATIONS (conduct.py); it still clears the failures in a row."""

    type: ClassVar[str] = "understood"
    hesitated: bool = False


@dataclass(frozen=True, slots=True)
class Hesitated(Event):
    """The caller only hesitated (fillers, 「ちょっと待って」): not a failure, but the bot slows down."""

    type: ClassVar[str] = "hesitated"


@dataclass(frozen=True, slots=True)
class SlowedDown(Event):
    type: ClassVar[str] = "slowed_down"


@dataclass(frozen=True, slots=True)
class Escalated(Event):
    type: ClassVar[str] = "escalation"
    action: str
    reason: str | None
    rule: str | None = None
    why: str | None = None


@dataclass(frozen=True, slots=True)
class HandedOver(Event):
    type: ClassVar[str] = "handover"
    queue: str
    reason: str
    priority: int
    case_id: str


@dataclass(frozen=True, slots=True)
class CallbackFor(Event):
    type: ClassVar[str] = "callback_reason"
    reason: str


@dataclass(frozen=True, slots=True)
class CallbackBooked(Event):
    """A callback the caller agreed to (`end: callback_scheduled`): the number, day and time to call, as they
    were agreed. The call goes on (「ほかにご用件は」); the callback is placed when it ends."""

    type: ClassVar[str] = "callback_booked"
    phone: str | None
    date: str | None
    time: str | None


@dataclass(frozen=True, slots=True)
class RequestResolved(Event):
    type: ClassVar[str] = "resolved"


@dataclass(frozen=True, slots=True)
class CallEnded(Event):
    type: ClassVar[str] = "end"
    outcome: str
    reason: str | None = None


def _acted_on(state: CallState, intent: str | None) -> CallState:
    """`intent` added to the call's intents (SPEC 7.2: every intent acted on, in order). The same intent
    again is one request still being worked on (a flow restarted by a correction or a topic change back),
    unless a request was served since: then the caller asked again (「梅田店、もう一回何時まででしたっけ」)."""
    if not intent:
        return state
    if state.intents and state.intents[-1] == intent and state.resolved == state.resolved_at_intent:
        return state
    return replace(state, intents=(*state.intents, intent)[-MAX_INTENTS:], resolved_at_intent=state.resolved)


def apply(state: CallState, event: Event) -> CallState:
    """The state after `event`. The only place a call's state changes."""
    match event:
        case CallerSaid(no_input=True):
            return replace(state, caller_turns=state.caller_turns + 1, no_inputs=state.no_inputs + 1,
                           failed_turns=state.failed_turns + 1)
        case CallerSaid(text=text):
            return replace(state, caller_turns=state.caller_turns + 1, no_inputs=0, last_heard=text)
        case LanguageHeard(code=code):
            return replace(state, language=code)
        case EmotionRead(reading=reading):
            return replace(state, emotions=(*state.emotions[-(MAX_EMOTIONS - 1):], frozen(reading)))
        case Replied(texts=texts):
            return replace(state, last_prompts=texts) if texts else state
        case SlotSet(slot=slot, value=value):
            return replace(state, slots=frozen({**state.slots, slot: value}))
        case SlotsCleared(slots=slots):
            return replace(state, slots=frozen({k: v for k, v in state.slots.items() if k not in slots}))
        case FlowStarted(intent=intent):
            return replace(_acted_on(state, intent), tries=0)
        case RequestTaken(intent=intent):
            return _acted_on(state, intent)
        case RequestQueued(request=request):
            return replace(state, later=(*state.later, frozen(request))[-MAX_LATER:])
        case QueuedTaken():
            return replace(state, later=state.later[1:])
        case Waiting(awaiting=awaiting):
            tries = state.tries if awaiting == state.awaiting else 0
            return replace(state, awaiting=awaiting, tries=tries)
        case Pushed(position=position):
            return replace(state, stack=(*state.stack, position))
        case Popped():
            return replace(state, stack=state.stack[:-1])
        case StackCleared():
            return replace(state, stack=(), later=())
        case ActionDone(save_as=save_as, result=result):
            return replace(state, results=frozen({**state.results, save_as: dict(result)}))
        case TurnFailed():
            emotions = state.emotions
            if emotions:
                emotions = (*emotions[:-1], frozen({**emotions[-1], "failed": True}))
            return replace(state, failed_turns=state.failed_turns + 1, tries=state.tries + 1,
                           consecutive_failures=state.consecutive_failures + 1, emotions=emotions)
        case TurnUnderstood(hesitated=hesitated):
            return replace(state, consecutive_failures=0, hesitations=state.hesitations if hesitated else 0)
        case Hesitated():
            return replace(state, hesitations=state.hesitations + 1)
        case SlowedDown():
            return replace(state, slow=True)
        case Escalated(action=action, rule=rule, why=why):
            warnings = state.harassment_warnings + (action == "warn")
            return replace(state, rule=rule, decision_why=why, harassment_warnings=warnings)
        case HandedOver(case_id=case_id):
            return replace(state, case_id=case_id)
        case CallbackFor(reason=reason):
            return replace(state, callback_reason=reason)
        case RequestResolved():
            return replace(state, resolved=state.resolved + 1)
        case CallbackBooked(phone=phone, date=date, time=time):
            # the call's outcome so far (a turn's `expect: {outcome: callback_scheduled}`); the call goes on
            return replace(state, callback=frozen({"phone": phone, "date": date, "time": time}),
                           outcome="callback_scheduled")
        case CallEnded(outcome=outcome, reason=reason):
            if state.callback is not None and (outcome in _SETTLED_BY_CALLBACK or reason in _SETTLED_BY_CALLBACK):
                # a caller who booked a callback and then said 以上です, hung up or went quiet is waiting for that call
                outcome, reason = "callback_scheduled", None
            return replace(state, awaiting=Done(), stack=(), outcome=outcome, reason=reason,
                           case_id=state.case_id or case_id_for(state.id))
    return state  # events that only go to the log: what was said, steps, actions, failures of the backend


# how a call that booked a callback may end and still be the callback's: outcomes, and `ended` reasons
_SETTLED_BY_CALLBACK = frozenset({"resolved", "abandoned", "goodbye", "no_input"})


def case_id_for(session_id: str) -> str:
    return f"CASE-{session_id}"
