"""Callers who give more than was asked (dev53): an answer with another request joined to it (「12345678です。
あ、あと渋谷店って…」, 「はい、お願いします。ところで今その荷物って…」) has the answer taken and the other request kept
for when the request in hand is done (it was dropped); a number said with a request for a person goes to the agent;
a request said instead of yes to a guess keeps the order number said before; an address said after the postal code
in the first breath is not asked again; a typed form's 「時間:19-21時」 is the window.

Scripted and goal-based SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(
    ("opening", "answer", "says", "second"),
    [
        ("注文したものの配送状況を知りたいんですが", "12345678です。あ、あと渋谷店って今日は何時まで開いてますか",
         "渋谷店の営業時間", "store_hours"),
        ("ちゅうもん きゃんせる したいんですけど", "にさんよんご ろくななはちきゅう です あと でんきけとるって いつごろ にゅうか しますか",
         "入荷", "product_availability"),
    ],
)
async def test_a_request_said_with_the_answer_is_served_after_the_first(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str, answer: str, says: str, second: str
) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: answer and another request
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-12-08T11:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "{answer}", phone_number: "09012345678"}}
  expect: {{outcome: resolved, says: [承りました, 続きまして, {says}]}}
""")
    assert result.passed, result.failures
    assert result.intents[-1] == second


async def test_a_question_after_yes_at_the_read_back_is_answered_after_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: yes, and where is the parcel
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 12345678の荷物、明日の夜七時から九時に変えてもらえますか
      expect: {awaiting: confirm}
    - user: はい、お願いします。ところで今その荷物ってどこにあるんですか
      expect: {says: [変更いたしました, 配送中]}
  expect: {intents: [delivery_change, order_status], slots: {time_window: "19:00-21:00"}}
""")
    assert result.passed, result.failures


async def test_a_plain_answer_keeps_nothing_for_later(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: plain answer
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 注文したものの配送状況を知りたいんですが
    - user: 12345678です。あとで確認します
  expect: {intents: [order_status]}
""")
    assert result.passed, result.failures
    assert not any("承りました" in t["text"] for t in result.transcript)


@pytest.mark.parametrize(
    ("now", "outcome"),
    [("2026-12-08T11:00:00+09:00", "transferred"), ("2026-12-06T11:00:00+09:00", "callback_scheduled")],
)
async def test_the_order_number_said_with_a_request_for_a_person_goes_with_the_caller(
    tmp_path: Path, bot: Bot, nlu: NLU, now: str, outcome: str
) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: a person, about this order
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "{now}"
  opening: あの、人と話したいんですけど。注文12345678の配送のことで、ちょっと込み入ってて
  answers: {{date: 明日, time: 午前十時}}
  expect: {{outcome: {outcome}, slots: {{order_id: "12345678"}}}}
""")
    assert result.passed, result.failures


async def test_a_request_said_instead_of_yes_to_a_guess_keeps_the_order_number(tmp_path: Path, bot: Bot,
                                                                               nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: guessed order status, the caller changes the day instead
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-07-01T10:00:00+09:00"
  turns:
    - user: 注文番号12345678、明日に配達し直してほしいんですが
    - user: あー、すいません、やっぱり明後日にします。午前中で
      expect: {awaiting: confirm}
    - user: はい
  expect: {outcome: resolved, intents: [delivery_change],
           slots: {order_id: "12345678", date: "2026-07-03", time_window: "08:00-12:00"}}
""")
    assert result.passed, result.failures


async def test_the_address_said_after_the_postal_code_is_not_asked_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: address change in one breath
  channel: chat
  caller: {}
  now: "2026-07-01T10:00:00+09:00"
  turns:
    - user: 注文番号23456789の届け先を変えたいんです。新しいほうは郵便番号が150-0002で、渋谷区渋谷二丁目3の4、サクラハイツの201です
    - user: "08098765432"
      expect: {awaiting: confirm, says: 渋谷区渋谷2丁目3-4}
    - user: はい
  expect: {outcome: resolved, slots: {postal_code: "1500002"}}
""")
    assert result.passed, result.failures


async def test_a_typed_form_with_labels_and_colons(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a form on one line
  channel: chat
  caller: {}
  now: "2026-07-01T10:00:00+09:00"
  turns:
    - user: "配達日時の変更お願いします。注文番号:12345678 / 電話:09012345678 / 希望日:7月18日(土) / 時間:19-21時"
      expect: {awaiting: confirm}
    - user: はい
  expect: {outcome: resolved, slots: {date: "2026-07-18", time_window: "19:00-21:00"}}
""")
    assert result.passed, result.failures
