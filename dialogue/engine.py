"""The async dialogue manager: one caller turn in, one bot reply out.

A turn is a visible pipeline: load -> understand -> escalate -> interpret -> act (run the flow) -> save.
Interpretation is a pure function of the open question and what was heard; the flow runner says whether
the bot waits, hands over or ends; every change to the call is an event that `dialogue.events.apply`
folds into the state, and the store appends to the call's log. Channels use the `Conversations`
protocol (dialogue/api.py), never this class's insides.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dialogue import api
from dialogue.api import BotReply, CallView, InputSpec, SessionNotFound, SessionStart, UserTurn
from dialogue.backends import Backend
from dialogue.bot import Bot
from dialogue.clock import TOKYO, national_number
from dialogue.escalation.engine import Decision, EscalationEngine
from dialogue.events import (
    CallbackFor,
    CallEnded,
    CallerSaid,
    CallStarted,
    EmotionRead,
    Escalated,
    HandedOver,
    Hesitated,
    Popped,
    Pushed,
    RequestResolved,
    SlotsCleared,
    SlotSet,
    SlowedDown,
    StackCleared,
    TurnFailed,
    TurnUnderstood,
    Waiting,
    case_id_for,
)
from dialogue.faq import FaqHit
from dialogue.interpret import (
    CALLBACK_INTENT,
    Action,
    Answer,
    Correct,
    Fill,
    Heard,
    MenuChoice,
    No,
    Request,
    Simple,
    Understander,
    Yes,
    answers_question,
    interpret,
    rest_of,
)
from dialogue.notes import save_case_note
from dialogue.question import question_for
from dialogue.runner import End, Finished, Handover, StepRunner, Stop, Wait
from dialogue.signals import build_signals, emotion_reading
from dialogue.state import (
    AwaitAnythingElse,
    AwaitConfirm,
    AwaitFree,
    AwaitMenu,
    AwaitOffer,
    AwaitSlot,
    CallState,
    Position,
)
from dialogue.store import SessionStore
from dialogue.turn import Turn
from nlu.types import Parse

log = logging.getLogger(__name__)
MAX_NO_INPUT = 3
MAX_HESITATIONS = 3
MAX_YES_NO_TRIES = 3  # failed tries at a yes/no question before the bot stops asking it  # a caller who only hesitates this often in a row is better off with a person
_DTMF_KEEP = frozenset("0123456789*#")

__all__ = ["DialogueManager", "SessionNotFound", "national_number"]


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
        self.runner = StepRunner(backend, backend_timeout_s, {"check_callback_time": self._check_callback_time,
                                                              "check_date": _check_date})
        self._locks: dict[str, asyncio.Lock] = {}

    # -- the channel-facing API (dialogue.api.Conversations) -------------------------------------------

    async def start(self, start: SessionStart) -> tuple[str, BotReply]:
        sid = start.session_id or uuid.uuid4().hex
        now = start.now or datetime.now(TOKYO)
        phone = national_number(start.caller.phone)
        state = CallState(id=sid, channel=start.channel, started_at=now.isoformat(timespec="seconds"),
                          caller_phone=phone, caller_vip=start.caller.vip,
                          clock=start.now.isoformat() if start.now else None)
        turn = Turn(state, self.bot, now)
        turn.emit(CallStarted(start.channel, phone))
        await self._open(turn)
        reply = turn.reply()
        await self.store.save(turn.state, _log(turn))
        return sid, reply

    async def handle(self, session_id: str, user: UserTurn) -> BotReply:
        async with self._lock(session_id):
            state = await self.store.load(session_id)
            if state is None:
                raise SessionNotFound(session_id)
            if state.ended:
                return BotReply((), InputSpec(awaiting="none"), ended=True, outcome=state.outcome)  # type: ignore[arg-type]
            turn = Turn(state, self.bot, self._now(state))
            try:
                await self._turn(turn, user)
            except Exception:
                # never a stack trace to a caller: apologise and hand over with what we have
                log.exception("turn failed in session %s", session_id)
                turn.prompts.clear()
                turn.say("system_error")
                await self._transfer(turn, Handover("backend_error", priority=1))
            if turn.state.ended:
                await self._finish(turn)
            reply = turn.reply()
            await self.store.save(turn.state, _log(turn))
        if turn.state.ended:
            self._locks.pop(session_id, None)
        return reply

    async def hangup(self, session_id: str) -> None:
        """The caller hung up or closed the chat: an unfinished call is recorded as abandoned."""
        async with self._lock(session_id):
            state = await self.store.load(session_id)
            if state is None or state.ended:
                return
            turn = Turn(state, self.bot, self._now(state))
            done = state.resolved and isinstance(state.awaiting, AwaitAnythingElse)
            turn.emit(CallEnded("resolved" if done else "abandoned", None))
            await self._finish(turn)
            await self.store.save(turn.state, _log(turn))
        self._locks.pop(session_id, None)

    async def state(self, session_id: str) -> CallState | None:
        return await self.store.load(session_id)

    async def view(self, session_id: str) -> CallView | None:
        state = await self.store.load(session_id)
        return view_of(state) if state is not None else None

    async def live(self) -> list[CallView]:
        return [view_of(s) for s in await self.store.active()]

    async def events(self, session_id: str) -> list[dict[str, Any]]:
        return await self.store.events(session_id)

    async def case_note(self, case_id: str) -> dict[str, Any] | None:
        return await self.store.case(case_id)

    async def case_notes(self, limit: int = 100) -> list[dict[str, Any]]:
        return await self.store.cases(limit)

    def reload(self, bot: Bot) -> None:
        """Swap in new flows/prompts; calls in progress continue on the new version at their next turn."""
        self.bot = bot

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    def _now(self, state: CallState) -> datetime:
        return datetime.fromisoformat(state.clock) if state.clock else datetime.now(TOKYO)

    # -- one turn: understand -> escalate -> interpret -> act --------------------------------------------

    async def _turn(self, turn: Turn, user: UserTurn) -> None:
        if user.no_input or (user.text is None and user.dtmf is None and not user.alternatives):
            await self._no_input(turn)
            return
        heard = self._understand(user, turn.now)
        action = interpret(question_for(turn.state, self.bot), heard, self.bot.entities)
        turn.emit(heard_event(heard, action, turn.state.intents[-1] if turn.state.intents else None))
        parse = heard.parse
        if parse is not None:
            turn.emit(EmotionRead(emotion_reading(parse, user)))
        # a turn the bot understood is no failure: earlier failures must not hand it over (they were judged
        # when they happened), or an answered callback offer would be offered again and again
        understood = not (isinstance(action, Simple) and action.kind in ("unclear", "invalid"))
        decision = self.escalation.decide(build_signals(turn, parse, user, use_intent=not answers_question(action),
                                                        past_failures=not understood))
        if decision is not None:
            await self._escalate(turn, decision, action)
            return
        if await self._act(turn, action, parse):
            turn.emit(TurnUnderstood())
            return
        turn.emit(TurnFailed())
        decision = self.escalation.decide(build_signals(turn, parse, user, use_intent=False))
        if decision is not None:
            await self._escalate(turn, decision)
            return
        await self._no_match(turn, action)

    def _understand(self, user: UserTurn, now: datetime) -> Heard:
        if user.dtmf is not None:
            return Heard(digits="".join(c for c in user.dtmf if c in _DTMF_KEEP)[:32])
        if user.alternatives:
            parse = self.nlu.parse_nbest([(a.text, a.confidence) for a in user.alternatives], now)
        else:
            parse = self.nlu.parse(user.text or "", now)
        return Heard(parse=parse, rest=rest_of(self.nlu, parse, now), faq=self.bot.faq.match(parse.normalized))

    async def _act(self, turn: Turn, action: Action, parse: Parse | None) -> bool:
        """Carry out what the turn means; False when it was not understood (the caller gets a no-match)."""
        aw = turn.state.awaiting
        match action:
            case Fill(values=values):
                return await self._fill(turn, values)
            case Correct(values=values):
                self._set(turn, values, "correction")
                if isinstance(aw, AwaitConfirm):
                    await self._run(turn, Position(aw.flow, aw.step))  # confirm the corrected values
                    return True
                return await self._fill(turn, {})
            case Yes(values=values):
                return await self._yes(turn, values)
            case No(values=values, intent=intent):
                return await self._no(turn, values, intent)
            case Request(intent=intent, prefill=prefill, clarify=True):
                self._clarify(turn, intent, prefill)
                return True
            case Request(intent=intent, prefill=prefill, instead=instead, condolence=condolence):
                if condolence:
                    turn.say("distress_condolence")
                return await self._request(turn, intent, prefill, push=not instead)
            case MenuChoice(key=key):
                return await self._menu(turn, key)
            case Answer(hit=hit):
                self._answer(turn, hit)
                return True
            case Simple(kind="repeat"):
                self._repeat(turn)
                return True
            case Simple(kind="start_over"):
                turn.emit(StackCleared())
                turn.say("start_over")
                await self._open(turn)
                return True
            case Simple(kind="end"):
                turn.say("goodbye")
                turn.emit(CallEnded("resolved" if turn.state.resolved else "abandoned", None))
                return True
            case Simple(kind="confirm_end"):
                turn.say("confirm_goodbye")
                turn.emit(Waiting(AwaitOffer("goodbye")))
                return True
            case Simple(kind="greet"):
                turn.say("how_can_i_help")
                turn.emit(Waiting(AwaitFree()))
                return True
            case Simple(kind="thanks"):
                turn.say("thanks_reply")
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
                return True
            case Simple(kind="hesitate"):
                return await self._hesitate(turn)
            case Simple(kind="distress"):
                # the empathetic line comes with the transfer; when nobody is there, before the callback offer
                distress = Handover("emotion", "general", 6, "transfer_distress")
                if not self.escalation.hours.is_open(distress.queue, turn.now):
                    turn.say("distress_condolence")
                await self._handover(turn, distress)
                return True
            case Simple(kind="dont_know"):
                return await self._dont_know(turn)
        return False

    # -- acting on answers -------------------------------------------------------------------------------

    def _set(self, turn: Turn, values: Mapping[str, Any], how: str) -> None:
        for slot, value in values.items():
            turn.emit(SlotSet(slot, value, how))

    async def _fill(self, turn: Turn, values: Mapping[str, Any]) -> bool:
        aw = turn.state.awaiting
        if not isinstance(aw, AwaitSlot):
            return False
        for slot, value in values.items():
            turn.emit(SlotSet(slot, value, "answer" if slot == aw.slot else "heard_early"))
        if aw.slot not in values:
            turn.say("noted_other")  # 「承知しました」, then the question again
            await self._run(turn, Position(aw.flow, aw.step))
            return True
        flow = self.bot.flows.get(aw.flow)
        step = flow.find(aw.step) if flow is not None else None
        nxt = flow.after(step) if flow is not None and step is not None else None
        if nxt is None:
            await self._settle(turn, Finished())
        else:
            await self._run(turn, Position(aw.flow, nxt))
        return True

    async def _yes(self, turn: Turn, values: Mapping[str, Any]) -> bool:
        aw = turn.state.awaiting
        if isinstance(aw, AwaitConfirm):
            self._set(turn, values, "answer")
            step = self._step(aw.flow, aw.step)
            if step is None:
                return False
            flow = self.bot.flows[aw.flow]
            nxt = step.yes or flow.after(step)
            if nxt is None:
                await self._settle(turn, Finished())
            else:
                await self._run(turn, Position(aw.flow, nxt))
            return True
        if isinstance(aw, AwaitOffer):
            if aw.offer == "faq":
                turn.say("anything_else")  # the question is answered (and counted so): anything else?
                turn.emit(Waiting(AwaitAnythingElse()))
                return True
            if aw.offer == "clarify" and aw.intent is not None:
                return await self._request(turn, aw.intent, {**aw.prefill, **values}, push=False)
            if aw.offer == "callback":
                callback = self.bot.flow_for(CALLBACK_INTENT)
                if callback is None:
                    return False
                turn.emit(CallbackFor(aw.reason or "callback"))
                await self._settle(turn, await self.runner.start(turn, callback, CALLBACK_INTENT))
                return True
            turn.say("goodbye")  # goodbye offer: the caller confirmed they are done
            turn.emit(CallEnded("resolved" if turn.state.resolved else "abandoned", None))
            return True
        if isinstance(aw, AwaitAnythingElse):
            turn.say("how_can_i_help")
            turn.emit(Waiting(AwaitFree()))
            return True
        return False

    async def _no(self, turn: Turn, values: Mapping[str, Any], intent: str | None) -> bool:
        aw = turn.state.awaiting
        if intent is not None and not isinstance(aw, AwaitOffer | AwaitConfirm):
            return await self._request(turn, intent, values)
        if isinstance(aw, AwaitConfirm):
            step = self._step(aw.flow, aw.step)
            if step is None:
                return False
            if intent is not None:
                # 「ちがいます、請求のことで電話したんです」: this request was the wrong one
                return await self._request(turn, intent, values, push=False)
            flow = self.bot.flows[aw.flow]
            target = step.no
            if target is None and step.slot:
                turn.emit(SlotsCleared((step.slot,)))
                target = next((s.id for s in flow.steps if s.ask == step.slot), None)
            target = target or flow.after(step)
            if target is None:
                await self._settle(turn, Finished())
            else:
                await self._run(turn, Position(aw.flow, target))
            return True
        if isinstance(aw, AwaitOffer):
            if intent is not None:
                return await self._request(turn, intent, values, push=False)
            if aw.offer == "faq":
                # the answer did not help: a person, who sees the question and the answer in the case note
                await self._handover(turn, Handover("complex", "general", 2, "transfer_faq"))
            elif aw.offer == "clarify":
                turn.say("rephrase")
                turn.emit(Waiting(AwaitFree()))
            elif aw.offer == "callback":
                turn.say("callback_declined")
                # the caller chose to call again later: nothing is left open, so the call ends resolved
                turn.emit(CallEnded("resolved", None))
            else:  # not a goodbye after all
                self._ask_again(turn, after_goodbye=True)
            return True
        return False

    async def _request(self, turn: Turn, intent: str, prefill: Mapping[str, Any], push: bool = True) -> bool:
        flow = self.bot.flow_for(intent)
        if flow is None:
            return False
        position = turn.state.position
        if push and position is not None and not isinstance(turn.state.awaiting, AwaitMenu):
            # a topic change: answer the new request, then come back to this question
            turn.emit(Pushed(position))
        await self._settle(turn, await self.runner.start(turn, flow, intent, prefill))
        return True

    def _clarify(self, turn: Turn, intent: str, prefill: Mapping[str, Any]) -> None:
        label = self.bot.prompts.render(f"label_{intent}", turn.state.channel, {}).text
        turn.say("clarify_intent", label=label)
        turn.emit(Waiting(AwaitOffer("clarify", intent=intent, prefill=dict(prefill))))

    async def _menu(self, turn: Turn, key: str) -> bool:
        aw = turn.state.awaiting
        step = self._step(aw.flow, aw.step) if isinstance(aw, AwaitMenu) else None
        option = step.options.get(key) if step is not None else None
        if option is None or not isinstance(aw, AwaitMenu):
            return False
        if option.goto:
            await self._run(turn, Position(aw.flow, option.goto))
            return True
        return await self._request(turn, option.intent or "", {})

    def _answer(self, turn: Turn, hit: FaqHit) -> None:
        """An answer from the knowledge base; at a slot question the question follows, else 「解決しましたか」."""
        prompt = self.bot.prompts.render("faq_answer", turn.state.channel, {"text": hit.answer(turn.state.channel)})
        turn.say_text(prompt, "faq_answer")
        turn.emit(RequestResolved())  # answered; a caller it did not help says so and reaches a person
        if isinstance(turn.state.awaiting, AwaitSlot | AwaitConfirm):
            self._ask_again(turn)
            return
        turn.say("faq_check")
        turn.emit(Waiting(AwaitOffer("faq", intent=hit.entry.id)))

    def _repeat(self, turn: Turn) -> None:
        texts = turn.state.last_prompts
        if not texts:
            self._ask_again(turn)
            return
        for text in texts:
            prompt = self.bot.prompts.render("repeat_wrapper", turn.state.channel, {"text": text})
            turn.say_text(prompt, "repeat_wrapper")

    async def _hesitate(self, turn: Turn) -> bool:
        """Only hesitating is no failure: slower, simpler wording, with the keypad and a person offered."""
        turn.emit(Hesitated(), SlowedDown())
        if turn.state.hesitations >= MAX_HESITATIONS:
            await self._handover(turn, Handover("repeated_failure", "general", 3))
            return True
        turn.say("hesitation_slot" if isinstance(turn.state.awaiting, AwaitSlot) else "hesitation")
        return True

    async def _dont_know(self, turn: Turn) -> bool:
        aw = turn.state.awaiting
        key = f"dont_know_{aw.slot}" if isinstance(aw, AwaitSlot) else "dont_know"
        turn.say(key if self.bot.prompts.has(key) else "dont_know")
        await self._handover(turn, Handover("complex", "general", 2, "transfer_dont_know"))
        return True

    async def _no_match(self, turn: Turn, action: Action) -> None:
        state = turn.state
        aw = state.awaiting
        if isinstance(aw, AwaitSlot):
            step = self._step(aw.flow, aw.step)
            if step is not None and state.tries >= step.max_tries:
                if step.on_fail:
                    await self._run(turn, Position(aw.flow, step.on_fail))
                else:
                    await self._handover(turn, Handover("repeated_failure", "general", 0))
                return
            reprompt = (step.reprompt if step is not None else None) or f"reprompt_{aw.slot}"
            turn.say(reprompt if self.bot.prompts.has(reprompt) else "nomatch_slot")
            if state.tries >= 2:
                turn.say("keypad_or_operator")
            return
        if isinstance(aw, AwaitConfirm | AwaitOffer) and state.tries >= MAX_YES_NO_TRIES:
            await self._give_up_yes_no(turn, aw)
            return
        if isinstance(aw, AwaitConfirm | AwaitOffer):
            turn.say("confirm_reprompt")
            return
        if isinstance(action, Simple) and action.out_of_scope and self.bot.prompts.has("nomatch_out_of_scope"):
            turn.say("nomatch_out_of_scope")  # understood, but not something this line handles
        else:
            turn.say("nomatch_1" if state.consecutive_failures <= 1 else "nomatch_2")

    async def _give_up_yes_no(self, turn: Turn, aw: AwaitConfirm | AwaitOffer) -> None:
        """No yes or no after several tries: never loop; do what a person would."""
        if isinstance(aw, AwaitOffer) and aw.offer == "callback":
            turn.say("callback_unclear_end")  # nobody to take the call now: ask them to call again
            turn.emit(CallEnded("ended", aw.reason))
        elif isinstance(aw, AwaitOffer) and aw.offer == "clarify":
            turn.say("rephrase")
            turn.emit(Waiting(AwaitFree()))
        elif isinstance(aw, AwaitOffer):
            self._ask_again(turn, after_goodbye=True)
        else:
            await self._handover(turn, Handover("repeated_failure", "general", 3))

    def _ask_again(self, turn: Turn, after_warning: bool = False, after_goodbye: bool = False) -> None:
        """Say the open question again (after a warning, silence, or a goodbye that was not one)."""
        aw = turn.state.awaiting
        if after_goodbye or isinstance(aw, AwaitOffer) and aw.offer == "goodbye":
            turn.say("how_can_i_help")
            turn.emit(Waiting(AwaitFree()) if not turn.state.resolved else Waiting(AwaitAnythingElse()))
            return
        if after_warning and isinstance(aw, AwaitMenu | AwaitFree) and self.bot.prompts.has("after_warning"):
            turn.say("after_warning")  # not the whole welcome menu again: the call did not start over
            return
        if isinstance(aw, AwaitSlot | AwaitConfirm | AwaitMenu):
            step = self._step(aw.flow, aw.step)
            if step is not None:
                key = step.prompt or f"ask_{step.ask}" if step.ask else step.confirm or step.menu or ""
                turn.say(key)
                return
        if isinstance(aw, AwaitOffer):
            if aw.offer == "clarify" and aw.intent:
                label = self.bot.prompts.render(f"label_{aw.intent}", turn.state.channel, {}).text
                turn.say("clarify_intent", label=label)
            else:
                turn.say("callback_offer")
            return
        turn.say("anything_else" if isinstance(aw, AwaitAnythingElse) else "how_can_i_help")

    async def _no_input(self, turn: Turn) -> None:
        turn.emit(CallerSaid("", no_input=True))
        if turn.state.no_inputs >= MAX_NO_INPUT:
            turn.say("silence_goodbye")
            turn.emit(CallEnded("abandoned", None))
            return
        aw = turn.state.awaiting
        step = self._step(aw.flow, aw.step) if isinstance(aw, AwaitSlot | AwaitConfirm | AwaitMenu) else None
        turn.say(step.no_input if step is not None and step.no_input else "no_input")
        self._ask_again(turn)

    # -- flows -------------------------------------------------------------------------------------------

    def _step(self, flow: str, step: str) -> Any:
        f = self.bot.flows.get(flow)
        return f.find(step) if f is not None else None

    async def _open(self, turn: Turn) -> None:
        menu = self.bot.flows.get("main_menu")
        if menu is not None:
            await self._settle(turn, await self.runner.start(turn, menu))
        else:
            turn.say("welcome")
            turn.emit(Waiting(AwaitFree()))

    async def _run(self, turn: Turn, position: Position) -> None:
        await self._settle(turn, await self.runner.run(turn, position))

    async def _settle(self, turn: Turn, stop: Stop) -> None:
        """Act on why the flow stopped: wait, hand over, end, or finish the request (resume or ask more)."""
        while True:
            if isinstance(stop, Wait):
                return
            if isinstance(stop, Handover):
                await self._handover(turn, stop)
                return
            if isinstance(stop, End):
                turn.emit(CallEnded(stop.outcome, stop.reason))
                return
            assert isinstance(stop, Finished)
            turn.emit(RequestResolved())
            while turn.state.stack and turn.state.stack[-1].call:
                turn.emit(Popped())  # a called flow that resolved the request itself: its caller is done too
            if turn.state.stack:
                resumed = turn.state.stack[-1]
                turn.emit(Popped())
                turn.say("resume_interrupted")
                stop = await self.runner.run(turn, resumed)
                continue
            if stop.anything_else:
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
            else:
                turn.emit(CallEnded("resolved", None))
            return

    def _check_callback_time(self, turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
        """Is someone there to call back at the date and time the caller asked for?"""
        try:
            when = datetime.fromisoformat(f"{args.get('date')}T{args.get('time') or '00:00'}").replace(tzinfo=TOKYO)
        except ValueError:
            return {"result": "invalid"}
        if when <= turn.now:
            return {"result": "past"}
        queue = args.get("queue") or "general"
        if self.escalation.hours.is_open(queue, when):
            return {"result": "ok"}
        nxt = self.escalation.hours.next_open(queue, when).astimezone(TOKYO)
        return {"result": "closed", "next_date": nxt.date().isoformat(), "next_time": nxt.strftime("%H:%M")}

    # -- leaving the bot ---------------------------------------------------------------------------------

    async def _escalate(self, turn: Turn, decision: Decision, action: Action | None = None) -> None:
        turn.emit(Escalated(decision.action, decision.reason, decision.rule, decision.why))
        if decision.action == "warn":
            turn.say(decision.prompt or "harassment_warning", interruptible=False)
            if isinstance(action, Request) and not action.clarify:
                # the request said with the abuse is still served: the caller never says it twice
                await self._act(turn, action, None)
                return
            self._ask_again(turn, after_warning=True)
        elif decision.action == "end":
            turn.say(decision.prompt or "harassment_end", interruptible=False)
            turn.emit(CallEnded("ended", decision.reason))
        elif decision.action == "offer_callback":
            self._offer_callback(turn, decision.reason or "callback")
        else:  # transfer, supervisor
            queue = decision.queue or ("supervisor" if decision.action == "supervisor" else "general")
            await self._transfer(turn, Handover(decision.reason or "complex", queue, decision.priority,
                                                decision.prompt))

    async def _handover(self, turn: Turn, handover: Handover) -> None:
        """A person is needed: transfer if the queue is open, else offer a callback."""
        if self.escalation.hours.is_open(handover.queue, turn.now):
            await self._transfer(turn, handover)
        else:
            turn.emit(Escalated("offer_callback", handover.reason, None, "queue closed"))
            self._offer_callback(turn, handover.reason)

    def _offer_callback(self, turn: Turn, reason: str) -> None:
        aw = turn.state.awaiting
        if isinstance(aw, AwaitOffer) and aw.offer == "callback" and turn.state.tries >= MAX_YES_NO_TRIES - 1:
            # the offer was made and not answered: do not make it again
            turn.say("callback_unclear_end")
            turn.emit(CallEnded("ended", aw.reason))
            return
        turn.emit(StackCleared())
        turn.say("callback_offer")
        turn.emit(Waiting(AwaitOffer("callback", reason=reason)))

    async def _transfer(self, turn: Turn, handover: Handover) -> None:
        state = turn.state
        case_id = state.case_id or case_id_for(state.id)
        key = handover.prompt if handover.prompt and self.bot.prompts.has(handover.prompt) else f"transfer_{handover.reason}"
        turn.say(key if self.bot.prompts.has(key) else "transfer", interruptible=False)
        turn.handover = api.Handover("transfer", handover.reason, handover.queue, handover.priority, case_id)
        turn.emit(HandedOver(handover.queue, handover.reason, handover.priority, case_id),
                  CallEnded("transferred", handover.reason))

    async def _finish(self, turn: Turn) -> None:
        state = turn.state
        if turn.handover is None and state.outcome != "transferred":
            kind = "callback" if state.outcome == "callback_scheduled" else "end"
            turn.handover = api.Handover(kind, state.reason)  # type: ignore[arg-type]
        try:
            events = [*await self.store.events(state.id), *_log(turn)]
            await save_case_note(self.store, state, events, self.bot)
        except Exception:
            log.exception("could not save the case note of %s", state.id)


def heard_event(heard: Heard, action: Action, serving: str | None = None) -> CallerSaid:
    """The caller's turn for the log; its intent is the request the bot acted on, when it acted on one
    (「もう一度だけ言いますけど、荷物が来てないんです」 is logged as order_status, not the classifier's repeat)."""
    parse = heard.parse
    if parse is None:
        digits = heard.digits or ""
        return CallerSaid(f"[DTMF {digits}]", dtmf=digits)
    intent, confidence = parse.intent.name, parse.intent.confidence
    if isinstance(action, Request) and not action.clarify and action.intent != intent:
        intent = action.intent
        confidence = max((r.confidence for r in (heard.rest or parse).ranking if r.name == intent), default=0.0)
    elif isinstance(action, Yes | No) and not (isinstance(action, No) and action.intent):
        intent, confidence = ("affirm" if isinstance(action, Yes) else "deny"), 1.0  # what the answer meant
    elif isinstance(action, Fill | Correct) and serving is not None:
        intent, confidence = serving, 1.0  # a value belongs to the request it answers, whatever it sounds like
    return CallerSaid(
        parse.text,
        intent=intent,
        confidence=round(confidence, 3),
        entities={e.type: e.value for e in parse.entities},
        emotion=parse.emotion.label,
        harassment=parse.harassment.kind if parse.harassment.detected else None,
    )


def _log(turn: Turn) -> list[dict[str, Any]]:
    at = turn.now.isoformat(timespec="seconds")
    return [e.to_json(at) for e in turn.events]


def view_of(state: CallState) -> CallView:
    return CallView(
        id=state.id, channel=state.channel, started_at=state.started_at, ended=state.ended,
        outcome=state.outcome, reason=state.reason, awaiting=state.awaiting.label, intents=state.intents,
        slots=dict(state.slots), emotion=state.emotions[-1].get("label") if state.emotions else None,
        harassment_warnings=state.harassment_warnings, case_id=state.case_id, last_heard=state.last_heard,
    )


def _check_date(turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
    """Is a date (an expected delivery) already past? Read against the call's clock, in Japan time."""
    try:
        day = datetime.fromisoformat(str(args.get("date"))).date()
    except ValueError:
        return {"result": "unknown"}
    today = turn.now.astimezone(TOKYO).date()
    return {"result": "past" if day < today else "today" if day == today else "future"}
