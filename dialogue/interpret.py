"""What the caller's turn means given what the bot waited for: a slot value, a yes/no, a new request."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from dialogue.api import InputSpec
from dialogue.context import TurnContext
from dialogue.flow_model import ENTITY_TYPES, FREE_TEXT, Flow, Step
from dialogue.runner import Handover, StepRunner, expectation
from nlu.types import Parse

CONFIDENT = 0.55  # below this an intent may not interrupt a question in progress
CLARIFY_FLOOR = 0.3  # above this, a close call between two requests is asked about, not guessed
CONVERSATION = frozenset({"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope"})
_FINISHED = re.compile(
    r"(以上|いじょう|大丈夫|だいじょうぶ|結構|けっこう|ないです|ありません|ないよ|ないわ|特に|とくに|それだけ|以上で|"
    r"もうええ|もういい|十分|じゅうぶん|おおきに|ほな|ありがと|助かりました|たすかりました|終わり|おわり)"
)
# the reply's first word, when the classifier is unsure: 「はい、わかりました」 「いえいえ、それだけです」
# (大丈夫です is left to the classifier: to an offer it usually means "no, thank you")
_YES_START = re.compile(r"^(はい|ええ|うん|そう(です|だ|や|よ)|お願い|おねがい|オッケー|OK|ok|了解|りょうかい|わかりました|分かりました|かしこまり|それで(いい|お願い|大丈夫|結構))")
_NO_START = re.compile(r"^(いいえ|いえ|いや|違|ちが|ちゃう|ちゃいま|だめ|ダメ|結構です|けっこうです|やめ|やっぱり(いい|やめ))")
_CLOSING = ("deny", "thanks", "goodbye")
_START_OVER = re.compile(r"(最初から|はじめから|初めから|さいしょから)")
YES_KEYS, NO_KEYS = frozenset({"1"}), frozenset({"2", "9"})

Closer = Callable[[TurnContext, str, str | None], Awaitable[None]]


class Understander(Protocol):
    def parse(self, text: str, now: datetime | None = None) -> Parse: ...
    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse: ...


def _digits_value(etype: str | None, digits: str) -> str | int | None:
    if not digits:
        return None
    if etype == "order_id" and len(digits) == 8:
        return digits
    if etype == "phone_number" and 10 <= len(digits) <= 11 and digits.startswith("0"):
        return digits
    if etype == "postal_code" and len(digits) == 7:
        return digits
    if etype == "amount":
        return int(digits)
    if etype in FREE_TEXT:
        return digits
    return None


def slot_value(etype: str | None, parse: Parse | None, digits: str | None) -> Any:
    """The value a turn gives for an entity type, or None."""
    if digits is not None:
        return _digits_value(etype, digits)
    if parse is None or etype is None:
        return None
    if etype in FREE_TEXT:
        text = parse.normalized.strip(" 、。")
        return text or None
    for entity in parse.entities:
        if entity.type == etype and not entity.alternatives:
            return entity.value
    return None


_WORDS = re.compile(r"[\u4e00-\u9fff]|[ァ-ヺ]{2}")


def _clearly_out_of_scope(parse: Parse | None) -> bool:
    """A confident out_of_scope turn made of real words (kanji, katakana), not ASR noise."""
    return (
        parse is not None
        and parse.intent.name == "out_of_scope"
        and parse.intent.confidence >= 0.8
        and bool(_WORDS.search(parse.normalized))
    )


class Interpreter:
    def __init__(self, runner: StepRunner, handover: Handover, close: Closer) -> None:
        self.runner = runner
        self.handover = handover
        self.close = close

    def current_step(self, ctx: TurnContext) -> Step | None:
        frame = ctx.state.frame
        if frame is None:
            return None
        flow = ctx.bot.flows.get(frame.flow)
        try:
            return flow.step(frame.step) if flow else None
        except KeyError:
            return None

    def _flow(self, ctx: TurnContext) -> Flow | None:
        frame = ctx.state.frame
        return ctx.bot.flows.get(frame.flow) if frame else None

    def _confident(self, parse: Parse | None) -> str | None:
        if parse is None or parse.low_confidence or parse.intent.confidence < CONFIDENT:
            return None
        return parse.intent.name

    def answers_awaited(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        """Does this turn answer the open question? Then its intent must not trigger escalation rules."""
        aw = ctx.state.awaiting
        if aw.startswith("slot:"):
            step = self.current_step(ctx)
            return step is not None and slot_value(step.entity_type, parse, digits) is not None and (
                step.entity_type not in FREE_TEXT or self._confident(parse) in (None, "affirm", "deny")
            )
        if aw == "confirm":
            return digits is not None or self._yes_no(parse) is not None
        return aw == "menu" and digits is not None

    async def interpret(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        """Act on the turn; False when it was not understood (the caller gets a no-match prompt)."""
        state = ctx.state
        if parse is not None and not parse.normalized.strip():
            return False
        intent = self._confident(parse)
        if parse is not None and _START_OVER.search(parse.normalized) and intent not in ENTITY_TYPES:
            ctx.say("start_over")
            state.frame, state.pending = None, {}
            state.stack.clear()
            state.awaiting = "free"
            ctx.say("how_can_i_help")
            return True
        if intent == "repeat":
            await self.reask(ctx, repeat=True)
            return True
        if intent == "goodbye" and state.awaiting != "confirm":
            ctx.say("goodbye")
            await self.close(ctx, "resolved" if state.resolved else "abandoned", None)
            return True
        aw = state.awaiting
        if aw.startswith("slot:"):
            return await self._answer_slot(ctx, parse, digits)
        if aw == "confirm":
            return await self._answer_confirm(ctx, parse, digits)
        if aw == "anything_else":
            return await self._answer_anything_else(ctx, parse, digits)
        return await self._answer_request(ctx, parse, digits)

    async def _answer_slot(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        state = ctx.state
        step = self.current_step(ctx)
        flow = self._flow(ctx)
        if step is None or flow is None or step.ask is None:
            return await self._answer_request(ctx, parse, digits)
        value = slot_value(step.entity_type, parse, digits)
        intent = self._confident(parse)
        if value is not None and not (step.entity_type in FREE_TEXT and intent not in (None, "affirm", "deny")):
            state.slots[step.ask] = value
            state.log("slot", ctx.now, slot=step.ask, value=value)
            self._fill_others(ctx, flow, parse)
            await self.runner.run(ctx, self.runner.next_step(ctx, flow, step))
            return True
        if intent and intent not in CONVERSATION and intent not in flow.intents:
            target = ctx.bot.flow_for(intent)
            if target is not None:
                # a topic change: answer the new request, then come back to this question
                state.stack.append(state.frame)  # type: ignore[arg-type]
                await self.runner.start_flow(ctx, target, intent, self._prefill(parse))
                return True
        return False

    async def _answer_confirm(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        state = ctx.state
        answer = self._yes_no(parse)
        yes = (digits in YES_KEYS) if digits is not None else answer == "affirm"
        no = (digits in NO_KEYS) if digits is not None else answer == "deny"
        offer = state.pending.pop("offer", None)
        if offer is not None:
            return await self._answer_offer(ctx, offer, yes, no, parse)
        step = self.current_step(ctx)
        flow = self._flow(ctx)
        if step is None or flow is None:
            return await self._answer_request(ctx, parse, digits)
        if step.slot and parse is not None and not yes:
            corrections = self._corrections(flow, step.slot, parse)
            if corrections:
                # 「いいえ、12345679です」 「いいえ、夕方五時です」: take the correction and confirm again
                for slot, value in corrections.items():
                    state.slots[slot] = value
                    state.log("slot", ctx.now, slot=slot, value=value, correction=True)
                await self.runner.run(ctx, step.id)
                return True
        if yes:
            await self.runner.run(ctx, step.yes or self.runner.next_step(ctx, flow, step))
            return True
        if no:
            target = step.no
            if target is None and step.slot:
                state.slots.pop(step.slot, None)
                target = next((s.id for s in flow.steps if s.ask == step.slot), None)
            await self.runner.run(ctx, target or self.runner.next_step(ctx, flow, step))
            return True
        return False

    async def _answer_offer(self, ctx: TurnContext, offer: dict[str, Any], yes: bool, no: bool, parse: Parse | None) -> bool:
        state = ctx.state
        if offer["kind"] == "clarify":
            if yes:
                flow = ctx.bot.flow_for(offer["intent"])
                if flow is not None:
                    await self.runner.start_flow(ctx, flow, offer["intent"], offer.get("prefill"))
                    return True
            if no:
                ctx.say("rephrase")
                state.awaiting = "free"
                return True
        elif offer["kind"] == "callback":
            if yes:
                flow = ctx.bot.flow_for("callback_request")
                if flow is not None:
                    state.pending["callback_reason"] = offer["reason"]
                    await self.runner.start_flow(ctx, flow, "callback_request")
                    return True
            if no:
                ctx.say("callback_declined")
                await self.close(ctx, "ended", offer["reason"])
                return True
        state.pending["offer"] = offer  # still waiting for a yes or a no
        return False

    async def _answer_anything_else(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        intent = self._confident(parse)
        finished = parse is not None and _FINISHED.search(parse.normalized) and intent in (None, "deny", "thanks", "affirm", "goodbye", "out_of_scope")
        # 「いえいえ、それだけです、ありがとうねえ」: unsure between no, thanks and goodbye is still a closing
        closing = parse is not None and intent is None and parse.intent.name in _CLOSING and sum(
            r.confidence for r in parse.ranking if r.name in _CLOSING) >= CONFIDENT
        if digits in NO_KEYS or intent in _CLOSING or finished or closing:
            ctx.say("goodbye")
            await self.close(ctx, "resolved", None)
            return True
        if intent == "affirm" or digits in YES_KEYS:
            ctx.say("how_can_i_help")
            ctx.state.awaiting = "free"
            return True
        return await self._answer_request(ctx, parse, digits)

    async def _answer_request(self, ctx: TurnContext, parse: Parse | None, digits: str | None) -> bool:
        state = ctx.state
        step = self.current_step(ctx)
        if digits is not None:
            option = step.options.get(digits[:1]) if step is not None and step.menu else None
            if option is None:
                return False
            if option.goto:
                await self.runner.run(ctx, option.goto)
                return True
            flow = ctx.bot.flow_for(option.intent or "")
            if flow is None:
                return False
            await self.runner.start_flow(ctx, flow, option.intent)
            return True
        if parse is None:
            return False
        ranking = parse.ranking
        top = ranking[0]
        second = ranking[1] if len(ranking) > 1 else None
        flows_for = ctx.bot.flow_for
        if second is not None and top.confidence >= CLARIFY_FLOOR and parse.ambiguous and flows_for(top.name) and flows_for(second.name):
            return self._clarify(ctx, top.name, parse)
        intent = self._confident(parse)
        if intent is None or intent == "out_of_scope":
            if top.confidence >= CLARIFY_FLOOR and flows_for(top.name) is not None:
                return self._clarify(ctx, top.name, parse)
            return False
        flow = flows_for(intent)
        if flow is not None:
            await self.runner.start_flow(ctx, flow, intent, self._prefill(parse))
            return True
        if intent == "greet":
            ctx.say("how_can_i_help")
        elif intent == "thanks":
            ctx.say("thanks_reply")
            ctx.say("anything_else")
            state.awaiting = "anything_else"
            return True
        else:  # affirm / deny with nothing open
            ctx.say("how_can_i_help")
        state.awaiting = "free"
        return True

    def _clarify(self, ctx: TurnContext, intent: str, parse: Parse) -> bool:
        ctx.state.pending["offer"] = {"kind": "clarify", "intent": intent, "prefill": self._prefill(parse)}
        label = ctx.bot.prompts.render(f"label_{intent}", ctx.state.channel, {}).text
        ctx.say("clarify_intent", label=label)
        ctx.state.awaiting = "confirm"
        ctx.expect = InputSpec(awaiting="confirm", hints=("はい", "いいえ"), dtmf_max_digits=1)
        return True

    def offer_callback(self, ctx: TurnContext, reason: str) -> None:
        state = ctx.state
        state.frame = None
        state.stack.clear()
        state.pending["offer"] = {"kind": "callback", "reason": reason}
        ctx.say("callback_offer")
        state.awaiting = "confirm"
        ctx.expect = InputSpec(awaiting="confirm", hints=("はい", "いいえ"), dtmf_max_digits=1)

    async def no_match(self, ctx: TurnContext, parse: Parse | None) -> None:
        state = ctx.state
        step = self.current_step(ctx)
        if state.awaiting.startswith("slot:") and step is not None:
            if state.tries >= step.max_tries:
                if step.on_fail:
                    await self.runner.run(ctx, step.on_fail)
                else:
                    await self.handover(ctx, "repeated_failure", "general", 0, None)
                return
            reprompt = step.reprompt or f"reprompt_{step.ask}"
            ctx.say(reprompt if ctx.bot.prompts.has(reprompt) else "nomatch_slot")
            ctx.expect = expectation(step, state.channel)
            return
        if state.awaiting == "confirm":
            ctx.say("confirm_reprompt")
            ctx.expect = InputSpec(awaiting="confirm", hints=("はい", "いいえ"), dtmf_max_digits=1)
            return
        if _clearly_out_of_scope(parse) and ctx.bot.prompts.has("nomatch_out_of_scope"):
            ctx.say("nomatch_out_of_scope")  # understood, but not something this line handles
        else:
            ctx.say("nomatch_1" if state.consecutive_failures <= 1 else "nomatch_2")
        if step is not None and step.menu:
            ctx.expect = expectation(step, state.channel)

    async def reask(self, ctx: TurnContext, repeat: bool = False, after_warning: bool = False) -> None:
        """Say the open question again (after a warning, silence, or 「もう一度」)."""
        state = ctx.state
        step = self.current_step(ctx)
        if after_warning and (step is None or step.kind == "menu") and ctx.bot.prompts.has("after_warning"):
            # not the whole welcome menu again: the call did not start over
            ctx.say("after_warning")
            if step is not None:
                ctx.expect = expectation(step, state.channel)
            return
        if step is not None and step.kind in ("ask", "confirm", "menu"):
            await self.runner.run(ctx, step.id)
            return
        if repeat and state.last_prompts:
            for text in state.last_prompts:
                ctx.prompts.append(ctx.bot.prompts.render("repeat_wrapper", state.channel, {"text": text}))
            return
        ctx.say("anything_else" if state.awaiting == "anything_else" else "how_can_i_help")

    def _yes_no(self, parse: Parse | None) -> str | None:
        """affirm / deny / None for a reply to a yes-no question."""
        intent = self._confident(parse)
        if intent in ("affirm", "deny") or parse is None:
            return intent
        if intent is None:
            text = parse.normalized.lstrip(" 、。!?")
            yes, no = bool(_YES_START.match(text)), bool(_NO_START.match(text))
            if yes != no:
                return "affirm" if yes else "deny"
        return None

    def _corrections(self, flow: Flow, confirmed: str, parse: Parse) -> dict[str, Any]:
        """Slot values a reply to a confirmation gives: the confirmed slot, or any other slot the flow asks."""
        out: dict[str, Any] = {}
        for slot in dict.fromkeys([confirmed, *(s.ask for s in flow.steps if s.ask)]):
            etype = self._slot_type(flow, slot)
            if etype is None or etype in FREE_TEXT:
                continue
            value = slot_value(etype, parse, None)
            if value is not None:
                out[slot] = value
        return out

    def _slot_type(self, flow: Flow, slot: str) -> str | None:
        for s in flow.steps:
            if s.ask == slot:
                return s.entity_type
        return slot if slot in ENTITY_TYPES else None

    def _prefill(self, parse: Parse | None) -> dict[str, Any]:
        """Entities said together with the request fill their slots (注文番号12345678の配送状況)."""
        if parse is None:
            return {}
        return {e.type: e.value for e in parse.entities if e.type in ENTITY_TYPES and not e.alternatives}

    def _fill_others(self, ctx: TurnContext, flow: Flow, parse: Parse | None) -> None:
        if parse is None:
            return
        wanted = {s.ask for s in flow.steps if s.ask} - set(ctx.state.slots)
        for entity in parse.entities:
            if entity.type in wanted and not entity.alternatives:
                ctx.state.slots[entity.type] = entity.value
