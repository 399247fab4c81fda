"""A request asked back (「ご注文の配送状況についてのお問い合わせでよろしいでしょうか」) and confirmed with a bare
「はい」: the flow's first steps hear the words of the request, not only the yes. A retrain that made a Tohoku
caller's 「あのよ でんきけとる たのんだんだども まだ 来ねえんだ」 a question to confirm lost the missing parcel (a
delivered order the caller never got went to 「配達済みとなっております」 instead of a person)."""

from __future__ import annotations

from datetime import datetime

from dialogue.bot import Bot
from dialogue.clock import TOKYO
from dialogue.heard_words import heard_words
from dialogue.state import AwaitFree, AwaitOffer, CallState
from dialogue.turn import Turn

MISSING = {"missing": "届いてない|来ねえ|来ない"}


def _turn(bot: Bot, awaiting: AwaitOffer | AwaitFree, last: str) -> Turn:
    state = CallState(id="c1", channel="voice", started_at="2026-12-07T10:00:00+09:00", awaiting=awaiting,
                      last_heard=last)
    return Turn(state, bot, datetime(2026, 12, 7, 10, tzinfo=TOKYO))


def test_the_request_words_asked_back_are_heard_with_the_yes(bot: Bot) -> None:
    asked = AwaitOffer("clarify", intent="order_status", words="あのよ でんきけとる たのんだんだども まだ 来ねえんだ")
    assert heard_words(_turn(bot, asked, "はい"), MISSING) == {"result": "missing"}


def test_without_a_question_asked_back_the_last_words_alone_count(bot: Bot) -> None:
    assert heard_words(_turn(bot, AwaitFree(), "はい"), MISSING) == {"result": "none"}
    callback = AwaitOffer("callback", reason="emotion")
    assert heard_words(_turn(bot, callback, "はい"), MISSING) == {"result": "none"}
