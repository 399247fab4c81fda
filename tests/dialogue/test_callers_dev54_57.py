"""Callers of the blind sets dev54-dev57 (the knowledge base as asked, hostile input, other languages, the ways
Japanese callers speak) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def _one(tmp_path: Path, bot: Bot, nlu: NLU, turns: str, expect: str = "{}", channel: str = "voice",
               now: str = "2026-12-08T11:00:00+09:00") -> list[str]:
    result = await _run(tmp_path, bot, nlu, f"""
- name: caller
  channel: {channel}
  caller: {{phone: "09012345678"}}
  now: "{now}"
  turns:
{turns}
  expect: {expect}
""")
    assert result.passed, result.failures
    return [t["text"] for t in result.transcript if t["speaker"] == "bot"]


async def test_a_redelivery_asked_in_dialect_is_no_points_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「もう一回持ってきてもらえるの？」 met the points entry's もらえる and 一 (it names no point)
    await _one(tmp_path, bot, nlu, """    - user: 不在票いうのが入っとったんだけど、これどうしたらええんかね。もう一回持ってきてもらえるの？
      expect: {intent: delivery_change, awaiting: "slot:order_id"}""")


async def test_a_hiroshima_closing_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    await _one(tmp_path, bot, nlu, """    - user: 札幌の店は何時までやっとるん？
    - user: ほうか、わかったわ。それだけじゃけえ""", "{outcome: resolved, reason: null}")


async def test_missed_words_asked_again_in_dialect(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    said = await _one(tmp_path, bot, nlu, """    - user: もしもし、あのね、渋谷のお店はね、夜は何時までやっとるんですかね
    - user: え？なんて？ちょっと聞こえんかったわ、もういっぺん言うてくださる？
    - user: はいはい、夜の九時までね。わかりました、それだけです""", "{outcome: resolved}")
    assert sum("21時" in s for s in said) >= 2  # the hours, heard again


@pytest.mark.parametrize(
    ("opening", "outcome", "reason"),
    [("母が入院しまして、注文をキャンセルしたいんです", None, None),
     ("もうどうしたらいいかわからなくて…夫が急に入院して、荷物も受け取れなくて", "transferred", "emotion")],
)
async def test_a_stay_in_hospital_told_calmly_is_served(tmp_path: Path, bot: Bot, nlu: NLU, opening: str,
                                                         outcome: str | None, reason: str | None) -> None:
    expect = f"{{outcome: {outcome}, reason: {reason}}}" if outcome else "{}"
    said = await _one(tmp_path, bot, nlu, f"    - user: {opening}", expect, channel="chat")
    assert "大変でございましたね" in said[1]
    if outcome is None:
        assert "ご注文番号" in said[-1]  # sympathy, then the cancellation asks its number


async def test_a_question_at_the_end_of_a_spoken_story_is_answered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    said = await _one(tmp_path, bot, nlu, """    - user: うちの母がこちらでよく買い物してたんですけど 入院してて一年半くらい何も買ってないんですよ ポイントってまだ使えるんでしょうか
      expect: {awaiting: confirm}""")
    assert "有効期限" in said[-2]


async def test_a_hiroshima_fee_question_is_answered_by_the_knowledge_base(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    said = await _one(tmp_path, bot, nlu, "    - user: こんびにで はらえるんじゃろか てすうりょう かかるんかいのう")
    assert "手数料" in said[-2] and "ご注文番号" not in said[-1]


async def test_a_veiled_threat_in_keigo_is_warned(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「…いただけないようでしたら」 held the ないよ of 「もうないよ」: it was taken for a closing, the threat dropped
    said = await _one(tmp_path, bot, nlu, """    - user: このまま誠意あるご対応がいただけないようでしたら 担当の方の身の安全までは保証いたしかねますが
      expect: {awaiting: menu}""")
    assert "お控えください" in " ".join(said)


@pytest.mark.parametrize(
    ("first", "second"),
    [("こんな時間まで電話させやがって ふざけんなカス", "聞こえてんのかカス 二度と口きけないようにしてやるぞ"),
     ("おまえじゃ話にならん 人間出せ このクズ", "早よ人間に代われって言っとるがや たわけが")],
)
async def test_abuse_said_twice_is_harassment_at_any_hour(tmp_path: Path, bot: Bot, nlu: NLU, first: str,
                                                          second: str) -> None:
    await _one(tmp_path, bot, nlu, f"""    - user: {first}
    - user: {second}""", "{reason: harassment}", now="2026-12-08T23:30:00+09:00")


async def test_had_enough_then_cancel_is_the_cancellation_heard(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    await _one(tmp_path, bot, nlu, "    - user: クソ寒い中ずっと待ってんのに まだ発送もされてないってどういうこと もういいわ キャンセルして",
               "{intents: [cancel_order]}")
