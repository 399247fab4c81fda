"""「これ機械の声？AIなの？」 (found by a blind writer's dev20, 2026-12-06): a caller asking whether a person speaks is
told honestly, with the way to a person, and the open question stays open. A model retrained on callers who
struggle with the machine reads it as operator_request (0.48): asking asks for no one. 「機械じゃ話にならん、人出して」
still reaches a person at once.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dialogue.answer_words import asks_if_machine
from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("text", "asks"), [
    ("...あれ、これ機械の声?AIなの?", True),
    ("これって自動音声ですか", True),
    ("もしもし、人間の方ですか?", True),
    ("あなたAIですか", True),
    ("機械じゃ話にならん、人を出して", False),
    ("人と話したい", False),
    ("ひと", False),
    ("機械", False),
])
def test_whether_a_person_speaks_is_a_question_of_its_own(text: str, asks: bool) -> None:
    assert asks_if_machine(text) is asks


async def test_asked_at_a_question_it_is_answered_and_the_question_goes_on(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: is this a machine, in the middle of a cancellation
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 注文をキャンセルしたいんですが
      expect: {awaiting: "slot:order_id"}
    - user: …あれ、これ機械の声？AIなの？
      expect: {awaiting: "slot:order_id", says: 自動音声でご案内しております}
    - user: にーさんよんごー ろくななはちきゅう
      expect: {awaiting: confirm}
""")
    assert result.passed, result.failures


async def test_a_person_asked_for_with_the_machine_named_is_still_a_person(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the machine named, a person asked for
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: もしもし、これ人間ですか？
      expect: {awaiting: menu, says: 自動音声でご案内しております}
    - user: 機械じゃ話にならんわ、人出して
  expect: {outcome: transferred, reason: human_request}
""")
    assert result.passed, result.failures


def test_a_hostile_run_of_fillers_fails_at_once() -> None:
    # 「えっえっえっ…」 could be split two ways at every えっ (a word, or え and a pause): 25 of them took 12 s before
    # the fillers were matched atomically; a turn must never stall a worker (issue 12)
    started = time.perf_counter()
    assert not asks_if_machine("えっ" * 2000 + "ばか")
    assert time.perf_counter() - started < 1.0
