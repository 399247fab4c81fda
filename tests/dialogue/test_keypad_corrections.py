"""Numbers keyed on the phone as callers key them (dev51): * is the keypad's 訂正 at a number (what was keyed is
dropped and the number asked again; keys after the * are the number), keys without # that are only the start of
the number are kept like a spoken pause (「はい、2345ですね。続けてお願いいたします」), and the rest may come keyed or
spoken. Before, 「1243*」 started the whole call over and each half was 「確認できませんでした」.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run

_OPEN = """
- name: keyed
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: 荷物の配送状況を確認したいんですけど
      expect: {awaiting: "slot:order_id"}
"""


async def test_a_star_drops_what_was_keyed_and_asks_for_the_number_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _OPEN + """
    - dtmf: "1243*"
      expect: {awaiting: "slot:order_id", says: もう一度はじめからご入力ください}
    - dtmf: "12345678#"
      expect: {says: 配送中}
""")
    assert result.passed, result.failures
    assert result.slots["order_id"] == "12345678"


async def test_keys_after_the_star_are_the_number(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, _OPEN + """
    - dtmf: "1243*12345678#"
      expect: {says: 配送中}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"dtmf": "1234"}, {"dtmf": "5678#"}),
        ({"user": "いちにさんよん"}, {"dtmf": "5678#"}),
        ({"dtmf": "1234"}, {"user": "ごーろくななはち"}),
    ],
)
async def test_a_number_keyed_in_two_goes_is_joined(tmp_path: Path, bot: Bot, nlu: NLU, first: dict[str, str],
                                                   second: dict[str, str]) -> None:
    def turn(t: dict[str, str]) -> str:
        key, value = next(iter(t.items()))
        return f'{key}: "{value}"'

    result = await _run(tmp_path, bot, nlu, _OPEN + f"""
    - {turn(first)}
      expect: {{awaiting: "slot:order_id", says: 続けてお願いいたします}}
    - {turn(second)}
      expect: {{says: 配送中}}
""")
    assert result.passed, result.failures
    assert result.slots["order_id"] == "12345678"


async def test_too_few_keys_with_hash_are_not_kept(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # # says the number is complete: four digits with it are a wrong number, not the start of one
    result = await _run(tmp_path, bot, nlu, _OPEN + """
    - dtmf: "1234#"
      expect: {awaiting: "slot:order_id", says: 確認できませんでした}
""")
    assert result.passed, result.failures


async def test_a_withheld_caller_keys_090_and_says_the_rest(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 090 keyed, the rest spoken
  channel: voice
  caller: {}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: すいません、頼んだイヤホンが今どこにあるか知りたいんですけど
    - dtmf: "12345678#"
      expect: {awaiting: "slot:phone_number"}
    - dtmf: "090"
      expect: {awaiting: "slot:phone_number", says: 続けてお願いいたします}
    - user: いちにーさんよん、ごーろくななはち
      expect: {says: 配送中}
""")
    assert result.passed, result.failures
    assert result.slots["phone_number"] == "09012345678"


async def test_a_star_at_the_menu_still_starts_over(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: star at the menu
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - dtmf: "*"
      expect: {awaiting: menu, says: 最初からご案内いたします}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("said", ["ゼロキューゼロ ハイフン イチニーサンヨン ハイフン ゴーロクナナハチ",
                                  "ぜろきゅうぜろ はいふん いちにさんよん はいふん ごーろくななはち"])
async def test_a_hyphen_read_aloud_inside_a_phone_number(tmp_path: Path, bot: Bot, nlu: NLU, said: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: hyphen read aloud
  channel: voice
  caller: {{}}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: イヤホンの配送状況を知りたいんですけど
    - user: イチニーサンヨン ゴーロクナナハチ
      expect: {{awaiting: "slot:phone_number"}}
    - user: {said}
      expect: {{says: 配送中}}
""")
    assert result.passed, result.failures
    assert result.slots["phone_number"] == "09012345678"
