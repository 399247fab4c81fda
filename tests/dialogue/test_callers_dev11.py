"""Failures found by dev11 (benchmarks/conversations/dev11, 60 callers written blind, 2026-12-05), one test each:
「ちょっと聞き逃しちゃって、もう一回言ってもらえますか」 was not a repeat; 「わかりました、ありがとうございます。以上です」
was asked 「そのほか…」 again; a veiled threat in keigo (「身の安全をよくお考えになったほうが」) went to a person for
anger instead of the harassment path; an elderly caller's kettle return was asked about stock, and her
「はいはい、そうそう、返品で」 taken as yes to it.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("ask", ["すみません、ちょっと聞き逃しちゃって、もう一回言ってもらえますか",
                                 "メモできなかったので、もう一度お願いします"])
async def test_missed_it_and_asked_again_is_a_repeat(tmp_path: Path, bot: Bot, nlu: NLU, ask: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: repeat after the answer
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 注文したものがいつ届くか知りたくて
    - user: "12345678"
      expect: {{says: 配送中}}
    - user: {ask}
      expect: {{intent: repeat, says: 11月25日}}
    - user: わかりました、ありがとうございます。以上です
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


async def test_thanks_and_that_is_all_once_served_ends(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: that is all
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 注文したものがいつ届くか知りたくて
    - user: "12345678"
    - user: はい
      expect: {says: どのようなご用件でしょうか}
    - user: わかりました、ありがとうございます。以上です
      expect: {says: 失礼いたします}
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("threat", ["住所も存じておりますから、身の安全をよくお考えになったほうがよろしいですよ",
                                    "担当の方のお名前、覚えておきますね。夜道にはお気をつけくださいませ"])
async def test_a_veiled_threat_in_keigo_is_harassment(tmp_path: Path, bot: Bot, nlu: NLU, threat: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: veiled threats
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T10:30:00+09:00"
  turns:
    - user: 御社の担当者の名前を教えてください。ネットに晒させていただきますので
    - user: {threat}
  expect: {{reason: harassment}}
""")
    assert result.passed, result.failures


async def test_an_elderly_kettle_return_is_a_return(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: elderly return, long story
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: あのですね、ポットをね、電気の、お湯を沸かすやつ、買ったんですけどね、家にもう一つあったのを忘れておってね。それでね、返したいんですよ
      expect: {awaiting: "slot:order_id"}
    - user: さんよんごーろくななはちきゅうぜろ
      expect: {says: 返品をお受けいたします}
    - user: はい
    - user: 以上です
  expect: {outcome: resolved, slots: {order_id: "34567890", return_kind: return}}
""")
    assert result.passed, result.failures


async def test_yes_with_another_request_named_at_a_clarify_question_is_that_request(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: yes, but the other thing
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ワイヤレスイヤホン
      expect: {awaiting: confirm, says: 商品の在庫についてのお問い合わせでよろしいでしょうか}
    - user: はいはい、そうそう、返品で
      expect: {awaiting: "slot:order_id", says: ご注文番号}
    - user: "34567890"
    - user: はい
    - user: 以上です
  expect: {intents: [return_exchange], outcome: resolved, slots: {return_kind: return}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(
    ("opening", "line"),
    [
        ("実は先月母が亡くなりまして、母名義の会員を解約したいんですが", "ご愁傷様でございます"),
        ("主人が急に死んでしまって…、主人の注文を取り消したいんです", "ご愁傷様でございます"),
        # a stay in hospital is hard, not a bereavement: no 「ご愁傷様」
        ("母が入院しまして、注文をキャンセルしたいんです", "大変でございましたね"),
    ],
)
async def test_a_death_in_the_family_hears_condolences(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str, line: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: grief first
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "12345678"}}
  expect: {{says: {line}}}
""")
    said = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert line in said, said
    assert ("ご愁傷様" in said) == (line == "ご愁傷様でございます")
