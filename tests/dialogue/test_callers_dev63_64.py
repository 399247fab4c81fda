"""Callers of the blind sets dev63 (accounts and money) and dev64 (callers who change their mind) that failed
on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("given_up", [
    "あ、やっぱいいや。引っ越しまだ先だったわ",
    "やっぱりいいです",
])
async def test_a_request_given_up_at_a_question_is_dropped(tmp_path: Path, bot: Bot, nlu: NLU, given_up: str) -> None:
    # the order number was asked again and again
    result = await _run(tmp_path, bot, nlu, f"""
- name: given up
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 住所変更したいんだけど
      expect: {{awaiting: "slot:order_id"}}
    - user: {given_up}
      expect: {{awaiting: anything_else, says: 取りやめます}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening, given_up", [
    ("登録住所の変更をしたいのですが",
     "大変失礼いたしました。新しい住所がまだ確定しておりませんでしたので、本日はやめておきます。ありがとうございました"),
    ("もしもし、あのね、そちらから電話をかけ直してほしいんですけどね",
     "やっぱりいいわ、息子に頼むことにするから。ごめんなさいね、どうもありがとう"),
])
async def test_a_request_given_up_with_thanks_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                            given_up: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: given up, thanks
  channel: voice
  caller: {{phone: "0312345678"}}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: {opening}
    - user: {given_up}
      expect: {{intent: goodbye}}
  expect: {{outcome: ended}}
""")
    assert result.passed, result.failures
    assert result.transcript[-1]["text"].endswith("失礼いたします。"), result.transcript[-1]


async def test_a_person_asked_for_and_taken_back_is_not_called(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: never mind the operator
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: オペレーターさんにつないでもらえます？あ、いや、やっぱええわ、自分で聞くわ。梅田店ってどこにあるん？
      expect: {intent: store_location, awaiting: anything_else}
  expect: {slots: {store: umeda}}
""")
    assert result.passed, result.failures
    assert result.outcome != "transferred"


async def test_the_wrong_order_number_mended_after_the_answer(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the earphones' number by mistake
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: こないだ届いた電気ケトル、返品したいんだけど
    - user: 番号は12345678
      expect: {awaiting: anything_else, says: 配送中}
    - user: あ、ごめん、それイヤホンの方の番号だわ。ケトルのは34567890
      expect: {awaiting: confirm, says: 電気ケトルの返品}
    - user: はい
  expect: {outcome: resolved, slots: {order_id: "34567890"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "ログインできなくてパスワード再設定しようと思ったけど、もういいや、めんどくさいから退会したいです",
    "ログインもできないし、もう面倒なので退会したいんです",
])
async def test_fed_up_with_the_first_thing_the_wish_after_it_is_the_request(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                           opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: fed up
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: {opening}
  expect: {{intents: [account_closure], outcome: transferred, reason: complex}}
""")
    assert result.passed, result.failures


async def test_a_side_question_at_the_delivery_day_leaves_the_day_unanswered(tmp_path: Path, bot: Bot,
                                                                             nlu: NLU) -> None:
    # 今日 of 「渋谷店は今日何時まで」 became the delivery day
    result = await _run(tmp_path, bot, nlu, """
- name: the store's hours first
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 配達日の変更をお願いしたいのですが
    - user: 注文番号は12345678です
      expect: {awaiting: "slot:date"}
    - user: あ、すみません、その前にひとつだけ。渋谷店は今日何時まで開いていますか
      expect: {awaiting: "slot:date", says: 21時}
    - user: 19日の土曜日で
    - user: 午前中
    - user: はい
  expect: {outcome: resolved, slots: {date: "2026-12-19", time_window: "08:00-12:00"}}
""")
    assert result.passed, result.failures


async def test_a_return_turned_into_a_complaint_at_a_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a formal complaint instead
  channel: chat
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: 返品の手続きをお願いしたいのですが
    - user: いえ、やはり返品ではなく、苦情として正式に申し入れをしたいと思います。二度続けて不良品が届きましたので
  expect: {outcome: transferred, reason: complex}
""")
    assert result.passed, result.failures
