"""Chat users of the blind set dev75 (as they type) that failed on its first run, now a test: a line typed all in
katakana (half-width included) is read as the kana speech the models learned, not as unknown loanwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.kana_lines import read_as_kana
from nlu.normalize import normalize
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("ｻｯﾎﾟﾛﾃﾝ ｴｲｷﾞｮｳｼﾞｶﾝ ｵｼｴﾃ", "store_hours", {"store": "sapporo"}),
    ("チュウモンシタケトルガマダコナイ", "order_status", {"product": "kettle"}),  # 0.47 and no product before
    ("イヤホン アリマス？", "product_availability", {"product": "earphones"}),
])
def test_a_line_all_in_katakana_is_understood(nlu: NLU, text: str, intent: str, entities: dict[str, str]) -> None:
    parse = nlu.parse(text)
    assert parse.intent.name == intent and not parse.low_confidence
    assert {e.type: e.value for e in parse.entities if e.type in entities} == entities


@pytest.mark.parametrize("text", ["ケトル", "梅田店のケトル", "ヤマトで届いたケトル"])
def test_katakana_beside_hiragana_or_kanji_stays_katakana(text: str) -> None:
    # loanwords and names in an ordinary line, or one short word alone, are left as written
    assert read_as_kana(normalize(text)).text == text


def test_a_keyword_in_katakana_is_not_a_caller_line() -> None:
    # the knowledge base's コンビニ must meet the caller's コンビニ払い as written: only NLU.parse reads lines as kana
    assert normalize("コンビニ").text == "コンビニ"
    assert read_as_kana(normalize("コンビニ")).text == "こんびに"


async def test_a_half_width_katakana_chat_gets_the_hours(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: half-width katakana
  channel: chat
  now: "2027-01-19T07:55:00+09:00"
  turns:
    - user: "ｻｯﾎﾟﾛﾃﾝ ｴｲｷﾞｮｳｼﾞｶﾝ ｵｼｴﾃ"
      expect: {intent: store_hours, says: 札幌店}
  expect: {intent: store_hours, slots: {store: sapporo}}
""")
    assert result.passed, result.failures
