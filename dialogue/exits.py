"""Leaving the bot: a transfer when the queue is staffed, a callback offer when it is not."""

from __future__ import annotations

from dialogue import api
from dialogue.escalation.hours import BusinessHours
from dialogue.events import CallEnded, Escalated, HandedOver, StackCleared, Waiting, case_id_for
from dialogue.runner import Handover
from dialogue.state import AwaitOffer
from dialogue.turn import Turn

MAX_OFFERS = 2  # an unanswered callback offer is made at most this often
SUPERVISOR = "supervisor"


def protected(turn: Turn, handover: Handover) -> Handover:
    """A caller already warned for harassment goes to a supervisor, never to an ordinary agent (SPEC 6),
    whatever path asked for the person (an operator request, a complaint, a failed flow)."""
    if turn.state.harassment_warnings and handover.queue != SUPERVISOR:
        return Handover(handover.reason, SUPERVISOR, max(handover.priority, 7), handover.prompt)
    return handover


class Exits:
    def __init__(self, hours: BusinessHours) -> None:
        self.hours = hours

    async def handover(self, turn: Turn, handover: Handover) -> None:
        """A person is needed: transfer if the queue is open, else offer a callback."""
        handover = protected(turn, handover)
        if self.hours.is_open(handover.queue, turn.now):
            await self.transfer(turn, handover)
        elif handover.reason == "language":
            self.closed_for_language(turn)
        else:
            turn.emit(Escalated("offer_callback", handover.reason, None, "queue closed"))
            self.offer_callback(turn, handover.reason)

    def closed_for_language(self, turn: Turn) -> None:
        """A callback is arranged in Japanese, which this caller does not speak: the hours, in their language."""
        turn.say("language_closed", interruptible=False)
        turn.emit(CallEnded("ended", "language"))

    def offer_callback(self, turn: Turn, reason: str) -> None:
        aw = turn.state.awaiting
        if isinstance(aw, AwaitOffer) and aw.offer == "callback" and turn.state.tries >= MAX_OFFERS - 1:
            # the offer was made and not answered: do not make it again
            turn.say("callback_unclear_end")
            turn.emit(CallEnded("ended", aw.reason))
            return
        turn.emit(StackCleared())
        turn.say("callback_offer")
        turn.emit(Waiting(AwaitOffer("callback", reason=reason)))

    async def transfer(self, turn: Turn, handover: Handover) -> None:
        handover = protected(turn, handover)
        state = turn.state
        case_id = state.case_id or case_id_for(state.id)
        key = handover.prompt if handover.prompt and turn.bot.prompts.has(handover.prompt) else f"transfer_{handover.reason}"
        turn.say(key if turn.bot.prompts.has(key) else "transfer", interruptible=False)
        turn.handover = api.Handover("transfer", handover.reason, handover.queue, handover.priority, case_id)
        turn.emit(HandedOver(handover.queue, handover.reason, handover.priority, case_id),
                  CallEnded("transferred", handover.reason))

