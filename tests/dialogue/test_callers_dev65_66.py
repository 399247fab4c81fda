"""Callers of the blind sets dev65 (voice callers as the recogniser writes them) and dev66 (callers in English
and other languages) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from dialogue.testing import Turn
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_an_english_wish_clause_is_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the whole turn read as an order's status (0.34); its wish clause alone is a delivery change
    result = await _run(tmp_path, bot, nlu, """
- name: travelling this week
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: Hi, I need to change the delivery date for my earphones, I'm travelling this week.
      expect: {awaiting: "slot:order_id"}
  expect: {intents: [delivery_change]}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "Can I send back a kettle I bought from you? Changed my mind, it's still in the box.",
    "Hi there. A kettle I ordered came a couple of days ago and it doesn't heat up properly. I'd like to send it back.",
])
async def test_an_english_return_asked_for_goes_on_to_the_return(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                 opening: str) -> None:
    # the knowledge base's return policy was all they got
    result = await _run(tmp_path, bot, nlu, f"""
- name: send it back
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: "{opening}"
      expect: {{awaiting: "slot:order_id"}}
""")
    assert result.passed, result.failures


async def test_an_english_question_of_what_is_possible_stays_a_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: can I pay cash
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: I don't have a credit card. Can I pay cash when the package arrives? Is there an extra fee for that?
      expect: {says: "330 yen", awaiting: confirm}
""")
    assert result.passed, result.failures


async def test_an_english_callback_to_another_mobile_around_four(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: from a hotel
  channel: voice
  caller: {phone: "0312349876"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: Hi, I'm calling from my hotel. Can someone call me back on my mobile instead?
      expect: {awaiting: "slot:phone_number"}
    - user: oh nine oh, seven seven seven seven, one one one one
    - user: today
    - user: around four
      expect: {awaiting: confirm}
    - user: "Yes"
  expect: {outcome: callback_scheduled, slots: {phone_number: "09077771111", time: "16:00"}}
""")
    assert result.passed, result.failures


async def test_a_callback_asked_for_with_the_loanword(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: コールバック
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 今ちょっとバタバタしてて、コールバックお願いできます？
      expect: {intent: callback_request, awaiting: confirm}
""")
    assert result.passed, result.failures


async def test_a_kana_day_after_the_month_and_a_whole_day_at_home(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: じゅうにがつ みっか
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-01T10:00:00+09:00"
  turns:
    - user: あのー ふざいひょうって いうのが ぽすとに はいってましてね
    - user: 一二三四 五六七八
    - user: じゅうにがつ みっか なら いちにち いえに おりますので
      expect: {awaiting: "slot:time_window"}
""")
    assert result.passed, result.failures
    assert result.slots.get("date") == "2026-12-03"


async def test_a_recognisers_homophone_of_the_kettle(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 電気蹴とる
  channel: voice
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 電気蹴とるって いつ 入荷しますか
      expect: {says: 入荷}
  expect: {slots: {product: kettle}}
""")
    assert result.passed, result.failures


def test_a_turn_may_give_the_recognisers_line_as_nlu_parse_takes_it() -> None:
    turn = Turn.model_validate({"user": {"text": "ちゅうもん", "alternatives": [{"text": "注文", "confidence": 0.7}]}})
    assert turn.user == "ちゅうもん" and turn.alternatives == [{"text": "注文", "confidence": 0.7}]


@pytest.mark.parametrize("done", ["以上で", "そっか、了解。以上で"])
async def test_that_is_all_with_de_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU, done: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: 以上で
  channel: voice
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 代引きの手数料っていくらだっけ
    - user: {done}
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures
