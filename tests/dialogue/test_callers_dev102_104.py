"""Callers of the blind sets dev102 (deliveries in detail), dev103 (feelings, and serving or handing over) and
dev104 (more than one request in a call) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run
from tests.dialogue.cases import scripted_case

WEEKDAY = "2026-12-21T11:00:00+09:00"  # a Monday before the year-end break: agents open


async def test_thanks_then_a_question_with_pauses_is_the_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the normaliser drops the recogniser's pauses, and 「おおきに」 made the one clause a goodbye
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["梅田店て今日開いてる？", ("おおきに ほんで イヤホンて在庫あるん？", "{intent: product_availability}"), "おおきに"],
        "{outcome: resolved, intents: [store_hours, product_availability]}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_that_is_all_and_thanks_to_an_answer_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # its どうも was a question word (どう): 「はい」か「いいえ」で, to an elderly caller saying goodbye
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["ポイントっていつまで使えるのかしら", ("それだけです どうもご丁寧に", "{outcome: resolved}")],
        "{outcome: resolved}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_i_will_think_about_it_at_a_cancellation_keeps_the_order(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["23456789の注文をキャンセルしたいです。登録の電話番号は08098765432です",
         ("やっぱりちょっと考えます", "{awaiting: anything_else}"), "以上です"],
        "{outcome: resolved}", now=WEEKDAY, channel="chat"))
    assert result.passed, result.failures
    assert "キャンセルを承りました" not in str(result.transcript)


async def test_a_request_and_a_question_with_a_recognisers_pauses(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the receipt was answered and the cancellation lost
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("えっと ちゅうもんの きゃんせると あと りょうしゅうしょって どうやって だすんですか", "{says: ダウンロード}"),
         ("23456789", "{awaiting: confirm}"), "はい"],
        "{intents: [billing_inquiry, cancel_order], slots: {order_id: \"23456789\"}}", now=WEEKDAY,
        phone="08098765432"))
    assert result.passed, result.failures


async def test_two_orders_to_be_checked(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # (cancel 0.27): 「うまく聞き取れませんでした」
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("私の注文と 娘の注文と 両方確認したいんだけど", "{awaiting: confirm}"), ("はい", "{awaiting: \"slot:order_id\"}")],
        "{intent: order_status}", now=WEEKDAY))
    assert result.passed, result.failures


async def test_the_earlier_delivery_with_its_day_kept(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「日にちはそのままで」: the date was asked for again
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["配達日を変更したいです 注文番号は いちにさんよんごーろくななはちです", "土曜日の午前中でお願いします", "はい",
         "あ あと コーヒーメーカーってどこで買えますか",
         ("さっきの配達の件ですけど 日にちはそのままで 時間を十四時から十六時に変えられますか", "{awaiting: confirm}"), "はい",
         "以上です"],
        "{outcome: resolved, slots: {date: \"2026-12-26\", time_window: \"14:00-16:00\"}}", now=WEEKDAY,
        phone="09012345678"))
    assert result.passed, result.failures


async def test_a_person_asked_for_in_a_sexual_remark_is_not_put_through(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # warned and transferred to an agent in the same turn
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("オペレーターって女の人？スリーサイズ教えて", "{awaiting: free}"), "エロい声で注文番号読み上げてよ"],
        "{reason: harassment}", now="2026-09-19T14:00:00+09:00", channel="chat"))
    assert result.passed, result.failures
    assert "オペレーターにおつなぎ" not in str(result.transcript)


async def test_a_death_told_in_dialect_is_grief_not_abuse(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「死んでしもうて」 (insult 0.51) was warned: 「そのようなお言葉はお控えください」
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["ばあさんが死んでしもうてのう…どうにも…ひとりで、なんもかんも分からんのじゃ"],
        "{outcome: transferred, reason: emotion}", now="2026-09-19T10:00:00+09:00"))
    assert result.passed, result.failures
    assert "お控えください" not in str(result.transcript)


async def test_abuse_said_after_the_request_is_warned(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the request drowned the insult (0.12): the second one was the first warned
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("注文の確認したいんだけど、お前ほんと使えねえな", "{says: お控えください}"), "聞いてんのかよ、このバカが。役立たず"],
        "{reason: harassment}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_a_kana_day_said_with_no_hi(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「とおかの日で」 was not read (「とおかの日」 and 「とおかで」 were): asked three times, then a person
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["再配達の日にちを決めたいんですけど", "一二三四五六七八です", ("えーと、とおかの日で", "{awaiting: \"slot:time_window\"}")],
        "{slots: {date: \"2026-12-10\"}}", now="2026-12-07T11:00:00+09:00", phone="09012345678"))
    assert result.passed, result.failures


async def test_a_missed_delivery_slip_for_an_order_not_yet_sent(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # a new day was asked for an order still being prepared: the slip is another parcel's
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["不在票が入ってたんですけど、たぶんケトルのやつだと思うんで再配達お願いします",
         ("にさんよんごー ろくななはちきゅう", "{says: まだ発送しておりません, awaiting: anything_else}"), "わかりました、以上です"],
        "{outcome: resolved, intents: [delivery_change]}", now=WEEKDAY, phone="08098765432"))
    assert result.passed, result.failures


async def test_an_elderly_caller_asking_whether_a_person_is_there_is_put_through(tmp_path: Path, bot: Bot,
                                                                                nlu: NLU) -> None:
    # the harassment head reads 「人の方いらっしゃらないの？」 as an insult (0.86): she was warned, and (once a warned
    # turn's person request stopped being served) never reached anyone
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["あのねえ、わたし、こういうのよくわからなくてねえ。娘に電話しなさいって言われたんだけど",
         "だれか、人の方いらっしゃらないの？そのほうが安心なんだけど"],
        "{outcome: transferred, reason: human_request}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
    assert "お控えください" not in str(result.transcript)


async def test_something_to_check_about_an_order_is_asked_about(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「確認したいことがある」 announces a question about an order; it is not the order's status asked for
    result = await _run(tmp_path, bot, nlu, scripted_case(
        [("先日の注文の件で確認したいことがあるんですけど", "{awaiting: confirm}"),
         ("ちがいます、請求のことで電話したんです", "{intent: billing_inquiry}")],
        "{intents: [billing_inquiry]}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures


async def test_another_parcel_wondered_about_then_that_is_all(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「別の荷物」 started the delivery change again for the caller's other order
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["不在票が入ってたんですけど、たぶんケトルのやつだと思うんで再配達お願いします", "にさんよんごー ろくななはちきゅう",
         ("じゃあ別の荷物かな…わかりました、以上です", "{outcome: resolved}")],
        "{outcome: resolved}", now=WEEKDAY, phone="08098765432"))
    assert result.passed, result.failures


async def test_the_daughters_order_after_the_callers_own(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「それから娘の方が」 with her order and phone (callback 0.27) was not understood
    result = await _run(tmp_path, bot, nlu, scripted_case(
        ["私の注文と 娘の注文と 両方確認したいんだけど", "はい", "まず私の方ね いちにさんよんごーろくななはち",
         ("それから娘の方が にさんよんごーろくななはちきゅう 娘の電話は ぜろはちぜろの きゅうはちななろくの ごよんさんに",
          "{says: \"23456789\", awaiting: anything_else}"), "はい それで全部です"],
        "{outcome: resolved, intents: [order_status, order_status]}", now=WEEKDAY, phone="09012345678"))
    assert result.passed, result.failures
