"""Failures found talking to `ivr chat` as callers would, 2026-12-04 (issue 11), one test each: a dispute with
the charge said first, a preamble after an apology, a need said again at an offer.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(
    "opening",
    [
        "請求が二重になってるみたいなんですけど",
        "引き落としが2回されてるんですが",
        "せいきゅうが にじゅうに なってるんですけど",  # kana-only ASR
    ],
)
async def test_a_double_charge_said_charge_first_goes_to_a_person(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str
) -> None:
    # it was read the bill and asked 「解消されましたでしょうか」
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: double charge
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-25T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "12345678"}}
  expect: {{outcome: transferred, reason: complex}}
""",
    )
    assert result.passed, result.failures


async def test_paying_in_two_instalments_is_no_dispute(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: instalments
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 支払いを2回に分けることはできますか
  answers: {order_id: "12345678"}
  expect: {reason: null}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "preamble",
    ["あの、すみません、ちょっと聞きたいんですけど", "もしもし、お伺いしたいことがあるんですが", "すいません、質問があるんですけど"],
)
async def test_a_preamble_after_an_apology_is_asked_what_it_is(
    tmp_path: Path, bot: Bot, nlu: NLU, preamble: str
) -> None:
    # 「うまく聞き取れませんでした」 before: the apology hid the preamble
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: preamble
  channel: voice
  now: "2026-11-25T10:00:00+09:00"
  turns:
    - user: {preamble}
      expect: {{says: ご用件}}
    - user: 札幌店って何時まで開いてますか
      expect: {{says: 札幌店の営業時間}}
  expect: {{outcome: resolved}}
""",
    )
    assert result.passed, result.failures
    assert not any("聞き取れません" in t["text"] for t in result.transcript if t["speaker"] == "bot")


async def test_the_need_said_again_at_an_offer_accepts_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「パスワードを忘れました」 to 「再設定用のSMSをお送りしましょうか」 was read as 「わからない」 and went to a person
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: need said again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-25T10:00:00+09:00"
  turns:
    - user: ログインできなくなっちゃって
      expect: {awaiting: confirm}
    - user: パスワードを忘れました
      expect: {awaiting: confirm, says: 090-1234-5678あてにお送りいたします}
    - user: はい
      expect: {says: SMSをお送りいたしました}
  expect: {outcome: resolved}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("said", ["この電話で", "この携帯に", "この番号で", "今かけてる番号で"])
async def test_this_phone_at_the_callback_number_is_a_calm_yes(
    tmp_path: Path, bot: Bot, nlu: NLU, said: str
) -> None:
    # 「この電話で」 was read as anger 0.84 and the caller went to the complaints queue (reason emotion)
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: callback to this phone
  channel: voice
  caller: {{phone: "09011112222"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 折り返し電話してもらえますか
      expect: {{awaiting: confirm, says: 090-1111-2222}}
    - user: {said}
      expect: {{awaiting: "slot:date"}}
    - user: 明日の午後2時ごろ
    - user: はい
  expect: {{outcome: callback_scheduled, reason: null, slots: {{phone_number: "09011112222"}}}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "said",
    ["この電話で", "この携帯に", "この携帯にかけてください", "会社のほうにかけてください", "このままで", "このまま待ちます"],
)
def test_where_to_call_back_is_no_anger(nlu: NLU, said: str) -> None:
    parse = nlu.parse(said)
    assert not (parse.emotion.label == "anger" and parse.emotion.score >= 0.5), parse.emotion
    assert not parse.harassment.detected and parse.harassment.score < 0.4, parse.harassment


@pytest.mark.parametrize(
    "opening",
    [
        "荷物がまだ来んとですよ、いつ来ると？",  # Hakata
        "注文したケトルがまだ届いてないんですけど",
        "にもつが まだ とどいてないんですけど",  # kana-only ASR
    ],
)
async def test_marked_delivered_but_not_received_is_apologised_for_and_traced_by_a_person(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str
) -> None:
    # 34567890 is marked delivered: it was read out as 「配達済みとなっております」 and 「ほかにご用件は」
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: delivered, not received
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "34567890"}}
  expect: {{outcome: transferred, reason: complex, says: お手元に届いていないとのこと}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "opening",
    ["注文の配送状況を確認したいんですが", "こないだ頼んだケトル、もう受け取ったんやけど、配達済みになっとるか見てもらえる？"],
)
async def test_asking_the_status_of_a_delivered_order_is_told_it(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str
) -> None:
    # こないだ (the other day) is no 来ない
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: delivered, status asked
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "34567890"}}
  expect: {{outcome: resolved, says: 配達済みとなっております}}
""",
    )
    assert result.passed, result.failures


async def test_an_english_contraction_keeps_the_caller_in_english(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # "my parcel hasn't arrived yet" scored 0.68 English and the call went on in Japanese
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: english contraction
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  opening: my parcel hasn't arrived yet
  answers: {order_id: "34567890"}
  expect: {outcome: transferred, says: "hasn't reached you"}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "opening",
    ["えーと、なんだったかな、あのー、孫に言われて電話したんだけど", "娘に電話しろって言われたんですけど", "息子に頼まれて電話したんですが"],
)
async def test_a_caller_sent_by_family_is_asked_gently(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # an elderly caller who says who sent them heard 「うまく聞き取れませんでした」
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: sent by family
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{says: ごゆっくりで大丈夫です}}
    - user: えーと、荷物のことだと思うんだけど
    - user: いちにさんよん、ごろくななはち
      expect: {{says: 11月25日}}
  expect: {{outcome: resolved, reason: null}}
""",
    )
    assert result.passed, result.failures
    assert not any("聞き取れません" in t["text"] for t in result.transcript if t["speaker"] == "bot")


async def test_a_request_said_with_who_sent_the_caller_is_served(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: sent by family, with the request
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:00:00+09:00"
  opening: 息子に頼まれて電話したんですが、注文のキャンセルをお願いしたくて
  answers: {order_id: "23456789"}
  confirm: はい
  expect: {intent: cancel_order, outcome: resolved}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", ["ごめんなさい、間違えました", "すみません、間違い電話でした", "あ、かけ間違えました", "sorry, wrong number"])
async def test_a_wrong_number_is_let_go(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    # 「ごめんなさい、間違えました」 heard 「うまく聞き取れませんでした」
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: wrong number
  channel: voice
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: {opening}
  expect: {{outcome: ended, reason: goodbye}}  # the bot says goodbye and ends the call (SPEC 7.2)
""",
    )
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert len(said) == 2 and not any("聞き取れません" in t or "catch" in t for t in said), said


async def test_a_misspoken_number_at_a_slot_question_is_no_wrong_number(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: misspoke the order number
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 荷物がまだ届かないんですけど
    - user: あ、間違えました
    - user: "12345678"
      expect: {says: 11月25日}
  expect: {outcome: resolved}
""",
    )
    assert result.passed, result.failures


async def test_an_english_caller_with_a_broken_item_hears_an_apology_first(
    tmp_path: Path, bot: Bot, nlu: NLU
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: english broken kettle
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  opening: I'd like to return the kettle, it arrived broken
  answers: {order_id: "34567890"}
  confirm: "yes"
  expect: {intent: return_exchange, outcome: resolved, says: very sorry for the inconvenience}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    ("opening", "intent"),
    [
        ("ええと、注文したやつ、キャンセル…いや、やっぱり日にち変えてほしいんやけど", "delivery_change"),
        ("キャンセルしたいんですけど、あ、違う、配達日を変えたいんです", "delivery_change"),
        ("荷物がまだ届かないんです、やっぱり届く日を変えてもらえますか", "delivery_change"),
    ],
)
async def test_a_change_of_mind_inside_the_request_takes_the_last_one(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str, intent: str
) -> None:
    # 「キャンセル…いや、やっぱり日にち変えて」 was served as a cancellation (the normaliser also took the や of
    # いや、やっぱり for a stutter)
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: change of mind
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "12345678", date: 金曜日, time_window: 夕方}}
  confirm: はい
  expect: {{intent: {intent}, outcome: resolved, slots: {{date: "2026-11-27", time_window: "16:00-18:00"}}}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("opening", ["違う商品が届いたんですけど", "やっぱり荷物が届かないんです"])
async def test_a_leading_やっぱり_or_違う_is_no_change_of_mind(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    from dialogue.interpret import _NOT_THIS

    assert _NOT_THIS.search(nlu.parse(opening).normalized) is None


@pytest.mark.parametrize("asked", ["do you speak english?", "すみません、英語で話せますか", "English please", "英語でお願いします"])
async def test_english_asked_for_is_given(tmp_path: Path, bot: Bot, nlu: NLU, asked: str) -> None:
    # "do you speak english?" heard "I didn't quite catch that"; 「英語で話せますか」 「うまく聞き取れませんでした」
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: english asked for
  channel: voice
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: {asked}
      expect: {{says: What can I do for you}}
    - user: what time does the Shibuya store close?
      expect: {{says: 9 p.m.}}
  expect: {{outcome: resolved}}
""",
    )
    assert result.passed, result.failures


def test_declining_english_or_naming_it_is_no_request_for_it() -> None:
    from dialogue import answer_words as words

    assert words.ASK_FOR_ENGLISH.search("英語はいいです") is None
    assert words.ASK_FOR_ENGLISH.search("英語の説明書が入っていませんでした") is None


async def test_no_with_another_faq_question_is_answered_from_the_faq(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「いいえ、延長できるか知りたいんです」 to 「解消されましたでしょうか」 went to a person; the FAQ has the answer
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: faq follow-up
  channel: voice
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ポイントの有効期限っていつまでですか
      expect: {says: 一年間}
    - user: いいえ、延長できるか知りたいんです
      expect: {says: 延長されます}
    - user: はい、わかりました
  expect: {outcome: resolved, reason: null}
""",
    )
    assert result.passed, result.failures


async def test_no_that_did_not_help_still_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: faq did not help
  channel: voice
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ポイントの有効期限っていつまでですか
    - user: いいえ、解決していません
  expect: {outcome: transferred}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("agreement", ["はいはい、そうです", "そうそう", "ええ、そうですね", "わかった"])
async def test_agreement_at_anything_else_is_asked_whether_done(
    tmp_path: Path, bot: Bot, nlu: NLU, agreement: str
) -> None:
    # an elderly caller's 「はいはい、そうです」 to 「そのほか何かお困りのことは」 got 「ご用件をお聞かせください」, twice
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: agreement after the answer
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
      expect: {{awaiting: anything_else}}
    - user: {agreement}
      expect: {{says: 終了してもよろしいでしょうか}}
    - user: はい
  expect: {{outcome: resolved}}
""",
    )
    assert result.passed, result.failures


async def test_a_bare_yes_again_after_a_served_request_never_loops(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: yes, yes
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
    - user: はい
      expect: {awaiting: free}
    - user: はい
      expect: {says: 終了してもよろしいでしょうか}
    - user: いえ、もう一つあって、渋谷店の場所を
      expect: {says: 道玄坂}
    - user: 以上です
  expect: {outcome: resolved}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "closing",
    ["わかりました、届いてからまた電話します", "わかりました、ヤマトさんに連絡してみます", "自分で確認してみます"],
)
async def test_a_caller_who_will_see_to_it_themselves_is_let_go(
    tmp_path: Path, bot: Bot, nlu: NLU, closing: str
) -> None:
    # 「届いてからまた電話します」 was a callback request (「折り返しのお電話は…」), 「連絡してみます」 a yes to
    # 「ほかにご用件は」 (「どのようなご用件でしょうか」)
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: sees to it themselves
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
      expect: {{awaiting: anything_else}}
    - user: {closing}
  expect: {{outcome: resolved, intents: [store_hours]}}
""",
    )
    assert result.passed, result.failures


async def test_a_defect_told_at_the_return_confirmation_is_no_grief(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「こわれてたんです」 read sadness 0.92: condolences and a person, for a plain return
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: defect at the confirmation
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: へんぴんしたいんですけど
    - user: さんよんごーろく ななはちきゅうぜろ
      expect: {awaiting: confirm}
    - user: こわれてたんです
  expect: {reason: null}
""",
    )
    assert result.passed, result.failures
    assert not any("お辛い中" in t["text"] for t in result.transcript if t["speaker"] == "bot")


@pytest.mark.parametrize("closing", ["ねえな", "なんもねえです", "もうねえよ"])
async def test_the_tohoku_nee_closing_is_no_harassment(tmp_path: Path, bot: Bot, nlu: NLU, closing: str) -> None:
    # 「ねえな」 (= ないな) to 「ほかにご用件は」 read sexual harassment 0.997 and the caller was warned
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: Tohoku closing
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
      expect: {{awaiting: anything_else}}
    - user: {closing}
  expect: {{outcome: resolved, reason: null}}
""",
    )
    assert result.passed, result.failures
    assert not any("お控えください" in t["text"] for t in result.transcript if t["speaker"] == "bot")


async def test_abuse_said_with_a_closing_is_still_abuse(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: closing with an insult
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T14:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
    - user: もうねえよ、バカ
      expect: {says: お控えください}
""",
    )
    assert result.passed, result.failures
