"""Failures found by dev9 (benchmarks/conversations/dev9, 80 callers written blind, 2026-12-05), one test each:
a Kyoto yes (「へえ、そうしておくれやす」) was asked again three times and handed over; 「支払いがまだなんですけど」
about the caller's own konbini order got the general fee instead of the order looked up.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue import answer_words as words
from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("yes", ["へえ、そうしておくれやす", "へえ そうどす", "そうどす", "へえ、おおきに"])
async def test_a_kyoto_yes_confirms(tmp_path: Path, bot: Bot, nlu: NLU, yes: str) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: Kyoto caller cancels
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-11-24T10:30:00+09:00"
  opening: すんまへん、注文したケトル、取り消してもらいたいんどす
  answers: {{order_id: "23456789"}}
  confirm: {yes}
  anything_else: 以上どす
  expect: {{intent: cancel_order, outcome: resolved}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("surprise", ["へえ", "へえ、そうなんや", "へえー"])
def test_kyoto_hee_alone_is_surprise_not_yes(surprise: str) -> None:
    assert not words.YES.match(surprise)


@pytest.mark.parametrize(
    "opening",
    ["コンビニ払いの支払いがまだなんですけど どうしたらいいですか", "振り込みがまだなんですが、どこで払えばいいですか"],
)
async def test_the_callers_own_unpaid_order_is_looked_up(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: unpaid konbini order
  channel: voice
  caller: {{phone: "09077778888"}}
  now: "2026-11-24T10:30:00+09:00"
  opening: {opening}
  answers: {{order_id: "45678901"}}
  expect: {{intent: billing_inquiry, slots: {{order_id: "45678901"}}}}
""",
    )
    assert result.passed, result.failures
    assert any("8,800円" in t["text"] for t in result.transcript if t["speaker"] == "bot")


@pytest.mark.parametrize(
    "opening",
    ["ケトル届いたんやけど、電源入らへんねん。これどないしたらええの", "届いたイヤホンが充電できないんです", "ケトルの電源が入りません"],
)
async def test_a_product_that_does_not_work_gets_an_apology_first(
    tmp_path: Path, bot: Bot, nlu: NLU, opening: str
) -> None:
    # (ivr chat, 2026-12-05) 「電源入らへんねん」 was served without a word of apology; 「壊れてた」 had one
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: does not work
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: {opening}
      expect: {{says: 申し訳ございません}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("said", ["気がつかなかったんですけど", "電気がつかないので暗くて"])
def test_not_noticing_is_no_trouble_with_the_product(said: str) -> None:
    assert not words.TROUBLE.search(said)


@pytest.mark.parametrize("yes", ["この番号でええよ", "この電話でお願いします", "今かけてる番号で大丈夫です"])
async def test_this_number_accepts_the_callback_number(tmp_path: Path, bot: Bot, nlu: NLU, yes: str) -> None:
    # (ivr chat) 「この番号でええよ」 to 「090-1234-5678におかけしてよろしいでしょうか」 was asked again
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: callback to this number
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: 折り返し電話ほしいんやけど
      expect: {{awaiting: confirm}}
    - user: {yes}
      expect: {{awaiting: "slot:date"}}
""",
    )
    assert result.passed, result.failures


async def test_deliberating_at_a_confirmation_is_no_distress(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # (ivr chat) 「うーん、どうしようかな」 to 「キャンセルいたします。よろしいでしょうか」: anxiety 0.98 to the emotion model,
    # so condolences (「それは大変でございましたね」) and a person; then 「やっぱりキャンセルで」 was not a yes
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: deliberates, then goes ahead
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: ケトルのキャンセルお願いします
    - user: 二三四五六七八九
      expect: {awaiting: confirm}
    - user: うーん、どうしようかな
      expect: {awaiting: confirm, says: ごゆっくりお考えください}
    - user: やっぱりキャンセルで
      expect: {says: キャンセルを承りました}
    - user: 以上です
  expect: {outcome: resolved, intent: cancel_order}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize("said", ["母が倒れてしまって、どうしよう", "どうしよう、どうしたらいいかわからない"])
def test_panic_is_still_distress(said: str) -> None:
    assert words.DISTRESS.search(said) and not words.only_hesitation(said)


async def test_a_no_said_with_the_request_word_is_still_a_no(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: keeps the order after all
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: ケトルのキャンセルお願いします
    - user: 二三四五六七八九
    - user: やっぱりキャンセルはしないでおきます
      expect: {says: キャンセルは行わず}
""",
    )
    assert result.passed, result.failures
