"""Found talking to `ivr chat` as an elderly caller (kana-only ASR): a filler with a particle left over
(「えっとね」 normalises to 「ね」) is a hesitation, and 「はやくて わからない」 asks for a slower pace, not 「わからない」."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogue.bot import Bot, load_bot
from dialogue.interpret import Heard, Simple, interpret, rest_of
from dialogue.question import question_for
from dialogue.state import AwaitConfirm, Awaiting, AwaitSlot, CallState, frozen
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


def _interpret(bot: Bot, nlu: NLU, awaiting: Awaiting, said: str) -> object:
    state = CallState(id="t", channel="voice", started_at=NOW.isoformat(), awaiting=awaiting, slots=frozen({}))
    parse = nlu.parse(said, NOW)
    return interpret(question_for(state, bot), Heard(parse=parse, rest=rest_of(nlu, parse, NOW)), bot.entities)


@pytest.mark.parametrize("said", ["えっとね", "うーんとね", "えーとですね", "あのさあ", "ええとね、ちょっとまってね"])
def test_a_filler_with_a_particle_is_a_hesitation(bot: Bot, nlu: NLU, said: str) -> None:
    assert _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), said) == Simple("hesitate")


@pytest.mark.parametrize("said", ["ちょっと はやくて わからないよ", "もう少しゆっくり話してもらえますか", "早口で分からへん"])
def test_too_fast_is_a_request_to_slow_down(bot: Bot, nlu: NLU, said: str) -> None:
    assert _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), said) == Simple("slow_down")


@pytest.mark.parametrize("said", ["ゆっくりでいいですよ", "わからないです"])
def test_other_words_keep_their_meaning(bot: Bot, nlu: NLU, said: str) -> None:
    assert _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), said) != Simple("slow_down")


def test_slow_down_at_a_confirmation(bot: Bot, nlu: NLU) -> None:
    got = _interpret(bot, nlu, AwaitConfirm("cancel_order", "confirm_cancel"), "すみません、もうちょっとゆっくりお願いします")
    assert got == Simple("slow_down")


# found in `ivr chat` as an elderly caller: repeating the question while looking is still only a moment's wait
@pytest.mark.parametrize("said", ["ばんごう？ええと、ちょっと待ってね", "注文番号ですか、ちょっとお待ちください",
                                  "電話番号ね、えっと、今見ますね"])
def test_echoing_the_question_while_looking_is_a_hesitation(bot: Bot, nlu: NLU, said: str) -> None:
    assert _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), said) == Simple("hesitate")


def test_the_echo_alone_is_not_a_wait(bot: Bot, nlu: NLU) -> None:
    assert _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), "番号？") != Simple("hesitate")
