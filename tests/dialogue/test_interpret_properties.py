"""Properties of interpretation that no table can cover: any text at any open question gives an action and
never raises, and a global command never fires on a sentence that merely contains its word."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue.bot import Bot, load_bot
from dialogue.interpret import Action, Fill, Heard, Request, Simple, interpret, rest_of
from dialogue.question import question_for
from dialogue.state import (
    AwaitAnythingElse,
    AwaitConfirm,
    AwaitFree,
    Awaiting,
    AwaitMenu,
    AwaitOffer,
    AwaitSlot,
    CallState,
    Position,
    frozen,
)
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TOKYO)
QUESTIONS: list[Awaiting] = [
    AwaitSlot("verify_order", "ask_order", "order_id", "order_id"),
    AwaitSlot("verify_order", "ask_phone", "phone_number", "phone_number"),
    AwaitSlot("delivery_change", "ask_date", "date", "date"),
    AwaitSlot("delivery_change", "ask_time", "time_window", "time_window"),
    AwaitSlot("address_change", "ask_address", "address", "address"),
    AwaitConfirm("delivery_change", "confirm_change", "date"),
    AwaitConfirm("account_login", "offer_sms", offer=True),
    AwaitOffer("callback", reason="human_request"),
    AwaitOffer("clarify", intent="order_status"),
    AwaitOffer("goodbye"),
    AwaitAnythingElse(),
    AwaitMenu("main_menu", "welcome"),
    AwaitFree(),
]
SPOKEN = st.text(
    alphabet=st.sampled_from(list("あいうえおかきくけこさしすせそはいいえもう一度最初からちがう、。…？ 0123456789注文番号届")),
    max_size=50,
)


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


def _state(awaiting: Awaiting) -> CallState:
    stack = (Position("delivery_change", "after", call=True),) if isinstance(awaiting, AwaitSlot) else ()
    return CallState(id="p", channel="voice", started_at=NOW.isoformat(), awaiting=awaiting, stack=stack,
                     slots=frozen({"date": "2026-12-04", "order_id": "12345678"}))


def _read(bot: Bot, nlu: NLU, awaiting: Awaiting, text: str) -> Action:
    parse = nlu.parse(text, NOW)
    return interpret(question_for(_state(awaiting), bot), Heard(parse=parse, rest=rest_of(nlu, parse, NOW)),
                     bot.entities)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=80), SPOKEN), which=st.integers(0, len(QUESTIONS) - 1))
def test_any_text_at_any_question_gives_an_action(bot: Bot, nlu: NLU, text: str, which: int) -> None:
    action = _read(bot, nlu, QUESTIONS[which], text)
    assert action is not None
    if isinstance(action, Simple):
        assert action.kind in {"repeat", "start_over", "end", "confirm_end", "dont_know", "hesitate", "distress",
                               "unclear", "greet", "thanks", "invalid"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.text(alphabet=st.sampled_from(list("0123456789*#")), max_size=20),
       which=st.integers(0, len(QUESTIONS) - 1))
def test_any_keys_at_any_question_give_an_action(bot: Bot, keys: str, which: int) -> None:
    assert interpret(question_for(_state(QUESTIONS[which]), bot), Heard(digits=keys), bot.entities) is not None


# sentences that contain a command's words but mean something else, as callers say them
CONTAINS_A_COMMAND = [
    "もう一度だけ言いますけど、荷物が来てないんです",
    "もう一度配達してもらえますか",
    "もう一度確認したいんですけど、注文したイヤホンはいつ届きますか",
    "もう一回注文し直したいんですが",
    "最初から説明しますと、先週ケトルを買ったんです",
    "最初からそう言ってるじゃないですか、荷物が届かないんですよ",
    "はじめから梅田店で買うつもりでした、営業時間を教えてください",
    "聞こえなかったふりをされたんですけど、請求が二重になってます",
    "なんて言えばいいか、注文をキャンセルしたいんです",
    "失礼しますけど、渋谷店は何時までですか",
]


@pytest.mark.parametrize("text", CONTAINS_A_COMMAND)
@pytest.mark.parametrize("awaiting", QUESTIONS, ids=lambda a: type(a).__name__ + getattr(a, "step", ""))
def test_a_command_word_inside_a_sentence_is_not_the_command(bot: Bot, nlu: NLU, awaiting: Awaiting,
                                                              text: str) -> None:
    action = _read(bot, nlu, awaiting, text)
    assert action not in (Simple("repeat"), Simple("start_over"), Simple("end"))


@pytest.mark.parametrize("awaiting", QUESTIONS, ids=lambda a: type(a).__name__ + getattr(a, "step", ""))
@pytest.mark.parametrize(("text", "kind"), [
    ("もう一度お願いします", "repeat"),
    ("え？なんて？", "repeat"),
    ("すみません、聞き取れなかったので、もう一回言ってもらえますか", "repeat"),
    ("最初からお願いします", "start_over"),
])
def test_the_command_alone_is_the_command_at_every_question(bot: Bot, nlu: NLU, awaiting: Awaiting, text: str,
                                                            kind: str) -> None:
    assert _read(bot, nlu, awaiting, text) == Simple(kind)


@pytest.mark.parametrize("digits", ["12345678", "１２３４５６７８", "いちにさんよん ごーろくななはち", "1234 5678"])
def test_digits_at_the_order_number_prompt_are_the_order_number(bot: Bot, nlu: NLU, digits: str) -> None:
    action = _read(bot, nlu, QUESTIONS[0], digits)
    assert action == Fill({"order_id": "12345678"}) or (
        isinstance(action, Fill) and action.values.get("order_id") == "12345678")


def test_a_request_at_a_slot_keeps_what_it_names(bot: Bot, nlu: NLU) -> None:
    action = _read(bot, nlu, QUESTIONS[0], "あ、その前に札幌店の営業時間を教えてください")
    assert isinstance(action, Request) and action.intent == "store_hours" and action.prefill.get("store") == "sapporo"
