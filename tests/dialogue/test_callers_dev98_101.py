"""Callers of the blind sets dev98 (corrections and changes of course), dev99 (knowledge-base questions asked
every way), dev100 (the chat widget) and dev101 (other languages) that failed on their first run, each now a
test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run
from tests.dialogue.cases import scripted_case

WEEKDAY = "2026-12-21T11:00:00+09:00"  # a Monday before the year-end break: agents open


@pytest.mark.parametrize(("turns", "phone", "channel", "slot", "value"), [
    (["注文した荷物がまだ届いてないんですけど", "いちにさんよん ごーろくなな きゅう、あ、最後は9じゃなくて8です"],
     "09012345678", "voice", "order_id", "12345678"),
    (["こないだ頼んだイヤホン、まだ来えへんねんけど", "いちにさんよん ごーろくななはち",
      "ぜろきゅうぜろの いちにさんよんの ごーろくななきゅう、あ、ちゃうちゃう、最後はきゅうやのうて はちや"],
     "0611112222", "voice", "phone_number", "09012345678"),
    (["担当の方から折り返し連絡をいただきたいです", "080-9876-5423 あ、最後は23じゃなくて32です"],
     None, "chat", "phone_number", "08098765432"),
])
async def test_a_number_mended_in_the_same_breath(tmp_path: Path, bot: Bot, nlu: NLU, turns: list[str],
                                                  phone: str | None, channel: str, slot: str, value: str) -> None:
    # the number was taken as first said (12345679: 「見つかりませんでした」, twice, then a person)
    result = await _run(tmp_path, bot, nlu, scripted_case(turns, f"{{slots: {{{slot}: \"{value}\"}}}}", now=WEEKDAY,
                                                         phone=phone, channel=channel))
    assert result.passed, result.failures


async def test_digits_of_the_last_answer_mended_at_the_next_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the correction was taken for the address itself
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["23456789の届け先を変えたいんです。郵便番号は ぜろろくぜろの ぜろぜろぜろご",
         ("あ、すみません、ぜろぜろぜろごじゃなくて、ぜろぜろぜろよんでした", "{awaiting: \"slot:address\"}"),
         ("札幌市中央区北4条西1-2-3", "{awaiting: confirm}")],
        "{slots: {postal_code: \"0600004\", address: \"札幌市中央区北4条西1-2-3\"}}", now=WEEKDAY,
        phone="08098765432"))
    assert result.passed, result.failures


async def test_the_other_order_named_in_tohoku_speech(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「ケトルでねくてイヤホンの方だ」 (でねくて: じゃなくて) was not understood
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["注文したケトルの配達、どうなってるか知りてえんだども。番号は さんよんごーろく ななはちきゅうぜろ",
         ("あ、んでねがった。ケトルでねくてイヤホンの方だ。いちにさんよん ごーろくななはち", "{says: ワイヤレスイヤホン}")],
        "{intents: [order_status, order_status]}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_third_request_with_its_number_after_two_changes_of_mind(tmp_path: Path, bot: Bot,
                                                                          nlu: NLU) -> None:
    # the kettle named first (a product, no answer yet) kept the delivery change going: its date was asked
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["注文した電気ケトルがいつ届くか知りたいんですが", "あ、いや、やっぱり届く日を変えてもらいたいです",
         ("うーん…すみません、やっぱりキャンセルにします。注文番号は23456789です", "{intent: cancel_order}")],
        "{slots: {order_id: \"23456789\"}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


@pytest.mark.parametrize(("turns", "says"), [
    (["支払い方法を変えたくて、あ、いや、変えるんじゃなくて、どんな払い方があるのか知りたいだけです"], "3種類"),
    (["返品条件"], "8日以内"),
    (["返品のルールを教えてください"], "8日以内"),
    (["だいびきの てすうりょう"], "330円"),
    (["えーと しはらいほうほう"], "3種類"),
    (["送料っていくら", "3000円ぶんしか買わないんだけど"], "550円"),
])
async def test_knowledge_base_questions_however_they_are_put(tmp_path: Path, bot: Bot, nlu: NLU, turns: list[str],
                                                            says: str) -> None:
    # each went to a flow that asked for an order number
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [*turns[:-1], (turns[-1], f"{{says: \"{says}\"}}")], "{outcome: abandoned}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures
    assert "ご注文番号" not in str(result.transcript)


@pytest.mark.parametrize(("opening", "answer", "store"), [
    ("領収書ってどないしたらもらえるん？ほんで梅田店って水曜休みやったっけ？", "ダウンロード", "umeda"),
    ("送料って5000円からタダだよね？それと渋谷店って何時まで開いてる？", "5,000円以上", "shibuya"),
])
async def test_a_question_checked_then_a_store_asked_gets_both_answers(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                       opening: str, answer: str, store: str) -> None:
    # the first part ended in Kansai ん or in よね, no question mark the bot knew: the store was never answered
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [(opening, f"{{says: \"{answer}\"}}")], f"{{slots: {{store: {store}}}}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_a_wish_typed_above_a_forwarded_mail(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the mail's amounts and fees read as a billing question
    mail = ("お世話になっております。下記の注文につきまして、キャンセルをお願いしたく存じます。\\n\\n-----Original Message-----\\n"
            "件名：【サクラマート】ご注文確認メール\\nご注文番号: 23456789\\nお支払い金額: 4,730円（代引き手数料330円含む）")
    result = await _run(tmp_path, bot, nlu, scripted_case([mail], "{intent: cancel_order}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures
    assert result.intents == ["cancel_order"]


async def test_strong_anger_typed_in_kansai_and_tokyo_slang_is_emotion(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「どうしてくれんの！！！」 was no shouting the rule knew: the complaints desk, reason complex
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["は？？？まだ届いてないんだけど😡😡😡", "明日使うって言ったよね？？？", "マジでありえない！！！！どうしてくれんの！！！"],
        "{outcome: transferred, reason: emotion}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_chinese_after_a_japanese_sumimasen_is_chinese(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # any kana made the turn Japanese: 「うまく聞き取れませんでした」 to a caller who had said they speak none
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["すみません、我不会说日语。可以说中文吗？我想退货。"], "{outcome: transferred}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
    assert "聞き取れ" not in str(result.transcript)


async def test_an_order_number_to_a_guess_at_stock_is_the_orders_status(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # found in ivr chat: 「けとるまだ？？」, guessed as stock, then 「12345678」 was a yes: 「電気ケトルは現在在庫切れ」
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("けとるまだ？？", "{awaiting: confirm}"), ("12345678", "{intent: order_status}")],
        "{slots: {order_id: \"12345678\"}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures
    assert "在庫切れ" not in str(result.transcript)


@pytest.mark.parametrize("closing", ["no that's all, thanks", "No, that's all. Thank you."])
async def test_an_english_closing_with_thanks_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU, closing: str) -> None:
    # found in ivr chat: to "How can I help you?" after a request was served, English clauses were split at every
    # space, and "that's all" was no sure closing: "Is it all right to end the call here?"
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["Hi, I'd like to return the kettle I ordered", "34567890", "yes", ("yes", "{awaiting: free}"),
         (closing, "{outcome: resolved}")],
        "{outcome: resolved}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
