"""A caller who names a store when asking about stock hears about that store: 「コーヒーメーカーって渋谷店にある？」, or
「じゃあ梅田店は？」 after the answer (found in `ivr chat`: the follow-up was heard as a new, unknown request;
「じゃあ うめだてんは」 with a pause was not heard as a follow-up of any request, nor "what about Umeda?").

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU and the demo records (SPEC 3:
the coffee maker is in stock at umeda only, the earphones everywhere, the kettle nowhere).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("opening", "says"), [
    ("コーヒーメーカーって渋谷店にある？", "渋谷店には在庫がございません"),
    ("梅田店にコーヒーメーカーの在庫ありますか", "梅田店に在庫がございます"),
    ("札幌店でワイヤレスイヤホン買えますか", "札幌店に在庫がございます"),
    ("電気ケトルって渋谷店にありますか", "在庫切れ"),  # sold out everywhere: the restock date, not the store
    ("コーヒーメーカーの在庫ありますか", "梅田店のみ在庫がございます"),  # no store named: where it is
])
async def test_a_store_named_with_the_question_is_answered_for_that_store(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                          opening: str, says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: stock at a store
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{intent: product_availability, awaiting: anything_else, says: {says}}}
    - user: 以上です
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("follow_up", "says"), [
    ("じゃあ梅田店は？", "梅田店に在庫がございます"),
    ("ほな渋谷店はどうですか", "渋谷店には在庫がございません"),
    ("札幌店だと？", "札幌店には在庫がございません"),
    # as the recogniser writes it: kana, a pause (the entity's offsets are into the text as said, spaces and all)
    ("ほんなら うめだてんは", "梅田店に在庫がございます"),
    ("じゃあ さっぽろてんは", "札幌店には在庫がございません"),
])
async def test_another_store_after_the_answer_is_the_same_question_of_that_store(tmp_path: Path, bot: Bot,
                                                                                 nlu: NLU, follow_up: str,
                                                                                 says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: stock, then another store
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: コーヒーメーカーって渋谷にある？
      expect: {{intent: product_availability, awaiting: anything_else, says: コーヒーメーカーは}}
    - user: {follow_up}
      expect: {{awaiting: anything_else, says: {says}}}
    - user: わかりました、ありがとう
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert not any("ご用件をお聞かせください" in text for text in said), said


@pytest.mark.parametrize(("follow_up", "says"), [
    ("what about Umeda?", "in stock at the Umeda store"),
    ("and the Sapporo store?", "we don't have the coffee maker at the Sapporo store"),
    ("how about Umeda", "in stock at the Umeda store"),
])
async def test_another_store_in_english_is_the_same_question(tmp_path: Path, bot: Bot, nlu: NLU, follow_up: str,
                                                             says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: stock in English, then another store
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: Do you have the coffee maker at the Shibuya store?
      expect: {{intent: product_availability, awaiting: anything_else, says: "don't have the coffee maker"}}
    - user: {follow_up}
      expect: {{awaiting: anything_else, says: "{says}"}}
""")
    assert result.passed, result.failures
