"""Leaving the bot: a transfer when the queue is staffed, a callback offer when it is not (closed, or its
estimated wait above the queue's max_wait_s)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from dialogue import api, language_callback
from dialogue.answer_words import BEREAVED
from dialogue.escalation.hours import BusinessHours
from dialogue.events import (
    BotSaid,
    CallEnded,
    Escalated,
    HandedOver,
    Pushed,
    StackCleared,
    Waiting,
    case_id_for,
)
from dialogue.interpret import CALLBACK_INTENT
from dialogue.runner import Handover
from dialogue.state import AwaitMenu, AwaitOffer, AwaitSlot
from dialogue.turn import Turn

MAX_OFFERS = 2  # an unanswered callback offer is made at most this often
SUPERVISOR = "supervisor"


def protected(turn: Turn, handover: Handover) -> Handover:
    """A caller already warned for harassment goes to a supervisor, never to an ordinary agent (SPEC 6),
    whatever path asked for the person (an operator request, a complaint, a failed flow)."""
    if turn.state.harassment_warnings and handover.queue != SUPERVISOR:
        return Handover(handover.reason, SUPERVISOR, max(handover.priority, 7), handover.prompt)
    return handover


HUMAN_REQUEST = "human_request"  # SPEC 6's reason for a person asked for


class Exits:
    def __init__(self, hours: BusinessHours) -> None:
        self.hours = hours
        # the live queue waits (the agents' desk, set with the manager's `queue_waits`): a flow's own
        # hand-over (a menu key for an operator, a flow that gives up) obeys max_wait_s as the rules do
        self.waits: Callable[[], Awaitable[Mapping[str, float]]] | None = None

    def in_their_language(self, turn: Turn, handover: Handover) -> Handover:
        """A caller served in English (or another language a queue lists) reaches agents who speak it: an
        operator request or a failed flow names the general queue, whose agents speak Japanese only."""
        queue = self.hours.language_queues.get(turn.state.language)
        if queue is None or handover.queue in (queue, SUPERVISOR) or handover.reason == "harassment":
            return handover
        return Handover(handover.reason, queue, handover.priority, handover.prompt)

    async def handover(self, turn: Turn, handover: Handover) -> None:
        """A person is needed: transfer if the queue is open and its wait acceptable, else offer a callback."""
        handover = self.in_their_language(turn, protected(turn, handover))
        if self.hours.is_open(handover.queue, turn.now):
            too_long = await self._too_long(handover)
            if too_long is None:
                await self.transfer(turn, handover)
            else:
                turn.emit(Escalated("offer_callback", handover.reason, None, too_long))
                self.offer_callback(turn, handover.reason, busy=True)
        elif handover.reason == "language" or language_callback.can_offer(turn):
            self.closed_for_language(turn)
        else:
            turn.emit(Escalated("offer_callback", handover.reason, None, "queue closed"))
            self.offer_callback(turn, handover.reason)

    def closed_for_language(self, turn: Turn) -> None:
        """Nobody who speaks the caller's language is there: a callback from someone who does, offered in their
        language where the designers wrote it (dialogue/language_callback.py), else the hours in it."""
        if language_callback.can_offer(turn):
            language_callback.offer(turn)
            return
        turn.say("language_closed", interruptible=False)
        turn.emit(CallEnded("ended", "language"))

    def language_queue(self, turn: Turn) -> str:
        """The queue whose agents speak the caller's language (queues.yaml `languages`); for another foreign
        language the multilingual desk (its agents' English is the best chance), for Japanese the general one."""
        queues = self.hours.language_queues
        language = turn.state.language
        if language in queues:
            return queues[language]
        if language != "ja" and queues:
            return queues.get("en", next(iter(queues.values())))
        return "general"

    async def _too_long(self, handover: Handover) -> str | None:
        """Why the queue's wait rules a transfer out now, or None. Harassment is handled now, never later."""
        if self.waits is None or handover.queue == SUPERVISOR or handover.reason == "harassment":
            return None
        wait = (await self.waits()).get(handover.queue, 0.0)
        limit = self.hours.max_wait_s.get(handover.queue)
        if limit is not None and wait > limit:
            return f"callback instead of transfer: {handover.queue} wait {wait:.0f}s > max_wait_s {limit:.0f}s"
        return None

    def offer_callback(self, turn: Turn, reason: str, busy: bool = False) -> None:
        """`busy`: the queue is open but its wait too long, which the offer says (`callback_offer_busy`)."""
        aw = turn.state.awaiting
        if isinstance(aw, AwaitOffer) and aw.offer == "callback" and (turn.state.tries >= MAX_OFFERS - 1 or aw.again):
            # the offer was made and not answered: do not make it again (a rule that fires at the offer, as the
            # failures' one does at every 「おk」 it cannot read, comes before the tries are counted: `again`)
            turn.say("callback_unclear_end")
            turn.emit(CallEnded("ended", aw.reason))
            return
        callback = turn.bot.flow_for(CALLBACK_INTENT)
        if isinstance(aw, AwaitSlot) and callback is not None and aw.flow == callback.flow:
            # booking the callback itself failed (a day the bot could not read, three times): offering the
            # callback again would go round and round; the caller is asked to call again in the hours
            turn.say("callback_unclear_end")
            turn.emit(CallEnded("ended", reason))
            return
        if reason == "emotion" and BEREAVED.search(turn.state.last_heard or "") and not _sympathy_said(turn):
            # 「母が亡くなって…」 on a Sunday: sympathy before the hours and the offer, as the transfer would say it
            turn.say_condolence()
        if reason != HUMAN_REQUEST:
            turn.emit(StackCleared())
        elif (asked := turn.state.position) is not None and not isinstance(aw, AwaitMenu):
            # a person asked for (0 pressed) at a question of a request: declining the callback goes back to it
            # (「いえ、折り返しは結構です。このまま自分で進めます」); taking it clears it, the agent takes it up
            turn.emit(Pushed(asked))
        if isinstance(aw, AwaitOffer) and aw.offer == "callback" and turn.bot.prompts.has("callback_offer_again"):
            # still angry at the offer (「知らねえよ、早く何とかしろ」): not the hours word for word again, but an
            # apology and the offer in short, as a person would put it the second time
            turn.say("callback_offer_again")
            turn.emit(Waiting(AwaitOffer("callback", reason=aw.reason, again=True)))
            return
        busy_key = turn.localized("callback_offer_busy")
        # a caller served in another language hears the general offer in it rather than the busy one in Japanese
        in_their_language = turn.state.language == "ja" or busy_key != "callback_offer_busy"
        turn.say(busy_key if busy and in_their_language and turn.bot.prompts.has(busy_key) else "callback_offer")
        turn.emit(Waiting(AwaitOffer("callback", reason=reason)))

    async def transfer(self, turn: Turn, handover: Handover) -> None:
        handover = self.in_their_language(turn, protected(turn, handover))
        state = turn.state
        case_id = state.case_id or case_id_for(state.id)
        key = handover.prompt if handover.prompt and turn.bot.prompts.has(handover.prompt) else f"transfer_{handover.reason}"
        if key == "transfer_distress":
            key = turn.for_grief(key, "transfer_grief")
        turn.say(key if turn.bot.prompts.has(key) else "transfer", interruptible=False)
        turn.handover = api.Handover("transfer", handover.reason, handover.queue, handover.priority, case_id)
        turn.emit(HandedOver(handover.queue, handover.reason, handover.priority, case_id),
                  CallEnded("transferred", handover.reason))


def _sympathy_said(turn: Turn) -> bool:
    return any(isinstance(e, BotSaid) and e.prompt.startswith(("grief_condolence", "distress_condolence"))
               for e in turn.events)
