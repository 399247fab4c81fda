"""Failure classes of the blind-written dev20 callers (benchmarks/conversations/dev20), with wordings of our own:
a chat message quoting an order e-mail (prices, 送料, dates) was read as a billing question and its order number
lost; a phone number read in kanji over two breaths after 「登録の電話番号は」 was refused; an elderly caller's
「ありがとうね」 at the order-number question was taken for a goodbye; 「では、どうしたらいいでしょうか」 after a
refused cancel was heard as distress and sent to a person with 「それは大変でございましたね」.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from dialogue.interpret import _distress
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_quoted_order_mail_gives_its_number_and_the_request_is_the_writers(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    mail = ("この注文、返品したいです\\n"
            "> ご注文ありがとうございました\\n> 注文番号：34567890\\n> 商品：電気ケトル 1点 5,480円\\n"
            "> 送料：無料\\n> 合計：5,480円（クレジットカード）\\n> 配達日：2026/11/20")
    result = await _run(tmp_path, bot, nlu, f"""
- name: quoted mail
  channel: chat
  caller: {{}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: "{mail}"
      expect: {{awaiting: "slot:phone_number"}}
    - user: "09012345678"
  expect: {{intents: [return_exchange], slots: {{order_id: "34567890"}}}}
""")
    assert result.passed, result.failures


def test_quoted_lines_do_not_choose_the_request(nlu: NLU) -> None:
    quoted = nlu.parse("キャンセルお願いします\n> 請求金額 4,980円\n> お支払い方法 クレジットカード\n> 送料 550円")
    assert quoted.intent.name == "cancel_order"
    assert {e.type for e in quoted.entities} >= {"amount"}  # the values of the quote are still read


async def test_a_phone_number_in_kanji_over_two_breaths_after_naming_it(tmp_path: Path, bot: Bot,
                                                                         nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: kanji phone in two breaths
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 注文を取り消したいんです。番号は二三四五六七八九
      expect: {awaiting: "slot:phone_number"}
    - user: ご登録の電話番号は、〇八〇の九八七六の
      expect: {awaiting: "slot:phone_number"}
    - user: 五四三二です
      expect: {awaiting: confirm}
  expect: {slots: {phone_number: "08098765432"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("thanks", ["ありがとうね", "はいはい、どうもね", "あら、すみませんねえ"])
async def test_thanks_at_a_question_before_anything_is_done_is_no_goodbye(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                          thanks: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: elderly thanks
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 届いたケトルが壊れてたの、返品したいんだけどね
      expect: {{awaiting: "slot:order_id"}}
    - user: {thanks}
      expect: {{awaiting: "slot:order_id"}}
    - user: さんよんごろく ななはちきゅうぜろ
      expect: {{awaiting: confirm}}
""")
    assert result.passed, result.failures


async def test_asking_what_to_do_next_after_an_answer_is_no_distress(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: calm how
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 注文を取り消したいんですが、番号は12345678です
      expect: {awaiting: anything_else}
    - user: そうなんですね。それなら、どうすればいいですか
""")
    assert result.passed, result.failures
    assert result.outcome != "transferred" and "大変でございましたね" not in str(result.transcript)


@pytest.mark.parametrize(("text", "distress"), [
    ("どうしよう、どうしたらいいの、わからない", True),
    ("どうしたらいいか…もう頭が真っ白で", True),
    ("では、どうしたらいいでしょうか", False),
    ("じゃあ、どうすればいいですか？", False),
])
def test_panic_with_the_same_words_is_still_distress(nlu: NLU, text: str, distress: bool) -> None:
    assert _distress(nlu.parse(text)) is distress
