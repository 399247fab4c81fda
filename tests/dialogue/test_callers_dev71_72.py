"""Callers of the blind sets dev71 (routine calls end to end) and dev72 (answers that are not quite what was asked:
pauses, fragments, corrections, changes of mind) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run

NOW = datetime.fromisoformat("2026-12-11T14:00:00+09:00")


def _entities(nlu: NLU, text: str) -> dict[str, str]:
    return {e.type: e.value for e in nlu.parse(text, NOW).entities}


@pytest.mark.parametrize(("text", "expected"), [
    # the order number, then the day and the window said after a space: the number is no longer swallowed
    ("はいたつびを かえたいです ばんごうは いちにさんよん ごーろくななはち じゅうににちの ごぜんちゅうで",
     {"order_id": "12345678", "date": "2026-12-12", "time_window": "08:00-12:00"}),
    ("いちにさんよん ごーろくななはち じゅうごにちの にじから よじで",
     {"order_id": "12345678", "date": "2026-12-15", "time_window": "14:00-16:00"}),
    # じゅうよっか and にじゅうよっか are no ordinary words: a date wherever they are said
    ("えー… そうですねえ… じゅうよっか… じゅうよっかの ごぜんちゅうが ありがたいんですけどね",
     {"date": "2026-12-14", "time_window": "08:00-12:00"}),
    ("にじゅうよっかに おねがいします", {"date": "2026-12-24"}),
    # a window said apart after a no or a yes with a condition, in kana
    ("ちゃいます ごぜんちゅうです", {"time_window": "08:00-12:00"}),
    ("ええよ せやけど ごぜんちゅうに してな", {"time_window": "08:00-12:00"}),
    # 「あ すみません」 has no あす (tomorrow) in it, 「ひとに よる」 no evening, はつかだいこん no 20th
    ("あ すみません さっきの ばんごう まちがえました いちにさんよん ごーろくななはち です", {"order_id": "12345678"}),
    ("それは ひとに よる", {}),
    ("はつかだいこん ありますか", {}),
])
def test_what_is_heard_in_kana(nlu: NLU, text: str, expected: dict[str, str]) -> None:
    found = _entities(nlu, text)
    assert {k: found.get(k) for k in ("order_id", "date", "time_window") if k in found or k in expected} == expected


CONFIRM = """
- name: a change read back, then {reply}
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-11T14:00:00+09:00"
  turns:
    - user: {opening}
      expect: {{awaiting: confirm}}
    - user: {reply}
      expect: {{awaiting: confirm}}
    - user: はい
  expect: {{outcome: resolved, slots: {{order_id: "12345678", date: "{date}", time_window: "{window}"}}}}
"""


@pytest.mark.parametrize(("opening", "reply", "date", "window"), [
    ("はいたつびを かえたいです ばんごうは いちにさんよん ごーろくななはち じゅうににちの ごぜんちゅうで",
     "いえ じゅうさんにちです", "2026-12-13", "08:00-12:00"),
    ("さいはいたつ たのみたいんやけど ばんごうは いちにさんよん ごーろくななはち じゅうごにちの にじから よじで",
     "ちゃいます ごぜんちゅうです", "2026-12-15", "08:00-12:00"),
    ("さいはいたつ たのみたいんやけど ばんごうは いちにさんよん ごーろくななはち はつかの にじから よじで",
     "ええよ せやけど ごぜんちゅうに してな", "2026-12-20", "08:00-12:00"),
])
async def test_a_correction_at_the_read_back_is_read_back_again(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                                reply: str, date: str, window: str) -> None:
    result = await _run(tmp_path, bot, nlu, CONFIRM.format(opening=opening, reply=reply, date=date, window=window))
    assert result.passed, result.failures


async def test_the_same_window_said_again_to_the_date_question_is_no_answer(tmp_path: Path, bot: Bot,
                                                                          nlu: NLU) -> None:
    # it was taken each time with 「承知いたしました」 and the date asked again, for ever (30 turns, abandoned)
    result = await _run(tmp_path, bot, nlu, """
- name: the window, again and again
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-11T14:00:00+09:00"
  turns:
    - user: にもつの とどく ひを かえてもらいたいんですよ
    - user: いちにさんよん ごーろくななはち
      expect: {awaiting: "slot:date"}
    - user: ごぜんちゅうが ありがたいんですけどね
      expect: {awaiting: "slot:date"}
    - user: ごぜんちゅうが ありがたいんですけどね
    - user: ごぜんちゅうが ありがたいんですけどね
    - user: ごぜんちゅうが ありがたいんですけどね
    - user: ごぜんちゅうが ありがたいんですけどね
  expect: {outcome: transferred, reason: repeated_failure}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("turns", "says", "store"), [
    # the store mended after its hours were told: the other store's hours
    (["渋谷店の営業時間教えてください", "あ、すみません、梅田店のことでした"], "水曜日定休", "umeda"),
    # the request changed in one breath: what follows あ いや やっぱり
    (["しぶやてんの えいぎょうじかん… あ いや やっぱり ばしょを おしえてください"], "道玄坂", "shibuya"),
])
async def test_what_the_caller_meant_after_all(tmp_path: Path, bot: Bot, nlu: NLU, turns: list[str], says: str,
                                               store: str) -> None:
    said = "\n".join(f"    - user: {t}" for t in turns)
    result = await _run(tmp_path, bot, nlu, f"""
- name: meant after all
  channel: chat
  now: "2026-12-11T14:00:00+09:00"
  turns:
{said}
    - user: 以上です
  expect: {{outcome: resolved, says: {says}, slots: {{store: {store}}}}}
""")
    assert result.passed, result.failures


async def test_two_questions_for_the_knowledge_base_are_both_answered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 知りたい was read as a wish for the billing flow: the points answered, then an order number asked for
    result = await _run(tmp_path, bot, nlu, """
- name: free shipping and points
  channel: chat
  now: "2026-12-11T14:00:00+09:00"
  turns:
    - user: 送料っていくらから無料？あとポイントの有効期限も知りたい🤔
      expect: {says: ["5,000円以上", "1年間"]}
    - user: はい、わかりました！
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
