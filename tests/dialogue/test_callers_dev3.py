"""Failure classes found by the dev3 callers (tests/conversations/outside/dev3.yaml, issue 11), one test each.

Each runs the real NLU and the pure interpretation with the question the sample bot has open, or a goal-based
case through the SPEC 7.2 runner.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from dialogue.answer_words import only_start_over
from dialogue.bot import Bot, load_bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.interpret import Fill, Heard, No, Request, Simple, Yes, answers_question, interpret, rest_of
from dialogue.question import question_for
from dialogue.state import AwaitAnythingElse, AwaitConfirm, AwaitFree, Awaiting, AwaitSlot, CallState, frozen
from dialogue.testing import CaseRunner, load_suite
from nlu.pipeline import NLU
from nlu.timezone import TOKYO
from nlu.types import IntentScore

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


def _interpret(bot: Bot, nlu: NLU, awaiting: Awaiting, said: str, slots: dict[str, str] | None = None) -> object:
    state = CallState(id="dev3", channel="voice", started_at=NOW.isoformat(), awaiting=awaiting,
                      slots=frozen(slots or {}))
    parse = nlu.parse(said, NOW)
    return interpret(question_for(state, bot), Heard(parse=parse, rest=rest_of(nlu, parse, NOW)), bot.entities)


@pytest.mark.parametrize("said", ["わかったわ、おおきに", "わかった、ありがとう", "ありがとうございます、助かりました",
                                  "分かりました、どうも"])
def test_understood_or_thanks_at_a_confirmation_is_a_yes(bot: Bot, nlu: NLU, said: str) -> None:
    # D3-48: 「ご不明な点は解消されましたでしょうか」 answered 「わかったわ、おおきに」 looped to a person
    got = _interpret(bot, nlu, AwaitConfirm("billing_inquiry", "solved"), said, {"order_id": "12345678"})
    assert isinstance(got, Yes), got


def test_thanks_with_not_understood_is_not_a_yes(bot: Bot, nlu: NLU) -> None:
    got = _interpret(bot, nlu, AwaitConfirm("billing_inquiry", "solved"), "ありがとう、でもまだよくわからないです",
                     {"order_id": "12345678"})
    assert not isinstance(got, Yes), got


def test_a_no_about_the_details_does_not_change_the_request(bot: Bot, nlu: NLU) -> None:
    # D3-65: 「いいえ、携帯の方にお願いします」 to the callback number went to an operator
    got = _interpret(bot, nlu, AwaitConfirm("callback_request", "confirm_number"), "いいえ、携帯の方にお願いします")
    assert isinstance(got, No) and got.intent is None, got


def test_a_no_with_a_clear_new_request_still_changes_it(bot: Bot, nlu: NLU) -> None:
    got = _interpret(bot, nlu, AwaitConfirm("cancel_order", "confirm_cancel"),
                     "いえ、キャンセルじゃなくて、届け先を変えたいんです", {"order_id": "23456789"})
    assert isinstance(got, No) and got.intent == "address_change", got


@pytest.mark.parametrize("said", [
    "イヤホンの注文、キャンセルしたいんですけど…あ、いや、やっぱりキャンセルじゃなくて、届く日をずらしてもらえますか",
    "キャンセルじゃなくて、届く日をずらしてもらえますか",
])
def test_the_request_after_a_correction_replaces_the_one_before(bot: Bot, nlu: NLU, said: str) -> None:
    got = _interpret(bot, nlu, AwaitFree(), said)
    assert isinstance(got, Request) and got.intent == "delivery_change", got


@pytest.mark.parametrize(("said", "start_over"), [
    ("すみません、最初からやり直してもらえますか", True),
    ("もう一度最初からお願いします", True),
    ("最初から頼みます", True),
    ("最初から説明しますと、先週注文したイヤホンがまだ届いてなくて", False),
])
def test_start_over_as_callers_say_it(said: str, start_over: bool) -> None:
    assert only_start_over(said) is start_over


async def test_opening_lines_are_said_on_consecutive_turns(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    """SPEC 7.2: an opening list is said turn after turn, even when the bot asks for a slot in between."""
    case = tmp_path / "opening.yaml"
    case.write_text(
        "- name: insults twice\n"
        "  channel: voice\n"
        "  caller: {phone: \"09012345678\"}\n"
        "  now: \"2026-11-25T10:00:00+09:00\"\n"
        "  opening: [荷物届いてへんやんけ、お前らほんまアホちゃうか, アホやからアホ言うてんねん、このボケが]\n"
        "  answers: {order_id: \"12345678\"}\n"
        "  expect: {reason: harassment}\n",
        encoding="utf-8",
    )
    runner = CaseRunner(bot, nlu, EscalationEngine.load())
    (only,) = load_suite(case)
    result = await runner.run(only, case.name)
    assert result.passed, result.failures
    assert any("アホやから" in t["text"] for t in result.transcript if t["speaker"] == "caller")



@pytest.mark.parametrize("said", ["もう一度配達をお願いしたいです", "留守にしてて受け取れなかったので、もう一回持ってきてもらえますか"])
def test_again_inside_a_request_is_the_request(bot: Bot, nlu: NLU, said: str) -> None:
    # D3-112: 「もう一度配達を…」 read as a repeat, and the call went nowhere
    got = _interpret(bot, nlu, AwaitFree(), said)
    assert isinstance(got, Request) and got.intent == "delivery_change", got


def _misread(nlu: NLU, said: str, wrong: str) -> Heard:
    parse = nlu.parse(said, NOW)
    top = IntentScore(wrong, 0.97)
    parse = replace(parse, intent=top, ranking=(top, *(r for r in parse.ranking if r.name != wrong)),
                    low_confidence=False, ambiguous=False)
    return Heard(parse=parse)


@pytest.mark.parametrize("wrong", ["repeat", "goodbye", "store_hours", "complaint"])
def test_the_number_said_back_at_a_confirmation_is_a_yes_whatever_the_model(bot: Bot, nlu: NLU, wrong: str) -> None:
    # D3-30 under a retrained model: 「23456789です」 to 「…をキャンセルいたします。よろしいでしょうか」
    state = CallState(id="dev3", channel="voice", started_at=NOW.isoformat(),
                      awaiting=AwaitConfirm("cancel_order", "confirm_cancel"), slots=frozen({"order_id": "23456789"}))
    got = interpret(question_for(state, bot), _misread(nlu, "23456789です", wrong), bot.entities)
    assert isinstance(got, Yes), got


@pytest.mark.parametrize("wrong", ["goodbye", "store_hours", "complaint"])
def test_a_bare_number_at_the_opening_asks_about_its_request(bot: Bot, nlu: NLU, wrong: str) -> None:
    # D3-108 under a retrained model: 「12345678」 alone is asked about as an order, and triggers no rule
    state = CallState(id="dev3", channel="chat", started_at=NOW.isoformat(), awaiting=AwaitFree())
    got = interpret(question_for(state, bot), _misread(nlu, "12345678", wrong), bot.entities)
    assert isinstance(got, Request) and got.clarify and got.hinted and got.intent != wrong, got
    assert answers_question(got)


@pytest.mark.parametrize("said", ["あのー、その…", "えーと、なんか、その…", "その…"])
@pytest.mark.parametrize("awaiting", [AwaitFree(), AwaitConfirm("delivery_change", "confirm_change")])
def test_a_filler_the_normaliser_keeps_is_a_hesitation(bot: Bot, nlu: NLU, said: str, awaiting: Awaiting) -> None:
    # D3-142: 「その…」 was read as a yes (affirm 0.82) and answered 「かしこまりました」
    got = _interpret(bot, nlu, awaiting, said, {"date": "2026-11-26", "time_window": "08:00-12:00"})
    assert got == Simple("hesitate"), got


@pytest.mark.parametrize("said", ["その日でお願いします", "その日で大丈夫です", "それで大丈夫です", "それでいいです",
                                  "それで結構です", "それでええよ", "その時間でお願いします"])
@pytest.mark.parametrize("awaiting", [AwaitConfirm("delivery_change", "confirm_change"),
                                      AwaitConfirm("account_login", "offer_sms", offer=True)])
def test_accepting_what_was_read_back_is_a_yes(bot: Bot, nlu: NLU, said: str, awaiting: Awaiting) -> None:
    # 「それで大丈夫です」 was a no: REFUSAL read its 大丈夫です$ as a decline, at confirmations and offers alike
    got = _interpret(bot, nlu, awaiting, said, {"date": "2026-11-26", "time_window": "08:00-12:00"})
    assert isinstance(got, Yes), got


@pytest.mark.parametrize("said", ["今回は大丈夫です", "いや、大丈夫です", "そのままで大丈夫です"])
def test_a_decline_with_大丈夫_stays_a_no_at_an_offer(bot: Bot, nlu: NLU, said: str) -> None:
    got = _interpret(bot, nlu, AwaitConfirm("account_login", "offer_sms", offer=True), said)
    assert isinstance(got, No), got


YES_NO_AS_SAID = [  # (said, at a read-back confirmation, at an offer); notes/japanese-answers.md
    ("ぜひ", Yes, Yes), ("もちろん", Yes, Yes), ("ほんならそれで", Yes, Yes), ("じゃあそれで", Yes, Yes),
    ("間違ってないです", Yes, Yes), ("まちがってます", No, No), ("今回は…", No, No),
    ("大丈夫です", Yes, No), ("結構です", Yes, No), ("考えておきます", No, No),
]


@pytest.mark.parametrize(("said", "at_confirm", "at_offer"), YES_NO_AS_SAID)
def test_yes_and_no_as_callers_say_them(bot: Bot, nlu: NLU, said: str, at_confirm: type, at_offer: type) -> None:
    slots = {"date": "2026-11-26", "time_window": "08:00-12:00"}
    assert isinstance(_interpret(bot, nlu, AwaitConfirm("delivery_change", "confirm_change"), said, slots), at_confirm)
    assert isinstance(_interpret(bot, nlu, AwaitConfirm("account_login", "offer_sms", offer=True), said), at_offer)


@pytest.mark.parametrize(("said", "expected"), [
    ("はい", Yes()), ("うん。", Yes()), ("だいじょぶ", Simple("end")), ("はい、以上です", Simple("end")),
])
def test_a_bare_yes_at_anything_else_is_more_to_ask(bot: Bot, nlu: NLU, said: str, expected: object) -> None:
    # 「はい」 to 「ほかにご用件はございますか」 was a hesitation (the backchannel rule), heard as nothing said
    assert _interpret(bot, nlu, AwaitAnythingElse(), said) == expected


@pytest.mark.parametrize(("said", "window"), [
    ("2番", "14:00-16:00"), ("3番で", "16:00-18:00"), ("5番でお願いします", "19:00-21:00"), ("にばん", "14:00-16:00"),
    ("一番早い時間で", "08:00-12:00"), ("早いほうで", "08:00-12:00"), ("12時までにお願いします", "08:00-12:00"),
    ("お昼までに届けてほしい", "08:00-12:00"),
])
def test_delivery_windows_as_callers_name_them(bot: Bot, nlu: NLU, said: str, window: str) -> None:
    # the voice prompt offers keys (「14時から16時は2」): callers say the key; and the earliest slot, or by noon
    got = _interpret(bot, nlu, AwaitSlot("delivery_change", "ask_time", "time_window", "time_window"), said)
    assert isinstance(got, Fill) and got.values.get("time_window") == window, got


def test_until_noon_in_a_question_about_hours_is_no_window(nlu: NLU) -> None:
    assert not [e for e in nlu.parse("土曜は12時まで営業してますか", NOW).entities if e.type == "time_window"]


@pytest.mark.parametrize(("said", "day"), [
    ("ふつかで", "2026-12-02"), ("ついたち", "2026-12-01"), ("みっかです", "2026-12-03"),
    ("はつかにお願いします", "2026-12-20"), ("ようかがいいです", "2026-12-08"),
])
def test_a_day_said_alone_in_kana_is_the_date(bot: Bot, nlu: NLU, said: str, day: str) -> None:
    got = _interpret(bot, nlu, AwaitSlot("delivery_change", "ask_date", "date", "date"), said)
    assert isinstance(got, Fill) and got.values.get("date") == day, got


def test_a_kana_day_word_inside_a_sentence_is_no_date(nlu: NLU) -> None:
    assert not [e for e in nlu.parse("いつかで", NOW).entities if e.type == "date"]
    assert not [e for e in nlu.parse("いつか行ってみたいです、ようかんも好きです", NOW).entities if e.type == "date"]


@pytest.mark.parametrize(("said", "time"), [("午前中", "08:00"), ("夕方がいいです", "16:00"), ("朝イチで", "08:00")])
def test_a_part_of_the_day_for_a_callback_time_is_its_start(bot: Bot, nlu: NLU, said: str, time: str) -> None:
    got = _interpret(bot, nlu, AwaitSlot("callback_request", "ask_time", "time", "time"), said)
    assert isinstance(got, Fill) and got.values.get("time") == time, got


def test_the_coffee_maker_as_callers_call_it(bot: Bot, nlu: NLU) -> None:
    got = _interpret(bot, nlu, AwaitSlot("product_availability", "ask_product", "product", "product"), "コーヒーの機械")
    assert isinstance(got, Fill) and got.values.get("product") == "coffee_maker", got


@pytest.mark.parametrize("said", ["あのー、ちょっとお聞きしたいことがあるんですけど", "質問があります", "相談があって",
                                  "聞きたいことがあって電話しました", "お伺いしたいことがありまして"])
def test_a_request_announced_is_asked_for(bot: Bot, nlu: NLU, said: str) -> None:
    # the classifier read 「お聞きしたいことが…」 as a complaint to ask about; the caller has not said it yet
    assert _interpret(bot, nlu, AwaitFree(), said) == Simple("greet")


@pytest.mark.parametrize("said", ["注文の件で", "返品について"])
def test_a_topic_is_still_guessed_and_asked_about(bot: Bot, nlu: NLU, said: str) -> None:
    # a goal-based caller who names only the topic goes on answering: the guess keeps the call moving
    assert isinstance(_interpret(bot, nlu, AwaitFree(), said), Request)


def test_what_to_say_first_is_a_hesitation(bot: Bot, nlu: NLU) -> None:
    assert _interpret(bot, nlu, AwaitFree(), "何から話せばいいか…") == Simple("hesitate")


@pytest.mark.parametrize("said", ["日にちは合ってるけど、時間が違います", "時間がちゃうねん"])
def test_what_is_wrong_said_last_is_a_no(bot: Bot, nlu: NLU, said: str) -> None:
    got = _interpret(bot, nlu, AwaitConfirm("delivery_change", "confirm_change"), said,
                     {"date": "2026-11-26", "time_window": "08:00-12:00"})
    assert isinstance(got, No), got


@pytest.mark.parametrize("said", ["えーと、どこだったかな", "どれだったかしら", "何だったっけ"])
def test_searching_memory_at_a_number_question_is_a_hesitation(bot: Bot, nlu: NLU, said: str) -> None:
    # 「えーと、どこだったかな」 was answered 「ご注文番号を確認できませんでした」
    got = _interpret(bot, nlu, AwaitSlot("verify_order", "ask_order", "order_id", "order_id"), said)
    assert got == Simple("hesitate"), got


@pytest.mark.parametrize(("said", "address"), [
    ("〒150-0001 東京都渋谷区神宮前1-2-3です", "東京都渋谷区神宮前1-2-3"),
    ("150-0001で、住所は大阪市北区梅田1-1-1", "大阪市北区梅田1-1-1"),
    ("1500001です、よろしく", None),
])
def test_an_address_said_with_the_postal_code_is_kept(bot: Bot, nlu: NLU, said: str, address: str | None) -> None:
    got = _interpret(bot, nlu, AwaitSlot("address_change", "ask_postal", "postal_code", "postal_code"), said)
    assert isinstance(got, Fill) and got.values.get("postal_code") in ("1500001", "5300001"), got
    assert got.values.get("address") == address, got


@pytest.mark.parametrize(("said", "condolence"), [
    ("キャンセルするにはどうしたらいいですか", False), ("ログインできなくて困り果ててます", False),
    ("ポイントがなくなってるんですけど", False), ("母が亡くなりまして、注文を取り消したいんです", True),
    ("主人がなくなって、主人の注文をキャンセルしたい", True), ("実は父が入院してしまって、再配達をお願いしたいんです", None),
    ("父が急に入院してしまって、もうどうしたらいいか", True),
])
def test_condolences_only_for_grief_or_an_emergency(bot: Bot, nlu: NLU, said: str, condolence: bool | None) -> None:
    # 「キャンセルするにはどうしたらいいですか」 was answered 「それは大変でございましたね」; grief told with a request
    # is an emotional call, handed to a person with condolence (dev4, SPEC 6). A stay in hospital told calmly with
    # a request (None) hears the sympathy and is served (dev54, dev55: a person was no help to those callers)
    got = _interpret(bot, nlu, AwaitFree(), said)
    if condolence:
        assert got == Simple("distress"), got
    elif condolence is None:
        assert isinstance(got, Request) and got.condolence, got
    else:
        assert isinstance(got, Request) and not got.condolence, got


@pytest.mark.parametrize("said", ["なんもないです", "もう用はないです", "おしまいです", "もうよかです", "なかです", "ないっす",
                                  "もうないけん", "これでいいです", "じゃあ、また何かあったら電話します", "そうなんや、ほんならよかです"])
def test_closings_as_callers_say_them(bot: Bot, nlu: NLU, said: str) -> None:
    # 「なんもないです」 was read as a complaint, 「もう用はないです」 answered with the gift-wrapping FAQ
    assert _interpret(bot, nlu, AwaitAnythingElse(), said) == Simple("end")


@pytest.mark.parametrize("said", ["いえ、大丈夫です。返品したいんですけど", "それだけです、送料っていくらですか", "いや、あとひとつ"])
def test_a_closing_word_with_more_to_ask_is_no_closing(bot: Bot, nlu: NLU, said: str) -> None:
    assert _interpret(bot, nlu, AwaitAnythingElse(), said) != Simple("end")
