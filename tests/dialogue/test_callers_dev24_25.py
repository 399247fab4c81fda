"""Classes the blind sets dev24 (hard ordinary callers) and dev25 (typed chat) found on their first run, one test
each: 「だからよ」 (Okinawan yes) at a confirmation warned as abuse and then handed over for anger; a mobile number typed
without its trunk 0 (9012345678); 「ねんあけの よっか」 as a callback day, and a callback day never understood sending
the caller round the callback offer for ever; an elderly caller's 「それは どこに かいてあるんですか」 and 「ぼたんで
おしても いいんですか」 at the order-number question; symbols typed alone taken for a pause; 「殺す気ですかｗ」 (a joke)
handed over for anger.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("yes", ["だからよ", "だからよー", "んだ"])
async def test_a_dialect_yes_at_a_confirmation_is_neither_abuse_nor_anger(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                          yes: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: Okinawa, cancel
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: はいさい ちゅうもんした けとる きゃんせる したいさー
    - user: にさんよんご ろくななはちきゅう
      expect: {{awaiting: confirm}}
    - user: {yes}
      expect: {{harassment: false, awaiting: anything_else}}
    - user: それだけです
  expect: {{outcome: resolved, reason: null, slots: {{order_id: "23456789"}}}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("typed", ["9012345678", "90-1234-5678"])
async def test_a_mobile_number_typed_without_its_first_zero_is_the_number(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                         typed: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: chat, phone typed as after +81
  channel: chat
  caller: {{}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: 注文の状況を知りたいです。注文番号は12345678
      expect: {{awaiting: "slot:phone_number"}}
    - user: "{typed}"
      expect: {{awaiting: anything_else}}
    - user: 以上です
  expect: {{outcome: resolved, slots: {{order_id: "12345678", phone_number: "09012345678"}}}}
""")
    assert result.passed, result.failures


async def test_the_fourth_after_new_year_is_a_callback_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: year-end break, callback after the new year
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-30T11:00:00+09:00"
  turns:
    - user: おぺれーたーの かたと おはなし できますか
    - user: はい おねがいします
    - user: はい おねがいします
      expect: {awaiting: "slot:date"}
    - user: ねんあけの よっか
      expect: {awaiting: "slot:time"}
    - user: ごご にじ
    - user: はい
  expect: {outcome: callback_scheduled, slots: {date: "2027-01-04", time: "14:00"}}
""")
    assert result.passed, result.failures


async def test_a_callback_day_never_understood_ends_the_call_instead_of_offering_the_callback_again(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: Sunday, callback day not understood three times
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-06T11:00:00+09:00"
  turns:
    - user: 担当の人と話したいんですけど
    - user: はい
    - user: はい
      expect: {awaiting: "slot:date"}
    - user: ふにゃふにゃ
    - user: ふにゃふにゃ
    - user: ふにゃふにゃ
      expect: {says: 受付時間内に改めて}
  expect: {outcome: ended}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("asked", "says"), [
    ("ちゅうもんばんごう？ それは どこに かいてあるんですか", "ご注文確認メール"),
    ("注文番号ってなんですか", "ご注文確認メール"),
    ("でんわの ぼたんで おしても いいんですか", "ボタンで入力していただけます"),
])
async def test_a_question_about_the_number_asked_for_is_answered_and_the_question_stays(
        tmp_path: Path, bot: Bot, nlu: NLU, asked: str, says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: elderly caller asks about the order number
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: えー いやほんを たのんだんですけども いつ くるのか おしえて いただけますか
      expect: {{awaiting: "slot:order_id"}}
    - user: {asked}
      expect: {{awaiting: "slot:order_id", says: {says}}}
    - dtmf: "12345678"
      expect: {{awaiting: anything_else}}
  expect: {{slots: {{order_id: "12345678"}}}}
""")
    assert result.passed, result.failures


async def test_symbols_typed_alone_are_not_understood_and_a_person_follows(tmp_path: Path, bot: Bot,
                                                                           nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: chat, only symbols
  channel: chat
  caller: {}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: ？？？
    - user: ＃＄％＆＠
    - user: "!!!!!!"
  expect: {outcome: transferred, reason: repeated_failure}
""")
    assert result.passed, result.failures


async def test_a_joke_with_a_typed_laugh_is_served_not_handed_over_for_anger(tmp_path: Path, bot: Bot,
                                                                             nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: chat, 殺す気ですかｗ
  channel: chat
  caller: {}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: もう1週間も待ってるんですけど、殺す気ですかｗ 注文したイヤホンまだ？
      expect: {awaiting: "slot:order_id", harassment: false}
  expect: {intent: order_status}
""")
    assert result.passed, result.failures


async def test_a_request_named_after_an_answer_is_served_even_beside_answer_words(tmp_path: Path, bot: Bot,
                                                                                 nlu: NLU) -> None:
    # 「じゃあ返品お願いします」 reads return 0.56 and goodbye 0.33 (じゃあ) in the shipped model: among the
    # requests alone it is the return, at whatever share the answer words took
    result = await _run(tmp_path, bot, nlu, """
- name: return fee asked first, then the return
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: 返品するときって送料かかるんですか
      expect: {awaiting: confirm}
    - user: じゃあ返品お願いします
      expect: {awaiting: "slot:order_id"}
  expect: {intents: [return_exchange]}
""")
    assert result.passed, result.failures
