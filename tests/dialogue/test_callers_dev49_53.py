"""Callers of the blind sets dev49-dev53 (people calling for someone else, awkward hours, the keypad, hedges and
questions back, more than was asked) that failed on their first run, each now a test.

Scripted and goal-based SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_callback_to_a_relatives_phone_asks_for_the_number(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the caller id is the daughter's: reading it back would have booked the call to the wrong phone
    result = await _run(tmp_path, bot, nlu, """
- name: callback to mother's mobile
  channel: voice
  caller: {phone: "08044445555"}
  now: "2026-11-19T10:00:00+09:00"
  turns:
    - user: すみません 母のことでご相談がありまして 明日の午後二時ごろに 母の携帯へ折り返しのお電話をいただけないでしょうか
      expect: {awaiting: "slot:phone_number"}
    - user: ぜろきゅうぜろ いちにさんよん ごーろくななはち
      expect: {awaiting: confirm, says: 090-1234-5678}
    - user: はい
  expect: {outcome: callback_scheduled, slots: {phone_number: "09012345678", date: "2026-11-20", time: "14:00"}}
""")
    assert result.passed, result.failures


async def test_a_callback_to_this_phone_still_reads_the_caller_id_back(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: callback to this phone
  channel: voice
  caller: {phone: "08044445555"}
  now: "2026-11-19T10:00:00+09:00"
  turns:
    - user: 明日の午後二時ごろに折り返しのお電話をいただけないでしょうか
      expect: {awaiting: confirm, says: 080-4444-5555}
""")
    assert result.passed, result.failures


async def test_a_company_introduction_does_not_drown_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: clerk for the company, voice pauses
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-12T14:05:00+09:00"
  turns:
    - user: お世話になっております たなか商事 総務の者ですが 会社で注文した備品の 領収書をいただきたくて 経理に出さないといけないんです
      expect: {intent: billing_inquiry, awaiting: "slot:order_id"}
""")
    assert result.passed, result.failures


async def test_owning_one_already_is_a_return_not_a_question_of_its_cost(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 持っている satisfied the return-shipping entry's "who bears the cost" (持ち) words
    result = await _run(tmp_path, bot, nlu, """
- name: duplicate gift returned
  channel: chat
  caller: {}
  now: "2026-11-12T14:05:00+09:00"
  turns:
    - user: 娘から電気ケトルをプレゼントでもらったのですが、同じものをもう持っているので返品できますか？注文したのは娘です。
      expect: {intent: return_exchange, awaiting: "slot:order_id"}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", ["荷物ば届け直してほしいんだげんど", "注文番号12345678、明日に配達し直してほしいんですが"])
async def test_a_delivery_asked_to_be_made_again_is_a_delivery_change(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                      opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: deliver it again
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-07-15T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{intent: delivery_change}}
""")
    assert result.passed, result.failures


async def test_a_tohoku_sa_after_the_window(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 午前中さ
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-07-15T10:00:00+09:00"
  turns:
    - user: 荷物ば届け直してほしいんだげんど
    - user: いちにさんよん ごろくななはち だ。あさっての午前中さ頼むっす
      expect: {awaiting: confirm}
    - user: んだ
  expect: {outcome: resolved, intents: [delivery_change], slots: {date: "2026-07-17", time_window: "08:00-12:00"}}
""")
    assert result.passed, result.failures
