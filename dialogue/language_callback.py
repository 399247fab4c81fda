"""A caller in a language the bot does not speak, outside the hours of the agents who do: a callback from an agent
who speaks it, offered and booked in that language (issue 14: "a queue or a callback with that skill, never three
Japanese re-prompts"). The caller answers with a yes or a no in their language, a key (1 / 2), or the number to
call; nothing else in the turn is read, so no Japanese question is ever asked of them.

Prompts (the bot's data, one per language it has agents for): `language_callback_offer_<lang>` when the number
the call comes from is known, `language_callback_ask_phone_<lang>` when it is not (chat), then
`language_callback_scheduled_<lang>`; a no, or an answer not understood twice, ends with `language_closed_<lang>`.
"""

from __future__ import annotations

import re
import unicodedata

from dialogue.answer_words import FOREIGN_NO, FOREIGN_YES
from dialogue.api import UserTurn
from dialogue.escalation.hours import BusinessHours
from dialogue.events import CallEnded, CallerSaid, SlotSet, TurnFailed, Waiting
from dialogue.state import AwaitOffer, OfferKind
from dialogue.turn import Turn

OFFER: OfferKind = "language_callback"
TRIES = 2  # an answer not understood is asked once more, in the caller's language
# a mobile or fixed number in Japan, national form, as typed or said in digits (+81 folded to 0 below)
_PHONE = re.compile(r"0\d{9,10}")


def can_offer(turn: Turn) -> bool:
    """The designers wrote the offer in the caller's language (and the language is not the bot's own)."""
    language = turn.state.language
    return language not in ("ja", "en") and turn.bot.prompts.has(f"language_callback_offer_{language}")


def offer(turn: Turn) -> None:
    language = turn.state.language
    asks_number = turn.state.caller_phone is None
    turn.say(f"language_callback_{'ask_phone' if asks_number else 'offer'}_{language}", interruptible=False)
    # asking for the number, the bot waits for one (SPEC 7.2 `awaiting`: slot:phone_number), else for a yes or no
    turn.emit(Waiting(AwaitOffer(OFFER, reason="language", label="slot:phone_number" if asks_number else "confirm")))


def answer(turn: Turn, user: UserTurn, hours: BusinessHours, queue: str) -> None:
    """The caller's reply to the offer: booked, declined, or asked once more."""
    text = user.text or ""
    turn.emit(CallerSaid(text, dtmf=user.dtmf))
    number = _number(user)
    said = _reading(text, user.dtmf, turn.state.language)
    if number is None and said == "yes":
        number = turn.state.caller_phone
    if number is not None and said != "no":
        _book(turn, number, hours, queue)
        return
    if said != "no":
        turn.emit(TurnFailed())
    if said == "no" or turn.state.tries >= TRIES:
        turn.say("language_closed", interruptible=False)  # in their language where written (Turn.localized)
        turn.emit(CallEnded("ended", "language"))
        return
    offer(turn)


def _book(turn: Turn, number: str, hours: BusinessHours, queue: str) -> None:
    when = hours.first_callback(queue, turn.now)
    turn.emit(SlotSet("phone_number", number, "answer"), SlotSet("date", when.date().isoformat(), "set"),
              SlotSet("time", when.strftime("%H:%M"), "set"))
    turn.say(f"language_callback_scheduled_{turn.state.language}", interruptible=False)
    turn.emit(CallEnded("callback_scheduled", None))  # SPEC 7.2: a reason for transferred and ended only


def _number(user: UserTurn) -> str | None:
    raw = unicodedata.normalize("NFKC", f"{user.text or ''} {user.dtmf or ''}")
    digits = re.sub(r"[\s\-().]", "", raw).replace("+81", "0")
    found = _PHONE.search(digits)
    return found.group() if found else None


def _reading(text: str, dtmf: str | None, language: str) -> str | None:
    """yes / no / None from a key or the caller's words in their language (or in English, the lingua franca)."""
    if dtmf in ("1", "2"):
        return "yes" if dtmf == "1" else "no"
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    for lang in (language, "en"):
        if (no := FOREIGN_NO.get(lang)) is not None and no.search(folded):
            return "no"
        if (yes := FOREIGN_YES.get(lang)) is not None and yes.search(folded):
            return "yes"
    return "yes" if folded in ("1", "ok", "okay") else "no" if folded == "2" else None
