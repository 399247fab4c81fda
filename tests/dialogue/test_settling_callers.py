"""Callers who settle for the answer (「そうですか、ほんなら待ってみます」) or take back their 'yes, one more thing'
(「いえ、もう大丈夫です、ありがとう」): found talking to `ivr chat` as a Kansai caller, 2026-12-04 (issue 11).

「そうですか」 is a backchannel, not a yes: read as one, the bot asked for another request the caller never had,
then did not understand the caller's thanks and goodbye and the call ended as abandoned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue import answer_words as words
from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("said", ["そうですか", "そうなんですか", "そうですか、ほんなら待ってみます"])
def test_a_backchannel_question_is_no_yes(said: str) -> None:
    assert words.YES.match(said) is None


@pytest.mark.parametrize("said", ["そうです", "そうなんです", "そう、その日で", "そうですね"])
def test_a_real_yes_still_is(said: str) -> None:
    assert words.YES.match(said) is not None


@pytest.mark.parametrize(
    "said",
    ["ほんなら待ってみます", "じゃあ待ちます", "もう少し様子を見ます", "わかりました、待っときます", "ほな待っとくわ"],
)
def test_settling_to_wait_closes(said: str) -> None:
    assert words.only_closing(said)


@pytest.mark.parametrize("said", ["待ってみますけど、いつ届きますか", "待ちますけど、もうひとつ聞きたいことがあって"])
def test_settling_with_a_question_does_not(said: str) -> None:
    assert not words.only_closing(said)


@pytest.mark.parametrize(
    ("settles", "outcome"),
    [("そうですか、ほんなら待ってみます", "resolved"), ("そうですか。わかりました、待ってみます", "resolved")],
)
async def test_settling_after_a_read_out_ends_the_call(
    tmp_path: Path, bot: Bot, nlu: NLU, settles: str, outcome: str
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: settles for the delivery date
  channel: voice
  caller: {{phone: "09012345678"}}  # the order's own phone: identity checked by caller id
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: もしもし、あの、こないだ頼んだイヤホンがまだ届いてないんですけど
    - user: えーと、いちにいさんよん、ごおろくななはちです
      expect: {{awaiting: anything_else, says: 11月25日}}
    - user: {settles}
  expect: {{outcome: {outcome}}}
""",
    )
    assert result.passed, result.failures


async def test_taking_back_one_more_thing_is_asked_about_then_ends(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: yes there is more, then no
  channel: chat
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: 梅田店の営業時間を教えてください
      expect: {awaiting: anything_else}
    - user: はい
    - user: いえ、もう大丈夫です、ありがとう
      expect: {says: 終了してもよろしいでしょうか}
    - user: はい
  expect: {outcome: resolved}
""",
    )
    assert result.passed, result.failures
