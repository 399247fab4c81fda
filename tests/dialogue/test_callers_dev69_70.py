"""Callers of the blind sets dev69 (phone callers as the recogniser hears them in hard conditions) and dev70
(who goes to a person and why, and who stays with the bot) that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.language import detect_language
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_no_to_the_answer_checked_with_all_they_wanted_to_know_is_done(tmp_path: Path, bot: Bot,
                                                                            nlu: NLU) -> None:
    # 「いいえ きかんが しりたかった だけです」 to 「解消されましたでしょうか」 went to a person as not solved
    result = await _run(tmp_path, bot, nlu, """
- name: only wanted the period
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: すみません へんぴんの きかんって なんにち いないでしたっけ
      expect: {says: 八日}
    - user: いいえ きかんが しりたかった だけです
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("text", "handed_over"), [
    ("弁護士事務所で事務をしている者です。事務所の備品として購入した分の領収書って、どこから出せますか？", False),
    ("このままなら弁護士に相談しますよ、荷物が三週間も届かないんです", True),
    ("弁護士事務所に相談するつもりです", True),
])
async def test_a_lawyer_brought_in_is_complex_a_law_office_as_workplace_is_not(
        tmp_path: Path, bot: Bot, nlu: NLU, text: str, handed_over: bool) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: lawyer
  channel: chat
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: "{text}"
""")
    assert (result.reason == "complex") is handed_over, result.transcript


async def test_the_order_number_said_in_distress_goes_with_the_caller(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: memorial gift
  channel: chat
  now: "2026-11-21T11:00:00+09:00"
  turns:
    - user: 注文番号23456789です。明日が父の七回忌で、そのお返しの品なのにまだ準備中ってどういうことですか…もう間に合わない、どうしよう、手が震えて何も考えられません
  expect: {outcome: transferred, reason: emotion, slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("text", [
    "カードの請求に身に覚えのないのが三万円も来てて…年金暮らしなもんで…ゆうべから眠れなくて胸がどきどきして…",
    "なんだべ これ たのんだ ゆわかし はこ あげだら われでだんだ まごさ あげるやつ だったのに… もう なさけねぐて なみだ でてくる…",
])
async def test_distress_told_by_the_body_goes_to_a_person(tmp_path: Path, bot: Bot, nlu: NLU, text: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: body tells it
  channel: voice
  caller: {{phone: "0223334444"}}
  now: "2026-12-07T11:00:00+09:00"
  turns:
    - user: "{text}"
  expect: {{outcome: transferred}}
""")
    assert result.passed, result.failures
    assert result.reason in ("emotion", "complex")


@pytest.mark.parametrize("text", ["ｒｒｒｒｒ", "zzz", "hmm"])
def test_a_key_held_down_is_no_language(text: str) -> None:
    assert detect_language(text).code == "ja"


@pytest.mark.parametrize(("text", "code"), [("hi", "en"), ("Olá", "pt"), ("Xin chào", "vi")])
def test_short_greetings_keep_their_language(text: str, code: str) -> None:
    assert detect_language(text).code == code
