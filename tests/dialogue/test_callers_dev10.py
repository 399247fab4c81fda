"""Failures found by dev10 (benchmarks/conversations/dev10, 50 callers written blind, 2026-12-05), one test each:
「あしたは一日いないので、配達を別の日に」 moved the delivery to the very day the caller is away (一日いない was not
read as absence), and 「会社に出す領収書がほしいんですけど、どうすればもらえますか」 was answered, then asked for an
order number the caller never meant to give, and lost.

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
    ["あしたは一日いないので、配達を別の日にしてもらいたいんです", "明日はずっといないんで、配達日を変えてほしいんですけど"],
)
async def test_the_day_the_caller_is_away_is_asked_for_again(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: away all day tomorrow
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-23T09:30:00+09:00"
  opening: {opening}
  answers:
    order_id: いちにさんよん ごーろくななはち
    date: しあさってで
    time_window: 十八時から二十時
  expect: {{intent: delivery_change, outcome: resolved, slots: {{date: "2026-11-26", time_window: "18:00-20:00"}}}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    "opening",
    [
        "会社に出す りょうしゅうしょが ほしいんですけど どうすれば もらえますか",
        "経費で落としたいので領収書がほしいんですが、どこでもらえますか",
    ],
)
async def test_how_to_get_a_receipt_is_answered_and_nothing_more_asked(
        tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: receipt for the company
  channel: voice
  caller: {{phone: "0355556666"}}
  now: "2026-12-07T09:20:00+09:00"
  opening: {opening}
  anything_else: わかりました、以上です
  expect: {{outcome: resolved, says: "ダウンロード"}}
""",
    )
    assert result.passed, result.failures
    assert not any("注文番号" in turn["text"] for turn in result.transcript if turn["speaker"] == "bot")
