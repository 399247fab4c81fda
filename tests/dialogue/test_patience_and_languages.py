"""Callers who need patience (dev48) and callers in other languages (dev47), 2026-12-06:

- 「ちょっと待ってね…自分の番号って覚えてないのよね」 at the phone check: time asked for first, given, not a transfer;
- 「え すみません 何時まででしたっけ もう一回お願いします」 after an answer: the answer again;
- "my japanese is not so good can i speak english i want to check my order": English, and the request asked about;
- an order number said in Chinese goes to the agent who speaks Chinese in the call's slots.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_time_asked_for_before_i_dont_remember_is_given(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: looking for her own number
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-12-08T15:00:00+09:00"
  turns:
    - user: 注文番号12345678の荷物、いまどこですか
      expect: {awaiting: "slot:phone_number"}
    - user: あ、ちょっと待ってくださいね、えーと、自分の携帯の番号って覚えてないのよ
      expect: {awaiting: "slot:phone_number"}
    - user: ぜろきゅうぜろ いちにさんよん ごーろくななはち
  expect: {outcome: resolved, slots: {phone_number: "09012345678"}}
""")
    assert result.passed, result.failures


async def test_the_answer_asked_back_is_said_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: what time was it again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 渋谷店って今日何時までですか
      expect: {awaiting: anything_else}
    - user: あ ごめんなさい 何時まででしたっけ もう一度お願いします
      expect: {intent: repeat, awaiting: anything_else, says: 21時}
""")
    assert result.passed, result.failures


async def test_english_asked_for_with_a_request_keeps_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: switches to English with the request
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: sorry my japanese is not good can i speak english i want to check my order
      expect: {awaiting: confirm, says: order}
    - user: yes
      expect: {awaiting: "slot:order_id"}
""")
    assert result.passed, result.failures


async def test_an_order_number_said_in_chinese_goes_with_the_caller(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: Chinese, order number in the first message
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 你好，请问我的订单34567890什么时候能送到？
  expect: {outcome: transferred, slots: {order_id: "34567890"}}
""")
    assert result.passed, result.failures
