"""Callers of the blind sets dev105 (answers with more or less than asked), dev106 (situations, not requests),
dev107 (kana-only and misrecognised voice), dev108 (confused callers), dev109 (the year's end) and dev110
(feelings and hand-overs) that failed on their first run, each now a test.

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
SUNDAY = "2027-01-03T11:00:00+09:00"  # the year-end break: agents closed


@pytest.mark.parametrize(("opening", "rest", "slot", "value"), [
    # the first digits were an amount (1234) and the rest, alone, no order number
    ("えーと、注文したものがまだ届かないんですけど、番号が、いちにさんよん", "ごーろくななはちです", "order_id", "12345678"),
    ("ちゅうもんした もの いつ とどくか しりたいんですけど ばんごうが いちにさんよん", "ごーろくななはち です", "order_id",
     "12345678"),
])
async def test_a_number_begun_with_the_request_goes_on_at_its_question(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str, rest: str, slot: str, value: str) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [(opening, "{says: \"1234\"}"), rest], f"{{slots: {{{slot}: \"{value}\"}}}}", now=WEEKDAY,
        phone="09012345678"))
    assert result.passed, result.failures
    assert "number_begun" not in result.slots


async def test_a_callback_number_begun_with_the_request_is_not_the_caller_id(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the landline calling was read back and the caller's 「ごーよんさんにです」 was no yes or no
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["おりかえし でんわ ください ばんごうは ぜろはちぜろ", "きゅうはちななろく", "ごーよんさんに", "げつようの",
         "ごぜんじゅうじで", "はい"],
        "{outcome: callback_scheduled, slots: {phone_number: \"08098765432\"}}", now=WEEKDAY, phone="0312345678"))
    assert result.passed, result.failures


async def test_a_phone_number_typed_in_two_messages_with_a_hyphen(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["注文の状況を教えてください。注文番号は23456789です", "080-9876", "5432 です"],
        "{slots: {phone_number: \"08098765432\", verified: \"true\"}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_next_week_then_a_pause_then_the_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「らいしゅうの」 was not understood and 「かようびで」 alone was this week's Tuesday
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["いちにさんよんごーろくななはちのにもつなんですけど はいたつびをかえたいんです", ("らいしゅうの", "{says: 来週のいつ}"),
         "かようびで", "ごぜんちゅうで", "はい"],
        "{outcome: resolved, slots: {date: \"2026-12-29\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
    assert [t["text"] for t in result.transcript if t["speaker"] == "caller"][2] == "かようびで"


async def test_the_end_of_a_window_said_at_its_read_back_finishes_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「じゅうよじから」 read back as 14時から16時, then 「じゅうろくじのあいだで」 was taken for 16時から18時
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["一二三四五六七八の荷物、あしたの配達にしてほしいんですけど", "えーと、じゅうよじから",
         ("じゅうろくじのあいだで", "{says: 変更いたしました}")],
        "{slots: {time_window: \"14:00-16:00\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "あのー、明日荷物が届くってメールが来てたんですけど、明日はその、仕事で朝から晩まで家にいないんですよ",
    "明日届く荷物、明日は留守なんです",
])
async def test_the_day_the_caller_is_out_is_not_the_day_asked_for(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [opening, ("12345678", "{awaiting: \"slot:date\"}"), "土曜日なら一日家にいます", "午前中でお願いします", "はい"],
        "{outcome: resolved, slots: {date: \"2026-12-26\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_the_day_to_change_to_said_after_the_day_out(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["明日は留守にするので、明後日にしてください", ("12345678", "{awaiting: \"slot:time_window\"}")],
        "{slots: {date: \"2026-12-23\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_spaced_kana_day_of_the_month(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「にじゅう ろく にち」 three times not understood, then a person
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["はい たつ の にち じ へん こう を した いん です が", "いち に さん よん ご ろく なな はち",
         ("にじゅう ろく にち", "{awaiting: \"slot:time_window\"}")],
        "{slots: {date: \"2026-12-26\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_product_name_one_slip_away(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["コーヒーメカーってざいこあります?うめだで買えますか", "以上です"],
        "{slots: {product: coffee_maker, store: umeda}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures
    assert "お取り扱いがございません" not in str(result.transcript)


async def test_a_kyushu_yes_alone_takes_the_callback_offered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「よかです」 alone is a plain yes (notes: Kyushu); 「もうよかです」「よかです、以上です」 decline
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["人と話したかとですけど、つないでもらえんですか", ("よかです", "{says: 090-1234-5678}")],
        "{intent: operator_request}", now=SUNDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_the_request_changed_in_one_breath_with_the_number(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["返品したいんだけど", ("あ、やっぱ返品じゃなくてキャンセルで。まだ届いてないやつ、23456789", "{intent: cancel_order}")],
        "{intents: [return_exchange, cancel_order], slots: {order_id: \"23456789\"}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_a_request_given_up_for_another_is_not_come_back_to(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["荷物の配達日 変えたいねんけど", "あー やっぱ ええわ 家族に受け取ってもらうし それより 梅田店って 何時までやってるん",
         "わかった ほな それだけ おおきに"],
        "{outcome: resolved, slots: {store: umeda}}", now=WEEKDAY))
    assert result.passed, result.failures
    assert "先ほどのお手続きに戻らせていただきます" not in str(result.transcript)


async def test_an_ordered_thing_as_the_topic_is_its_status(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # it was asked about as a cancellation
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("ちゅうもんした しなものの ことで ききたいんですけど", "{says: 配送状況}")], "{}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_anger_at_anything_else_is_no_goodbye(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「…しかたないです」 ended the call (ないです closes); 「そうですか、しかたないですね」 still does
    angry = await _run(tmp_path, bot, nlu, scripted_case(
        ["すみません うめだてんって きょう あいてますか",
         "えっ やすみ わざわざ でんしゃで きたんですよ もう ほんとうに はらがたって しかたないです"],
        "{outcome: transferred}", now="2027-10-13T11:00:00+09:00"))
    assert angry.passed, angry.failures
    resigned = await _run(tmp_path, bot, nlu, scripted_case(
        ["すみません うめだてんって きょう あいてますか", "そうですか、しかたないですね"],
        "{outcome: resolved}", now="2027-10-13T11:00:00+09:00"))
    assert resigned.passed, resigned.failures


async def test_patience_at_an_end_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["12345678の再配達をお願いしたいです", "090-1234-5678",
         "ていうか再配達これで3回目なんですけど！毎回指定した時間に来ないし、もう我慢の限界です！！"],
        "{outcome: transferred, reason: emotion}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_the_company_sworn_at_in_kana_is_warned(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["いちにさんよん ごーろくななはち の にもつって いま どうなってます",
         ("まだ はいそうちゅう ちっ つかえねえな この くそがいしゃが", "{harassment: insult}")],
        "{}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_grief_told_with_no_number_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the number not at hand was heard, and the sister's death was not: 「担当者におつなぎいたしましょうか」
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["えっと ちゅうもんの じょうきょうを ききたいんですけど",
         "すみません… ばんごうは わからないんです… ちゅうもんしたのは いもうとで… いもうとは せんしゅう なくなりまして…"],
        "{outcome: transferred, reason: emotion}", now=WEEKDAY))
    assert result.passed, result.failures


@pytest.mark.parametrize(("opening", "asked"), [
    # each read as the order's status (0.39-0.87): the situation says what the caller wants done
    ("実は来週引っ越すことになりまして、電気ケトルを注文してるんですけど、まだ届いてないんですよね", "お届け先の変更"),
    ("あのなあ、わし今度から娘のとこで一緒に住むことになってなあ、こないだ頼んだやかんがまだ来てへんのやけど", "お届け先の変更"),
    ("えーと らいしゅう ひっこしなんですけど ちゅうもんしたのが まだとどいてなくて", "お届け先の変更"),
    ("ケトル頼んでてんけどな、嫁はんがもう店で買うてきてしもてん。まだ届いてへんねんけど", "キャンセル"),
    ("あのう、息子に頼まれて注文したものがあるんですけどね、息子がもう要らないって言うんですよ。まだ届いてはいないんですけど",
     "キャンセル"),
    ("孫に頼んで注文してもらったんだけどねえ、電気ケトル、同じのがもううちにあったのよ。届いちゃってから気がついてねえ",
     "返品・交換"),
])
async def test_a_situation_about_an_order_is_asked_about_as_what_it_asks_for(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str, asked: str) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [(opening, f"{{awaiting: confirm, says: {asked}}}")], "{}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "来週引っ越しなんです、その前に届かないと困るんですけど…ケトル、大丈夫でしょうか",  # to be in time for the move
    "あのう ひっこして でんわも かわったんだけど ちゅうもんしたのが ちゃんと とどいたか かくにん したくて",  # moved already
    "注文したイヤホンがまだ届かないんですけど",
    "それとね あの でんきけとるは まだ はいらないのかしら",  # はいらない is stock, not 要らない
])
async def test_what_is_still_the_orders_status_or_stock(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case([opening], "{}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
    said = str(result.transcript)
    assert "お届け先の変更" not in said and "キャンセルについて" not in said and "返品・交換について" not in said


async def test_two_things_asked_of_one_store_in_one_phrase(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # only the hours were told: 「渋谷店の営業時間と あと場所も」 lost the location
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["あのー 渋谷店の営業時間と あと場所も教えてもらえますか", "以上です"],
        "{outcome: resolved, intents: [store_hours, store_location], slots: {store: shibuya}}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_a_struck_out_word_typed_in_chat_is_a_correction(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # dev112: 「×明日 ○明後日です」 was not understood
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["札幌店、明日あいてますか？", ("×明日 ○明後日です", "{says: 2月23日}"), "以上です"],
        "{slots: {store: sapporo, date: \"2027-02-23\"}}", now="2027-02-21T11:00:00+09:00", channel="chat"))
    assert result.passed, result.failures
    assert "×明日 ○明後日です" in [t["text"] for t in result.transcript]  # the log keeps what was typed


async def test_another_thing_asked_of_the_store_just_answered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # dev112: 「あ、あと場所も教えてください」 was heard as "yes, there is more"
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["営業時間を知りたいです", "梅田です", ("あ、あと場所も教えてください", "{says: 大阪府大阪市北区}"), "以上です"],
        "{intents: [store_hours, store_location], slots: {store: umeda}}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_the_first_digits_said_to_the_guess_at_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # found in ivr chat: 「さんよんごろく」 to 「配送状況についてのお問い合わせでよろしいでしょうか」 was a yes and the
    # amount 3456; the number was asked from the start and 「ななはちきゅうぜろ」 alone was no number
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["あのね むすめが ちゅうもんしてくれた けとるの ことなんだけどね", ("さんよんごろく", "{says: \"3456\"}"),
         "ななはちきゅうぜろ"],
        "{intent: order_status, slots: {order_id: \"34567890\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
    assert "amount" not in result.slots


# dev113-dev115 (callbacks and times; returns; rambling callers)


async def test_a_callback_day_and_time_said_again_to_the_offer_of_the_earliest(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「じゃあ30日の午後2時で」 to the offer of 30日 9時: the time was asked again, and 「はい」 was no time
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["29日の午後2時に折り返しお願いします。森です。電話番号は08012344321です",
         ("あ、祝日なんですね。じゃあ30日の午後2時で", "{awaiting: confirm, says: 4月30日(金)の14時}"), "はい"],
        "{outcome: callback_scheduled, slots: {date: \"2027-04-30\", time: \"14:00\"}}",
        now="2027-04-26T11:00:00+09:00", channel="chat"))
    assert result.passed, result.failures


async def test_a_kana_day_after_the_holidays_is_no_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「れんきゅうあけの むいか」 (its か the day's) was taken for a question about the hours, eight times over
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["にんげんの ひとに かわって もらえますか", "はい", "はい", ("れんきゅうあけの むいか", "{awaiting: \"slot:time\"}"),
         "じゅうじごろ", "はい"],
        "{outcome: callback_scheduled, slots: {date: \"2027-05-06\", time: \"10:00\"}}",
        now="2027-05-01T17:30:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_the_police_told_of_in_a_story_is_no_legal_threat(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # an unlucky week (the police and the insurer after an accident), then a redelivery: it went to a person
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("あー もしもし すいません あの こんしゅう ほんと ついてなくて げつように くるま ぶつけられて かようは けいさつと "
          "ほけんやさんと やりとりで すいようは だいしゃ とりに いって で きょう かえったら ふざいひょうが はいってて "
          "さいはいたつ おねがい したいんですけど あした にじゅうさんにちの よるの しちじから くじで",
          "{intent: delivery_change, awaiting: \"slot:order_id\"}")],
        "{slots: {date: \"2027-07-23\", time_window: \"19:00-21:00\"}}", now="2027-07-22T19:00:00+09:00",
        phone="0312345678"))
    assert result.passed, result.failures


async def test_a_person_asked_for_after_a_long_preamble(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("あ もしもし きょう やすみ なんで やっと でんわ できたんですけど ふだん しごとで なかなか じかんが とれなくて ね "
          "ちょっと せつめい しにくい ことが あるので たんとうの かたと はなしたいんですが", "{intent: operator_request}")],
        "{}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_question_after_a_story_at_anything_else(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # it was "yes, there is more" (「ご用件をお聞かせください」)
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["梅田店って今日開いてますか?",
         ("えー、そうなんですか…せっかく有給とったのに。まあ仕方ないので今日は家でゴロゴロします。あ、ところでネットで頼んだものの"
          "配達日って変えられます?", "{says: お届け日時の変更}")],
        "{}", now="2027-07-28T11:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", [
    "届いた電気ケトルのスイッチが入りません。初期不良の場合、返送料はこちらの負担になりますか。返品を希望します。",
    "届いた電気ケトル、まだ箱も開けていないのですが、やはり不要になりましたので返品できますでしょうか",
])
async def test_a_return_asked_with_a_question_is_answered_then_taken(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # the knowledge base answered and 「解消されましたでしょうか」 ended it: the return itself was lost
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [(opening, "{awaiting: \"slot:order_id\"}")], "{intent: return_exchange}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures


async def test_a_thing_that_came_to_send_back_after_a_story(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # its かえしたい was read as 変えたい: 「お届け日時の変更や再配達についてのお問い合わせでよろしいでしょうか」
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["いちにさんよん ごーろくななはち の にもつ どうなってますか",
         ("はあ そうですか うちの ほうは いつも おなじ はいたつの ひとで ね こないだも あめの なか わざわざ げんかんまで "
          "もってきて くれて ね ほんと たすかってるのよ それで ついでに もうひとつ せんしゅう とどいた でんきケトル を かえしたいの",
          "{says: 返品・交換}")],
        "{}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


# dev116 (deliveries said every way)


async def test_so_many_days_from_today_in_kana(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「きょうから みっかご で」 three times not understood, then a person
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["にもつ の はいたつ の ひにち を ずらして ほしいんですけど", "いちにさんよん ごーろくななはち",
         ("きょうから みっかご で", "{awaiting: \"slot:time_window\"}")],
        "{slots: {date: \"2026-12-24\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_window_chosen_by_its_place_in_the_list(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["配達日時の変更をお願いしたいのですが", "いちにさんよん ごーろくななはち", "明後日で",
         ("二番目の時間帯でお願いいたします", "{awaiting: confirm}")],
        "{slots: {time_window: \"14:00-16:00\"}}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_the_day_a_parcel_is_due_on_is_not_the_day_asked_for(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「明日配達予定の荷物なんですけど」: 明日 was taken for the new day
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["あの、明日配達予定の荷物なんですけど、日にち変えられます？",
         ("いちにさんよんごーろくななはち", "{awaiting: \"slot:date\"}")], "{}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_pause_inside_a_kana_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「じゅう…ろくにち」 was 10 and the 6th (6 February)
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["はいたつの ひにちを かえたいんですが", "いちにさんよん ごーろくななはち",
         ("じゅう…ろくにちの どようびで", "{awaiting: \"slot:time_window\"}")],
        "{slots: {date: \"2027-01-16\"}}", now="2027-01-12T11:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_the_same_stock_asked_of_another_store_in_keigo(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # dev117: 「では、梅田店にはございますか」 after the stock at Shibuya was told Umeda's address
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["コーヒーメーカーの在庫を確認したいのですが、渋谷店にはございますでしょうか",
         ("では、梅田店にはございますか", "{intent: product_availability}")],
        "{intents: [product_availability, product_availability], slots: {store: umeda, product: coffee_maker}}",
        now=WEEKDAY))
    assert result.passed, result.failures
