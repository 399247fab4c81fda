"""Runs flow steps from a position until the bot must wait, hand over, or end; says which by its return.

The runner never decides what happens to the call beyond its flow: it returns `Wait`, `Handover`,
`End` or `Finished`, and the dialogue manager acts on that (pipecat's processors push frames downstream
instead of calling back up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dialogue import answer_words as words
from dialogue.backends import Backend, BackendError, calling_for
from dialogue.events import (
    ActionDone,
    BackendFailed,
    CallbackBooked,
    CallerSaid,
    FlowStarted,
    Popped,
    Pushed,
    SlotsCleared,
    SlotSet,
    StackCleared,
    StepEntered,
    Waiting,
)
from dialogue.flow_model import Flow, Step
from dialogue.state import NUMBER_BEGUN, AwaitConfirm, AwaitFree, AwaitMenu, AwaitSlot, Position
from dialogue.turn import Turn

log = logging.getLogger(__name__)
MAX_STEPS_PER_TURN = 60  # a loop in a designer's flow must not hang the call


@dataclass(frozen=True, slots=True)
class Wait:
    """The bot asked something (the state's `awaiting` says what)."""


@dataclass(frozen=True, slots=True)
class Handover:
    reason: str
    queue: str = "general"
    priority: int = 0
    prompt: str | None = None


@dataclass(frozen=True, slots=True)
class End:
    outcome: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """The request is done (`end: resolved`, or the flow ran off its end)."""

    anything_else: bool = True


Stop = Wait | Handover | End | Finished
# actions the dialogue manager answers itself, from its own knowledge (agents' hours), before the backend
Builtin = Callable[[Turn, Mapping[str, str]], dict[str, Any]]
BUILTIN_ACTIONS = frozenset({"check_callback_time", "check_date", "store_day", "heard_words"})


def lookup(values: Mapping[str, Any], path: str) -> Any:
    value: Any = values
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def render_arg(template: str, values: Mapping[str, Any]) -> str:
    # `{slot}` or `{result.key}`; a plain string is passed as it is
    if template.startswith("{") and template.endswith("}"):
        value = lookup(values, template[1:-1])
        return "" if value is None else str(value)
    return template


class StepRunner:
    def __init__(self, backend: Backend, backend_timeout_s: float = 3.0,
                 builtins: Mapping[str, Builtin] | None = None) -> None:
        self.backend = backend
        self.backend_timeout_s = backend_timeout_s
        self.builtins = dict(builtins or {})
        # `pay:` steps (dialogue/payments.py), set by the dialogue manager; None: no payments here
        self.pay: Callable[[Turn, Flow, Step], Awaitable[str | Stop]] | None = None

    async def start(self, turn: Turn, flow: Flow, intent: str | None = None,
                    prefill: Mapping[str, Any] | None = None) -> Stop:
        """Start `flow`: its own slots are cleared, then filled from what the caller said with the request."""
        turn.emit(SlotsCleared(tuple(flow.slots)), FlowStarted(flow.flow, intent))
        for slot, value in (prefill or {}).items():
            turn.emit(SlotSet(slot, value, "prefilled"))
        return await self.run(turn, Position(flow.flow, flow.steps[0].id))

    async def run(self, turn: Turn, position: Position) -> Stop:
        """Execute steps from `position` until one waits for the caller or the flow stops."""
        flow_name, step_id = position.flow, position.step
        for _ in range(MAX_STEPS_PER_TURN):
            flow = turn.bot.flows.get(flow_name)
            step = flow.find(step_id) if flow is not None else None
            if flow is None or step is None:
                # the flow vanished in a hot reload: apologise and start over rather than crash
                turn.say("flow_unavailable")
                return Finished(anything_else=False) if turn.state.resolved else _ask_free(turn)
            turn.emit(StepEntered(flow.flow, step.id))
            nxt = await self._execute(turn, flow, step)
            if isinstance(nxt, Position):
                flow_name, step_id = nxt.flow, nxt.step
                continue
            if not isinstance(nxt, str):
                return nxt
            step_id = nxt
        log.error("flow %s loops without waiting for the caller", flow_name)
        return Handover("repeated_failure", prompt="flow_error")

    async def _execute(self, turn: Turn, flow: Flow, step: Step) -> str | Position | Stop:
        """Run one step: the next step id (or a position in another flow), or why the flow stops."""
        kind = step.kind
        if kind == "say":
            turn.say(step.say or "", interruptible=step.interruptible)
            return self._next(flow, step)
        if kind == "ask":
            assert step.ask is not None
            if not step.always_ask and step.ask in turn.state.slots:
                return self._next(flow, step)
            if step.no_preference and _left_to_us(turn):
                return step.no_preference  # 「あさってなら何時でもいいです」: the day filled, the time left to us
            begun = str(turn.state.slots.get(NUMBER_BEGUN) or "")
            if begun and turn.bot.entities.continues(step.entity_type or "text", begun):
                # the caller paused inside the number, said with the request: 「はい、1234ですね。続けてお願いいたします」
                turn.emit(SlotsCleared((NUMBER_BEGUN,)))
                turn.say("slot_partial" if turn.bot.prompts.has("slot_partial") else step.prompt or f"ask_{step.ask}",
                         digits=begun)
                turn.emit(Waiting(AwaitSlot(flow.flow, step.id, step.ask, step.entity_type or "text", so_far=begun)))
                return Wait()
            turn.say(step.prompt or f"ask_{step.ask}", interruptible=step.interruptible)
            turn.emit(Waiting(AwaitSlot(flow.flow, step.id, step.ask, step.entity_type or "text")))
            return Wait()
        if kind == "confirm":
            turn.say(step.confirm or "", interruptible=step.interruptible)
            turn.emit(Waiting(AwaitConfirm(flow.flow, step.id, step.slot, step.offer)))
            return Wait()
        if kind == "menu":
            turn.say(step.menu or "", interruptible=step.interruptible)
            turn.emit(Waiting(AwaitMenu(flow.flow, step.id, voice=turn.state.channel == "voice")))
            return Wait()
        if kind == "action":
            return await self._action(turn, flow, step)
        if kind == "switch":
            value = lookup(turn.values(), step.switch or "")
            # a value never set matches the case "" as an empty one does (not the word "None")
            key = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            return step.cases.get(key) or step.default or self._next(flow, step)
        if kind == "set":
            values = turn.values()
            for slot, template in (step.set or {}).items():
                turn.emit(SlotSet(slot, render_arg(template, values), "set"))
            return self._next(flow, step)
        if kind == "handover":
            spec = step.handover
            assert spec is not None
            return Handover(spec.reason, spec.queue, spec.priority, spec.prompt)
        if kind == "call":
            target = turn.bot.flows.get(step.call or "")
            nxt = flow.after(step)
            if target is None or nxt is None:
                turn.say("flow_unavailable")
                return _ask_free(turn)
            turn.emit(Pushed(Position(flow.flow, nxt, call=True)))
            return Position(target.flow, target.steps[0].id)
        if kind == "goto_flow":
            target = turn.bot.flows.get(step.goto_flow or "")
            if target is None:
                turn.say("flow_unavailable")
                return _ask_free(turn)
            # what the caller already said (the order number) carries over: they never say it twice
            known = {slot: turn.state.slots[slot] for slot in target.slots if slot in turn.state.slots}
            return await self.start(turn, target, target.intents[0] if target.intents else None, known)
        if kind == "pay":
            if self.pay is None:
                turn.say("payment_error")
                return Handover("backend_error", priority=1)
            return await self.pay(turn, flow, step)
        return self._end(turn, step)

    def _next(self, flow: Flow, step: Step) -> str | Stop:
        """The step after `step`; running off the end of a flow resolves the request."""
        return flow.after(step) or Finished()

    async def _action(self, turn: Turn, flow: Flow, step: Step) -> str | Stop:
        name = step.action or ""
        values = turn.values()
        args = {k: render_arg(v, values) for k, v in step.args.items()}
        builtin = self.builtins.get(name)
        if builtin is not None:
            result = builtin(turn, args)
        else:
            try:
                async with asyncio.timeout(self.backend_timeout_s):
                    with calling_for(turn.state.id):
                        result = await self.backend.call(name, args)
            except (TimeoutError, BackendError) as exc:
                log.warning("backend action %s failed: %r", name, exc)
                turn.emit(BackendFailed(name, repr(exc)))
                if step.on_error:
                    return step.on_error
                turn.say("backend_apology")
                return Handover("backend_error", priority=1)
        turn.emit(ActionDone(name, step.save_as or name, result))
        outcome = str(result.get("result", ""))
        return step.cases.get(outcome) or step.default or self._next(flow, step)

    def _end(self, turn: Turn, step: Step) -> str | Position | Stop:
        if step.end == "return":
            stack = turn.state.stack
            if stack and stack[-1].call:
                back = stack[-1]
                turn.emit(Popped())
                return Position(back.flow, back.step)
            return End("resolved")
        if step.end == "resolved":
            return Finished(anything_else=step.anything_else)
        if step.end == "callback_scheduled":
            # booked, and the call goes on: a caller with a second request or a thank-you is not cut off, and
            # the call ends as callback_scheduled whenever it ends without a person (events.apply)
            slots = turn.state.slots
            turn.emit(CallbackBooked(*(str(slots[k]) if slots.get(k) else None
                                       for k in ("phone_number", "date", "time"))))
            if turn.state.stack:
                # 「すみません、今から会議なので、あとで折り返しの電話をもらえますか」 in the middle of a billing question:
                # the agent who calls back takes it up (the case note has it); it is not resumed now
                turn.emit(StackCleared())
            return Finished(anything_else=step.anything_else)
        return End(step.end or "resolved", step.reason or turn.state.callback_reason)


def _left_to_us(turn: Turn) -> bool:
    """The caller answered the last question and left the next one to us in the same words: a value and
    「…なら何時でもいいです」, or a yes to the number with 「一番早い時間で」 (the time, whatever was asked)."""
    said = "".join((turn.state.last_heard or "").split())  # as the recogniser spaced it: いちばん はやい
    if not any(isinstance(e, CallerSaid) for e in turn.events):
        return False  # a flow started or resumed by the bot, not moved on by what the caller just said
    if any(isinstance(e, SlotSet) and e.how == "answer" for e in turn.events):
        return bool(words.NO_PREFERENCE.search(said))
    return bool(words.ANY_TIME.search(said))


def _ask_free(turn: Turn) -> Stop:
    turn.emit(Waiting(AwaitFree()))
    return Wait()
