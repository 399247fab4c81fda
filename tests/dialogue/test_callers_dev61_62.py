"""Callers of the blind sets dev61 (callers who tell a situation instead of a request) and dev62 (callers with
feelings) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_day_already_gone_is_no_delivery_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「昨日帰ったら…不在票が」 named yesterday, which became the new delivery day; 「昨日で」 asked was taken too
    result = await _run(tmp_path, bot, nlu, """
- name: yesterday's slip, then today
  channel: chat
  now: "2026-11-25T08:05:00+09:00"
  turns:
    - user: 昨日帰ったらポストに不在票が入ってて…
    - user: "12345678"
    - user: 090-1234-5678
      expect: {says: "11月24日(火)はすでに過ぎております", awaiting: "slot:date"}
    - user: 昨日で
      expect: {says: "すでに過ぎております", awaiting: "slot:date"}
    - user: 今日はずっと在宅勤務なので、今日中なら家にいます
      expect: {awaiting: "slot:time_window"}
    - user: 夕方以降なら会議も終わってて確実に出られます
    - user: はい
  expect: {outcome: resolved, intents: [delivery_change], slots: {date: "2026-11-25", time_window: "16:00-18:00"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "お世話になっております。実は明日から出張で、一週間ほど家を空けることになりまして",
    "あのね、明日から病院さ検査入院することになってね、三日ばかり家さ誰もいねぐなるんだわ",
])
async def test_the_first_day_away_is_not_the_day_to_deliver(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # 明日から出張 gave 明日 as the new day, and 三日ばかり the 3rd of January
    result = await _run(tmp_path, bot, nlu, f"""
- name: away from tomorrow
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-08T10:10:00+09:00"
  turns:
    - user: {opening}
    - user: いちにさんよん、ごーろくななはち
      expect: {{awaiting: "slot:date"}}
    - user: 来週の月曜には戻っております
    - user: 午前中で
    - user: はい
  expect: {{outcome: resolved, slots: {{date: "2026-12-14", time_window: "08:00-12:00"}}}}
""")
    assert result.passed, result.failures


async def test_a_whole_day_at_home_is_not_the_first(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「あさってならいちにちいえにいます」 was the 1st of January
    result = await _run(tmp_path, bot, nlu, """
- name: いちにち いえに
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-03T12:30:00+09:00"
  turns:
    - user: あしたはいちにちでかけてて いえにだれもいないんですよ
    - user: いちにさんよんごーろくななはち
    - user: あさってならいちにちいえにいます
      expect: {awaiting: "slot:time_window"}
    - user: ごぜんちゅうならだいじょうぶです
    - user: はいそれで
  expect: {outcome: resolved, slots: {date: "2026-12-05", time_window: "08:00-12:00"}}
""")
    assert result.passed, result.failures


async def test_a_guessed_status_answered_with_a_day_and_a_slot_is_a_delivery_change(tmp_path: Path, bot: Bot,
                                                                                    nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: going out suddenly
  channel: chat
  now: "2026-11-28T10:00:00+09:00"
  turns:
    - user: 12345678の荷物、今日届く予定なんだけど急に出かけなきゃいけなくなっちゃって。登録してる電話は090-1234-5678
    - user: 明日なら一日家でゴロゴロしてるから、午前中でも全然いいよ
      expect: {awaiting: confirm, says: "11月29日(日)の午前中"}
    - user: うん
  expect: {outcome: resolved, intents: [delivery_change], slots: {order_id: "12345678", date: "2026-11-29"}}
""")
    assert result.passed, result.failures


async def test_a_delivered_order_is_offered_a_return_instead_of_a_cancellation(tmp_path: Path, bot: Bot,
                                                                               nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the gift they already had
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 電気ケトルを母へのプレゼントに買ったのですが、母も先日同じものを買っていたようでして
    - user: はい
    - user: "34567890"
    - user: 090-1234-5678
      expect: {awaiting: confirm, says: "返品のお手続きでしたら承ります"}
    - user: はい
      expect: {awaiting: confirm, says: "返品をお受けいたします"}
    - user: はい
      expect: {says: 受付番号}
  expect: {outcome: resolved, slots: {order_id: "34567890", return_kind: return}}
""")
    assert result.passed, result.failures


async def test_a_return_declined_after_a_cancellation_is_not_promised_a_delivery(tmp_path: Path, bot: Bot,
                                                                                nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: no return either
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 注文をキャンセルしたいです
    - user: "34567890"
    - user: 090-1234-5678
    - user: いいえ、けっこうです
      expect: {says: "お届けから8日以内"}
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
    said = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "このままお届けいたします" not in said


async def test_a_caller_who_is_moving_may_change_the_registered_address(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the shipped order's address cannot change; a caller who is moving had nothing more offered
    result = await _run(tmp_path, bot, nlu, """
- name: moving next month, with the order
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-16T14:00:00+09:00"
  turns:
    - user: 来月引っ越すので住所を変えたいんです、注文番号はいちにさんよん ごーろくななはちです
      expect: {awaiting: confirm, says: "ご登録のご住所を変更なさいますか"}
    - user: はい、お願いします
    - user: いちごーぜろ の ぜろぜろぜろいち
    - user: 東京都渋谷区神宮前一丁目二番三号、サクラハイツ百一号室です
      expect: {awaiting: confirm, says: "神宮前1丁目2番3号"}
    - user: はい、合ってます
      expect: {says: "ご登録のご住所を変更いたしました"}
  expect: {outcome: resolved, slots: {postal_code: "1500001"}}
""")
    assert result.passed, result.failures


async def test_this_orders_destination_asked_is_not_offered_the_registered_address(tmp_path: Path, bot: Bot,
                                                                                  nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: moved, this parcel's destination
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-16T14:00:00+09:00"
  turns:
    - user: 引っ越したので、イヤホンの送り先を変えてほしいんです
    - user: "12345678"
      expect: {awaiting: anything_else, says: "お届け先を変更できません"}
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening, store", [
    ("主人が亡くなってから、一人で買い物に出るようになりましてね…札幌のお店はどこにあるんでしょうか", "sapporo"),
    ("うちの犬が昨日死んでしまって…いえ、すみません。渋谷店って今日は何時まで開いてますか", "shibuya"),
])
async def test_a_loss_told_beside_an_errand_hears_condolence_and_is_served(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                           opening: str, store: str) -> None:
    # a person took these callers, whose errand was the store; the answers notes: condolence, then help
    result = await _run(tmp_path, bot, nlu, f"""
- name: loss in the background
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T13:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{says: ご愁傷様, awaiting: anything_else}}
  expect: {{slots: {{store: {store}}}}}
""")
    assert result.passed, result.failures
    assert result.outcome != "transferred"


async def test_the_deceaseds_order_still_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: mother's order
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-07T13:00:00+09:00"
  turns:
    - user: 先日母が亡くなりまして…母が頼んでいた電気ケトルを返品したいのですが
      expect: {says: ご愁傷様}
  expect: {outcome: transferred, reason: emotion}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "ちょっと苦情なんですけど！届いたイヤホン、片耳から全然音が出ないんですよ！新品でこれってどういうことですか",
    "買った電気ケトル、注いでる途中でフタが勝手に開いて、熱湯がかかりそうになったんですけど。苦情として上の方に伝えてほしいです",
])
async def test_a_call_the_caller_names_a_complaint_is_one(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: 苦情なんですけど
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{intent: complaint}}
  expect: {{outcome: transferred}}
""")
    assert result.passed, result.failures


async def test_a_chat_user_who_asks_for_a_staffed_chat_asks_for_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 有人対応
  channel: chat
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: 問い合わせ3回目です。毎回チャットで同じこと説明させられてうんざりなので、有人対応に切り替えてください
  expect: {outcome: transferred, reason: human_request}
""")
    assert result.passed, result.failures


async def test_a_knowledge_base_answer_then_done_in_ones_own_words(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: no credit card
  channel: chat
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: クレジットカードを持っていないんですが、ネットで買い物ってできますか？
      expect: {says: コンビニ払い}
    - user: コンビニで払えるなら大丈夫そうです。以上です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
    assert result.slots.get("order_id") is None


@pytest.mark.parametrize("opening, intent", [
    ("発送済みになってますけど、今からでも取り消しできますか？", "cancel_order"),
    ("にもつの ひにち かえたいです ちゅうもんばんごうは いちにさんよん ごーろくななはち", "delivery_change"),
    ("先月の請求のことでちょっと聞きたいんですが", "billing_inquiry"),
])
async def test_what_the_caller_asks_for_beats_the_status_they_mention(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                                      intent: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: asked in words
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{intent: {intent}}}
""")
    assert result.passed, result.failures
    assert not any("よろしいでしょうか" in t["text"] for t in result.transcript if t["speaker"] == "bot")


@pytest.mark.parametrize("said, written", [
    ("東京都渋谷区神宮前一丁目二番三号、サクラハイツ百一号室です", "東京都渋谷区神宮前1丁目2番3号、サクラハイツ101号室です"),
    ("大阪市北区梅田三丁目十二番五号", "大阪市北区梅田3丁目12番5号"),
    ("港区六本木六丁目10番1号", "港区六本木6丁目10番1号"),  # 六本木 is a place, not six of something
    ("いちのにのさん", "1-2-3"),
])
def test_an_address_is_written_as_an_agent_would(said: str, written: str) -> None:
    from dialogue.address_text import address_as_written

    assert address_as_written(said) == written


def test_by_the_way_is_no_topic_of_a_question(bot: Bot) -> None:
    # ちなみに (the noun 因み to the tokenizer) was a topic word the shipping entry lacked: coverage 0.67, and a
    # billing reading of the turn then sent it to an order's bill
    hit = bot.faq.match("ちなみに送料っていくらですか")
    assert hit is not None and hit.entry.id == "shipping_fee" and hit.coverage == 1.0


# dev63 (callers about their account and money)

async def test_a_registered_address_is_changed_without_an_order(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the flow asked every mover for an order number they did not have; the registered phone identifies them
    result = await _run(tmp_path, bot, nlu, """
- name: moved, no order
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 引っ越しましたので、登録住所の変更をお願いします。
      expect: {awaiting: "slot:phone_number"}
    - user: ０９０－１２３４－５６７８
      expect: {awaiting: "slot:postal_code"}
    - user: １５０－００４１
    - user: 渋谷区神南1-2-3
      expect: {awaiting: confirm, says: "ご登録のご住所を"}
    - user: はい
      expect: {says: "ご登録のご住所を変更いたしました"}
  expect: {outcome: resolved, slots: {phone_number: "09012345678", postal_code: "1500041"}}
""")
    assert result.passed, result.failures


async def test_a_registered_address_with_the_caller_id_and_a_phone_nobody_registered(tmp_path: Path, bot: Bot,
                                                                                     nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: caller id of a member, then a stranger's
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: あのね、住むところが変わったもんでね、登録の住所を変えてほしいんですわ
      expect: {awaiting: "slot:postal_code"}
""")
    assert result.passed, result.failures
    stranger = await _run(tmp_path, bot, nlu, """
- name: a phone nobody registered
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: 転居しましたので、登録してある住所を変えたいです
    - user: 03-1111-2222
      expect: {says: "会員登録を確認できませんでした", awaiting: "slot:phone_number"}
""")
    assert stranger.passed, stranger.failures


@pytest.mark.parametrize("opening, amount", [
    ("恐れ入ります、注文番号12345678の件で、カードから4,980円引き落とされているのですが、こちらの金額で合っておりますでしょうか。", 4980),
    ("同じ注文で2回カード決済されてるんですけど。注文番号34567890、3,300円が2件引かれてます。", 3300),
])
async def test_a_charge_to_the_caller_is_their_bill_not_a_fee(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                              amount: int) -> None:
    # the knowledge base answered the shipping fee; the amount disputed was lost on the hand-over
    result = await _run(tmp_path, bot, nlu, f"""
- name: own charge
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: {opening}
""")
    said = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "送料" not in said and "手数料" not in said, said
    assert result.slots.get("amount") == amount, result.slots
