"""Callers of the blind sets dev73 (numbers, days and times as a recogniser writes them) and dev74 (two things in a
call, going back) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run

NOW = datetime.fromisoformat("2026-12-11T10:00:00+09:00")


@pytest.mark.parametrize(("text", "expected"), [
    # one group read as a counting number, the rest digit by digit
    ("ちゅうもんばんごう じゅうに さんよん ごーろく ななはち の はいそうじょうきょう おしえてください",
     {"order_id": "12345678"}),
    ("じゅうに さんよん ごーろく ななはち", {"order_id": "12345678"}),
    # a day corrected in one breath, the new one in kana
    ("はいたつび かえたいんですけど にじゅうさんにち あ いや にじゅうよっかの ごぜんちゅうで",
     {"date": "2026-12-24", "time_window": "08:00-12:00"}),
])
def test_numbers_and_days_as_said(nlu: NLU, text: str, expected: dict[str, str]) -> None:
    found = {e.type: e.value for e in nlu.parse(text, NOW).entities}
    assert {k: found.get(k) for k in expected} == expected
    assert "amount" not in found and "digits" not in found


@pytest.mark.parametrize(("caller", "opening"), [
    ("0312345678", "おりかえし ほしいんですけど けいたいの ほうに おねがいします"),  # a mobile asked for from a landline
    ("09012345678", "かいしゃの でんわに おりかえして もらいたいんですが"),  # the office asked for from a mobile
])
async def test_a_callback_to_another_kind_of_phone_asks_for_it(tmp_path: Path, bot: Bot, nlu: NLU, caller: str,
                                                               opening: str) -> None:
    # the caller id was read back, and a goal-based caller's はい booked the phone they had not asked for
    result = await _run(tmp_path, bot, nlu, f"""
- name: another phone
  channel: voice
  caller: {{phone: "{caller}"}}
  now: "2026-12-11T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{awaiting: "slot:phone_number"}}
""")
    assert result.passed, result.failures


async def test_a_callback_to_the_phone_calling_reads_it_back(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the mobile that calls
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-11T10:00:00+09:00"
  turns:
    - user: おりかえし ほしいんですけど けいたいの ほうに おねがいします
      expect: {awaiting: confirm, says: 090-1234-5678}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("closing", ["なんも いいっす", "なんも いらねえ", "なんもないです"])
async def test_nothing_more_in_tohoku_words_closes_the_call(tmp_path: Path, bot: Bot, nlu: NLU, closing: str) -> None:
    # 「なんも いいっす」 (nothing more, thanks) was read as a complaint and handed to a person
    result = await _run(tmp_path, bot, nlu, f"""
- name: nothing more
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-11T10:00:00+09:00"
  turns:
    - user: さっぽろてんの えいぎょうじかん おしえでけさい
      expect: {{awaiting: anything_else}}
    - user: {closing}
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("opening", "says"), [
    ("いえの でんわから かけてるんですけど ちゅうもんの けん で", "配送状況"),  # the next guess, asked about
    ("携帯からかけてます", "ご用件"),  # no request yet: asked for it
])
async def test_where_the_call_comes_from_is_no_callback_request(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                                says: str) -> None:
    # 「家の電話から かけてる」 was read as a callback request and the caller id read back for it
    result = await _run(tmp_path, bot, nlu, f"""
- name: calling from home
  channel: voice
  caller: {{phone: "0312345678"}}
  now: "2026-12-11T10:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{says: {says}}}
""")
    assert result.passed, result.failures
    assert "callback_request" not in result.intents


@pytest.mark.parametrize("closing", ["それで全部です", "なるほど、それで全部です", "これで ぜんぶ です"])
async def test_that_is_all_closes_the_call(tmp_path: Path, bot: Bot, nlu: NLU, closing: str) -> None:
    # 「それで全部です」 was taken for a new request: 「かしこまりました。ご用件をお聞かせください」
    result = await _run(tmp_path, bot, nlu, f"""
- name: that is all
  channel: chat
  now: "2026-12-16T10:00:00+09:00"
  turns:
    - user: 渋谷店って何時まで？
      expect: {{awaiting: anything_else}}
    - user: {closing}
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


async def test_a_part_of_the_answer_asked_again_is_said_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: which carrier
  channel: chat
  now: "2026-12-16T10:00:00+09:00"
  turns:
    - user: 12345678の注文いまどこ？電話番号09012345678
      expect: {says: ヤマト運輸}
    - user: すみません、配送業者どこって言いました？
      expect: {says: ヤマト運輸, awaiting: anything_else}
    - user: 了解です、大丈夫です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_the_other_store_said_with_its_noun_is_the_same_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「ほな うめだの みせは どない」 after the stock question was answered with Umeda's address
    result = await _run(tmp_path, bot, nlu, """
- name: and umeda
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-16T10:00:00+09:00"
  turns:
    - user: こーひーめーかーって しぶやてんに おいてます
    - user: ほな うめだの みせは どない
      expect: {intent: product_availability, says: 梅田店に在庫}
""")
    assert result.passed, result.failures


async def test_another_order_said_with_mo_is_the_same_request_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「あと、妻が頼んだ23456789もお願いします」 after a status was read: not understood, twice
    result = await _run(tmp_path, bot, nlu, """
- name: the wife's order too
  channel: chat
  now: "2026-12-16T10:00:00+09:00"
  turns:
    - user: 12345678の配送状況を知りたいです。電話番号は090-1234-5678です
      expect: {awaiting: anything_else}
    - user: あと、妻が頼んだ23456789もお願いします
      expect: {awaiting: "slot:phone_number"}
    - user: 妻の番号は08098765432です
      expect: {says: 準備中, awaiting: anything_else}
    - user: 以上です
  expect: {outcome: resolved, slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures


async def test_how_an_order_is_doing_is_its_status(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「…の ちゅうもん どないなってます」 was asked about as a cancellation (the classifier 0.44 on cancel)
    result = await _run(tmp_path, bot, nlu, """
- name: how is it doing
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-16T10:00:00+09:00"
  turns:
    - user: にーさんよんごー ろくななはちきゅうの ちゅうもん どないなってます
      expect: {awaiting: confirm, says: 配送状況}
    - user: せや
  expect: {intents: [order_status], slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures
