"""Callers of the blind sets dev67 (answers with more or less than the question asked) and dev68 (callers who
are not the account holder or do not have what the bot asks for) that failed on their first run, each now a
test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_filler_between_month_and_day_keeps_the_date(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「じゅうにがつの えーと いつかで」 was heard as no date three times, and the caller went to a person
    result = await _run(tmp_path, bot, nlu, """
- name: month, pause, day
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-01T10:00:00+09:00"
  opening: さいはいたつの ひにち かえたいんですけど
  answers:
    order_id: {dtmf: "12345678"}
    date: じゅうにがつの えーと いつかで
    time_window: ごごの よじから ろくじ
  confirm: はい
  expect: {outcome: resolved, slots: {date: "2026-12-05", time_window: "16:00-18:00"}}
""")
    assert result.passed, result.failures


async def test_a_chat_form_with_slashes_gives_every_field(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the slash after the order number hid it, and 090-1234 of the phone was read as a postal code
    result = await _run(tmp_path, bot, nlu, """
- name: form-style message
  channel: chat
  now: "2026-10-01T10:00:00+09:00"
  turns:
    - user: 再配達の依頼です。注文番号：１２３４５６７８／電話：０９０－１２３４－５６７８／希望日：来週の火曜／時間：１８時〜２０時
    - user: はい
  expect: {outcome: resolved, slots: {order_id: "12345678", phone_number: "09012345678", date: "2026-10-06",
           time_window: "18:00-20:00"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("question", "answer"), [
    ("注文番号って、注文確認メールの件名にある番号のことですか？", "ご注文確認メール"),
    ("登録した電話番号、自宅か携帯か覚えてないんですけど携帯でいいですか？", "携帯電話でもご自宅のお電話でも"),
])
async def test_a_question_about_the_number_asked_is_answered_and_the_question_stays(
        tmp_path: Path, bot: Bot, nlu: NLU, question: str, answer: str) -> None:
    slot = "order_id" if "注文番号" in question else "phone_number"
    before = "" if slot == "order_id" else "    - user: \"23456789\"\n"
    result = await _run(tmp_path, bot, nlu, f"""
- name: asks back
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: キャンセルしたいです
{before}    - user: "{question}"
      expect: {{says: "{answer}", awaiting: "slot:{slot}"}}
""")
    assert result.passed, result.failures


async def test_a_caller_who_offers_the_registered_phone_is_looked_up_by_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「電話番号ならわかるんですけど」 went to a person; the spoken number finds the order and verifies the caller
    result = await _run(tmp_path, bot, nlu, """
- name: phone instead of the number
  channel: voice
  caller: {phone: "0298765432"}
  now: "2026-06-09T11:30:00+09:00"
  turns:
    - user: ネットで買ったケトル、キャンセルってまだできますか
    - user: 注文番号はちょっとわからなくて…電話番号ならわかるんですけど
      expect: {awaiting: "slot:phone_number"}
    - user: ぜろはちぜろ、きゅうはちななろく、ごーよんさんに
      expect: {says: 電気ケトル, awaiting: confirm}
    - user: はい
    - user: はい、取り消してください
  expect: {outcome: resolved, slots: {order_id: "23456789", phone_number: "08098765432", verified_by: phone}}
""")
    assert result.passed, result.failures


async def test_a_kansai_caller_who_offers_the_phone_is_looked_up_by_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: denwa bangou yattara
  channel: voice
  caller: {phone: "0612345678"}
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: すんません、こないだ頼んだケトルまだ来えへんねんけど
    - user: 注文番号わからへんわ。電話番号やったら分かるで
      expect: {awaiting: "slot:phone_number"}
    - user: ぜろきゅうぜろ いちにさんよん ごーろくななはち
      expect: {says: ワイヤレスイヤホン}
""")
    assert result.passed, result.failures


async def test_an_english_caller_who_offers_the_phone_is_looked_up_by_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「I don't have my order number」 was read as the order's status itself (sure), so no answer: asked again
    result = await _run(tmp_path, bot, nlu, """
- name: phone instead, in English
  channel: chat
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: Where is my order?
    - user: I don't have my order number, but I know my phone number
      expect: {awaiting: "slot:phone_number"}
    - user: "08098765432"
      expect: {says: kettle}
""")
    assert result.passed, result.failures


async def test_a_number_not_found_by_the_phone_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: phone finds nothing
  channel: chat
  now: "2026-06-09T11:30:00+09:00"
  turns:
    - user: 注文の状況を知りたいです
    - user: 番号はわからないけど、電話番号ならわかります
    - user: "0312345678"
      expect: {says: ご注文を確認できませんでした}
  expect: {outcome: transferred, reason: complex}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("letting_go", [
    "あー ばんごう いま わからへんわ もう ええわ",
    "注文番号が手元になくて…あ、もういいです、それは後で調べます",
    "ばんごう？ わからんです もう よかです",
    "注文番号も夫の電話番号もわからなくて…ちょっと今日は無理ですね",
])
async def test_a_caller_without_the_number_who_lets_the_request_go_is_not_transferred(
        tmp_path: Path, bot: Bot, nlu: NLU, letting_go: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: lets it go
  channel: voice
  caller: {{phone: "0337778888"}}
  now: "2026-08-05T11:00:00+09:00"
  turns:
    - user: 注文したものがまだ届かないんですけど
    - user: "{letting_go}"
      expect: {{says: 取りやめます}}
    - user: 梅田店って何時までですか
      expect: {{says: 20時}}
    - user: 以上です
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


async def test_three_turns_of_only_hesitation_go_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # every hesitation was counted as understood, so the count of them in a row never reached three
    result = await _run(tmp_path, bot, nlu, """
- name: only mumbles
  channel: voice
  caller: {phone: "0774112233"}
  now: "2026-01-13T15:00:00+09:00"
  turns:
    - user: えー… あのー…
    - user: あのー… その… なんやったかいな…
    - user: えーと… うーん…
  expect: {outcome: transferred, reason: repeated_failure}
""")
    assert result.passed, result.failures


async def test_a_caller_who_waits_once_and_answers_is_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: waits, then answers
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: ちゅうもんの じょうきょうを しりたいんやけど
    - user: ちょっと待ってくださいね
    - user: えーと、どこだったかな
    - user: あ、ありました、12345678です
  expect: {outcome: resolved, slots: {order_id: "12345678"}}
""")
    assert result.passed, result.failures


async def test_a_caller_who_will_do_it_themselves_ends_at_the_offer(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「ありがとうございます、やってみます。以上です」 to the SMS offered was asked for a yes or a no
    result = await _run(tmp_path, bot, nlu, """
- name: will try it myself
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: パスワードを忘れてログインできないんです
      expect: {awaiting: confirm}
    - user: ありがとうございます、やってみます。以上です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_the_answer_asked_again_with_its_question_is_a_repeat(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: say it again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: しぶやてんは なんじまで やってますか
    - user: え もういっかい いってもらえます なんじまで でしたっけ
      expect: {intent: repeat, says: 21時}
    - user: わかりました それだけです ありがとうございました
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_a_thing_done_again_is_no_repeat(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: deliver again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 12345678の配送状況を教えてください
    - user: もう一度配達してもらうことってできますか
      expect: {intent: delivery_change}
""")
    assert result.passed, result.failures


async def test_a_fee_recalled_at_the_cancellation_read_back_is_the_knowledge_base_s(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the story around it (こんど かいなおすとき) lowered the match, and the order's own bill was read out instead
    result = await _run(tmp_path, bot, nlu, """
- name: fee at the read-back
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: でんきけとるの ちゅうもん にさんよんご ろくななはちきゅう キャンセルしたいです
      expect: {awaiting: confirm}
    - user: あ まって こんど かいなおすとき コンビニばらいって てすうりょう いくらでしたっけ
      expect: {says: 二百二十円}
""")
    assert result.passed, result.failures


async def test_a_cancellation_asked_beside_the_status_seen_is_a_cancellation(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: shipped, still cancellable?
  channel: chat
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 発送済みになってますけど、今からでも取り消しできますか？
      expect: {intent: cancel_order}
""")
    assert result.passed, result.failures
