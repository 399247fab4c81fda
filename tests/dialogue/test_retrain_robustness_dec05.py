"""Readings that a retrain (issue 14's new situational and English lines) moved across a threshold, found by
the dev suites and made to rest on the words instead of the classifier's margin, one test each:
「先日の注文の件で確認したいことがあるんですけど」 (a topic, the request to come) got 「聞き取れませんでした」; 「オペレーター
お願い…あ、待って、やっぱり自分でやります。再配達を…」 was asked about the operator; panic about a parcel sent to a
stranger was asked 「ご不満の件でしょうか」 instead of going to a person as emotion; 「ケトル、まだ入らないんですか？
うちのが壊れてから…」 was taken for a return of a broken product.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("opening", ["先日の注文の件で確認したいことがあるんですけど"])
async def test_a_topic_named_before_the_request_is_asked_about(tmp_path: Path, bot: Bot, nlu: NLU,
                                                               opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: topic first
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{awaiting: confirm}}
""")
    assert result.passed, result.failures


async def test_a_change_of_mind_said_plainly_is_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: operator, then herself
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: オペレーターお願い…あ、待って、やっぱり自分でやります。再配達をお願いしたいんです
      expect: {awaiting: "slot:order_id"}
  expect: {intents: [delivery_change]}
""")
    assert result.passed, result.failures


async def test_panic_goes_to_a_person_as_emotion(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: panic about a parcel sent to a stranger
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: どうしようどうしよう 大変なんです 知らない人の住所に送っちゃったかもしれなくて 助けてください
  expect: {outcome: transferred, reason: emotion}
""")
    assert result.passed, result.failures


async def test_a_broken_one_at_home_is_why_stock_is_asked(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: restock asked, the old kettle broke
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 電気ケトル、まだ入荷しないんですか？うちのが壊れてしまって困ってるんです
  expect: {intents: [product_availability]}
""")
    assert result.passed, result.failures
