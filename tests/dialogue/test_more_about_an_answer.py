"""Callers who ask more about an answer, or about another store or day (blind writers' dev34 and dev35,
2026-12-06), one test each class:

- 「じゃあ4,999円だったら？」「8日って注文した日からですか？」 to 「解消されましたでしょうか」: more about the answer
  just given, whose words hold it: said again, not a yes or no asked for;
- 「いえ、そうじゃなくて、返品するときの送料のことです」: another question the knowledge base answers, though it
  names a request (返品);
- 「なるほど、ありがとうございます。以上です」「あ、届いてからなんですね。了解です、以上です」「わかりました いじょうです」
  (joined as a recogniser writes it): the caller is done, not asked 「ほかにご用件は」 again;
- 「渋谷店は？」 after 「梅田店って明日開いてますか」 asks about tomorrow too; 「それと とうきょうの しぶやの ほうは」;
- 「札幌駅から一番近いお店」 is no keypad choice 1;
- 成人の日 and 「きょう いこかな」 are days;
- 「はい、550円ってことですね、わかりました」 (found talking to the bot): a yes and the answer said back, no new question.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_question_about_the_answer_gets_the_answer_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: free shipping, then 4,999 yen
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 五千円ちょうどの場合、送料ってかかります？
      expect: {says: "5,000円以上で送料無料", awaiting: confirm}
    - user: じゃあ4,999円だったら？
      expect: {says: 送料550円, awaiting: confirm}
    - user: なるほど、ありがとうございます。以上です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures
    points = [line for line in result.transcript if "ポイント" in line.get("text", "")]
    assert not points, points  # 円 alone is a word of the points entry too: the topic of the call decides


async def test_a_misreading_of_the_answer_is_answered_and_the_caller_done(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: eight days from the order?
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 返品って何日以内でしたっけ？
      expect: {says: お届け日から8日以内}
    - user: 8日って注文した日からですか？
      expect: {says: お届け日から8日以内, awaiting: confirm}
    - user: あ、届いてからなんですね。了解です、以上です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_not_that_fee_but_the_return_shipping(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the return shipping, not the shipping
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 送料っていくらですか？
      expect: {says: 550円}
    - user: いえ、そうじゃなくて、返品するときの送料のことです
      expect: {says: 返品の送料, awaiting: confirm}
""")
    assert result.passed, result.failures


async def test_understood_and_that_is_all_joined_by_the_recogniser(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: return, then the return fee, then done
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: ケトルの ふたが しまらないんです ちゅうもんばんごうは さんよんごーろく ななはちきゅうぜろ です へんぴんで おねがいします
    - user: はい おねがいします
      expect: {awaiting: anything_else}
    - user: あと かえす ときの そうりょうって こっちで はらうんですか
      expect: {says: 返品の送料, awaiting: confirm}
    - user: わかりました いじょうです
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_another_store_asked_about_the_same_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: umeda tomorrow, then shibuya
  channel: chat
  now: "2026-12-22T11:00:00+09:00"
  turns:
    - user: 梅田店って明日開いてますか？
      expect: {says: 定休日}
    - user: あ、そうなんですね。じゃあ渋谷店の方で
      expect: {intent: store_hours, says: 12月23日(水)の渋谷店, slots: {store: shibuya, date: "2026-12-23"}}
""")
    assert result.passed, result.failures
    result = await _run(tmp_path, bot, nlu, """
- name: sapporo today, then the Tokyo store
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: あのー さっぽろてん きょう あいてますか
      expect: {says: 定休日}
    - user: それと とうきょうの しぶやの ほうは
      expect: {intent: store_hours, slots: {store: shibuya, date: "2026-12-08"}}
""")
    assert result.passed, result.failures


async def test_the_closest_store_is_no_keypad_choice(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: closest store to a station
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 札幌駅から一番近いお店ってどこにありますか？
      expect: {intent: store_location, slots: {store: sapporo}}
""")
    assert result.passed, result.failures


def test_a_holiday_by_name_and_today_before_a_verb_of_going(nlu: NLU) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 12, 16, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))

    def dates(text: str) -> list[str]:
        return [e.value for e in nlu.parse(text, now).entities if e.type == "date"]

    assert dates("来月の成人の日って渋谷店は何時から開いてますか") == ["2027-01-11"]
    assert dates("文化の日は営業してますか") == ["2027-11-03"]  # this year's is past: the next one
    assert dates("ほな きょう いこかな なんじまで やってるん") == ["2026-12-16"]
    assert dates("きょう いますか") == ["2026-12-16"]
    assert dates("きょういくの ほん") == []  # 教育, no day


async def test_a_yes_with_the_answer_said_back_asks_nothing_more(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: yes, 550 yen then
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 送料っていくら？
      expect: {says: 550円}
    - user: はい、550円ってことですね、わかりました
      expect: {awaiting: anything_else}
""")
    assert result.passed, result.failures
    assert not [line for line in result.transcript if "ポイント" in line.get("text", "")]  # no points answer
