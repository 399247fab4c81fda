"""What the bot does with a turn it has understood: fill slots, answer yes/no, start or resume a request,
answer from the FAQ, repeat, wait for a hesitant caller, or say it did not understand.

`Conductor.act` takes the action that interpretation chose and runs the flow from there; every change to
the call goes through `turn.emit`, and leaving the bot goes through `Exits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dialogue import answer_words as words
from dialogue import language_callback
from dialogue.bot import Bot
from dialogue.escalation.engine import Decision
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.schema import GENERAL_QUEUE
from dialogue.events import (
    CallbackFor,
    CallEnded,
    CallerSaid,
    Escalated,
    Hesitated,
    Popped,
    Pushed,
    QueuedTaken,
    RequestQueued,
    RequestResolved,
    RequestTaken,
    SlotsCleared,
    SlotSet,
    SlowedDown,
    StackCleared,
    Waiting,
)
from dialogue.exits import Exits
from dialogue.faq import FaqHit
from dialogue.flow_model import Flow, Step, template_name
from dialogue.interpret import (
    CALLBACK_INTENT,
    Action,
    Answer,
    Correct,
    Fill,
    MenuChoice,
    No,
    Partial,
    Request,
    Simple,
    WeekFirst,
    Yes,
)
from dialogue.runner import End, Finished, Handover, StepRunner, Stop, Wait
from dialogue.state import (
    AwaitAnythingElse,
    AwaitConfirm,
    AwaitFree,
    AwaitMenu,
    AwaitOffer,
    AwaitSlot,
    Position,
    callers,
)
from dialogue.turn import Turn
from nlu.types import Parse

MAX_NO_INPUT = 3
MAX_HESITATIONS = 3  # a caller who only hesitates this often in a row is better off with a person
MAX_YES_NO_TRIES = 3  # failed tries at a yes/no question before the bot stops asking it
OUT_OF_SCOPE = "out_of_scope"
_OUT_OF_SCOPE_TOLD = "nomatch_out_of_scope"  # the prompt that tells a caller this line does not handle their question
# a caller without what the flow needs: a person looks it up (offered where the bot has the words for it)
_DONT_KNOW = Handover("complex", GENERAL_QUEUE, 2, "transfer_dont_know")
_PERSON_OFFERED, _PERSON_DECLINED = "offer_person", "person_declined"


class Conductor:
    def __init__(self, runner: StepRunner, exits: Exits, hours: BusinessHours) -> None:
        self.runner = runner
        self.exits = exits
        self.hours = hours

    async def act(self, turn: Turn, action: Action, parse: Parse | None) -> bool:
        """Carry out what the turn means; False when it was not understood (the caller gets a no-match)."""
        aw = turn.state.awaiting
        match action:
            case Fill(values=values, later=later):
                if later is not None:
                    self._queue(turn, later)
                return await self._fill(turn, values)
            case Correct(values=values):
                self._set(turn, values, "correction")
                if isinstance(aw, AwaitConfirm):
                    # 「ぜろきゅうぜろの…」 to 「090-…におかけしてよろしいでしょうか」: the answer to what the no would
                    # have asked, so on past that question; else the corrected values confirmed
                    answered = _no_branch_answered(turn.bot, aw, values) or _checked_before(turn.bot, aw, values)
                    await self._run(turn, Position(aw.flow, answered or aw.step))
                    return True
                return await self._fill(turn, {})
            case Yes(values=values, later=later):
                if later is not None:
                    self._queue(turn, later)
                return await self._yes(turn, values)
            case No(values=values, intent=intent):
                return await self._no(turn, values, intent, parse)
            case Request(intent=intent, prefill=prefill, clarify=True, apology=apology, kept_waiting=kept_waiting,
                         condolence=condolence):
                if condolence:
                    turn.say_condolence()  # 「母が入院してしまって…」: sympathy before the question
                self._apologise(turn, apology, kept_waiting)
                self._clarify(turn, intent, prefill)
                return True
            case Request(intent=intent, prefill=prefill, instead=instead, condolence=condolence, apology=apology,
                         kept_waiting=kept_waiting, later=later, forget=forget):
                if forget:
                    turn.emit(SlotsCleared(forget))
                if condolence:
                    turn.say_condolence()
                self._apologise(turn, apology, kept_waiting)
                if later is not None and turn.bot.flow_for(intent) is not None:
                    self._queue(turn, later, first=intent)
                return await self._request(turn, intent, prefill, push=not instead)
            case WeekFirst(week=week) if isinstance(aw, AwaitSlot):
                # 「らいしゅうの」: 「来週のいつがよろしいでしょうか」, the day read with the week said
                turn.say("date_which_day" if turn.bot.prompts.has("date_which_day") else "hesitation_slot", words=week)
                turn.emit(Waiting(replace(aw, so_far=week)))
                return True
            case Partial(digits=digits) if isinstance(aw, AwaitSlot):
                # 「はい、1234ですね。続けてどうぞ」: the caller paused inside the number, the rest is to come
                turn.say("slot_partial" if turn.bot.prompts.has("slot_partial") else "hesitation_slot", digits=digits)
                turn.emit(Waiting(replace(aw, so_far=digits)))
                return True
            case Simple(kind="rekey") if isinstance(aw, AwaitSlot):
                # * at a number: 「承知いたしました。もう一度、はじめからご入力ください」, what was keyed so far dropped
                turn.say("slot_rekey" if turn.bot.prompts.has("slot_rekey") else "hesitation_slot")
                turn.emit(Waiting(replace(aw, so_far="")))
                return True
            case Simple(kind="callback_hours"):
                # 「それって なんじまで ですか」 inside the callback's questions: the hours it may come in, then the
                # question again; a bot without the line says the question again
                if turn.bot.prompts.has("callback_hours"):
                    turn.say("callback_hours")
                    self._ask_again(turn)
                else:
                    self._repeat(turn)
                return True
            case MenuChoice(key=key):
                return await self._menu(turn, key)
            case Answer(hit=hit, then=then, also=also, again=again):
                if again and turn.bot.prompts.has("faq_again"):
                    turn.say("faq_again")  # 「繰り返しになりますが」: the same words, owned as such
                if also is not None:
                    self._answer(turn, hit, check=False)
                    hit = also
                self._answer(turn, hit, check=then is None)
                if then is not None:  # the caller also asked for something done: its flow follows the answer
                    return await self._request(turn, then.intent, then.prefill)
                return True
            case Simple(kind="repeat"):
                self._repeat(turn)
                return True
            case Simple(kind="slow_down"):
                # 「もう少しゆっくり」: kept for the rest of the call (slower speech, longer pauses on voice)
                turn.emit(SlowedDown())
                turn.say("slow_down")
                self._repeat(turn)
                return True
            case Simple(kind="start_over"):
                turn.emit(StackCleared())
                turn.say("start_over")
                await self.open(turn)
                return True
            case Simple(kind="end"):
                if isinstance(aw, AwaitConfirm) and aw.offer and not turn.state.resolved:
                    # 「やってみます。以上です」 to an extra offered after the answer (the reset SMS after the steps
                    # were told): the request was served; the offer is what was declined
                    turn.emit(RequestResolved())
                turn.say("goodbye")
                # nothing served (a wrong number, words never understood): the bot said goodbye and ended the call
                # (SPEC 7.2 `ended`); `abandoned` is a caller who hung up on an unfinished call. A question the line
                # does not handle, answered as such (「アルバイトの募集は」「明日の天気は」) and closed on, was served
                served = turn.state.resolved or turn.state.intents[-1:] == (OUT_OF_SCOPE,)
                turn.emit(CallEnded("resolved", None) if served else CallEnded("ended", "goodbye"))
                return True
            case Simple(kind="confirm_end"):
                turn.say("confirm_goodbye")
                turn.emit(Waiting(AwaitOffer("goodbye")))
                return True
            case Simple(kind="kept_waiting"):
                # 「大変お待たせしてしまい、申し訳ございません。ご用件をお伺いいたします」 (optional prompt)
                turn.say("wait_apology_ask" if turn.bot.prompts.has("wait_apology_ask") else "how_can_i_help")
                turn.emit(Waiting(AwaitFree()))
                return True
            case Simple(kind="greet"):
                turn.say("how_can_i_help")
                # 「もしもし？」 at the welcome menu: the caller is asked to say it, and the menu's keys still work
                turn.emit(Waiting(AwaitMenu(aw.flow, aw.step, voice=False) if isinstance(aw, AwaitMenu) else AwaitFree()))
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
                if not self.hours.is_open(distress.queue, turn.now):
                    turn.say_condolence()
                await self.exits.handover(turn, distress)
                return True
            case Simple(kind="dont_know"):
                return await self._dont_know(turn)
            case Simple(kind="where"):
                # 「それはどこに書いてあるんですか」: where the bot's data says it is found, the question still open;
                # a bot that wrote no such line treats it as a caller without the number
                key = f"where_{aw.slot}" if isinstance(aw, AwaitSlot) else ""
                if not turn.bot.prompts.has(key):
                    return await self._dont_know(turn)
                turn.say(key)
                return True
            case Simple(kind="no_preference"):
                if not isinstance(aw, AwaitSlot) or (step := step_of(turn.bot, aw.flow, aw.step)) is None \
                        or step.no_preference is None:
                    return False
                await self._run(turn, Position(aw.flow, step.no_preference))
                return True
            case Simple(kind="drop"):
                # 「やっぱり再配達はやめときます」 at its read-back: nothing done, nothing asked again
                if not turn.bot.prompts.has("request_dropped"):
                    return False
                turn.emit(StackCleared())
                turn.say("request_dropped")
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
                return True
            case Simple(kind="machine"):
                # 「これ機械の声？AIなの？」: told honestly, with the way to a person, and the question stays open
                if not turn.bot.prompts.has("machine_reply"):
                    return await self._hesitate(turn)
                turn.say("machine_reply")
                if isinstance(aw, AwaitMenu | AwaitFree):
                    turn.say("tell_request" if turn.bot.prompts.has("tell_request") else "how_can_i_help")
                else:
                    self._ask_again(turn)
                return True
            case Simple(kind="reason_told" | "trouble_told" as told):
                # 「さいずが あわなくて」 at the order number: taken in (sorry for what does not work), then asked again
                trouble = told == "trouble_told" and turn.bot.prompts.has("trouble_apology")
                turn.say("trouble_apology" if trouble else "noted_other")
                self._ask_again(turn)
                return True
            case Simple(kind="keypad_ok"):
                turn.say("keypad_ok" if turn.bot.prompts.has("keypad_ok") else "hesitation_slot")
                return True
        return False

    def _set(self, turn: Turn, values: Mapping[str, Any], how: str) -> None:
        for slot, value in values.items():
            turn.emit(SlotSet(slot, value, how))

    async def _fill(self, turn: Turn, values: Mapping[str, Any]) -> bool:
        aw = turn.state.awaiting
        if not isinstance(aw, AwaitSlot):
            return False
        before = dict(turn.state.slots)
        if aw.slot not in values and all(before.get(k) == v for k, v in values.items()):
            # the window said again to the date question (「ごぜんちゅうが ありがたいんですけどね」 twice): nothing new,
            # so no answer: the question is asked as for anything not understood, and it counts toward a person
            return False
        for slot, value in values.items():
            turn.emit(SlotSet(slot, value, "answer" if slot == aw.slot else "heard_early"))
        flow = turn.bot.flows.get(aw.flow)
        if aw.slot not in values:
            turn.say("noted_other")  # 「承知しました」, then the question again
            # 「あ それ しゅじんの ちゅうもんでした わたしのは 34567890 です」 at the phone question: an earlier answer
            # replaced, so the flow goes on from where that answer was taken (the check by caller id again)
            redo = _asked_before(flow, aw.step, {k for k, v in values.items() if before.get(k) not in (None, v)})
            await self._run(turn, Position(aw.flow, redo or aw.step))
            return True
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
            step = step_of(turn.bot, aw.flow, aw.step)
            if step is None:
                return False
            flow = turn.bot.flows[aw.flow]
            # 「はい、携帯の080…にお願いします」 to 「090-…におかけしてよろしいでしょうか」: the number said is the one
            # to use; the yes only agrees to be called
            nxt = _no_branch_answered(turn.bot, aw, values) or step.yes or flow.after(step)
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
            if aw.offer == "person":
                await self.exits.handover(turn, _DONT_KNOW)
                return True
            if aw.offer == "callback":
                callback = turn.bot.flow_for(CALLBACK_INTENT)
                if callback is None:
                    return False
                turn.emit(CallbackFor(aw.reason or "callback"), StackCleared())  # the agent takes up what was left
                # 「はい、お願いします。明日の午前中だと助かります」: the day and time said with the yes are kept
                given = {k: v for k, v in values.items() if k in callback.slots}
                if not given.keys() & {"time", "time_window"}:
                    given.pop("date", None)  # 「きょう祝日なんですね…はい、折り返しで」: a day remarked on, none asked for
                await self._settle(turn, await self.runner.start(turn, callback, CALLBACK_INTENT, given))
                return True
            turn.say("goodbye")  # goodbye offer: the caller confirmed they are done
            turn.emit(CallEnded("resolved", None) if turn.state.resolved else CallEnded("ended", "goodbye"))
            return True
        if isinstance(aw, AwaitAnythingElse):
            turn.say("how_can_i_help")
            turn.emit(Waiting(AwaitFree()))
            return True
        return False

    async def _no(self, turn: Turn, values: Mapping[str, Any], intent: str | None, parse: Parse | None = None) -> bool:
        aw = turn.state.awaiting
        if intent is not None and not isinstance(aw, AwaitOffer | AwaitConfirm):
            return await self._request(turn, intent, values)
        if isinstance(aw, AwaitConfirm):
            step = step_of(turn.bot, aw.flow, aw.step)
            if step is None:
                return False
            if intent is not None:
                # 「ちがいます、請求のことで電話したんです」: this request was the wrong one
                return await self._request(turn, intent, values, push=False)
            flow = turn.bot.flows[aw.flow]
            target = step.no
            to_person = target is not None and (after := flow.find(target)) is not None and after.handover is not None
            if to_person and parse is not None and _waves_off_help(parse.normalized):
                # 「いえ、コンビニで払います」 to 「解消されましたでしょうか」: no help needed, not unsolved
                return await self._yes(turn, values)
            named = _named_wrong(flow, parse.normalized) if parse is not None and not values else None
            if named is not None:
                # 「いえ この でんわじゃなくて べつの けいたいに」 to 「…11時ごろ、03-…へ…よろしいでしょうか」: the part
                # named is asked again, not the one the step's no goes to (the day)
                slot, target = named
                turn.emit(SlotsCleared((slot,)))
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
                await self.exits.handover(turn, Handover("complex", "general", 2, "transfer_faq"))
            elif aw.offer == "clarify":
                turn.say("rephrase")
                turn.emit(Waiting(AwaitFree()))
            elif aw.offer == "person":
                # the caller will find the number and call again: nothing left open for now, and the call goes on
                turn.say(_PERSON_DECLINED if turn.bot.prompts.has(_PERSON_DECLINED) else "request_dropped")
                turn.emit(RequestResolved())
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
            elif aw.offer == "callback" and turn.state.stack and not turn.state.stack[-1].call:
                # a person asked for in the middle of a request, nobody there, and no callback wanted (「いえ、折り返しは
                # 結構です。このまま自分で進めます」): the request the caller was in goes on
                turn.say("noted_other")
                await self._settle(turn, Finished())
            elif aw.offer == "callback":
                turn.say("callback_declined")
                # the caller chose to call again later: nothing is left open (outside writers split on the outcome:
                # dev and dev2 expect resolved, dev6 and dev7 ended), but the call is not cut off: two writers'
                # callers went on (「ちなみに月曜は何時から…」「じゃあ渋谷店の営業時間だけ」), so 「ほかにご用件は」
                turn.emit(RequestResolved())
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
            else:  # not a goodbye after all
                self._ask_again(turn, after_goodbye=True)
            return True
        return False

    async def _request(self, turn: Turn, intent: str, prefill: Mapping[str, Any], push: bool = True) -> bool:
        flow = turn.bot.flow_for(intent)
        if flow is None:
            return False
        position = turn.state.position
        if push and position is not None and not isinstance(turn.state.awaiting, AwaitMenu):
            # a topic change: answer the new request, then come back to this question
            # (the flows that called this one count too: at a delivery change's order-number question the position
            # is verify_order's, and the store's 「きょう」 would otherwise stay as the delivery's day)
            held = {k for p in (*callers(turn.state.stack), position)
                    if (f := turn.bot.flows.get(p.flow)) is not None for k in f.slots}
            shared = [k for k in flow.slots if k in held]
            turn.emit(Pushed(replace(position, kept=tuple((k, turn.state.slots.get(k)) for k in shared))))
        await self._settle(turn, await self.runner.start(turn, flow, intent, prefill))
        return True

    def _queue(self, turn: Turn, later: Request | Answer, first: str | None = None) -> None:
        """A second request kept for when the one in hand is done, and the caller told so: both named back in the
        order they will be served (`first`: two in one breath, 「届かないのと、あとポイントも」), or the second
        acknowledged during the first (said with an answer, 「12345678です。あ、あと渋谷店って…」)."""
        named = {} if first is None else {"first": _label(turn, first)}
        if isinstance(later, Answer):
            turn.emit(RequestQueued({"faq": later.hit.entry.id}))
            _say_if_written(turn, "question_kept" if first is None else "two_requests_question", **named)
        elif turn.bot.flow_for(later.intent) is not None:
            turn.emit(RequestQueued({"intent": later.intent, "prefill": dict(later.prefill)}))
            third = later.later if isinstance(later.later, Request) else None
            if (first is not None and third is not None and turn.bot.flow_for(third.intent) is not None
                    and turn.bot.prompts.has("three_requests")):
                # 「配送状況の確認と、お届け日の変更と、あと渋谷店の営業時間を」: all three named back, in order
                turn.emit(RequestQueued({"intent": third.intent, "prefill": dict(third.prefill)}))
                turn.say("three_requests", first=_label(turn, first), second=_label(turn, later.intent),
                         third=_label(turn, third.intent))
                return
            _say_if_written(turn, "request_kept" if first is None else "two_requests", second=_label(turn, later.intent),
                            **named)

    async def _next_queued(self, turn: Turn) -> Stop | None:
        """The request said with the one just served: 「続きまして、〇〇についてご案内いたします」. None when no
        request waits or the one that waited can no longer be served."""
        while turn.state.later:
            waiting = turn.state.later[0]
            turn.emit(QueuedTaken())
            if "faq" in waiting:
                entry = next((e for e in turn.bot.faq.entries if e.id == waiting["faq"]), None)
                if entry is None:
                    continue
                _say_if_written(turn, "next_request_question")
                turn.emit(Waiting(AwaitFree()))  # the finished request's question is closed: answer, then check
                self._answer(turn, FaqHit(entry, 0.0, 1.0))
                return Wait()
            intent = str(waiting.get("intent") or "")
            flow = turn.bot.flow_for(intent)
            if flow is None:
                continue
            _say_if_written(turn, "next_request", label=_label(turn, intent))
            return await self.runner.start(turn, flow, intent, dict(waiting.get("prefill") or {}))
        return None

    @staticmethod
    def _apologise(turn: Turn, apology: bool, kept_waiting: bool = False) -> None:
        """A request told with trouble (a broken item, a parcel not come) is served after an apology, where the
        bot has the words for one (`trouble_apology`); one told by a caller kept waiting, after an apology for
        the wait (`wait_apology`). One apology, not two in a row."""
        if kept_waiting and turn.bot.prompts.has("wait_apology"):
            turn.say("wait_apology")
        elif apology and turn.bot.prompts.has("trouble_apology"):
            turn.say("trouble_apology")

    def _clarify(self, turn: Turn, intent: str, prefill: Mapping[str, Any]) -> None:
        label = turn.bot.prompts.render(turn.localized(f"label_{intent}"), turn.state.channel, {}).text
        turn.say("clarify_intent", label=label)
        turn.emit(Waiting(AwaitOffer("clarify", intent=intent, prefill=dict(prefill), words=turn.state.last_heard or "")))

    async def _menu(self, turn: Turn, key: str) -> bool:
        aw = turn.state.awaiting
        step = step_of(turn.bot, aw.flow, aw.step) if isinstance(aw, AwaitMenu) else None
        option = step.options.get(key) if step is not None else None
        if option is None or not isinstance(aw, AwaitMenu):
            return False
        if option.goto:
            await self._run(turn, Position(aw.flow, option.goto))
            return True
        return await self._request(turn, option.intent or "", {})

    def _answer(self, turn: Turn, hit: FaqHit, check: bool = True) -> None:
        """An answer from the knowledge base; at a slot question the question follows, else 「解決しましたか」
        (unless `check` is off: a request's flow follows)."""
        prompt = turn.bot.prompts.render("faq_answer", turn.state.channel, {"text": hit.answer(turn.state.channel)})
        turn.say_text(prompt, "faq_answer")
        turn.emit(RequestResolved())  # answered; a caller it did not help says so and reaches a person
        if hit.entry.intent is not None:
            # 「領収書ってもらえますか」: a billing question, answered. Taken after it was resolved: the same request's
            # flow next (「じゃあ返品お願いします」 after the return fee) goes on with it, one request in `intents`
            turn.emit(RequestTaken(hit.entry.intent))
        if isinstance(turn.state.awaiting, AwaitSlot | AwaitConfirm):
            self._ask_again(turn)
            return
        if not check:
            return
        turn.say("faq_check")
        turn.emit(Waiting(AwaitOffer("faq", intent=hit.entry.id)))

    def _repeat(self, turn: Turn) -> None:
        texts = turn.state.last_prompts
        if not texts:
            self._ask_again(turn)
            return
        for text in texts:
            prompt = turn.bot.prompts.render("repeat_wrapper", turn.state.channel, {"text": text})
            turn.say_text(prompt, "repeat_wrapper")

    async def _hesitate(self, turn: Turn) -> bool:
        """Only hesitating is no failure: slower, simpler wording, with the keypad and a person offered."""
        turn.emit(Hesitated(), SlowedDown())
        if turn.state.hesitations >= MAX_HESITATIONS:
            await self.exits.handover(turn, Handover("repeated_failure", "general", 3))
            return True
        aw = turn.state.awaiting
        key = ("hesitation_slot" if isinstance(aw, AwaitSlot)
               else "hesitation_yes_no" if isinstance(aw, AwaitConfirm | AwaitOffer) else "hesitation")
        turn.say(key if turn.bot.prompts.has(key) else "hesitation")
        return True

    async def _dont_know(self, turn: Turn) -> bool:
        aw = turn.state.awaiting
        if isinstance(aw, AwaitSlot) and (step := step_of(turn.bot, aw.flow, aw.step)) is not None and step.dont_know:
            # the flow has another way (the address without its postal code): no person needed
            await self._run(turn, Position(aw.flow, step.dont_know))
            return True
        key = f"dont_know_{aw.slot}" if isinstance(aw, AwaitSlot) else "dont_know"
        turn.say(key if turn.bot.prompts.has(key) else "dont_know")
        if isinstance(aw, AwaitSlot) and turn.bot.prompts.has(_PERSON_OFFERED) and turn.agents_open:
            # 「母の電話番号ですか ちょっと今わからないです」: a person can look it up, asked, not imposed: the caller may
            # rather look for the number and call again (outside the hours the offer is the callback's)
            turn.say(_PERSON_OFFERED)
            turn.emit(Waiting(AwaitOffer("person")))
            return True
        await self.exits.handover(turn, _DONT_KNOW)
        return True

    async def no_match(self, turn: Turn, action: Action) -> None:
        state = turn.state
        aw = state.awaiting
        if isinstance(aw, AwaitSlot):
            step = step_of(turn.bot, aw.flow, aw.step)
            if step is not None and state.tries >= step.max_tries:
                if step.on_fail:
                    await self._run(turn, Position(aw.flow, step.on_fail))
                else:
                    await self.exits.handover(turn, Handover("repeated_failure", "general", 0))
                return
            reprompt = (step.reprompt if step is not None else None) or f"reprompt_{aw.slot}"
            turn.say(reprompt if turn.bot.prompts.has(reprompt) else "nomatch_slot")
            if state.tries >= 2:
                turn.say("keypad_or_operator")
            return
        if isinstance(aw, AwaitConfirm | AwaitOffer) and state.tries >= MAX_YES_NO_TRIES:
            await self._give_up_yes_no(turn, aw)
            return
        if isinstance(aw, AwaitConfirm | AwaitOffer):
            turn.say("confirm_reprompt")
            return
        if isinstance(action, Simple) and action.out_of_scope and turn.bot.prompts.has(_OUT_OF_SCOPE_TOLD):
            turn.say(_OUT_OF_SCOPE_TOLD)  # understood, but not something this line handles
            turn.emit(RequestTaken(OUT_OF_SCOPE))  # acted on, by telling so (SPEC 7.2 `intents`)
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
        elif isinstance(aw, AwaitOffer) and aw.offer == "person":
            await self.exits.handover(turn, _DONT_KNOW)  # a caller who cannot say yes or no is better with a person
        elif isinstance(aw, AwaitOffer):
            self._ask_again(turn, after_goodbye=True)
        else:
            await self.exits.handover(turn, Handover("repeated_failure", "general", 3))

    def _ask_again(self, turn: Turn, after_warning: bool = False, after_goodbye: bool = False) -> None:
        """Say the open question again (after a warning, silence, or a goodbye that was not one)."""
        aw = turn.state.awaiting
        if after_goodbye or isinstance(aw, AwaitOffer) and aw.offer == "goodbye":
            turn.say("how_can_i_help")
            turn.emit(Waiting(AwaitFree()) if not turn.state.resolved else Waiting(AwaitAnythingElse()))
            return
        if after_warning and isinstance(aw, AwaitMenu | AwaitFree) and turn.bot.prompts.has("after_warning"):
            turn.say("after_warning")  # not the whole welcome menu again: the call did not start over
            return
        if isinstance(aw, AwaitSlot | AwaitConfirm | AwaitMenu):
            step = step_of(turn.bot, aw.flow, aw.step)
            if step is not None:
                key = step.prompt or f"ask_{step.ask}" if step.ask else step.confirm or step.menu or ""
                turn.say(key)
                return
        if isinstance(aw, AwaitOffer):
            if aw.offer == "clarify" and aw.intent:
                label = turn.bot.prompts.render(turn.localized(f"label_{aw.intent}"), turn.state.channel, {}).text
                turn.say("clarify_intent", label=label)
            else:
                turn.say("callback_offer_again" if turn.bot.prompts.has("callback_offer_again") else "callback_offer")
            return
        turn.say("anything_else" if isinstance(aw, AwaitAnythingElse) else "how_can_i_help")

    async def no_input(self, turn: Turn) -> None:
        turn.emit(CallerSaid("", no_input=True))
        if turn.state.no_inputs >= MAX_NO_INPUT:
            turn.say("silence_goodbye")
            turn.emit(CallEnded("ended", "no_input"))  # the bot hung up on the silence (SPEC 7.2 `ended`)
            return
        aw = turn.state.awaiting
        step = step_of(turn.bot, aw.flow, aw.step) if isinstance(aw, AwaitSlot | AwaitConfirm | AwaitMenu) else None
        turn.say(step.no_input if step is not None and step.no_input else "no_input")
        self._ask_again(turn)


    async def open(self, turn: Turn) -> None:
        menu = turn.bot.flows.get("main_menu")
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
                await self.exits.handover(turn, stop)
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
                finished = turn.bot.flows.get(turn.state.position.flow) if turn.state.position else None
                turn.emit(Popped())
                # the slots both requests use are the resumed one's again (「その前に札幌店って火曜日お休みでしたっけ」
                # at a callback's read-back: 火曜日 was the store's day, not the callback's)
                turn.emit(*[SlotSet(k, v, "set") for k, v in resumed.kept if v is not None])
                if cleared := tuple(k for k, v in resumed.kept if v is None):
                    turn.emit(SlotsCleared(cleared))
                asked = step_of(turn.bot, resumed.flow, resumed.step)
                if asked is not None and asked.ask and finished is not None and asked.ask in finished.slots:
                    # the question the caller left unanswered is asked again: a value of the same name the
                    # other request took (「渋谷店は今日何時まで」 at the delivery day: 今日 was the store's day)
                    # is not its answer
                    turn.emit(SlotsCleared((asked.ask,)))
                turn.say("resume_interrupted")
                stop = await self.runner.run(turn, resumed)
                continue
            queued = await self._next_queued(turn)
            if queued is not None:
                stop = queued
                continue
            if stop.anything_else:
                turn.say("anything_else")
                turn.emit(Waiting(AwaitAnythingElse()))
            else:
                turn.emit(CallEnded("resolved", None))
            return

    async def escalate(self, turn: Turn, decision: Decision, action: Action | None = None) -> None:
        turn.emit(Escalated(decision.action, decision.reason, decision.rule, decision.why))
        if decision.action == "warn":
            turn.say(decision.prompt or "harassment_warning", interruptible=False)
            if isinstance(action, Request) and not action.clarify:
                # the request said with the abuse is still served: the caller never says it twice
                await self.act(turn, action, None)
                return
            self._ask_again(turn, after_warning=True)
        elif decision.action == "end":
            turn.say(decision.prompt or "harassment_end", interruptible=False)
            turn.emit(CallEnded("ended", decision.reason))
        elif decision.action == "offer_callback" and (decision.reason == "language" or language_callback.can_offer(turn)):
            # a caller in another language (a person asked for in it, too): the callback offered in their language
            self.exits.closed_for_language(turn)
        elif decision.action == "offer_callback":
            self.exits.offer_callback(turn, decision.reason or "callback", busy=decision.busy)
        else:  # transfer, supervisor
            queue = decision.queue or ("supervisor" if decision.action == "supervisor" else "general")
            await self.exits.transfer(turn, Handover(decision.reason or "complex", queue, decision.priority,
                                                decision.prompt))



def _say_if_written(turn: Turn, key: str, **values: Any) -> None:
    """An optional prompt: a bot whose designers did not write it serves both requests without the words."""
    if turn.bot.prompts.has(key):
        turn.say(key, **values)


def _label(turn: Turn, intent: str) -> str:
    """The bot's name for a request, in the call's language (prompts `label_<intent>`)."""
    key = turn.localized(f"label_{intent}")
    return turn.bot.prompts.render(key, turn.state.channel, {}).text if turn.bot.prompts.has(key) else ""


def _named_wrong(flow: Flow, text: str) -> tuple[str, str] | None:
    """The one slot of the flow a no names as wrong (「この電話じゃなくて」「日にちが違う」), with the step that asks it
    (the one that always asks, when there are two); None when none or several are named."""
    if not words.NOT_THIS.search(text):
        return None
    asked = {s.ask for s in flow.steps if s.ask is not None}
    named = [slot for slot, cue in words.SLOT_CUES.items() if slot in asked and cue.search(text)]
    if len(named) != 1:
        return None
    slot = named[0]
    steps = [s for s in flow.steps if s.ask == slot]
    step = next((s for s in steps if s.always_ask), steps[0])
    return slot, step.id


def _waves_off_help(text: str) -> bool:
    return words.OWN_PLAN.search(text) is not None and words.NOT_SOLVED.search(text) is None


def _asked_before(flow: Flow | None, step_id: str, changed: set[str]) -> str | None:
    """The step after the one that took a slot now said again differently, when it comes before `step_id`."""
    if flow is None or not changed:
        return None
    ids = [s.id for s in flow.steps]
    here = ids.index(step_id) if step_id in ids else -1
    for i, s in enumerate(flow.steps[:here]):
        if s.ask in changed:
            return flow.after(s) or (ids[i + 1] if i + 1 < len(ids) else None)
    return None


def _no_branch_answered(bot: Bot, aw: AwaitConfirm, values: Mapping[str, Any]) -> str | None:
    """The step after the no-branch of a yes/no question that reads back no slot of its own, when the no-branch
    asks for one of `values` (the caller said the other number instead of no); None otherwise."""
    step = step_of(bot, aw.flow, aw.step)
    if step is None or step.slot or not step.no:
        return None
    flow = bot.flows[aw.flow]
    asked = next((s for s in flow.steps if s.id == step.no), None)
    if asked is None or asked.ask is None or asked.ask not in values:
        return None
    after = flow.after(asked)
    # and the questions after it the same breath answered (「じゃあ30日の午後2時で」: the day, then its time)
    while after is not None and (nxt := flow.find(after)) is not None and nxt.ask is not None and nxt.ask in values:
        after = flow.after(nxt)
    return after


def _checked_before(bot: Bot, aw: AwaitConfirm, values: Mapping[str, Any]) -> str | None:
    """The check a corrected value went through before this question, to go through again: 「では同じ土曜の16時で」
    to 「最も早くて12月14日(月)の9時から…よろしいでしょうか」 (read from the check's result, not the slots) is the
    callback's time checked anew, not the same offer once more."""
    step = step_of(bot, aw.flow, aw.step)
    if step is None or step.slot:
        return None
    flow = bot.flows[aw.flow]
    at = next((i for i, s in enumerate(flow.steps) if s.id == aw.step), None)
    if at is None:
        return None
    for earlier in reversed(flow.steps[:at]):
        used = {name.split(".")[0] for v in earlier.args.values() if (name := template_name(v)) is not None}
        if earlier.action is not None and used & set(values):
            return earlier.id
    return None


def step_of(bot: Bot, flow: str, step: str) -> Step | None:
    found = bot.flows.get(flow)
    return found.find(step) if found is not None else None

