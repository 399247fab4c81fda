"""Failures found by dev12 (benchmarks/conversations/dev12, 60 callers written blind, 2026-12-05), one test each:
「じゃあ返品お願いします」 to 「解消されましたでしょうか」 after the return-fee answer was taken as "solved" and the
return lost; 「以上です」 there was asked 「終了してもよろしいでしょうか」; 「コンビニ払いの支払いってまだ間に合いますか」
got the konbini fee instead of the caller's own order; an empty recognition result was three 「聞き取れません」 and a
transfer instead of silence.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("then", ["じゃあ返品お願いします", "はい、それなら返品の手続きをお願いしたいです"])
async def test_a_request_after_a_faq_answer_is_served(tmp_path: Path, bot: Bot, nlu: NLU, then: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: fee first, then the return
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 返品するときって送料かかるんですか
      expect: {{awaiting: confirm, says: 返品の送料}}
    - user: {then}
      expect: {{awaiting: "slot:order_id"}}
    - user: 三四五六七八九〇
      expect: {{awaiting: confirm, says: 返品をお受けいたします}}
    - user: はい
    - user: 以上です
  expect: {{intents: [return_exchange], outcome: resolved, slots: {{order_id: "34567890", return_kind: return}}}}
""")
    assert result.passed, result.failures


async def test_that_is_all_after_a_faq_answer_ends_resolved(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: fee, then that is all
  channel: voice
  caller: {phone: "0455558888"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 送料っていくらかかるんですか
      expect: {awaiting: confirm}
    - user: 以上です
      expect: {says: 失礼いたします}
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_still_in_time_to_pay_looks_up_the_callers_order(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: konbini payment still due
  channel: chat
  caller: {}
  now: "2026-11-24T20:30:00+09:00"
  opening: コンビニ払いの支払いってまだ間に合いますか？
  answers: {order_id: "45678901", phone_number: "09077778888"}
  expect: {intent: billing_inquiry, outcome: resolved, slots: {order_id: "45678901"}}
""")
    assert result.passed, result.failures


async def test_an_empty_recognition_result_is_silence(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: nothing said
  channel: voice
  caller: {phone: "0380001111"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ""
    - user: "  "
    - user: ""
  expect: {outcome: ended, reason: no_input}
""")
    assert result.passed, result.failures
    assert not any("聞き取れません" in t["text"] for t in result.transcript if t["speaker"] == "bot")
