"""Callers who lack what is asked or change their plans mid-call (a blind writer's dev33, 2026-12-06), one test
each class:

- 「もしもし いちにさんよん…」: the し that ends もしもし is no 4 before the order number;
- 「登録の電話番号？この電話ちゃうかな」 at the verification question is the number the call comes from;
- 「やっぱり今つないでもらえますか、待ちますんで」 at a callback question asks for a person now;
- 「やっぱりやめておきます。キャンセルはしないで、いつ頃届くかだけ…」 at a read-back: the request given up, the
  one after it served;
- 「いや、やっぱり再配達はやめときます」 at a delivery-change read-back gives the request up (no date asked again);
- 「わからんとですよ…ちょっと待っとってください、孫に聞いてきますけん」 asks the bot to wait, not for a person.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


def test_the_end_of_moshimoshi_is_no_digit(nlu: NLU) -> None:
    parse = nlu.parse("もしもし いちにさんよん ごーろくななはち の にもつ あしたの ごぜんちゅうに とどけてほしいんやけど")
    assert {e.type: e.value for e in parse.entities}.get("order_id") == "12345678"
    # a 4 said on its own after a pause still counts where a number is asked (番号は し いち に)
    assert "412" in nlu.parse("ばんごうは し いち に").normalized


async def test_this_phone_hedged_at_the_verification_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: this phone, hedged
  channel: voice
  caller: {phone: "0663334444"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: いちにさんよん ごーろくななはちの にもつ どないなってるか しりたいんやけど
      expect: {awaiting: "slot:phone_number"}
    - user: とうろくの でんわばんごう？ この でんわ ちゃうかな
      expect: {says: ご登録のお電話番号と一致いたしませんでした}
    - user: ぜろきゅうぜろ いちにさんよん ごーろくななはち
      expect: {intent: order_status, awaiting: anything_else}
""")
    assert result.passed, result.failures


async def test_a_person_now_instead_of_a_callback(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a person now
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: おりかえし おねがい したいんですけど
      expect: {intent: callback_request, awaiting: confirm}
    - user: あ いや やっぱり いま つないで もらえますか まちますんで
  expect: {outcome: transferred, reason: human_request}
""")
    assert result.passed, result.failures


async def test_a_request_given_up_for_another_at_the_read_back(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the cancellation given up, the delivery asked about
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 23456789の注文をキャンセルしたいです。登録の電話番号は08098765432です
      expect: {awaiting: confirm}
    - user: やっぱりやめておきます。キャンセルはしないで、いつ頃届くかだけ教えてもらえますか
      expect: {intent: order_status, awaiting: anything_else, says: 発送の準備中}
  expect: {slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures
    assert not any("キャンセルいたしました" in t["text"] for t in result.transcript)


@pytest.mark.parametrize("given_up", ["いや やっぱり さいはいたつは やめときます じぶんで えいぎょうしょに とりにいきますんで",
                                      "いえ、すみません、今回はやめときます"])
async def test_a_delivery_change_given_up_is_not_asked_again(tmp_path: Path, bot: Bot, nlu: NLU, given_up: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: redelivery called off
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-14T10:00:00+09:00"
  turns:
    - user: いちにさんよん ごーろくななはちの さいはいたつ きょうの よる じゅうくじから にじゅういちじで たのみたいんですが
      expect: {{awaiting: confirm}}
    - user: {given_up}
      expect: {{awaiting: anything_else, says: 取りやめます}}
    - user: あ それと ポイントって いつまで つかえるんでしたっけ
      expect: {{says: 一年間}}
""")
    assert result.passed, result.failures
    assert not any("変更いたしました" in t["text"] for t in result.transcript)


async def test_a_wrong_date_at_the_read_back_is_still_asked_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a plain no mends the date
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-14T10:00:00+09:00"
  turns:
    - user: いちにさんよん ごーろくななはちの さいはいたつ きょうの よる じゅうくじから にじゅういちじで たのみたいんですが
      expect: {awaiting: confirm}
    - user: いいえ、ちがいます
      expect: {awaiting: "slot:date"}
""")
    assert result.passed, result.failures


async def test_off_to_ask_someone_is_a_wait(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: gone to ask the grandson
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: でんきけとるの ちゅうもんの ことで いつ とどくか ききたかとですけど
    - user: ばんごう？ いやー わからんとですよ まごが たのんだけん ちょっと まっとってください いま まごに きいてきますけん
    - user: おまたせしました にーさんよんごー ろくななはちきゅう です
      expect: {intent: order_status, awaiting: anything_else}
  expect: {slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("text", "closes"), [
    ("まだ来ない", False), ("まだこない", False), ("届かない", False),
    ("なんもない", True), ("もうない", True), ("特にない", True), ("用はない", True),
])
def test_a_parcel_not_come_is_no_closing(text: str, closes: bool) -> None:
    # 「まだ来ない」 at the order-number question (dev22) was asked 「終了してもよろしいでしょうか」: the ない of a
    # verb is no "nothing more"
    from dialogue.answer_words import only_closing

    assert only_closing(text) is closes


async def test_a_calm_tohoku_request_for_a_person_is_no_anger(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「もらえねえべか」 read as anger 0.85 (the ねえ of rough speech): handed over as emotion with an apology for
    # the caller's displeasure; a person asked for calmly is `human_request`
    result = await _run(tmp_path, bot, nlu, """
- name: Tohoku, a person asked for
  channel: voice
  caller: {phone: "0191234567"}
  now: "2026-12-07T10:30:00+09:00"
  turns:
    - user: んだら だれか ひとと はなさせて もらえねえべか
  expect: {outcome: transferred, reason: human_request}
""")
    assert result.passed, result.failures
    assert not any("ご不快な思い" in t["text"] for t in result.transcript)


async def test_the_number_mended_after_the_answer_is_looked_up(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the kettle meant, not the earphones
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-11T10:00:00+09:00"
  turns:
    - user: いちにさんよん ごーろくななはちの ちゅうもん どうなっとるか おしえてもらえますか
      expect: {awaiting: anything_else}
    - user: え いやほん？ いや けとるの ほうなんじゃけど ばんごう まちごうとったかのう… あ さんよんごーろく ななはちきゅうぜろ じゃった
      expect: {awaiting: anything_else, says: 34567890の電気ケトルは}
""")
    assert result.passed, result.failures


async def test_a_day_said_with_the_second_request_is_not_the_first_ones(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a new delivery day, and whether Umeda closes on Wednesdays
  channel: chat
  now: "2026-12-01T10:00:00+09:00"
  turns:
    - user: 12345678の荷物の配達日を変えたいです。あと、梅田店って水曜休みでしたっけ？
    - user: 09012345678です
      expect: {awaiting: "slot:date"}
""")
    assert result.passed, result.failures


async def test_a_callback_asked_for_about_a_topic_is_a_callback(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a callback about a return
  channel: voice
  caller: {phone: "0452223333"}
  now: "2026-12-04T16:30:00+09:00"
  turns:
    - user: へんぴんの ことで そうだん したいので おりかえし でんわを おねがい したいんですけど
      expect: {intent: callback_request, awaiting: confirm}
    - user: あ かけてもらうのは いえの でんわじゃなくて けいたいの ほうに おねがいします ぜろきゅうぜろ の いちいちいちいち の にーにーにーにー
      expect: {awaiting: "slot:date"}
  expect: {slots: {phone_number: "09011112222"}}
""")
    assert result.passed, result.failures


async def test_a_person_asked_for_at_a_guess_is_put_through(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: never finds the number, asks for a person at the guess
  channel: voice
  caller: {phone: "0191234567"}
  now: "2026-12-07T10:30:00+09:00"
  turns:
    - user: あのー ちゅうもんした けとるの ことで ききてえんだけんど
      expect: {awaiting: confirm}
    - user: ばんごう… さがしてみだけんど どごさも ねえんだわ
    - user: んだら だれか ひとと はなさせて もらえねえべか
  expect: {outcome: transferred, reason: human_request}
""")
    assert result.passed, result.failures


async def test_a_caller_who_will_call_again_is_logged_as_a_goodbye(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「また後でかけ直します」 reads as callback_request to the classifier; the bot heard a goodbye, and logs it so
    result = await _run(tmp_path, bot, nlu, """
- name: will call again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:30:00+09:00"
  turns:
    - user: 注文の配送状況を知りたいんですけど
    - user: あ、すみません、注文番号が手元になくて…また後でかけ直します
      expect: {intent: goodbye, awaiting: confirm}
""")
    assert result.passed, result.failures
