"""Failure classes of the blind-written dev18 callers (benchmarks/conversations/dev18), one test each, with
wordings of our own: a number corrected by its last digit in a later turn (「さっきの郵便番号、最後は7じゃなくて
1でした」) at a read-back of several values and at the question asked again after 「見つかりませんでした」; a chat
form whose phone number follows a label and a colon (「電話：090-1234-5678」); a caller who will call again
themselves (「手元にないので、また後でかけ直します」) is asked whether to end, never handed to a person or booked a
callback; a callback booked instead of a transfer carries no `reason` (SPEC 7.2: only transferred and ended do);
「…頼んだんだけど、やっぱりやめたいのよ」 cancels the order rather than the membership.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("correction", [
    "ごめんなさい、さっきの郵便番号、最後は9じゃなくて3です",
    "あ、郵便番号の最後、きゅうじゃなくてさんでした",
])
async def test_a_postal_code_mended_by_its_last_digit_at_the_read_back(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                      correction: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: postal code mended at the read-back
  channel: chat
  caller: {{}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 届け先を変えたいです。注文番号23456789、電話番号08098765432
    - user: 〒150-0049
    - user: 東京都渋谷区神南2-4-6
      expect: {{awaiting: confirm}}
    - user: {correction}
      expect: {{awaiting: confirm, says: "1500043"}}
    - user: はい
  expect: {{slots: {{postal_code: "1500043"}}}}
""")
    assert result.passed, result.failures


async def test_a_wrong_digit_named_that_the_number_does_not_end_in_changes_nothing(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the digit said is not the last one
  channel: chat
  caller: {}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 届け先を変えたいです。注文番号23456789、電話番号08098765432
    - user: 〒150-0049
    - user: 東京都渋谷区神南2-4-6
    - user: さっきの郵便番号、最後は5じゃなくて3です
      expect: {awaiting: confirm}
    - user: はい
  expect: {slots: {postal_code: "1500049"}}
""")
    assert result.passed, result.failures


async def test_an_order_number_mended_by_its_last_digit_when_asked_again(tmp_path: Path, bot: Bot,
                                                                         nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: order number mended after not found
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 荷物がいつ届くか知りたいんですが
    - user: いちにさんよん ごろくななさん
      expect: {awaiting: "slot:order_id"}
    - user: すみません、さっきの番号、最後は3じゃなくて8です
      expect: {awaiting: anything_else}
  expect: {slots: {order_id: "12345678"}}
""")
    assert result.passed, result.failures


async def test_a_callback_number_mended_at_the_read_back(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: callback number mended
  channel: chat
  caller: {}
  now: "2026-11-24T20:00:00+09:00"
  turns:
    - user: 折り返しの電話をお願いします
    - user: "08011112229"
    - user: 明日の午前10時で
      expect: {awaiting: confirm}
    - user: 電話番号の最後、9じゃなくて2でした
      expect: {awaiting: confirm, says: "1111-2222"}
    - user: はい
  expect: {outcome: callback_scheduled, reason: null, slots: {phone_number: "08011112222"}}
""")
    assert result.passed, result.failures


async def test_a_chat_form_with_labels_and_colons_gives_both_numbers(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: form-like chat message
  channel: chat
  caller: {}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: "荷物の状況を知りたいです\\n注文番号：1234-5678\\n電話：090-1234-5678"
      expect: {awaiting: anything_else}
  expect: {slots: {order_id: "12345678", phone_number: "09012345678"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("leaving", [
    "注文番号がちょっと見当たらないので、探してからまたかけ直しますね",
    "ごめん、いま出先やから、家帰ってから電話しますわ",
])
async def test_a_caller_who_will_call_again_is_asked_whether_to_end(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                     leaving: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: will call again
  channel: voice
  caller: {{phone: "0312345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 配達の日を変えたいんですけど
      expect: {{awaiting: "slot:order_id"}}
    - user: {leaving}
      expect: {{awaiting: confirm}}
  expect: {{outcome: abandoned}}
""")
    assert result.passed, result.failures
    assert "callback_request" not in result.intents


async def test_a_callback_booked_instead_of_a_transfer_reports_no_reason(tmp_path: Path, bot: Bot,
                                                                         nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: operator on a Sunday, callback instead
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-29T11:00:00+09:00"
  opening: 人と話したいんです、担当の方をお願いします
  answers: {date: 明日, time: 午前十時}
  confirm: はい
  expect: {outcome: callback_scheduled, reason: null}
""")
    assert result.passed, result.failures
    assert result.reason is None


async def test_quitting_an_order_said_after_yappari_is_a_cancel(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: yappari yametai
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ポット、いやケトルだったかな、ケトルを注文したんですけど、やっぱりやめたいんです
      expect: {awaiting: "slot:order_id"}
  expect: {intents: [cancel_order]}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("said", "reason"), [
    ("何回も電話してるのに荷物が来ないんです。もう機械じゃなくて担当の方と話させてください", "human_request"),
    ("配達の人の態度がひどすぎるんですけど", "complex"),
])
async def test_a_complaint_that_asks_for_a_person_is_a_request_for_one(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                       said: str, reason: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: complaint, a person asked for
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  opening: {said}
  expect: {{outcome: transferred, reason: {reason}}}
""")
    assert result.passed, result.failures
