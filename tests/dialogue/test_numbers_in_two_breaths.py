"""A number read in two breaths on the phone (「いちにさんよんの」 … 「ごろくななはち」): the speech recogniser ends the
turn at the caller's pause, so the first digits arrive alone. They are kept, the caller is let go on
(「はい、1234ですね。続けてお願いいたします」), and the rest completes them; before, each half was 「確認できません
でした」 and an elderly caller who reads numbers in groups never got through.

Scripted SPEC 7.2 cases on the sample bot with the real NLU, and the pure interpretation for the edges.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.bot import Bot
from dialogue.interpret import Fill, Heard, Partial, interpret
from dialogue.question import question_for
from dialogue.state import AwaitSlot, CallState
from nlu.pipeline import NLU
from nlu.timezone import TOKYO
from tests.dialogue.cases import run_case as _run

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("1234", "5678"),
        ("いちにさんよんの", "ごろくななはち"),
        ("ちゅうもんばんごう？ちょっとまってな、えーと、いち、に、さん、よん", "ご、ろく、なな、はち"),
        ("えっと、いちにい、さん、よん", "ごー、ろく、なな、はちです"),
        ("いち に さん よん と", "ご ろく なな はち"),
    ],
)
async def test_an_order_number_in_two_turns_is_joined(
    tmp_path: Path, bot: Bot, nlu: NLU, first: str, second: str
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: order number in two breaths
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: 注文した商品がまだ届かないんですけど
      expect: {{awaiting: "slot:order_id"}}
    - user: "{first}"
      expect: {{awaiting: "slot:order_id", says: 続けてお願いいたします}}
    - user: "{second}"
      expect: {{says: 配送中}}
""",
    )
    assert result.passed, result.failures
    assert result.slots["order_id"] == "12345678"


async def test_a_phone_number_in_three_groups(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: phone number read 090 / 1234 / 5678 with pauses
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: 注文したイヤホンがいつ届くか知りたいです
    - user: "12345678"
      expect: {awaiting: "slot:phone_number"}
    - user: ぜろきゅうぜろの
      expect: {awaiting: "slot:phone_number"}
    - user: いちにさんよんの
      expect: {awaiting: "slot:phone_number"}
    - user: ごーろくななはち
      expect: {says: 配送中}
""",
    )
    assert result.passed, result.failures
    assert result.slots["phone_number"] == "09012345678"


def _at_order_id(bot: Bot, channel: str = "voice", so_far: str = "") -> CallState:
    aw = AwaitSlot("verify_order", "ask_order", "order_id", "order_id", so_far=so_far)
    return CallState(id="t", channel=channel, started_at=NOW.isoformat(), awaiting=aw)  # type: ignore[arg-type]


def _action(bot: Bot, nlu: NLU, state: CallState, text: str) -> object:
    return interpret(question_for(state, bot), Heard(parse=nlu.parse(text, NOW)), bot.entities)


@pytest.mark.parametrize(
    ("so_far", "said", "action"),
    [
        ("", "1234", Partial("1234")),
        ("1234", "5678", Fill({"order_id": "12345678"})),
        ("1234", "567", Partial("1234567")),
        ("1234567", "8", Fill({"order_id": "12345678"})),
        ("1234", "87654321", Fill({"order_id": "87654321"})),  # started again: the whole number said anew
        ("", "1", None),  # one digit alone is no start of a number
        ("", "1234です", None),  # a whole answer, if a wrong one: asked again, not waited on
        ("", "1234、お願いします", None),
        ("", "1234ですか", None),
        ("", "1234のケトルが届かない", None),  # words with the digits: the usual reading
    ],
)
def test_what_a_turn_of_digits_means_at_a_number_question(
    bot: Bot, nlu: NLU, so_far: str, said: str, action: object
) -> None:
    got = _action(bot, nlu, _at_order_id(bot, so_far=so_far), said)
    if action is None:
        assert not isinstance(got, Partial)
        assert got != Fill({"order_id": so_far + said})
    else:
        assert got == action


def test_on_chat_a_short_number_is_kept_for_the_next_message(bot: Bot, nlu: NLU) -> None:
    # a user on a phone sends 「1234」 and 「5678」 as two messages (dev16); a user who typed a short number by
    # mistake is told 「1234ですね。続きをご入力ください」 and types the whole one, which replaces it
    assert _action(bot, nlu, _at_order_id(bot, channel="chat"), "1234") == Partial("1234")
    assert _action(bot, nlu, _at_order_id(bot, channel="chat", so_far="1234"), "5678") == Fill({"order_id": "12345678"})


def test_the_first_digits_survive_a_save(bot: Bot) -> None:
    state = _at_order_id(bot, so_far="1234")
    assert CallState.from_json(state.to_json()).awaiting == state.awaiting
    # a session saved before the field existed loads with nothing heard so far
    data = state.to_json()
    del data["awaiting"]["so_far"]
    assert CallState.from_json(data).awaiting == AwaitSlot("verify_order", "ask_order", "order_id", "order_id")
