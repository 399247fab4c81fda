"""The async dialogue manager: one caller turn in, one bot reply out.

A turn is a visible pipeline: load -> understand -> escalate -> interpret -> act (run the flow) -> save.
Interpretation is a pure function of the open question and what was heard; the flow runner says whether
the bot waits, hands over or ends; every change to the call is an event that `dialogue.events.apply`
folds into the state, and the store appends to the call's log. Channels use the `Conversations`
protocol (dialogue/api.py), never this class's insides.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any

from dialogue import answer_words as words
from dialogue import api, crm, language_callback
from dialogue.api import BotReply, CallView, InputSpec, SessionNotFound, SessionStart, UserTurn
from dialogue.backends import Backend
from dialogue.bot import Bot
from dialogue.clock import TOKYO, national_number
from dialogue.conduct import Conductor
from dialogue.escalation.engine import Decision, EscalationEngine
from dialogue.escalation.schema import GENERAL_QUEUE
from dialogue.escalation.signals import Signals
from dialogue.events import (
    CallEnded,
    CallerSaid,
    CallStarted,
    EmotionRead,
    Hesitated,
    LanguageHeard,
    RequestTaken,
    SlotSet,
    TurnFailed,
    TurnUnderstood,
    Waiting,
)
from dialogue.exits import Exits
from dialogue.faq import FaqHit
from dialogue.flow_model import Flow, Step
from dialogue.heard_words import heard_words
from dialogue.interpret import (
    ENDS_ASKING,
    TOPIC_SWITCH,
    Action,
    Answer,
    Correct,
    Fill,
    Heard,
    No,
    Request,
    Simple,
    Understander,
    Yes,
    answers_question,
    corrects_itself,
    gives_up,
    interpret,
    listed_in,
    may_take_loose_answer,
    parts_of,
    point_of,
    rest_of,
    serves_routine,
    takes_requests,
)
from dialogue.locks import Coordination, coordination_for
from dialogue.notes import save_case_note
from dialogue.outbound import Outbox, callback_job
from dialogue.outbox_sql import outbox_for
from dialogue.payments import PaymentDesk, collecting
from dialogue.question import question_for
from dialogue.runner import Handover, StepRunner, Stop
from dialogue.signals import build_signals, counted_harassment, emotion_reading, language_heard
from dialogue.state import (
    AwaitAnythingElse,
    AwaitFree,
    AwaitOffer,
    AwaitSlot,
    CallState,
    Position,
)
from dialogue.store import SessionStore
from dialogue.store_days import store_day
from dialogue.turn import Turn
from nlu.dialect import standard_form
from nlu.normalize import normalize
from nlu.types import Emotion, Parse

log = logging.getLogger(__name__)
_DTMF_KEEP = frozenset("0123456789*#")

__all__ = ["DialogueManager", "SessionNotFound", "national_number"]


# a turn that leans on the answer just given: 「じゃあ 初期不良だったら」「それって店舗でも？」
_LEANS_ON_ANSWER = re.compile(r"(だったら|やったら|なら|の場合は?|のときは?|って|でも)[?？。\s]*$|^(じゃあ|じゃ|ほな|では|それって)")

# a part of the day as entities normalise it (SPEC 5): 08:00-12:00
_WINDOW = re.compile(r"(\d\d:\d\d)-(\d\d:\d\d)")
# a chat user's correction as typed in Japanese mail (「×明日 ○明後日です」): read as 「明日じゃなくて明後日です」
_STRUCK_OUT = re.compile(r"[×✕✖]\s*(?P<old>[^○◯〇\s、。,]+)[\s、,]*[○◯〇]\s*(?P<new>\S)")


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
                                                              "check_date": _check_date, "store_day": store_day,
                                                              "heard_words": heard_words})
        self.exits = Exits(escalation.hours)
        self.conductor = Conductor(self.runner, self.exits, escalation.hours)
        # shared by every worker of the store (SPEC 7.5): one turn of a conversation at a time
        self.locks: Coordination = coordination_for(store)
        # callbacks the bot promises, kept beside the conversations for the outbound dialer (dialogue/outbound.py)
        self.outbox: Outbox = outbox_for(store)
        # live queue waits from the agents' desk (dialogue/acd.py), set by the server; None: unknown
        self.queue_waits: Callable[[], Awaitable[Mapping[str, float]]] | None = None
        # the contact history (dialogue/crm.py), set by the server; None: no repeat opening, no flags
        self.customers: crm.Customers | None = None
        # card payments (`pay:` steps): the gateway of IVR_PAYMENT_GATEWAY_URL, replaceable by the server
        self.payments = PaymentDesk.from_environment()
        self.runner.pay = self._begin_payment

    # -- the channel-facing API (dialogue.api.Conversations) -------------------------------------------

    async def start(self, start: SessionStart) -> tuple[str, BotReply]:
        sid = start.session_id or uuid.uuid4().hex
        now = start.now or datetime.now(TOKYO)
        phone = national_number(start.caller.phone)
        state = CallState(id=sid, channel=start.channel, started_at=now.isoformat(timespec="seconds"),
                          caller_phone=phone, caller_vip=start.caller.vip,
                          clock=start.now.isoformat() if start.now else None)
        turn = self._new_turn(state, now)
        turn.emit(CallStarted(start.channel, phone))
        if not await self._repeat_opening(turn):
            await self.conductor.open(turn)
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
            turn = self._new_turn(state, self._now(state))
            try:
                await self._turn(turn, user)
            except Exception:
                # never a stack trace to a caller: apologise and hand over with what we have
                log.exception("turn failed in session %s", session_id)
                turn.prompts.clear()
                turn.say("system_error")
                await self.exits.transfer(turn, Handover("backend_error", priority=1))
            if turn.handover is not None and self.customers is not None:
                turn.handover = await crm.protected_handover(self.customers, turn.state, turn.handover)
            if turn.state.ended:
                await self._finish(turn)
            reply = turn.reply()
            await self.store.save(turn.state, _log(turn))
        if turn.state.ended:
            self.locks.forget(session_id)
        return reply

    async def hangup(self, session_id: str) -> None:
        """The caller hung up or closed the chat: an unfinished call is recorded as abandoned."""
        async with self._lock(session_id):
            state = await self.store.load(session_id)
            if state is None or state.ended:
                return
            turn = self._new_turn(state, self._now(state))
            done = state.resolved and isinstance(state.awaiting, AwaitAnythingElse)
            turn.emit(CallEnded("resolved" if done else "abandoned", None))
            await self._finish(turn)
            await self.store.save(turn.state, _log(turn))
        self.locks.forget(session_id)

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

    async def _repeat_opening(self, turn: Turn) -> bool:
        """The third contact about one order this week: an apology, then straight to the request."""
        if self.customers is None:
            return False
        try:
            repeat = await crm.opening_repeat(self.customers, turn.state.caller_phone, turn.now)
        except Exception:  # the history is a courtesy: a call must open without it
            log.exception("contact history unavailable for %s", turn.state.id)
            return False
        if repeat is None or not self.bot.prompts.has("repeat_contact_opening"):
            return False
        turn.say("repeat_contact_opening", order_id=repeat.order_id)
        turn.emit(Waiting(AwaitFree()))
        return True

    def _lock(self, session_id: str) -> AbstractAsyncContextManager[None]:
        return self.locks.hold(session_id)

    def _new_turn(self, state: CallState, now: datetime) -> Turn:
        return Turn(state, self.bot, now, card_payments=self.payments.gateway is not None,
                    agents_open=self.escalation.hours.is_open(GENERAL_QUEUE, now))

    def _now(self, state: CallState) -> datetime:
        return datetime.fromisoformat(state.clock) if state.clock else datetime.now(TOKYO)

    # -- one turn: understand -> escalate -> interpret -> act --------------------------------------------

    async def _turn(self, turn: Turn, user: UserTurn) -> None:
        if collecting(turn.state) is not None:
            # card digits go to the payment step only: no NLU, no escalation, no slot, a masked log line
            stop = await self.payments.answer(turn, user)
            if isinstance(stop, Position):
                stop = await self.runner.run(turn, stop)
            await self.conductor._settle(turn, stop)  # the conductor follows a flow stop as after any turn
            return
        # an empty recognition result (Twilio's SpeechResult "" when the caller said nothing) is silence
        if user.no_input or ((user.text is None or not user.text.strip()) and user.dtmf is None
                             and not user.alternatives):
            await self.conductor.no_input(turn)
            return
        aw = turn.state.awaiting
        if isinstance(aw, AwaitOffer) and aw.offer == language_callback.OFFER:
            # the reply to a callback offered in the caller's language: a yes, a no, a key or a number, nothing
            # the Japanese readers or rules should see (they would offer it again, or re-prompt in Japanese)
            language_callback.answer(turn, user, self.escalation.hours, self.exits.language_queue(turn))
            return
        aw = turn.state.awaiting
        asked = aw.intent if isinstance(aw, AwaitOffer) and aw.offer == "faq" else None
        # the week said before a pause at the date question (「らいしゅうの」) is read with the day said now
        begun = aw.so_far if isinstance(aw, AwaitSlot) and not aw.so_far.isdigit() else ""
        heard = self._understand(user, turn.now, takes_requests(aw), asked, begun)
        action = interpret(question_for(turn.state, self.bot), heard, self.bot.entities)
        if action in (Simple("hesitate"), Simple("greet")) and turn.state.consecutive_failures >= FILLERS_FAIL_AFTER:
            # 「ざー あの えー」「も し ざざ」「え ぇ あ」: after two turns not understood, a third of fillers, noise or
            # a もしもし is a bad line, not a caller collecting themselves: counted, so a person takes the call
            action = Simple("unclear")
        # a caller collecting themselves (「ちょっと待ってね、いま紙を探すから」) is held to an answer's evidence for
        # harassment: 探す reads as a threat's 「家を探してやる」 to the classifier (0.41)
        answering = answers_question(action) or action in (Simple("hesitate"), Simple("distress"))
        guessed = aw.intent if isinstance(aw, AwaitOffer) and aw.offer == "clarify" else None
        turn.emit(heard_event(heard, action, turn.state.intents[-1] if turn.state.intents else None, answering,
                              guessed, turn.state.harassment_warnings > 0))
        parse = heard.parse
        if parse is not None and (action == Simple("hesitate") or (
                isinstance(action, Yes | No) and words.only_yes_or_no(parse.normalized)) or (
                isinstance(action, Simple) and action.kind in ("end", "confirm_end")
                and isinstance(aw, AwaitAnythingElse) and words.only_closing(parse.normalized))):
            # 「ないよ」「もうないよ」 to 「ほかにご用件は」: nothing more, which reads as anger 0.8-0.9 to the emotion head
            # (short plain negatives), and a caller who is closing the call is no caller to hand over.
            # 「うーん、どうしようかな」 at a question: deliberation, which the emotion model reads as anxiety (0.98);
            # a caller collecting themselves is no caller in distress. A bare yes or no carries no feeling in its
            # words: 「だからよ」 (Okinawan "right") reads as anger 0.91 for the だから of 「だから言ってんだろ」
            parse = replace(parse, emotion=Emotion("neutral", 1.0, {**dict.fromkeys(parse.emotion.scores, 0.0),
                                                                       "neutral": 1.0}))
        if parse is not None:
            turn.emit(EmotionRead(emotion_reading(parse, user)))
            if (language := language_heard(turn.state, parse)) is not None:
                turn.emit(LanguageHeard(language))
        # a turn the bot understood is no failure: earlier failures must not hand it over (they were judged
        # when they happened), or an answered callback offer would be offered again and again
        understood = not (isinstance(action, Simple) and action.kind in ("unclear", "invalid"))
        # grief told with a request (「主人が亡くなりまして、退会を」) is an emotional call (SPEC 6: grief is
        # `emotion`): the request's own rule (account closure: complex) does not decide it
        use_intent = not answers_question(action) and action != Simple("distress")
        # 「ちょっとお聞きしたいことがあるんですけど」 (a preamble, answered 「どのようなご用件でしょうか」) names no
        # request: a faint complaint reading of it must not hand the caller over; abuse in it still counts
        # 「これ機械の声？AIなの？」 reads as operator_request (0.48): asking whether a person speaks asks for none
        announced = action in (Simple("greet"), Simple("machine"), Simple("kept_waiting"))
        if (parse is not None and parse.intent.name == "operator_request" and isinstance(action, Answer | Request)
                and words.PERSON_NOT_NEEDED.search(parse.normalized)):
            use_intent = False  # the person said not to be needed; the question asked is served
        person_asked = ((isinstance(action, Request) and action.intent == "operator_request" and not action.clarify)
                        or (isinstance(action, No) and action.intent == "operator_request")
                        # 「もう きかい じゃ らち が あかん けえ ひと に かわって や」 to 「オペレーターへのおつなぎについて
                        # でしょうか」: a yes to a person, said in anger; the person asked for is the reason
                        or (isinstance(action, Yes) and guessed == "operator_request"))
        # the request the dialogue heard in the main clause (「…どういうこと もういいわ キャンセルして」: the whole turn
        # reads as a complaint 0.57, its last words ask to cancel) is the one the rules see
        heard_request = (action.intent if isinstance(action, Request) and not action.clarify and parse is not None
                         and action.intent != parse.intent.name and _sure_alone(action.intent, heard) else None)
        decision = await self._decide(build_signals(turn, parse, user, use_intent=use_intent and not announced,
                                                    past_failures=not understood, answering=answering,
                                                    person_asked=person_asked, heard_request=heard_request,
                                                    hardship_told=isinstance(action, Request) and action.condolence,
                                                    # a question the knowledge base answers is routine too (「ぽいんとって
                                                    # きげん あるんですか…きえちゃったら かなしいなと おもって」)
                                                    routine_request=serves_routine(action, asked_about=True)
                                                    or isinstance(action, Answer)))
        if decision is not None:
            if condolence_first(action, decision):
                turn.say_condolence()
            if (taken := handed_over_request(action, decision)) is not None:
                turn.emit(RequestTaken(taken))
            if parse is not None:
                # 「人と話したいんですけど。注文12345678の配送のことで」「你好，我想查一下订单12345678的物流情况」: the
                # order number said goes with the caller to the agent (the case note's slots), as the bot would have
                # kept it
                _keep_for_agent(turn, parse)
            await self.conductor.escalate(turn, decision, served_after_warning(action, decision))
            return
        if isinstance(action, Simple) and action.kind == "distress" and parse is not None:
            # 「注文番号23456789です。明日が父の七回忌で…手が震えて」: the caller goes to a person now; the number said
            # goes with them in the case note, as with an escalation rule's hand-over above
            _keep_for_agent(turn, parse)
        if await self.conductor.act(turn, action, parse):
            # a turn that only hesitated is no failure, but the hesitations in a row still count toward the person
            # offered after MAX_HESITATIONS (conduct.py)
            turn.emit(TurnUnderstood(hesitated=any(isinstance(e, Hesitated) for e in turn.events)))
            return
        turn.emit(TurnFailed())
        decision = await self._decide(build_signals(turn, parse, user, use_intent=False))
        if decision is not None:
            await self.conductor.escalate(turn, decision)
            return
        await self.conductor.no_match(turn, action)

    async def _decide(self, signals: Signals) -> Decision | None:
        if self.queue_waits is not None:
            signals = replace(signals, queue_wait_s=dict(await self.queue_waits()))
        return self.escalation.decide(signals)

    def _understand(self, user: UserTurn, now: datetime, opening: bool, asked: str | None = None,
                    begun: str = "") -> Heard:
        """The turn parsed; at a question a new request answers (`opening`), also its parts on their own; after
        an answer from the knowledge base (`asked`: its entry), whether the turn asks more about it."""
        if user.dtmf is not None:
            return Heard(digits="".join(c for c in user.dtmf if c in _DTMF_KEEP)[:32])
        if user.alternatives:
            parse = self.nlu.parse_nbest([(a.text, a.confidence) for a in user.alternatives], now)
        else:
            read = begun + _STRUCK_OUT.sub(r"\g<old>じゃなくて\g<new>", user.text or "")
            parse = self.nlu.parse(read, now)
        faq = self.bot.faq.match(parse.normalized, parse.tokens) or self._asked_sentence(parse.normalized, parse.text)
        rest = rest_of(self.nlu, parse, now)
        if faq is None and rest is not None and corrects_itself(parse.normalized):
            # 「支払い方法を変えたくて、あ、いや、変えるんじゃなくて、どんな払い方があるのか知りたいだけです」: the question
            # is what follows the correction
            faq = self.bot.faq.match(rest.normalized, rest.tokens)
        heard = Heard(parse=parse, rest=rest, faq=faq, said_as=user.text if parse.text != user.text else None)
        if asked is not None:
            heard = replace(heard, follow_up=self.bot.faq.follow_up(parse.normalized, asked, parse.tokens))
            if heard.follow_up is None and heard.faq is None:
                heard = replace(heard, faq=self._asked_on(parse.normalized, asked))
        if not opening:
            aside = parts_of(self.nlu, parse, now, answer=True) if asked is None else None
            if aside is None:
                return heard
            return replace(heard, aside=aside, aside_faq=self.bot.faq.match(aside[1].normalized, aside[1].tokens))
        parts = parts_of(self.nlu, parse, now)
        first_faq = second_faq = None
        if parts is not None:
            first_faq = self.bot.faq.match(parts[0].normalized, parts[0].tokens)
            second_faq = self.bot.faq.match(parts[1].normalized, parts[1].tokens)
        loose = (self.bot.faq.match_loose(parse.normalized, parse.tokens)
                 if heard.faq is None and may_take_loose_answer(parse.normalized) else None)
        listed = listed_in(self.nlu, parts[0], now) if parts is not None else None
        return replace(heard, parts=parts, listed=listed, first_faq=first_faq, second_faq=second_faq,
                       point=point_of(self.nlu, parse, now), loose_faq=loose)

    def _asked_sentence(self, text: str, spoken: str = "") -> FaqHit | None:
        """The knowledge base's answer to the sentence that asks, when the whole turn has none: 「ポイントってどんくらい
        で切れてまうん？せっかく貯めたのにもったいないやん」 (the remark after the question lowers its match), in
        standard form too (どんくらい: どのくらい, 切れてまう: 切れてしまう)."""
        asking = [m.group(0).strip(" 、") for m in _ASKING_SENTENCE.finditer(text)]
        # a question trailing off, no question mark: 「送料って、いくら以上で無料になるんでしたっけ… 今4000円分しか…」
        asking += [said for part in _TRAILED_OFF.split(text) if (said := part.strip(" 、")) and ENDS_ASKING.search(said)
                   and said not in asking and said != text.strip(" 、。")]
        if not asking and " " in spoken.strip():
            # a voice transcript has pauses, no question marks: 「…何も買ってないんですよ ポイントってまだ使えるんでしょうか」
            last = spoken.strip().rsplit(" ", 1)[-1]
            if ENDS_ASKING.search(last):
                asking = [normalize(last).text]
        for candidate in [text, *(a for a in asking if a != text)]:
            hit = self.bot.faq.match(candidate) if candidate != text else None
            standard = standard_form(candidate)
            if hit is None and standard != candidate:
                hit = self.bot.faq.match(standard)
            if hit is not None:
                return hit
        return None

    def _asked_on(self, text: str, asked: str) -> FaqHit | None:
        """「じゃあ 初期不良だったら」 after the return-shipping answer: too little to match alone, a question of
        another entry when read with the question just answered (返品の送料… 初期不良だったら: the defect entry)."""
        entry = next((e for e in self.bot.faq.entries if e.id == asked), None)
        if entry is None or not _LEANS_ON_ANSWER.search(text):
            return None
        for said in dict.fromkeys((text, standard_form(text))):  # 「コンビニ払いやったら？」: だったら
            hit = self.bot.faq.match(f"{entry.question}、{said}")
            if hit is not None and hit.entry.id != asked:
                return hit
        return None

    # -- what the flows ask the manager -------------------------------------------------------------------

    async def _begin_payment(self, turn: Turn, flow: Flow, step: Step) -> str | Stop:
        return await self.payments.begin(turn, flow, step)

    def _check_callback_time(self, turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
        """Is someone there to call back at the date and time the caller asked for? With `earliest`, the first
        time someone is (on `date` when given, else from now on): result `earliest`."""
        queue = args.get("queue") or "general"
        if args.get("earliest"):
            return self._earliest_callback(turn, queue, args.get("date") or "")
        try:
            when = datetime.fromisoformat(f"{args.get('date')}T{args.get('time') or '00:00'}").replace(tzinfo=TOKYO)
        except ValueError:
            return {"result": "invalid"}
        if when <= turn.now:
            return {"result": "past"}
        if self.escalation.hours.is_open(queue, when):
            return {"result": "ok"}
        nxt = self.escalation.hours.next_open(queue, when).astimezone(TOKYO)
        found = {"next_date": nxt.date().isoformat(), "next_time": nxt.strftime("%H:%M")}
        window = _WINDOW.fullmatch(args.get("window") or "")
        if window is not None and nxt.date() == when.date() and window[1] <= found["next_time"] < window[2]:
            return {"result": "within", **found}  # 「午前中に」 at 8:00, agents from 9:00: 9:00 is still 午前中
        return {"result": "closed", **found}

    def _earliest_callback(self, turn: Turn, queue: str, date: str) -> dict[str, Any]:
        try:
            day = datetime.fromisoformat(f"{date}T00:00").replace(tzinfo=TOKYO) if date else None
        except ValueError:
            return {"result": "invalid"}
        first = self.escalation.hours.first_callback(queue, turn.now, not_before=day).astimezone(TOKYO)
        return {"result": "earliest", "next_date": first.date().isoformat(), "next_time": first.strftime("%H:%M")}

    # -- the end of a call -------------------------------------------------------------------------------

    async def _finish(self, turn: Turn) -> None:
        state = turn.state
        if turn.handover is None and state.outcome != "transferred":
            kind = "callback" if state.outcome == "callback_scheduled" else "end"
            turn.handover = api.Handover(kind, state.reason)  # type: ignore[arg-type]
        try:
            events = [*await self.store.events(state.id), *_log(turn)]
            history, flagged = (await crm.note_context(self.customers, state, turn.now)
                                if self.customers is not None else (None, False))
            await save_case_note(self.store, state, events, self.bot, history=history, flagged=flagged)
        except Exception:
            log.exception("could not save the case note of %s", state.id)
        if state.outcome == "callback_scheduled":
            await self._book_callback(turn)

    async def _book_callback(self, turn: Turn) -> None:
        """A callback the caller agreed to is booked, not only said (ivr/outbound_channel.py places it)."""
        # a caller served in another language is called back by an agent who speaks it
        job = callback_job(turn.state, self.bot, turn.now, queue=self.exits.language_queue(turn))
        if job is None:
            log.warning("callback promised in %s without a number to call", turn.state.id)
            return
        try:
            await self.outbox.add(job)
        except Exception:
            log.exception("could not book the callback of %s", turn.state.id)


_CLOSINGS = frozenset({"goodbye", "thanks", "deny", "affirm"})
# numbers an agent looks the caller up by, and an amount the caller disputes (「3,300円が2件引かれてます」)
_KEPT_FOR_AGENT = frozenset({"order_id", "phone_number", "postal_code", "amount"})
_ASKING_SENTENCE = re.compile(r"[^。！？!?]+[？?]")  # a sentence that ends asking, in a turn of several
_TRAILED_OFF = re.compile(r"[。！!…‥]+|\.{3,}")
_SURE_THANKS = 0.6
_SAID_AGAIN = 0.6  # a yes that names the request being served, this sure, is logged as that request


def _keep_for_agent(turn: Turn, parse: Parse) -> None:
    """The numbers said in a turn that goes to a person go with the caller to the agent (the case note's slots),
    as the bot would have kept them."""
    turn.emit(*(SlotSet(e.type, e.value, "heard_early") for e in parse.entities
                if e.type in _KEPT_FOR_AGENT and e.type not in turn.state.slots))


def _sure_alone(intent: str, heard: Heard) -> bool:
    """The turn's main clause, read alone, is surely this request (see interpret.point_of), or the words after a
    change of mind are (「オペレーターさんにつないでもらえます？あ、いや、やっぱええわ…梅田店ってどこにあるん？」:
    the person asked for first is taken back)."""
    return any(part is not None and part.intent.name == intent and part.intent.confidence >= TOPIC_SWITCH
               for part in (heard.point, heard.rest))


# the caller says they are done, beside the thanks (「ありがとうございます、それで十分です」「それだけ聞きたかったと」
# 「じゃあ大丈夫です、ありがとうございました」): a goodbye; thanks alone stay thanks
_DONE_SAID = re.compile(r"それだけ|それだげ|十分|じゅうぶん|大丈夫|だいじょうぶ|以上|いじょう|(知|し)りたかった|(聞|き)きたかった")


def heard_event(heard: Heard, action: Action, serving: str | None = None, answering: bool = False,
                guessed: str | None = None, warned: bool = False) -> CallerSaid:
    """The caller's turn for the log; its intent is the request the bot acted on, when it acted on one
    (「もう一度だけ言いますけど、荷物が来てないんです」 is logged as order_status, not the classifier's repeat)."""
    parse = heard.parse
    if parse is None:
        digits = heard.digits or ""
        return CallerSaid(f"[DTMF {digits}]", dtmf=digits)
    intent, confidence = parse.intent.name, parse.intent.confidence
    # the request acted on: a sure one, or the one said after a no (「やっぱりやめておきます。…いつ頃届くかだけ教えて」
    # at a cancellation's read-back)
    acted = (action.intent if isinstance(action, Request) and not action.clarify
             else action.intent if isinstance(action, No) else None)
    if acted and acted != intent:
        intent = acted
        confidence = max((r.confidence for r in (heard.rest or parse).ranking if r.name == intent), default=0.0)
    elif isinstance(action, Simple) and action.kind in ("end", "confirm_end") and (
            intent not in _CLOSINGS or intent == "thanks" and (gives_up(parse.normalized)
                                                               or _DONE_SAID.search(parse.normalized))):
        # 「番号が手元になくて…また後でかけ直します」 reads as callback_request; 「やっぱりいいわ、息子に頼むことにする
        # から。…どうもありがとう」 and 「ありがとうございます、それで十分です」 as thanks: the bot heard a goodbye
        intent, confidence = "goodbye", 1.0
    elif action == Simple("repeat"):
        intent, confidence = "repeat", 1.0  # 「わりい、外さいて風の音で聞ごえねがった」 (complaint 0.15): heard as asked
    elif isinstance(action, Yes) and intent == "thanks" and parse.intent.confidence >= _SURE_THANKS:
        pass  # 「ありがとうございます、助かりました」 to 「解消されましたでしょうか」: a thank-you, which the bot took as yes
    elif isinstance(action, Yes) and guessed is not None and intent == guessed:
        pass  # 「いえ、届いてはいるんです、返品のほうです」 to 「返品・交換についてでしょうか」: the request said again
    elif (isinstance(action, Yes) and serving is not None and intent == serving
          and parse.intent.confidence >= _SAID_AGAIN and not words.only_yes_or_no(parse.normalized)):
        pass  # 「やはり返品ではなく交換でお願いできますか」 to a return's read-back: the request said again, its kind changed
    elif isinstance(action, Yes | No) and not (isinstance(action, No) and action.intent):
        intent, confidence = ("affirm" if isinstance(action, Yes) else "deny"), 1.0  # what the answer meant
    elif isinstance(action, Fill | Correct) and serving is not None:
        intent, confidence = serving, 1.0  # a value belongs to the request it answers, whatever it sounds like
    return CallerSaid(
        heard.said_as if heard.said_as is not None else parse.text,
        intent=intent,
        confidence=round(confidence, 3),
        entities={e.type: e.value for e in parse.entities},
        emotion=parse.emotion.label,
        harassment=abuse.kind if (abuse := counted_harassment(parse, answering, warned)) and abuse.detected else None,
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


FILLERS_FAIL_AFTER = 2  # failures in a row after which fillers alone count as one more


def condolence_first(action: Action, decision: Decision) -> bool:
    """「母が亡くなりまして、退会したいのですが」: a request told with grief that a rule hands over (account closure,
    a complaint) still hears sympathy first. A warning serves the request, which says it then; the distress
    transfer's own words already carry it; an ended call gets none."""
    grief = (isinstance(action, Request) and action.condolence) or action == Simple("distress")
    return grief and decision.action not in ("warn", "end") and decision.prompt != "transfer_distress"


# the intent a classifier gives abuse itself (「ふざけんなよ、このバカ」 reads as a complaint; SPEC 4 name)
COMPLAINT_INTENT = "complaint"
OPERATOR_INTENT = "operator_request"


def handed_over_request(action: Action, decision: Decision) -> str | None:
    """The request a hand-over (or the callback offered instead) acts on: 「人と話したい」 (also in a call already about
    something: SPEC 7.2's intents include what a global handler took; the case note stays about the order), a
    complaint, a closure, an order status said in anger. Not a guess still to be confirmed, nor words read as
    harassment or said in another language."""
    if not isinstance(action, Request) or action.clarify or action.hinted:
        return None
    if decision.action not in ("transfer", "supervisor", "offer_callback") or decision.reason in ("harassment", "language"):
        return None
    return action.intent


def served_after_warning(action: Action, decision: Decision) -> Action | None:
    """What a harassment warning still serves: the request said with the abuse (「バカが、注文どうなってんだよ」 is
    an order status), but not a complaint read from the abusive words alone, nor a person asked for with the
    abuse (「オペレーターって女の人？スリーサイズ教えて」 was warned and put through to an agent in one turn): the
    caller is asked for their request instead, and a person never gets the call from the abuse."""
    if (decision.action == "warn" and isinstance(action, Request)
            and action.intent in (COMPLAINT_INTENT, OPERATOR_INTENT)):
        return None
    return action
