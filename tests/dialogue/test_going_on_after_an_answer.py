"""Callers who go on after an answer (found by a blind writer's dev30, 2026-12-06), one test each class:

- the same question of another store or day, said after an acknowledgement (「かしこまりました。では、梅田店のほうは
  いかがでしょうか」「はいはい、わかりました。それじゃあ、札幌のお店は？」) or with its verb again (「土曜日は開いてる
  のかしら」「渋谷店にはあらへんの？」);
- another order after the first (「それと、もう一件、34567890のほうはどうなってますか」, normalised to もう1件; 「家族の
  注文で23456789のほうも確認したい」);
- 「すみませんねえ、もう一回言ってもらえますか」 after an answer is a request to hear it again;
- abuse shouted at 「ほかにご用件は」 (「はあ？入荷待ちとか使えねえな、このバカが」) is warned, not handed to an agent;
- a reason at a return read-back (「サイズが合わなかったんです」) is the yes, and a day named as a reason (「月曜は病院
  なもんでね」) is no correction of the day read back.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("first", "then", "says"), [
    ("恐れ入ります、渋谷店の営業時間を教えていただけますか", "かしこまりました。では、梅田店のほうはいかがでしょうか",
     "梅田店の営業時間は"),
    ("渋谷のお店は、何時まで開いてますかね", "はいはい、わかりました。それじゃあ、札幌のお店は？", "札幌店の営業時間は"),
    ("梅田のお店はね、水曜日はお休みだったかしらねえ", "あらそう。それじゃあ、土曜日は開いてるのかしら", "12月12日(土)"),
    ("コーヒーメーカーって置いてる？", "渋谷店にはあらへんの？", "渋谷店には在庫がございません"),
    ("コーヒーメーカーって置いてる？", "ほな梅田店にある？", "梅田店に在庫がございます"),
    # the store mended first, then the question
    ("コーヒーメーカー渋谷店にある？", "あ、ちゃうちゃう、梅田店やった。梅田店にある？", "梅田店に在庫がございます"),
])
async def test_the_same_question_of_another_store_or_day(tmp_path: Path, bot: Bot, nlu: NLU, first: str, then: str,
                                                         says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: a follow-up
  channel: voice
  caller: {{phone: "0312345678"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: {first}
      expect: {{awaiting: anything_else}}
    - user: {then}
      expect: {{awaiting: anything_else, says: "{says}"}}
""")
    assert result.passed, result.failures


async def test_another_order_after_the_first(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: two orders
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-20T11:00:00+09:00"
  turns:
    - user: 注文した商品の配送状況を確認したいのですが、注文番号は12345678です
      expect: {intent: order_status, awaiting: anything_else}
    - user: ありがとうございます。それと、もう一件、34567890のほうはどうなってますか
      expect: {intent: order_status, awaiting: anything_else, says: ご注文番号34567890}
  expect: {slots: {order_id: "34567890"}}
""")
    assert result.passed, result.failures


async def test_a_family_members_order_asks_for_their_phone(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a family member's order next
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-20T11:00:00+09:00"
  turns:
    - user: 12345678の配送状況を教えてください
      expect: {awaiting: anything_else}
    - user: ありがとうございます。あと、家族の注文で23456789のほうも確認したいんですが
      expect: {intent: order_status, awaiting: "slot:phone_number"}
    - user: ゼロハチゼロ、キューハチナナロク、ゴーヨンサンニです
      expect: {awaiting: anything_else, says: ご注文番号23456789}
  expect: {slots: {order_id: "23456789", phone_number: "08098765432"}}
""")
    assert result.passed, result.failures


async def test_asked_again_after_an_answer_with_a_sorry_drawn_out(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: say that again
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 渋谷のお店は、何時まで開いてますかね
    - user: え？すみませんねえ、もう一回言ってもらえますか
      expect: {intent: repeat, says: 渋谷店の営業時間は}
""")
    assert result.passed, result.failures


async def test_abuse_shouted_after_an_answer_is_warned_then_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: abuse after an out-of-stock answer
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 電気ケトルの在庫ある？
    - user: はあ？入荷待ちとか使えねえな、このバカが
      expect: {says: お控えください}
    - user: うるせえよバカ
  expect: {outcome: ended, reason: harassment}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("reason", ["サイズが合わなかったんです", "ちょっと思ってたのと色が違ったもんで",
                                    "届いたら割れてまして", "もう要らなくなったので"])
async def test_a_reason_at_the_return_read_back_is_the_yes(tmp_path: Path, bot: Bot, nlu: NLU, reason: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: why, at the read-back
  channel: chat
  caller: {{phone: "09012345678"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 返品したいんですけど
    - user: "34567890"
      expect: {{awaiting: confirm}}
    - user: {reason}
      expect: {{awaiting: anything_else, says: 返品のお申し込みを承りました}}
""")
    assert result.passed, result.failures


async def test_a_day_named_as_the_reason_is_no_correction(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: Tuesday instead of Monday, because of the hospital
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-12T14:00:00+09:00"
  turns:
    - user: あのね、荷物の届く日をね、変えてもらいたいんですよ
    - user: いちにさんよん ごーろくななはち
    - user: 来週の月曜日、あ、いや、火曜日にしてください
    - user: 午前中
      expect: {awaiting: confirm, says: 11月17日}
    - user: はいはい、それで結構です。月曜は病院なもんでね
      expect: {awaiting: anything_else}
  expect: {slots: {date: "2026-11-17"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "もしもし、あのー、こないだ頼んだ、なんやったかな、ケトル？それがまだ来えへんのやけど",  # Kansai 来えへん
    "注文したケトルがまだけえへんねん",
    "頼んだやつ、まだ来てねえんだけど",
])
async def test_a_delivered_order_said_not_to_have_come_in_dialect_is_a_missing_parcel(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # found in ivr chat: the status was read out (配達済み) and the call went on as if all was well
    result = await _run(tmp_path, bot, nlu, f"""
- name: not come, in dialect
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: {opening}
    - user: さんよんごーろく、ななはちきゅうぜろ
      expect: {{says: お手元に届いていないとのこと}}
""")
    assert result.passed, result.failures


async def test_done_said_to_a_guess_after_an_answer_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: thanks, that is all, to a guess
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: コーヒーメーカー渋谷店にある？
    - user: 梅田店のことなんやけど
      expect: {awaiting: confirm}
    - user: おおきに、以上や
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert not any("所在地" in text for text in said), said


@pytest.mark.parametrize("more", ["あとひとつ聞いてもいいですか", "もう一点よろしいでしょうか", "すみません、あと1つあるんですけど"])
async def test_one_more_thing_announced_is_asked_for_not_guessed_at(tmp_path: Path, bot: Bot, nlu: NLU, more: str) -> None:
    # nothing but the announcement: a retrained model leaning to operator_request (0.33) is not asked about
    result = await _run(tmp_path, bot, nlu, f"""
- name: one more thing
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 梅田店の定休日を教えて
      expect: {{awaiting: anything_else}}
    - user: {more}
      expect: {{awaiting: free}}
    - user: コーヒーメーカーの在庫はありますか
      expect: {{intent: product_availability, awaiting: anything_else}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("what_now", ["あー、もう発送してもうたん。ほな、どないしたらええの？", "そうなんですね。じゃあ、どうすればいいですか？"])
async def test_what_to_do_instead_is_the_answer_again_not_distress(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                   what_now: str) -> None:
    # a cancellation that cannot be done says what can (a return after receipt): 「ほな、どないしたらええの？」 asks
    # for that, calmly; it is no caller at a loss to hand over (dev20)
    result = await _run(tmp_path, bot, nlu, f"""
- name: what now
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: すんません、注文キャンセルしたいんやけど。番号は一二三四五六七八です
      expect: {{awaiting: anything_else, says: お受け取り後に返品}}
    - user: {what_now}
      expect: {{awaiting: anything_else, says: お受け取り後に返品}}
    - user: 以上です
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures
