"""The async dialogue manager: one caller turn in, one bot reply out.

Each turn: understand (NLU or keypad) -> check the escalation rules -> answer what the bot was waiting
for (a slot, a yes/no, a menu, a new request) -> run flow steps until the next question. Channels call
`start`, `handle` and `hangup`; everything else stays inside.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogue.api import BotReply, Handover, InputSpec, SessionStart, UserTurn
from dialogue.backends import Backend
from dialogue.bot import Bot
from dialogue.context import TurnContext
from dialogue.escalation.engine import Decision, EscalationEngine
from dialogue.interpret import Interpreter, Understander
from dialogue.notes import save_case_note
from dialogue.runner import StepRunner
from dialogue.session import SessionState
from dialogue.signals import build_signals, record_emotion
from dialogue.store import SessionStore

log = logging.getLogger(__name__)
TOKYO = ZoneInfo("Asia/Tokyo")
MAX_NO_INPUT = 3
_DTMF = re.compile(r"[^0-9*#]")


def national_number(phone: str | None) -> str | None:
    """Caller id as the digits a Japanese caller would say: +81 3-1234-5678 -> 0312345678."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("+81") and digits.startswith("81"):
        digits = "0" + digits[2:]
    return digits or None


class SessionNotFound(KeyError):
    pass


class DialogueManager:
    def __init__(
        self,
        bot: Bot,
        nlu: Understander,
        backend: Backend,
        store: SessionStore,
        escalation: EscalationEngine,
        *,
        backend_timeout_s: float = 3.0,
    ) -> None:
        self.bot = bot
        self.nlu = nlu
        self.backend = backend
        self.store = store
        self.escalation = escalation
        self.runner = StepRunner(
            backend, self._handover, backend_timeout_s, {"check_callback_time": self._check_callback_time}
        )
        self.interpreter = Interpreter(self.runner, self._handover, self._close_call)
        self._locks: dict[str, asyncio.Lock] = {}

    # -- the channel-facing API ------------------------------------------------------------------

    async def start(self, start: SessionStart) -> tuple[str, BotReply]:
        sid = start.session_id or uuid.uuid4().hex
        now = start.now or datetime.now(TOKYO)
        phone = national_number(start.caller.phone)
        state = SessionState(
            id=sid,
            channel=start.channel,
            started_at=now.isoformat(timespec="seconds"),
            caller_phone=phone,
            caller_vip=start.caller.vip,
            clock=start.now.isoformat() if start.now else None,
        )
        state.log("start", now, channel=start.channel, caller=phone)
        ctx = TurnContext(state, self.bot, now)
        menu = self.bot.flows.get("main_menu")
        if menu is not None:
            await self.runner.start_flow(ctx, menu)
        else:
            ctx.say("welcome")
        reply = ctx.reply()  # before saving: it records what was said, for 「もう一度」
        await self.store.save(state)
        return sid, reply

    async def handle(self, session_id: str, turn: UserTurn) -> BotReply:
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            state = await self.store.load(session_id)
            if state is None:
                raise SessionNotFound(session_id)
            if state.ended:
                return BotReply((), InputSpec(awaiting="none"), ended=True, outcome=state.outcome)  # type: ignore[arg-type]
            ctx = TurnContext(state, self.bot, self._now(state))
            try:
                await self._turn(ctx, turn)
            except Exception:
                # never a stack trace to a caller: apologise and hand over with what we have
                log.exception("turn failed in session %s", session_id)
                ctx.prompts.clear()
                ctx.say("system_error")
                await self._handover(ctx, "backend_error", "general", 1, None)
            if state.ended:
                await self._finish(ctx)
            reply = ctx.reply()  # before saving: it records what was said, for 「もう一度」
            await self.store.save(state)
        if state.ended:
            self._locks.pop(session_id, None)
        return reply

    async def hangup(self, session_id: str) -> None:
        """The caller hung up or closed the chat: an unfinished call is recorded as abandoned."""
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            state = await self.store.load(session_id)
            if state is None or state.ended:
                return
            ctx = TurnContext(state, self.bot, self._now(state))
            state.log("hangup", ctx.now)
            state.outcome = "resolved" if state.resolved and state.awaiting == "anything_else" else "abandoned"
            state.ended = True
            state.awaiting = "none"
            await self._finish(ctx)
            await self.store.save(state)
        self._locks.pop(session_id, None)

    async def state(self, session_id: str) -> SessionState | None:
        return await self.store.load(session_id)

    # -- one turn --------------------------------------------------------------------------------

    def _now(self, state: SessionState) -> datetime:
        return datetime.fromisoformat(state.clock) if state.clock else datetime.now(TOKYO)

    async def _turn(self, ctx: TurnContext, turn: UserTurn) -> None:
        state = ctx.state
        if turn.no_input or (turn.text is None and turn.dtmf is None and not turn.alternatives):
            await self._no_input(ctx)
            return
        state.no_inputs = 0
        digits: str | None = None
        parse = None
        if turn.dtmf is not None:
            digits = _DTMF.sub("", turn.dtmf)[:32]
            state.log("caller", ctx.now, text=f"[DTMF {digits}]", dtmf=digits)
            if digits.startswith("*"):
                await self._start_over(ctx)
                return
            digits = digits.rstrip("#")
        else:
            if turn.alternatives:
                alts = [(a.text, a.confidence) for a in turn.alternatives]
                parse = self.nlu.parse_nbest(alts, ctx.now)
            else:
                parse = self.nlu.parse(turn.text or "", ctx.now)
            state.log(
                "caller",
                ctx.now,
                text=parse.text,
                intent=parse.intent.name,
                confidence=round(parse.intent.confidence, 3),
                entities={e.type: e.value for e in parse.entities},
                emotion=parse.emotion.label,
                harassment=parse.harassment.kind if parse.harassment.detected else None,
            )
        answers = self.interpreter.answers_awaited(ctx, parse, digits)
        if parse is not None:
            record_emotion(state, parse, turn, failed=False)
        decision = self.escalation.decide(build_signals(ctx, parse, turn, use_intent=not answers))
        if decision is not None:
            await self._apply(ctx, decision)
            return
        understood = await self.interpreter.interpret(ctx, parse, digits)
        if understood:
            state.consecutive_failures = 0
            return
        state.failed_turns += 1
        state.consecutive_failures += 1
        state.tries += 1
        if state.emotions and parse is not None:
            state.emotions[-1]["failed"] = True
        decision = self.escalation.decide(build_signals(ctx, parse, turn, use_intent=False))
        if decision is not None:
            await self._apply(ctx, decision)
            return
        await self.interpreter.no_match(ctx, parse)

    async def _no_input(self, ctx: TurnContext) -> None:
        state = ctx.state
        state.no_inputs += 1
        state.failed_turns += 1
        state.log("caller", ctx.now, text="", no_input=True)
        if state.no_inputs >= MAX_NO_INPUT:
            ctx.say("silence_goodbye")
            await self._close_call(ctx, "abandoned", None)
            return
        step = self.interpreter.current_step(ctx)
        ctx.say(step.no_input if step and step.no_input else "no_input")
        await self.interpreter.reask(ctx)

    async def _start_over(self, ctx: TurnContext) -> None:
        state = ctx.state
        state.frame = None
        state.stack.clear()
        state.pending.clear()
        state.tries = 0
        ctx.say("start_over")
        menu = self.bot.flows.get("main_menu")
        if menu is not None:
            await self.runner.start_flow(ctx, menu)
        else:
            state.awaiting = "free"

    def _check_callback_time(self, ctx: TurnContext, args: dict[str, str]) -> dict[str, Any]:
        """Is someone there to call back at the date and time the caller asked for?"""
        try:
            when = datetime.fromisoformat(f"{args.get('date')}T{args.get('time') or '00:00'}").replace(tzinfo=TOKYO)
        except ValueError:
            return {"result": "invalid"}
        if when <= ctx.now:
            return {"result": "past"}
        queue = args.get("queue") or "general"
        if self.escalation.hours.is_open(queue, when):
            return {"result": "ok"}
        nxt = self.escalation.hours.next_open(queue, when).astimezone(TOKYO)
        return {"result": "closed", "next_date": nxt.date().isoformat(), "next_time": nxt.strftime("%H:%M")}

    # -- leaving the bot -------------------------------------------------------------------------

    async def _apply(self, ctx: TurnContext, decision: Decision) -> None:
        state = ctx.state
        state.rule, state.decision_why = decision.rule, decision.why
        state.log("escalation", ctx.now, action=decision.action, reason=decision.reason, rule=decision.rule,
                  why=decision.why)
        if decision.action == "warn":
            state.harassment_warnings += 1
            ctx.say(decision.prompt or "harassment_warning", interruptible=False)
            await self.interpreter.reask(ctx, after_warning=True)
        elif decision.action == "end":
            ctx.say(decision.prompt or "harassment_end", interruptible=False)
            await self._close_call(ctx, "ended", decision.reason)
        elif decision.action == "offer_callback":
            self.interpreter.offer_callback(ctx, decision.reason)
        else:  # transfer, supervisor
            queue = decision.queue or ("supervisor" if decision.action == "supervisor" else "general")
            await self._transfer(ctx, decision.reason, queue, decision.priority, decision.prompt)

    async def _handover(self, ctx: TurnContext, reason: str, queue: str, priority: int, prompt: str | None) -> None:
        """A flow (or the runner) asks for a person: transfer if the queue is open, else offer a callback."""
        if self.escalation.hours.is_open(queue, ctx.now):
            await self._transfer(ctx, reason, queue, priority, prompt)
        else:
            ctx.state.log("escalation", ctx.now, action="offer_callback", reason=reason, why="queue closed")
            self.interpreter.offer_callback(ctx, reason)

    async def _transfer(self, ctx: TurnContext, reason: str, queue: str, priority: int, prompt: str | None) -> None:
        state = ctx.state
        state.case_id = state.case_id or f"CASE-{state.id[:24]}"
        key = prompt if prompt and self.bot.prompts.has(prompt) else f"transfer_{reason}"
        ctx.say(key if self.bot.prompts.has(key) else "transfer", interruptible=False)
        ctx.handover = Handover("transfer", reason, queue, priority, state.case_id)
        state.log("handover", ctx.now, queue=queue, reason=reason, priority=priority, case_id=state.case_id)
        await self._close_call(ctx, "transferred", reason)

    async def _close_call(self, ctx: TurnContext, outcome: str, reason: str | None) -> None:
        state = ctx.state
        state.frame = None
        state.stack.clear()
        state.outcome, state.reason = outcome, reason
        state.ended = True
        state.awaiting = "none"
        if ctx.handover is None and outcome != "transferred":
            ctx.handover = Handover("callback" if outcome == "callback_scheduled" else "end", reason)

    async def _finish(self, ctx: TurnContext) -> None:
        state = ctx.state
        state.case_id = state.case_id or f"CASE-{state.id[:24]}"
        state.log("end", ctx.now, outcome=state.outcome, reason=state.reason)
        try:
            await save_case_note(self.store, state)
        except Exception:
            log.exception("could not save the case note of %s", state.id)

    async def case_note(self, case_id: str) -> dict[str, Any] | None:
        return await self.store.case(case_id)

    def reload(self, bot: Bot) -> None:
        """Swap in new flows/prompts; calls in progress continue on the new version at their next turn."""
        self.bot = bot

