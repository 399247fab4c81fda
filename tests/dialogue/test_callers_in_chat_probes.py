"""Found talking to `ivr chat` as callers (2026-12-05), one test each: at 「090-…におかけしてよろしいでしょうか」 a
caller who reads out a number (the same or another) was asked the same question again, and one who said 「はい、携帯の
080…にお願いします」 was called back on the caller id; a postal code said at the order-number question
(「ゆうびんばんごうは いちごーぜろ…」) was taken for the first digits of the order number.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("said", "number"), [
    ("ぜろきゅうぜろの、いちにさんよんの、ごろくななはち", "09012345678"),  # the caller id, read out: a yes
    ("携帯の08011112222にお願いします", "08011112222"),
    ("はい、携帯の080-1111-2222にお願いします", "08011112222"),  # the yes agrees to a call, not to that number
])
async def test_a_number_said_at_the_callback_number_question_is_the_one_called(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                               said: str, number: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: out of hours, callback to the number said
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-06T20:00:00+09:00"
  turns:
    - user: 担当の人と話したいんですけど
    - user: はい、お願いします
      expect: {{awaiting: confirm, says: 090-1234-5678}}
    - user: {said}
      expect: {{awaiting: "slot:date"}}
    - user: 明日の10時
      expect: {{awaiting: confirm}}
    - user: はい
  expect: {{outcome: callback_scheduled, slots: {{phone_number: "{number}"}}}}
""")
    assert result.passed, result.failures


async def test_a_postal_code_at_the_order_number_is_kept_for_later(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: postal code first, kana transcript
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 住所を変えたいんですけど
      expect: {awaiting: "slot:order_id"}
    - user: ゆうびんばんごうは いちごーぜろ ぜろぜろぜろいち
      expect: {awaiting: "slot:order_id"}
    - user: にさんよんご ろくななはちきゅう
      expect: {awaiting: "slot:address"}
    - user: 渋谷区神南1-1-1
    - user: はい
    - user: 以上です
  expect: {outcome: resolved, slots: {order_id: "23456789", postal_code: "1500001"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("said", "written"), [
    ("しぶやく じんなん いちのにのさん です", "しぶやくじんなん1-2-3"),
    ("東京都港区芝公園四の二の八", "東京都港区芝公園4-2-8"),
    ("渋谷区神南1の1の1です", "渋谷区神南1-1-1"),
    ("一ノ瀬ハイツです", "一ノ瀬ハイツ"),  # a name with ノ in it is no block number
])
async def test_an_address_read_aloud_is_written_with_its_block_numbers(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                       said: str, written: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: address read aloud
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 住所を変えたいんですけど
    - user: "23456789"
    - user: 150-0001
      expect: {{awaiting: "slot:address"}}
    - user: {said}
      expect: {{awaiting: confirm}}
    - user: はい
    - user: 以上です
  expect: {{outcome: resolved, slots: {{address: "{written}"}}}}
""")
    assert result.passed, result.failures


# 「説明書が入っていなかったんです」 was 「聞き取れませんでした」: something missing from the box is a product
# problem (an apology, then a return or an exchange asked about), like one that does not work
async def test_something_missing_from_the_box_is_a_product_problem(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: manual missing
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 先日購入した炊飯器なんですが、説明書が入っていなかったんです
      expect: {says: 申し訳ございません}
""")
    assert result.passed, result.failures
    assert "聞き取れませんでした" not in " ".join(t["text"] for t in result.transcript)


# a chat user types the window as a range of hours: 「19-21」 was read as the digits 1921 and asked again
@pytest.mark.parametrize(("typed", "window"), [("19-21", "19:00-21:00"), ("14〜16で", "14:00-16:00"),
                                               ("2-4", "14:00-16:00")])
async def test_a_window_typed_as_a_range_of_hours(tmp_path: Path, bot: Bot, nlu: NLU, typed: str, window: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: window typed
  channel: chat
  caller: {{}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 配達日変更
    - user: "12345678"
    - user: "09012345678"
    - user: 12/10
      expect: {{awaiting: "slot:time_window"}}
    - user: "{typed}"
      expect: {{awaiting: confirm}}
    - user: OK
  expect: {{slots: {{time_window: "{window}"}}}}
""")
    assert result.passed, result.failures


# dev17: 「あ だいじょうぶです」 (the normaliser glues あ on) to 「お送りしましょうか」 was read as a goodbye, not a decline
async def test_a_decline_with_an_interjection_in_front(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: SMS declined
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: ぱすわーどを わすれて ろぐいん できないんです
      expect: {awaiting: confirm}
    - user: あ だいじょうぶです
      expect: {awaiting: anything_else}
""")
    assert result.passed, result.failures


# dev16: a chat user sends an order number as two messages (「1234」「5678」): each half was refused
async def test_a_number_sent_in_two_chat_messages(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: chat, order number in two sends
  channel: chat
  caller: {}
  now: "2026-11-20T11:00:00+09:00"
  turns:
    - user: 配送状況しりたい
    - user: "1234"
      expect: {awaiting: "slot:order_id"}
    - user: "5678"
      expect: {awaiting: "slot:phone_number"}
  expect: {slots: {order_id: "12345678"}}
""")
    assert result.passed, result.failures


# 「電子レンジです」 (not sold here) at 「どちらの商品の在庫を」 was 「聞き取れませんでした」: the products that can be
# checked are named (prompts reprompt_product), and the stores for a store that is not one of ours
@pytest.mark.parametrize(("opening", "answer", "named"), [
    ("在庫を確認したいんですが", "電子レンジです", "コーヒーメーカー"),
    ("新宿店の営業時間を教えて", "新宿店です", "札幌店"),
])
async def test_an_answer_outside_the_list_hears_the_list(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                         answer: str, named: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: not one of ours
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: {opening}
    - user: {answer}
      expect: {{says: {named}}}
""")
    assert result.passed, result.failures


# dev17: 「いえ こんびにで はらいます」 to 「ご不明な点は解消されましたでしょうか」 went to a person as unsolved; the no
# waves off more help (the caller has their plan). A no that says it is still unclear still goes to a person
@pytest.mark.parametrize(("said", "then", "outcome"), [("いえ こんびにで はらいます", "以上です", "resolved"),
                                                       ("いえ、まだよくわからないです", "", "transferred")])
async def test_a_no_with_the_callers_own_plan_is_no_call_for_help(tmp_path: Path, bot: Bot, nlu: NLU, said: str,
                                                                  then: str, outcome: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: unpaid konbini order
  channel: voice
  caller: {{phone: "09077778888"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 請求の確認をしたいんですが
    - user: "45678901"
      expect: {{awaiting: confirm}}
    - user: {said}
{f"    - user: {then}" if then else ""}
  expect: {{outcome: {outcome}}}
""")
    assert result.passed, result.failures


# on a Sunday, 「母が亡くなって、…キャンセルしたいんです」 heard the closed hours and the callback offer with no word of
# sympathy (the transfer's own grief line is what carried it)
async def test_grief_out_of_hours_hears_sympathy_before_the_offer(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: grief on a Sunday
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-06T11:00:00+09:00"
  turns:
    - user: 母が亡くなって、母が注文していたものをキャンセルしたいんです
      expect: {says: ご愁傷様, awaiting: confirm}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("when", "language"), [("明日の10時", "ja"), ("tomorrow at 10am", "en")])
async def test_the_time_said_at_the_callback_number_question_is_a_yes_with_the_time(
        tmp_path: Path, bot: Bot, nlu: NLU, when: str, language: str) -> None:
    # found in ivr chat (5 December, evening): the number question was asked again and the time had to be
    # said twice, in Japanese and in English
    opening = "担当の方と話したいんですが" if language == "ja" else "Can I speak to someone please"
    yes = "はい" if language == "ja" else "yes"
    result = await _run(tmp_path, bot, nlu, f"""
- name: time at the number question
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-06T11:00:00+09:00"
  turns:
    - user: {opening}
    - user: {yes}
      expect: {{awaiting: confirm}}
    - user: {when}
      expect: {{awaiting: confirm, says: "10"}}
    - user: {yes}
  expect: {{outcome: callback_scheduled, slots: {{phone_number: "09012345678", date: "2026-12-07", time: "10:00"}}}}
""")
    assert result.passed, result.failures
    assert sum(1 for t in result.transcript if "090-1234-5678" in t["text"] and t["speaker"] == "bot") == 2


async def test_a_date_said_at_a_cancel_confirmation_cancels_nothing(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: date at the cancel confirmation
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: キャンセルしたいです
    - user: "23456789"
      expect: {awaiting: confirm}
    - user: 明日届く予定のやつなんですけど
      expect: {awaiting: confirm}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("wait", [
    "えっとね、ちょっと待ってね、いま紙を探すから",  # 探す read as a threat's 「家を探してやる」 (0.41)
    "ちょっと待ってくださいね、今伝票を探しますので",
])
async def test_a_caller_who_goes_to_find_the_number_is_waited_for_not_warned(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                             wait: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: elderly caller looks for the paper with the order number
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: もしもし、あのね、孫が注文してくれた荷物がね、まだ来ないのよ
      expect: {{awaiting: "slot:order_id"}}
    - user: {wait}
      expect: {{awaiting: "slot:order_id", harassment: false}}
    - user: あった、いちにさんよんごーろくななはち
  expect: {{outcome: resolved, slots: {{order_id: "12345678"}}}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "ちょっと、なんべん電話したらつながんねん。荷物まだ来えへんのやけど",  # the grumble, a full stop, the request
    "何回かけてもつながらなかったんですけど、荷物がまだ届かないんです",
])
async def test_a_caller_who_could_not_get_through_hears_sorry_for_the_wait_and_is_served(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: Kansai caller kept waiting, parcel not come
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{awaiting: "slot:order_id", says: 大変お待たせしてしまい}}
    - user: いちにさんよんごろくななはち
  expect: {{intent: order_status, outcome: null, slots: {{order_id: "12345678"}}}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("asked", [
    "あのー、すいません、わたくし耳が遠いもんで、ゆっくり話してもらえますか",
    "年寄りなもんで、もうちょっとゆっくり言うてくれる？",
])
async def test_a_caller_hard_of_hearing_who_asks_for_a_slower_pace_is_not_misunderstood(
        tmp_path: Path, bot: Bot, nlu: NLU, asked: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: elderly caller, hard of hearing
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: {asked}
      expect: {{says: ゆっくりお話しいたします}}
    - user: 梅田店は何時までですか
  expect: {{intent: store_hours, slots: {{store: umeda}}}}
""")
    assert result.passed, result.failures


async def test_the_address_read_out_at_the_postal_code_question_is_kept(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: kana transcript, address before postal code
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: じゅうしょ かわったんで へんこう したいんですけど
    - user: にさんよんご ろくななはちきゅう
      expect: {awaiting: "slot:postal_code"}
    - user: とうきょうと しながわく おおい いちのにのさん
      expect: {awaiting: "slot:postal_code"}
    - user: いちよんぜろ ぜろぜろいちよん
      expect: {awaiting: confirm, says: 1-2-3}
    - user: はい
  expect: {intent: address_change, slots: {postal_code: "1400014"}}
""")
    assert result.passed, result.failures


async def test_a_crushed_box_reported_is_apologised_for_first(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: Kansai caller, the box came crushed
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: お宅の商品、届いたら箱がべこべこやったんやけど、中身は大丈夫そうやねん。一応言うとこ思て
      expect: {says: 申し訳ございません}
""")
    assert result.passed, result.failures



async def test_an_english_caller_who_could_not_get_through_hears_sorry_for_the_wait(tmp_path: Path, bot: Bot,
                                                                                    nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: English caller kept waiting, asked about the guess
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: I've called three times and couldn't get through. Where is my order?
      expect: {says: sorry to have kept you waiting}
""")
    assert result.passed, result.failures
