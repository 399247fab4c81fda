"""Failure classes found by the dev4 callers (tests/conversations/outside/dev4.yaml, issue 11), one test each.

Each runs the real NLU, or a goal-based case through the SPEC 7.2 runner on the sample bot.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.answer_words import DISTRESS, GRIEF
from dialogue.bot import Bot
from dialogue.engine import condolence_first, served_after_warning
from dialogue.escalation.engine import Decision
from dialogue.interpret import Fill, Heard, No, Request, Simple, Yes, interpret, rest_of
from dialogue.question import question_for
from dialogue.state import AwaitAnythingElse, AwaitConfirm, AwaitFree, Awaiting, AwaitSlot, CallState, frozen
from nlu.pipeline import NLU
from nlu.timezone import TOKYO
from tests.dialogue.cases import run_case as _run

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO)


@pytest.mark.parametrize(("said", "order_id"), [
    ("いちにいさんよん ごおろくななはち じゃけえ", "12345678"),  # D4-014: Hiroshima, lengthened 2 and 5
    ("ごおろくななはち いちにいさんよん", "56781234"),
    ("いちにーさんよん ごーろくななはち", "12345678"),
])
def test_a_lengthened_digit_written_with_its_vowel_is_the_digit(nlu: NLU, said: str, order_id: str) -> None:
    got = [(e.type, e.value) for e in nlu.parse(said, NOW).entities]
    assert ("order_id", order_id) in got, got


def test_ごお_outside_a_digit_run_is_no_digit(nlu: NLU) -> None:
    assert nlu.parse("ごおんは忘れません", NOW).entities == ()


async def test_a_callback_number_said_with_the_request_is_the_one_called(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # D4-080: 「携帯の090…にかけてほしい」 was confirmed as the caller id 03-1234-5678 and booked there
    result = await _run(tmp_path, bot, nlu, """
- name: callback to the mobile said in the opening
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 折り返しをお願いしたいんですけど、携帯の ぜろきゅうぜろ いちにさんよん ごろくななはち にかけてください
  answers: {date: 明日, time: 十時半}
  expect: {intent: callback_request, outcome: callback_scheduled, slots: {phone_number: "09012345678"}}
""")
    assert result.passed, result.failures
    bot_lines = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "03-1234-5678" not in bot_lines


async def test_without_a_number_said_the_caller_id_is_still_offered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: callback to the caller id
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 折り返しのお電話をお願いできますか
  answers: {date: 明日, time: 十時半}
  expect: {outcome: callback_scheduled, slots: {phone_number: "0312345678"}, says: 03-1234-5678におかけして}
""")
    assert result.passed, result.failures


def _decision(action: str, prompt: str | None) -> Decision:
    return Decision(action, "complex", "general", 3, "rule", "why", prompt)  # type: ignore[arg-type]


def test_condolence_first_only_for_grief_handed_over_by_a_rule() -> None:
    grief = Request("account_closure", condolence=True)
    assert condolence_first(grief, _decision("transfer", "transfer_account_closure"))
    assert condolence_first(grief, _decision("offer_callback", None))
    assert not condolence_first(Request("account_closure"), _decision("transfer", "transfer_account_closure"))
    assert not condolence_first(grief, _decision("transfer", "transfer_distress"))  # its words console already
    assert not condolence_first(grief, _decision("warn", "harassment_warning"))  # the request says it when served
    assert condolence_first(Simple("distress"), _decision("transfer", "transfer_account_closure"))
    assert not condolence_first(Simple("unclear"), _decision("transfer", "transfer_complaint"))


@pytest.mark.parametrize("opening", [
    "もしもし…実は、母が先週亡くなりまして…母が頼んでいた電気ケトルの注文を、取り消していただきたいんです",
    "主人が急に死んでしまって…、主人が注文していた荷物が届くみたいなんですけど、どうしたらいいのか",  # D4-097
])
async def test_grief_told_with_a_request_goes_to_a_person_with_condolence(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # D4-097: condolence, then the order status read out and 「ほかにご用件は」 to a widow who asked what to do
    result = await _run(tmp_path, bot, nlu, f"""
- name: grief with a request
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-11-25T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "23456789"}}
  expect: {{outcome: transferred, reason: emotion, says: 大変でございました}}
""")
    assert result.passed, result.failures


async def test_a_request_without_grief_is_still_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: cancel, how do I
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-25T10:00:00+09:00"
  opening: キャンセルするにはどうしたらいいですか
  answers: {order_id: "23456789"}
  expect: {outcome: resolved, says: キャンセルを承りました}
""")
    assert result.passed, result.failures


async def test_grief_before_an_account_closure_hears_condolence_then_the_transfer(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # D4-096: 「母が亡くなりまして…、母の会員登録を解約したい」 went straight to 「退会のお手続きは担当者が承ります」
    result = await _run(tmp_path, bot, nlu, """
- name: grief then closure
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 実は先月母が亡くなりまして…、母の会員登録を解約したいのですが
  expect: {outcome: transferred, reason: emotion}
""")
    # grief is an emotional call (SPEC 6), whatever the request told with it: condolence, then a person
    assert result.passed, result.failures
    lines = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    condolence = next(i for i, line in enumerate(lines) if "大変でございました" in line)
    transfer = next(i for i, line in enumerate(lines) if "担当者" in line)
    assert condolence <= transfer, lines
    assert "ご愁傷様" in lines[condolence], lines


def _interpret_at(bot: Bot, nlu: NLU, awaiting: Awaiting, said: str, caller_phone: str | None = None,
                  slots: dict[str, str] | None = None) -> object:
    state = CallState(id="dev4", channel="voice", started_at=NOW.isoformat(), awaiting=awaiting,
                      slots=frozen(slots or {}), caller_phone=caller_phone)
    parse = nlu.parse(said, NOW)
    return interpret(question_for(state, bot), Heard(parse=parse, rest=rest_of(nlu, parse, NOW)), bot.entities)


@pytest.mark.parametrize("said", ["この電話です", "今かけてるこの番号でお願いします", "この番号で", "こちらの携帯です",
                                  "いまかけてる でんわばんごう です"])
def test_this_phone_at_a_phone_question_is_the_caller_id(bot: Bot, nlu: NLU, said: str) -> None:
    # scratch probe for dev4: 「今かけてるこの番号で」 at 「ご登録のお電話番号を」 was not understood
    ask = AwaitSlot("account_login", "ask_phone", "phone_number", "phone_number")
    assert _interpret_at(bot, nlu, ask, said, caller_phone="09012345678") == Fill({"phone_number": "09012345678"})


def test_this_phone_without_a_caller_id_is_not_a_number(bot: Bot, nlu: NLU) -> None:
    ask = AwaitSlot("account_login", "ask_phone", "phone_number", "phone_number")
    got = _interpret_at(bot, nlu, ask, "この電話です", caller_phone=None)
    assert not (isinstance(got, Fill) and "phone_number" in got.values), got


def test_a_number_said_beats_this_phone(bot: Bot, nlu: NLU) -> None:
    ask = AwaitSlot("account_login", "ask_phone", "phone_number", "phone_number")
    got = _interpret_at(bot, nlu, ask, "この携帯の番号は08098765432です", caller_phone="09012345678")
    assert isinstance(got, Fill) and got.values.get("phone_number") == "08098765432", got


@pytest.mark.parametrize("said", ["送ってください", "じゃあ、送ってもらえますか", "SMSで送ってほしいです", "それ送っていただけますか"])
def test_the_thing_offered_asked_for_is_a_yes(bot: Bot, nlu: NLU, said: str) -> None:
    # scratch probe for dev4: 「送ってください」 to 「お送りしましょうか」 was asked 「はいかいいえで」 three times
    offer = AwaitConfirm("account_login", "offer_sms", None, True)
    assert isinstance(_interpret_at(bot, nlu, offer, said), Yes)


@pytest.mark.parametrize("said", ["送らないでください", "いえ、送らなくていいです", "オペレーターにつないでください"])
def test_a_request_form_that_declines_or_asks_else_is_no_yes(bot: Bot, nlu: NLU, said: str) -> None:
    offer = AwaitConfirm("account_login", "offer_sms", None, True)
    assert not isinstance(_interpret_at(bot, nlu, offer, said), Yes)


def test_a_request_form_at_a_confirmation_is_not_read_as_yes_by_this_rule(bot: Bot, nlu: NLU) -> None:
    # 「携帯にかけてください」 to 「03-…におかけしてよろしいでしょうか」 is about the details, not a plain yes
    confirm = AwaitConfirm("callback_request", "confirm_number")
    assert not isinstance(_interpret_at(bot, nlu, confirm, "携帯にかけてください", caller_phone="0312345678"), Yes)


@pytest.mark.parametrize("opening", [
    "返品したのに、お金まだ返ってきてへんねんけど",  # Kansai, no 返金 word
    "キャンセルした分の代金が戻ってこないんですけど",
    "おなじ ちゅうもんで にかい おかね ひかれてるんですけど",  # kana-only ASR
    "同じ注文で2回お金取られてるんですけど",
])
async def test_a_dispute_in_plain_words_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # scratch probes for dev4: each was read out the bill (or took a return) and closed as resolved
    result = await _run(tmp_path, bot, nlu, f"""
- name: dispute
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-25T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "34567890"}}
  confirm: はい
  expect: {{outcome: transferred, reason: complex, says: ご迷惑をおかけしてしまい}}
""")
    assert result.passed, result.failures


async def test_asking_when_the_money_comes_back_is_no_dispute(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: refund timing
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-25T10:00:00+09:00"
  opening: キャンセルしたいんですけど、お金はいつ戻ってきますか
  answers: {order_id: "23456789"}
  confirm: はい
  expect: {reason: null}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("said", "intent"), [("ケトル返品", "return_exchange"), ("イヤホン返品", "return_exchange"),
                                              ("ケトル交換", "return_exchange")])
def test_a_product_with_a_request_word_is_that_request(bot: Bot, nlu: NLU, said: str, intent: str) -> None:
    # scratch probe for dev4: 「ケトル返品」 was asked 「商品の在庫についてのお問い合わせでよろしいでしょうか」, since the
    # two characters after the product were taken for an ending
    got = _interpret_at(bot, nlu, AwaitFree(), said)
    assert isinstance(got, Request) and got.intent == intent and not got.clarify, got


@pytest.mark.parametrize("said", ["12345678です", "12345678番", "ケトルで"])
def test_a_value_with_an_ending_still_only_hints(bot: Bot, nlu: NLU, said: str) -> None:
    got = _interpret_at(bot, nlu, AwaitFree(), said)
    assert isinstance(got, Request) and got.clarify and got.hinted, got


@pytest.mark.parametrize("said", ["ちょっと待ってください", "少し考えさせてもらえますか", "家族に相談させてください"])
def test_a_request_to_wait_or_think_at_an_offer_is_no_yes(bot: Bot, nlu: NLU, said: str) -> None:
    offer = AwaitConfirm("account_login", "offer_sms", None, True)
    assert not isinstance(_interpret_at(bot, nlu, offer, said), Yes)


@pytest.mark.parametrize("said", ["+81 90-1234-5678", "+819012345678", "電話は+81-90-1234-5678です", "+81 (0)90 1234 5678"])
def test_a_phone_number_in_international_form_is_the_national_number(nlu: NLU, said: str) -> None:
    # scratch probe for dev4: 「+81 90-1234-5678」 (copied from a phone's settings) was asked again three times
    got = [(e.type, e.value) for e in nlu.parse(said, NOW).entities]
    assert got == [("phone_number", "09012345678")], got


def test_a_plus_before_a_number_that_is_no_phone_changes_nothing(nlu: NLU) -> None:
    got = [(e.type, e.value) for e in nlu.parse("+81 12345678", NOW).entities]
    assert ("order_id", "12345678") in got, got


@pytest.mark.parametrize(("said", "day"), [("らいげつの ついたち", "2026-12-01"), ("じゅうにがつの とおか", "2026-12-10"),
                                           ("来月の ふつか", "2026-12-02")])
def test_a_kana_day_after_a_month_and_a_pause_is_the_date(nlu: NLU, said: str, day: str) -> None:
    # scratch probe for dev4: 「らいげつの ついたち」 (the ASR's space after の) was not understood three times
    got = [(e.type, e.value) for e in nlu.parse(said, NOW).entities]
    assert ("date", day) in got, got


def test_someday_after_a_month_is_still_no_date(nlu: NLU) -> None:
    assert [e for e in nlu.parse("らいげつの いつか", NOW).entities if e.type == "date"] == []


@pytest.mark.parametrize("said", ["なし", "なしです", "特になし", "なしで"])
def test_none_at_anything_else_closes(bot: Bot, nlu: NLU, said: str) -> None:
    # scratch probe for dev4: 「なし」 in chat to 「ほかにご用件は」 went to a person as not understood
    assert _interpret_at(bot, nlu, AwaitAnythingElse(), said) == Simple("end")


@pytest.mark.parametrize(("said", "window"), [("昼以降ならいつでも", "14:00-16:00"), ("夕方以降で", "16:00-18:00"),
                                              ("おひるいこうで おねがいします", "14:00-16:00")])
def test_a_slot_and_onwards_is_the_first_slot_from_there(bot: Bot, nlu: NLU, said: str, window: str) -> None:
    # scratch probe for dev4: 「夕方以降で」 at 「ご希望の時間帯を」 was re-asked three times and handed over
    ask = AwaitSlot("delivery_change", "ask_time", "time_window", "time_window")
    got = _interpret_at(bot, nlu, ask, said, slots={"order_id": "12345678", "date": "2026-11-26"})
    assert isinstance(got, Fill) and got.values.get("time_window") == window, got


@pytest.mark.parametrize("said", ["ちょっと今は…", "ちょっといまは", "ちょっと今はちょっと…"])
def test_not_now_at_an_offer_is_a_polite_no(bot: Bot, nlu: NLU, said: str) -> None:
    # scratch probe for dev4: 「ちょっと今は…」 to 「SMSをお送りしましょうか」 was asked はい/いいえ until a person took it
    offer = AwaitConfirm("account_login", "offer_sms", None, True)
    assert isinstance(_interpret_at(bot, nlu, offer, said), No)


@pytest.mark.parametrize(("said", "grief"), [("実は、先日主人を亡くしまして…", True), ("母をなくしまして", True),
                                             ("カードをなくしまして、ログインもできなくて", False)])
def test_losing_a_family_member_is_grief_losing_a_thing_is_not(said: str, grief: bool) -> None:
    # scratch probe for dev4: 「主人を亡くしまして…」 was answered 「うまく聞き取れませんでした」
    assert (GRIEF.search(said) is not None) is grief
    assert (DISTRESS.search(said) is not None) is grief


def _warn() -> Decision:
    return Decision("warn", "harassment", None, 0, "harassment_warn", "why", "harassment_warning")  # type: ignore[arg-type]


def test_a_warning_serves_the_request_but_not_the_abuse_read_as_a_complaint() -> None:
    assert served_after_warning(Request("complaint"), _warn()) is None
    assert served_after_warning(Request("order_status"), _warn()) == Request("order_status")
    assert served_after_warning(Request("complaint"), _decision("transfer", "transfer_complaint")) == Request("complaint")


async def test_abuse_warned_then_an_apology_and_a_request_is_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # scratch probe for dev4: 「ふざけんなよ、このバカ」 was warned, then handed to a person as a complaint at once
    result = await _run(tmp_path, bot, nlu, """
- name: abuse, apology, request
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: [ふざけんなよ、このバカ, すみません、言い過ぎました。注文の状況を教えてください]
  answers: {order_id: "12345678"}
  expect: {intent: order_status, outcome: resolved, says: お控えください}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("said", "etype", "value"), [
    ("番号はね、いちにさんよんのね、ごろくななはちね", "order_id", "12345678"),
    ("いちにさんよん、ほんで、ごろくななはち", "order_id", "12345678"),  # Kansai: and then
    ("ゼロキュウゼロで、いちにさんよんで、ごろくななはちです", "phone_number", "09012345678"),
])
def test_a_particle_or_and_then_between_digit_groups_joins_them(nlu: NLU, said: str, etype: str, value: str) -> None:
    # scratch probe for dev4: each was 「確認できませんでした」 three times and a person
    got = [(e.type, e.value) for e in nlu.parse(said, NOW).entities]
    assert (etype, value) in got, got


def test_a_particle_after_the_last_group_is_not_swallowed(nlu: NLU) -> None:
    parse = nlu.parse("いちにさんよんで、ごめんなさい", NOW)
    assert [e.value for e in parse.entities] == ["1234"]
