"""Runs flow steps from the current position until the bot must wait for the caller."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dialogue.api import InputSpec
from dialogue.backends import Backend, BackendError
from dialogue.context import TurnContext
from dialogue.flow_model import Flow, Step
from dialogue.session import Frame

log = logging.getLogger(__name__)
MAX_STEPS_PER_TURN = 60  # a loop in a designer's flow must not hang the call
NUMERIC_ENTITIES = {"order_id": 8, "phone_number": 11, "postal_code": 7, "amount": 9}
HINTS = {
    "order_id": ("注文番号",),
    "phone_number": ("電話番号",),
    "store": ("渋谷店", "梅田店", "札幌店"),
    "product": ("ワイヤレスイヤホン", "電気ケトル", "コーヒーメーカー"),
    "date": ("明日", "明後日", "来週"),
    "time": ("午前", "午後", "時"),
}

Handover = Callable[[TurnContext, str, str, int, str | None], Awaitable[None]]
# actions the dialogue manager answers itself, from its own knowledge (agents' hours), before the backend
Builtin = Callable[[TurnContext, dict[str, str]], dict[str, Any]]
BUILTIN_ACTIONS = frozenset({"check_callback_time"})


def _lookup(values: dict[str, Any], path: str) -> Any:
    value: Any = values
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def expectation(step: Step, channel: str) -> InputSpec:
    if step.ask is not None:
        etype = step.entity_type
        digits = step.dtmf.max_digits if step.dtmf else NUMERIC_ENTITIES.get(etype or "")
        return InputSpec(
            awaiting=f"slot:{step.ask}",
            entity_type=etype,
            hints=HINTS.get(etype or "", ()),
            dtmf_max_digits=digits,
            dtmf_finish_key=step.dtmf.finish_key if step.dtmf else "#",
        )
    if step.confirm is not None:
        return InputSpec(awaiting="confirm", hints=("はい", "いいえ"), dtmf_max_digits=1)
    if step.menu is not None:
        options = {k: o.label for k, o in step.options.items()}
        awaiting = "menu" if channel == "voice" else "free"
        return InputSpec(awaiting=awaiting, dtmf_max_digits=1, menu_options=options)
    return InputSpec(awaiting="free")


class StepRunner:
    def __init__(
        self,
        backend: Backend,
        handover: Handover,
        backend_timeout_s: float = 3.0,
        builtins: dict[str, Builtin] | None = None,
    ) -> None:
        self.backend = backend
        self.handover = handover
        self.backend_timeout_s = backend_timeout_s
        self.builtins = builtins or {}

    async def start_flow(
        self, ctx: TurnContext, flow: Flow, intent: str | None = None, prefill: dict[str, Any] | None = None
    ) -> None:
        """Start `flow`; its own slots are cleared, then filled from what the caller said with the request."""
        state = ctx.state
        for slot in flow.slots:
            state.slots.pop(slot, None)
        for slot, value in (prefill or {}).items():
            state.slots[slot] = value
            state.log("slot", ctx.now, slot=slot, value=value, prefilled=True)
        if intent and (not state.intents or state.intents[-1] != intent):
            state.intents.append(intent)
        state.frame = Frame(flow.flow, flow.steps[0].id)
        state.tries = 0
        state.log("flow", ctx.now, flow=flow.flow, intent=intent)
        await self.run(ctx)

    async def run(self, ctx: TurnContext, step_id: str | None = None) -> None:
        """Execute steps until one waits for the caller, the flow ends, or the call leaves the bot."""
        state = ctx.state
        if state.frame is None:
            return
        if step_id is not None:
            state.frame.step = step_id
        for _ in range(MAX_STEPS_PER_TURN):
            if state.frame is None or state.ended:
                return
            flow = ctx.bot.flows.get(state.frame.flow)
            if flow is None:
                # the flow vanished in a reload: apologise and start over rather than crash
                state.frame = None
                state.awaiting = "free"
                ctx.say("flow_unavailable")
                return
            try:
                step = flow.step(state.frame.step)
            except KeyError:
                state.frame = None
                state.awaiting = "free"
                ctx.say("flow_unavailable")
                return
            state.events.append({"type": "step", "flow": flow.flow, "step": step.id})
            nxt = await self._execute(ctx, flow, step)
            if nxt is None:
                return
            state.frame.step = nxt
            state.tries = 0
        log.error("flow %s loops without waiting for the caller", state.frame and state.frame.flow)
        await self.handover(ctx, "repeated_failure", "general", 0, "flow_error")

    async def _execute(self, ctx: TurnContext, flow: Flow, step: Step) -> str | None:
        """Run one step; the id of the next step, or None when the bot now waits (or is done)."""
        state = ctx.state
        kind = step.kind
        if kind == "say":
            ctx.say(step.say or "", interruptible=step.interruptible)
            return self.next_step(ctx, flow, step)
        if kind == "ask":
            if not step.always_ask and step.ask in state.slots:
                return self.next_step(ctx, flow, step)
            ctx.say(step.prompt or f"ask_{step.ask}", interruptible=step.interruptible)
            state.awaiting = f"slot:{step.ask}"
            ctx.expect = expectation(step, state.channel)
            return None
        if kind in ("confirm", "menu"):
            ctx.say(step.confirm or step.menu or "", interruptible=step.interruptible)
            ctx.expect = expectation(step, state.channel)
            state.awaiting = ctx.expect.awaiting
            return None
        if kind == "action":
            return await self._action(ctx, flow, step)
        if kind == "switch":
            value = _lookup(ctx.values(), step.switch or "")
            key = str(value).lower() if isinstance(value, bool) else str(value)
            return step.cases.get(key) or step.default or self.next_step(ctx, flow, step)
        if kind == "set":
            values = ctx.values()
            for slot, template in (step.set or {}).items():
                state.slots[slot] = _render_arg(template, values)
                state.log("slot", ctx.now, slot=slot, value=state.slots[slot])
            return self.next_step(ctx, flow, step)
        if kind == "handover":
            spec = step.handover
            assert spec is not None
            await self.handover(ctx, spec.reason, spec.queue, spec.priority, spec.prompt)
            return None
        if kind == "call":
            target = ctx.bot.flows.get(step.call or "")
            nxt = flow.after(step)
            if target is None or nxt is None:
                ctx.say("flow_unavailable")
                state.frame = None
                state.awaiting = "free"
                return None
            state.stack.append(Frame(flow.flow, nxt, call=True))
            state.frame = Frame(target.flow, target.steps[0].id)
            return target.steps[0].id
        if kind == "goto_flow":
            target = ctx.bot.flows.get(step.goto_flow or "")
            if target is None:
                ctx.say("flow_unavailable")
                state.frame = None
                state.awaiting = "free"
                return None
            await self.start_flow(ctx, target, target.intents[0] if target.intents else None)
            return None
        return await self._end(ctx, step)

    def next_step(self, ctx: TurnContext, flow: Flow, step: Step) -> str | None:
        """The step after `step`; falling off the end of a flow resolves the request (None, or a resumed step)."""
        nxt = flow.after(step)
        if nxt is None:
            # falling off the end of a flow resolves the request
            ctx.state.frame = None
            ctx.state.resolved += 1
            if finish_request(ctx, anything_else=True) and ctx.state.frame is not None:
                return ctx.state.frame.step
        return nxt

    async def _action(self, ctx: TurnContext, flow: Flow, step: Step) -> str | None:
        name = step.action or ""
        values = ctx.values()
        args = {k: _render_arg(v, values) for k, v in step.args.items()}
        builtin = self.builtins.get(name)
        if builtin is not None:
            result = builtin(ctx, args)
            ctx.state.results[step.save_as or name] = result
            return step.cases.get(str(result.get("result", ""))) or step.default or self.next_step(ctx, flow, step)
        try:
            async with asyncio.timeout(self.backend_timeout_s):
                result = await self.backend.call(name, args)
        except (TimeoutError, BackendError) as exc:
            log.warning("backend action %s failed: %r", name, exc)
            ctx.state.log("backend_error", ctx.now, action=name, error=repr(exc))
            if step.on_error:
                return step.on_error
            ctx.say("backend_apology")
            await self.handover(ctx, "backend_error", "general", 1, None)
            return None
        ctx.state.results[step.save_as or name] = result
        ctx.state.log("action", ctx.now, action=name, result=str(result.get("result")))
        outcome = str(result.get("result", ""))
        return step.cases.get(outcome) or step.default or self.next_step(ctx, flow, step)

    async def _end(self, ctx: TurnContext, step: Step) -> str | None:
        state = ctx.state
        state.frame = None
        if step.end == "return" and state.stack and state.stack[-1].call:
            state.frame = state.stack.pop()
            return state.frame.step
        if step.end == "resolved":
            state.resolved += 1
            if finish_request(ctx, anything_else=step.anything_else) and state.frame is not None:
                return state.frame.step  # resume the interrupted flow where it waited
            return None
        state.outcome = "resolved" if step.end == "return" else step.end
        state.reason = step.reason or state.pending.get("callback_reason")
        state.ended = True
        state.awaiting = "none"
        return None


def finish_request(ctx: TurnContext, anything_else: bool) -> bool:
    """A request is done: resume an interrupted flow (True), or ask whether there is anything else."""
    state = ctx.state
    while state.stack and state.stack[-1].call:
        state.stack.pop()  # a called flow that resolved the request itself: its caller is done too
    if state.stack:
        state.frame = state.stack.pop()
        ctx.say("resume_interrupted")
        return True
    if anything_else:
        ctx.say("anything_else")
        state.awaiting = "anything_else"
        ctx.expect = InputSpec(awaiting="anything_else", hints=("以上です", "はい", "いいえ"))
    else:
        state.outcome = "resolved"
        state.ended = True
        state.awaiting = "none"
    return False


def _render_arg(template: str, values: dict[str, Any]) -> str:
    # `{slot}` or `{result.key}`; a plain string is passed as it is
    if template.startswith("{") and template.endswith("}"):
        value = _lookup(values, template[1:-1])
        return "" if value is None else str(value)
    return template
