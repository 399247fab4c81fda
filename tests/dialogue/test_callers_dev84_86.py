"""Callers of the blind sets dev84 (the year-end rush), dev85 (poor ASR on the phone) and dev86 (chat-widget
users) that failed on their first run, each now a test.

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
SUNDAY = "2026-12-20T22:00:00+09:00"  # agents closed


def _turns(turns: list[str | tuple[str, str]], expect: str, *, now: str = WEEKDAY, phone: str | None = None,
           channel: str = "voice") -> str:
    return scripted_case(turns, expect, now=now, phone=phone, channel=channel)


@pytest.mark.parametrize(("opening", "intent"), [
    ("クリスマスに間に合わないなら、キャンセルしたいんですけど", "cancel_order"),
    ("誕生日に間に合わなかったので返品したいです", "return_exchange"),
])
async def test_a_date_missed_is_disappointment_not_distress(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                            intent: str) -> None:
    # the emotion head reads 間に合わない as sadness 0.82-0.98: the caller was put through to a person with
    # 「お辛い中」, and the return was answered with the return deadline (間に合う is one of its words)
    result = await _run(tmp_path, bot, nlu, _turns(
        [(opening, f"{{intent: {intent}, awaiting: \"slot:order_id\"}}")], "{outcome: abandoned}"))
    assert result.passed, result.failures
    assert "お辛い中" not in str(result.transcript)


async def test_grief_with_a_request_still_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(["母が亡くなったので、注文をキャンセルしたいんです"],
                                                  "{outcome: transferred, reason: emotion}"))
    assert result.passed, result.failures


async def test_a_day_to_arrive_on_is_a_delivery_change(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # order status 0.44: 「できますか」 read as a question about the parcel
    result = await _run(tmp_path, bot, nlu, _turns(
        [("クリスマスイブに届くようにできますか？注文番号は12345678です",
          "{intent: delivery_change, awaiting: \"slot:time_window\"}"), "19時から21時で", "はい", "以上です"],
        "{outcome: resolved, slots: {date: \"2026-12-24\", time_window: \"19:00-21:00\"}}", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_day_it_must_come_by_is_asked_for_not_taken(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「クリスマスまでに」 was taken as the 25th, so the caller's 「二十三日、いや二十四日で」 was never asked for
    result = await _run(tmp_path, bot, nlu, _turns(
        [("まだ発送してへんやつ、届く日ぃ指定できる？クリスマスまでに欲しいねん",
          "{intent: delivery_change, awaiting: \"slot:order_id\"}"),
         ("にーさんよんごーろくななはちきゅう", "{awaiting: \"slot:phone_number\"}"),
         ("ぜろはちぜろ きゅうはちななろく ごーよんさんにー", "{awaiting: \"slot:date\"}"),
         "二十三日、いや二十四日で", "午前中で", "かまへん", "それだけや"],
        "{outcome: resolved, slots: {date: \"2026-12-24\", time_window: \"08:00-12:00\"}}", now="2026-12-20T11:00:00+09:00",
        phone="0312349999"))
    assert result.passed, result.failures


async def test_a_kana_day_with_its_weekday_is_that_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「はつかの きんようび」 in November: the weekday alone was read (the 13th)
    result = await _run(tmp_path, bot, nlu, _turns(
        ["にもつの ひにちを かえてほしいのよ", "いち に さん し ご ろく しち はち", "はつかの きんようび"],
        "{slots: {date: \"2026-11-20\"}}", now="2026-11-12T10:05:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


@pytest.mark.parametrize(("turns", "slot", "value"), [
    (["まあ その ちゅうもんを やめたいっていうか きゃんせる ですね", "ふた さん よん ご ろく なな はち きゅう"],
     "order_id", "23456789"),
    (["おりかえし でんわ ほしいんですけど", "まる きゅう まる ひと ふた さん よん ご ろく なな はち"],
     "phone_number", "09012345678"),
])
async def test_one_and_two_read_out_as_hito_and_futa(tmp_path: Path, bot: Bot, nlu: NLU, turns: list[str], slot: str,
                                                     value: str) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(turns, f"{{slots: {{{slot}: \"{value}\"}}}}", phone=""))
    assert result.passed, result.failures


_RETURN_IN_CHAT = ["henpin したいです😢 思ってたのと違った", "34567890", "090-1234-5678"]


@pytest.mark.parametrize("yes", ["おk", "おけまる", "おｋ！"])
async def test_chat_yes_words(tmp_path: Path, bot: Bot, nlu: NLU, yes: str) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        [*_RETURN_IN_CHAT, (yes, "{awaiting: anything_else}"), "あざす"], "{outcome: resolved}", channel="chat"))
    assert result.passed, result.failures


async def test_an_unanswered_callback_offer_is_made_twice_then_the_call_ends(tmp_path: Path, bot: Bot,
                                                                              nlu: NLU) -> None:
    # a rule that fires at the offer (three failures in a row) came before the offer's tries were counted:
    # 「大変申し訳ございません…折り返しのお電話をご希望でしょうか」 thirty times, until the script ran out
    result = await _run(tmp_path, bot, nlu, _turns(
        [*_RETURN_IN_CHAT, *["ほげ"] * 8], "{outcome: ended, reason: repeated_failure}", now=SUNDAY, channel="chat"))
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert sum("折り返し" in t for t in said) == 2
    assert "ご利用ありがとうございました" in said[-1]  # chat: no お電話


async def test_harassment_again_after_a_warning_ends_the_chat(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the second remark began with 「いいじゃん」, a yes to 「ほかにご用件は」, and an answer needs 0.8 (it read 0.48)
    result = await _run(tmp_path, bot, nlu, _turns(
        ["ケトルの在庫ある？", "てか中の人女の子？😏 スリーサイズ教えてw", "いいじゃん、今日のパンツ何色？w"],
        "{outcome: ended, reason: harassment}", channel="chat"))
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert "チャットを終了させていただきます" in said[-1]


@pytest.mark.parametrize("opening", [
    "あのね、お歳暮にね、電気ケトルを頼んだんだけど、年内に届かないんだったら、もうやめようと思って",
    "この前注文した棚、いらなくなったんです",
])
async def test_an_order_called_off_is_a_cancellation(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # cancel 0.21: 「ご注文のキャンセルについてのお問い合わせでよろしいでしょうか」 where the caller had said it
    result = await _run(tmp_path, bot, nlu, _turns(
        [(opening, "{intent: cancel_order, awaiting: \"slot:order_id\"}")], "{outcome: abandoned}", phone="0312349999"))
    assert result.passed, result.failures


async def test_the_not_yet_arrived_one_of_specs_two_orders(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # SPEC 3 gives 09012345678 two orders; the demo's unpaid third one sat on it too, so 「まだ来てない方」 matched two
    result = await _run(tmp_path, bot, nlu, _turns(
        ["注文のステータス知りたいんだけど", "まだ来てない方", "了解、以上です"],
        "{intent: order_status, outcome: resolved, slots: {order_id: \"12345678\"}}", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_kind_changed_at_the_read_back_is_logged_as_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["注文番号34567890の商品を返品したいのですが",
         ("あ、すみません、やはり返品ではなく交換でお願いできますか。電源が入らないものですから",
          "{intent: return_exchange, awaiting: confirm, says: 交換をお受けいたします}"),
         ("はい、お願いします", "{intent: affirm}"), "以上です"],
        "{outcome: resolved}", phone="09012345678"))
    assert result.passed, result.failures


# dev87-89 (courses changed mid-call; addresses, accounts and bills; stores and products), first run

@pytest.mark.parametrize(("opening", "thing"), [("冷蔵庫って売ってますか？", "冷蔵庫"), ("炊飯器って置いてはります？", "炊飯器")])
async def test_a_thing_the_shop_does_not_carry_is_said_so(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                          thing: str) -> None:
    # stock 0.25-0.31: 「商品の在庫についてのお問い合わせでよろしいでしょうか」, then 「どちらの商品の…」
    result = await _run(tmp_path, bot, nlu, _turns(
        [(opening, f"{{intent: product_availability, awaiting: anything_else, says: {thing}は、こちらではお取り扱いがございません}}"),
         "以上です"], "{outcome: resolved}"))
    assert result.passed, result.failures


async def test_a_product_asked_after_one_not_carried_is_looked_up(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # found in ivr chat: 「じゃあケトルは？」 carried the 冷蔵庫 of the question before and was told it again
    result = await _run(tmp_path, bot, nlu, _turns(
        ["冷蔵庫って売ってますか？", ("じゃあケトルは？", "{says: 電気ケトルは現在在庫切れ}")],
        "{slots: {product: kettle}}", channel="chat"))
    assert result.passed, result.failures


async def test_a_product_it_knows_is_looked_up_as_before(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        [("イヤホンって売ってますか", "{says: 現在在庫がございます}"), "以上です"],
        "{outcome: resolved, slots: {product: earphones}}"))
    assert result.passed, result.failures


async def test_an_address_with_a_ban_chi_is_no_menu_key(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「…2丁目3番地」 was the keypad's 3 (store hours): 「どちらの店舗についてお調べしましょうか」
    result = await _run(tmp_path, bot, nlu, _turns(
        [("住所変更したいです。〒０６０－０００１ 札幌市中央区北1条西2丁目3番地 さくらビル5F",
          "{intent: address_change}")], "{outcome: abandoned}", channel="chat"))
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", ["住所変更お願いしたいんですわ", "来月引っ越すので住所の変更をお願いしたいのですが"])
async def test_an_address_change_on_a_shipped_order_offers_the_registered_one(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                            opening: str) -> None:
    # the order had shipped: 「お届け先を変更できません」 and the call was over, the caller's new address never taken
    result = await _run(tmp_path, bot, nlu, _turns(
        [opening, ("いちにさんよん ごーろくななはち", "{awaiting: confirm, says: ご登録のご住所を変更なさいますか}"),
         "はい", "ごーさんまるの まるまるいちいち", "大阪市北区梅田一の一の一", "はい", "以上です"],
        "{outcome: resolved, slots: {postal_code: \"5300011\"}}", phone="09012345678"))
    assert result.passed, result.failures


async def test_only_this_orders_destination_is_not_offered_the_registered_one(tmp_path: Path, bot: Bot,
                                                                              nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["イヤホンの送り先を変えてほしいんですけど", ("いちにさんよん ごーろくななはち", "{awaiting: anything_else}")],
        "{outcome: resolved}", phone="09012345678"))  # told it cannot be done: served, and the caller hangs up
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", ["こないだ頼んだケトルの代金、なんぼだったべか",
                                     "えーと、この前注文したイヤホンの代金っていくらだったか確認したいんですけど"])
async def test_what_ones_own_order_cost_is_a_billing_question(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # order status 0.48-0.55; the first was answered with the cash-on-delivery fee (代金 as in 代金引換)
    result = await _run(tmp_path, bot, nlu, _turns(
        [(opening, "{intent: billing_inquiry, awaiting: \"slot:order_id\"}")], "{outcome: abandoned}",
        phone="0312349999"))
    assert result.passed, result.failures


async def test_a_knowledge_base_answer_and_a_person_asked_for_are_the_calls_intents(tmp_path: Path, bot: Bot,
                                                                                   nlu: NLU) -> None:
    # SPEC 7.2 `intents`: every intent acted on, a global handler's too; a receipt question answered is billing,
    # and a person asked for in a call about an order is taken (the case note stays about the order)
    result = await _run(tmp_path, bot, nlu, _turns(
        ["領収書ってもらえますか", "はい", "注文番号12345678の配送状況を教えてください", "担当の方と話したいです"],
        "{outcome: transferred, reason: human_request, intents: [billing_inquiry, order_status, operator_request]}",
        phone="09012345678"))
    assert result.passed, result.failures


async def test_the_calls_slots_keep_what_a_later_request_cleared(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # store hours start with their own date cleared: the delivery's date was gone from the call's slots
    result = await _run(tmp_path, bot, nlu, _turns(
        ["いちにさんよん ごーろくななはち の はいたつを あしたの ごぜんちゅうに かえたいです", "はい",
         "それと しぶやてんって なんじまで やってますか", "いじょうです"],
        "{outcome: resolved, slots: {date: \"2026-12-22\", time_window: \"08:00-12:00\", store: shibuya}}",
        phone="09012345678"))
    assert result.passed, result.failures


async def test_a_kyushu_fine_with_a_closing_declines_the_extra_and_ends(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「よかです」 was a yes (Kyushu よか), and the SMS offer went on to ask for the phone number
    result = await _run(tmp_path, bot, nlu, _turns(
        ["ログインできんとですよ、パスワード忘れてしもうて", "よかです、以上です"], "{outcome: resolved}"))
    assert result.passed, result.failures
    assert not any("お電話番号をお知らせください" in t["text"] for t in result.transcript)


async def test_a_request_let_go_for_another_question_is_not_resumed(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「それでは、先ほどのお手続きに戻らせていただきます」 and the order number asked again, after the caller said no
    result = await _run(tmp_path, bot, nlu, _turns(
        ["再配達頼みたいんやけど", ("あー、やっぱりええわ、自分でヤマトに電話するわ。それより梅田店って今日何時まで？",
                                 "{awaiting: anything_else}"), "水曜休みなんか。ほな以上で"],
        "{outcome: resolved, intents: [delivery_change, store_hours]}", now="2026-11-18T11:00:00+09:00"))
    assert result.passed, result.failures


async def test_the_order_number_said_with_a_no_goes_with_the_new_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["すみません、折り返しお電話いただくことってできますか",
         ("あ、やっぱりいいです。いま聞いちゃいます。12345678の荷物、いつ着きますか", "{awaiting: anything_else}"),
         "わかりました、以上です"],
        "{outcome: resolved, slots: {order_id: \"12345678\"}}", phone="09012345678"))
    assert result.passed, result.failures


@pytest.mark.parametrize(("then", "said"), [
    ("了解です、じゃあ…", "ごゆっくり"),  # trails off into more: no goodbye
])
async def test_a_turn_that_trails_off_is_waited_for(tmp_path: Path, bot: Bot, nlu: NLU, then: str, said: str) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["渋谷店って何時からですか", (then, f"{{says: {said}}}"), ("あ、パスワード忘れちゃったんですけど",
                                                                "{intent: account_login}")],
        "{intents: [store_hours, account_login]}", channel="chat"))
    assert result.passed, result.failures


async def test_one_more_thing_after_a_closing_is_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["電気ケトルの入荷はいつになりますか",
         ("なかです、どうも。…あ、すんまっせん、もう一個だけ、札幌店は駐車場あっとですか",
          "{intent: store_location, awaiting: anything_else}")],
        "{slots: {store: sapporo}}"))
    assert result.passed, result.failures


async def test_a_question_first_at_a_callbacks_read_back_keeps_its_day_out_of_the_callback(tmp_path: Path, bot: Bot,
                                                                                        nlu: NLU) -> None:
    # its 火曜日 was taken as the callback's day and the number's read-back as said yes to
    result = await _run(tmp_path, bot, nlu, _turns(
        ["あの、折り返しの電話をお願いしたいんですが",
         ("あ、すみません、その前に札幌店って火曜日お休みでしたっけ", "{awaiting: confirm, says: 定休日}"),
         ("はい", "{awaiting: \"slot:date\"}"), "明日", "午前十時", "はい", "以上です"],
        "{outcome: callback_scheduled, intents: [callback_request, store_hours], slots: {date: \"2026-12-02\"}}",
        now="2026-12-01T09:45:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_day_already_given_is_the_requests_again_after_a_side_question(tmp_path: Path, bot: Bot,
                                                                              nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["12345678の配達日を15日に変えたい", "その前に渋谷店って今日何時まで？",
         ("午前中", "{awaiting: confirm, says: 12月15日}"), "はい", "以上です"],
        "{outcome: resolved, slots: {date: \"2026-12-15\"}}", now="2026-12-07T10:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


# dev90 (situations told instead of requests) and dev91 (complaints and strong feelings), first run

async def test_a_kana_day_the_caller_is_away_is_not_the_new_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["えっと はつか は しゅっちょう で いえ に いないんです",
         ("いちにさんよん ごーろくななはち", "{awaiting: \"slot:date\"}")], "{outcome: abandoned}",
        now="2026-11-12T10:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_rueful_routine_request_is_served_not_handed_over(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # sadness 0.8+ from 「不要になってしまいまして」: 「お辛い中」 and a person, for a gift no longer needed
    result = await _run(tmp_path, bot, nlu, _turns(
        [("友人の結婚祝いに電気ケトルを注文したのですが、先方がもう同じものを頂いたそうで、不要になってしまいまして",
          "{intent: cancel_order, awaiting: \"slot:order_id\"}")], "{outcome: abandoned}", phone="0312349999"))
    assert result.passed, result.failures


@pytest.mark.parametrize(("opening", "intent"), [
    ("わたし来月から長いこと入院することになってねえ、こないだ頼んだケトルね、もう使う人がおらんのよ", "cancel_order"),
    ("すみません、いま子どもを保育園に迎えに行くところで、ゆっくりお話しできないんです", "callback_request"),
])
async def test_a_situation_told_is_its_request(tmp_path: Path, bot: Bot, nlu: NLU, opening: str, intent: str) -> None:
    result = await _run(tmp_path, bot, nlu, _turns([(opening, f"{{intent: {intent}}}")], "{outcome: abandoned}",
                                                  phone="09012345678"))
    assert result.passed, result.failures


async def test_not_hearing_the_answer_in_dialect_hears_it_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["札幌の店、何時まで開いてんだべ", ("わりい、外さいて風の音で聞ごえねがった", "{says: 10時から19時}")],
        "{intents: [store_hours]}"))
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert sum("10時から19時" in t for t in said) == 2


async def test_a_caller_angry_only_at_the_wait_is_apologised_to_and_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the complaint reading of 「つながらへん」 put the caller through to the complaints desk, their question unasked
    result = await _run(tmp_path, bot, nlu, _turns(
        [("さっきから電話ぜんぜんつながらへんし、どないなってんねん", "{awaiting: free, says: 大変お待たせしてしまい}"),
         ("梅田店って今日何時までやってる？", "{intent: store_hours}")], "{outcome: resolved}"))
    assert result.passed, result.failures


async def test_a_routine_question_at_the_callback_offer_is_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the はい took in the hours: the callback was booked and the order's status never told
    result = await _run(tmp_path, bot, nlu, _turns(
        ["もう なんかいも おとどけびが かわって いいかげんに してほしいんですけど",
         ("はい わかりました じゃあ いま どこに あるのか おしえてください いちにさんよん ごーろくななはち です",
          "{intent: order_status, awaiting: anything_else}")],
        "{slots: {order_id: \"12345678\"}}", now="2026-12-06T07:30:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_callback_accepted_with_please_is_still_booked(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["人と話したい", ("はい、お願いします。荷物のことなんですけど", "{awaiting: confirm, says: 折り返しのお電話は}")],
        "{intents: [operator_request, callback_request]}", now="2026-12-06T07:30:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


# dev92 (confused and elderly callers, family) and dev93 (orders and deliveries in detail), first run

async def test_which_number_asked_back_is_explained(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「わからなくて」 read as not having it: the orders on the phone were listed, the question never explained
    result = await _run(tmp_path, bot, nlu, _turns(
        ["かった けとるを へんぴん したいんですけど",
         ("え なに ばんごう? なんの ばんごう? わたし よく わからなくて ごめんなさいね",
          "{awaiting: \"slot:order_id\", says: ご注文確認メール}")], "{outcome: abandoned}", phone="09012345678"))
    assert result.passed, result.failures


async def test_the_reset_sms_goes_to_the_members_caller_id_once_confirmed(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「ご登録のお電話番号をお知らせください」 to an elderly caller whose son set the account up
    result = await _run(tmp_path, bot, nlu, _turns(
        ["ぱすわーど わすれちゃって ろぐいん できないのよ むすこが せっていしてくれたんだけど",
         ("はい", "{awaiting: confirm, says: 090-1234-5678あてにお送りいたします}"),
         ("はい", "{says: 再設定用のSMSをお送りいたしました}"), "以上です"],
        "{outcome: resolved, slots: {phone_number: \"09012345678\"}}", phone="09012345678"))
    assert result.passed, result.failures


async def test_without_a_members_caller_id_the_registered_phone_is_asked(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["パスワードを忘れてログインできません", ("はい", "{awaiting: \"slot:phone_number\"}")], "{outcome: abandoned}",
        phone="0312349999"))
    assert result.passed, result.failures


@pytest.mark.parametrize(("turn", "window"), [
    ("再配達で、明日の午前中…じゃなくて、夜七時以降にしてください。番号は12345678です", "19:00-21:00"),
    ("12345678 12/15 18-20で再配達お願い", "18:00-20:00"),
])
async def test_a_window_corrected_after_a_pause_or_typed_as_hours(tmp_path: Path, bot: Bot, nlu: NLU, turn: str,
                                                                 window: str) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        [(turn, "{intent: delivery_change, awaiting: confirm}")], f"{{slots: {{time_window: \"{window}\"}}}}",
        now="2026-11-30T10:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_question_before_giving_the_number_is_answered_then_the_number_asked(tmp_path: Path, bot: Bot,
                                                                                    nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["注文した荷物がまだ来ねえんだども",
         ("あ、番号言う前に、札幌店ってどこさあんだっけ", "{intent: store_location, awaiting: \"slot:order_id\"}"),
         "んだか。ほんで番号は、いちにさんよん ごーろくななはち"],
        "{intents: [order_status, store_location], slots: {order_id: \"12345678\", store: sapporo}}",
        phone="09012345678"))
    assert result.passed, result.failures


async def test_an_answer_not_heard_is_logged_as_a_repeat(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        ["札幌の店、何時まで開いてんだべ", ("わりい、外さいて風の音で聞ごえねがった", "{intent: repeat}")],
        "{intents: [store_hours]}"))
    assert result.passed, result.failures


async def test_a_question_at_a_read_back_naming_the_same_day_is_no_yes(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # found in ivr chat: its 明日 was the read-back's day said back, so a yes, and the delivery was changed unasked
    result = await _run(tmp_path, bot, nlu, _turns(
        ["注文番号12345678の配達、明日の午前中に変えてほしいんやけど",
         ("その前に、梅田店って明日やってはる？", "{intent: store_hours, awaiting: confirm, says: 定休日}"),
         ("ほな、はい", "{says: 変更いたしました}"), "以上で"],
        "{outcome: resolved, slots: {date: \"2026-12-09\"}}", now="2026-12-08T10:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_time_changed_at_a_callbacks_read_back_is_a_correction(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「やっぱり3時にしてもらえますか」 reads as a delivery change: asked as a question at a read-back, it was taken for
    # another request; its value is the callback's own time
    result = await _run(tmp_path, bot, nlu, _turns(
        ["上田と申します。明日の午後2時に、この番号へ折り返しをお願いします",
         ("あ、すみません、やっぱり3時にしてもらえますか", "{awaiting: confirm}"), "はい、それでお願いします"],
        "{intents: [callback_request], slots: {time: \"15:00\"}}", now="2026-12-08T10:00:00+09:00", phone="08087878787"))
    assert result.passed, result.failures


# found in ivr chat on the fresh clone

async def test_the_number_said_unknown_with_the_request_is_not_asked_for(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「はいたつび」 was no day changed (order status and delivery 0.35 each, asked about), the number was asked for
    # though the caller had said they did not have it, and the day and slot given to the guess were lost
    result = await _run(tmp_path, bot, nlu, _turns(
        [("あのー ちゅうもんばんごう わからないんですけど いやほんのほうの はいたつびを かえたいんです",
          "{intent: delivery_change, awaiting: \"slot:date\", says: ワイヤレスイヤホンのご注文でございますね}"),
         "あさっての ごご にじから よじで", "はい", "それで全部です"],
        "{outcome: resolved, slots: {order_id: \"12345678\", date: \"2026-12-10\", time_window: \"14:00-16:00\"}}",
        now="2026-12-08T10:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_day_and_slot_given_to_the_status_guess_is_a_delivery_change(tmp_path: Path, bot: Bot,
                                                                            nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _turns(
        [("荷物のことでちょっと", "{awaiting: confirm}"),
         ("あさっての午前中で", "{intent: delivery_change, awaiting: \"slot:order_id\"}")],
        "{slots: {date: \"2026-12-10\", time_window: \"08:00-12:00\"}}", now="2026-12-08T10:00:00+09:00",
        phone="09012345678"))
    assert result.passed, result.failures


async def test_the_order_named_at_which_order_is_picked_and_never_a_stock_question(tmp_path: Path, bot: Bot,
                                                                                 nlu: NLU) -> None:
    # 「番号は控えていないです。電気ケトルのほうです」 at 「どちらの商品のご注文でしょうか」 was the kettle's stock, thirty times
    result = await _run(tmp_path, bot, nlu, _turns(
        ["注文状況を知りたいです。注文番号はわからないです", "090-1234-5678",
         ("番号は控えていないです。電気ケトルのほうです", "{awaiting: anything_else, says: 配達済み}")],
        "{slots: {order_id: \"34567890\"}}", channel="chat"))
    assert result.passed, result.failures


async def test_a_parcel_not_come_is_no_family_member(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 届かない (とどかない) held かない, the reading of 家内: someone else ordered, so a person
    result = await _run(tmp_path, bot, nlu, _turns(
        [("すみません、先週注文したイヤホンがまだ届かないんですが、注文番号が手元になくて…。",
          "{awaiting: \"slot:phone_number\"}")], "{outcome: abandoned}", channel="chat"))
    assert result.passed, result.failures
