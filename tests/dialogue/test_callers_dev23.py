"""Failure classes of the blind-written dev23 callers (voice as a recogniser hears it), with wordings of our own:
the ご of a number read out written as 号 (「いちにさんよん号ろくななはち」) was no number, three times, then a
failure transfer; words to someone in the room (「ちょっと待って…はいはい、今電話してるから」) were read as a request
for a callback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("said", "value"), [
    ("にーさんよん号 ろくななはちきゅう", "23456789"),
    ("いち に さん よん 号 ろく なな はち", "12345678"),
])
def test_go_written_as_gou_inside_a_spoken_number_is_five(nlu: NLU, said: str, value: str) -> None:
    assert [(e.type, e.value) for e in nlu.parse(said).entities] == [("order_id", value)]


@pytest.mark.parametrize("said", ["いちにさんよん号室です", "3号館の前です"])
def test_gou_outside_a_run_stays_a_word(nlu: NLU, said: str) -> None:
    assert not any(e.type == "order_id" for e in nlu.parse(said).entities)


@pytest.mark.parametrize("aside", ["ちょっと待って…今電話してるから", "はいはい、あとでね", "ちょっと静かにして"])
async def test_words_to_someone_in_the_room_are_waited_for(tmp_path: Path, bot: Bot, nlu: NLU, aside: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: an aside first
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: {aside}
      expect: {{says: ごゆっくり}}
    - user: 注文したイヤホンがいつ届くか知りたいんです
      expect: {{awaiting: "slot:order_id"}}
""")
    assert result.passed, result.failures


async def test_see_you_later_to_the_bot_is_still_a_goodbye(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: see you later
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 梅田店って何時まで？
      expect: {awaiting: anything_else}
    - user: じゃあ、またあとでね
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
