"""Callers who answer a question with a question of their own, or with a yes they take back (dev52). 「それって なんじ
まで ですか」 inside the callback's questions is when the callback may come, 「じかんたいって いちばん おそいので なんじ
まで ですか」 at the delivery window asks for its choices again, 「きょうって おやすみ なんですか」 at the callback offer
hears the offer (with the hours) again: none is a store's hours, which the classifier reads (no store named), and
the question stays open. 「はい… あ、でも ちょっと まって ください」 at a cancellation's read-back cancels nothing.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_until_when_inside_the_callback_is_the_callback_hours(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: callback hours asked at the read-back
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-20T10:00:00+09:00"
  turns:
    - user: きょう おりかえし でんわ してもらえますか この ばんごうで いいので
      expect: {awaiting: confirm}
    - user: それって なんじまで ですか
      expect: {awaiting: confirm, says: [平日9時から18時, 090-1234-5678]}
    - user: じゃあ ごご さんじで
    - user: はい
  expect: {outcome: callback_scheduled, intents: [callback_request], slots: {time: "15:00"}}
""")
    assert result.passed, result.failures


async def test_the_latest_window_asked_at_the_window_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: latest window asked
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-02T10:00:00+09:00"
  turns:
    - user: いちにさんよん ごーろくななはち の にもつ あさってに とどけて もらいたいんですけど
      expect: {awaiting: "slot:time_window"}
    - user: じかんたいって いちばん おそいので なんじまで ですか
      expect: {awaiting: "slot:time_window", says: 19時から21時}
    - user: じゃあ しちじから くじで
    - user: はい
  expect: {outcome: resolved, intents: [delivery_change], slots: {time_window: "19:00-21:00"}}
""")
    assert result.passed, result.failures


async def test_a_holiday_asked_at_the_callback_offer_hears_the_offer_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: closed today? at the callback offer
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-23T11:00:00+09:00"
  turns:
    - user: にんげんの ひとに かわって もらえますか
      expect: {awaiting: confirm}
    - user: きょうって おやすみ なんですか
      expect: {awaiting: confirm, says: 受付時間は平日9時から18時}
  expect: {intents: [operator_request]}
""")
    assert result.passed, result.failures


async def test_any_time_at_the_window_is_no_question(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「なんじでも」 has a 何 in it and reads as store hours: it leaves the choice to us, it asks nothing
    result = await _run(tmp_path, bot, nlu, """
- name: any time
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-26T10:00:00+09:00"
  turns:
    - user: ふざいひょうが はいってたので さいはいたつ おねがいします
    - user: いちにさんよん ごーろくななはち
    - user: あしたで
      expect: {awaiting: "slot:time_window"}
    - user: なんじでも いいです
      expect: {awaiting: confirm}
""")
    assert result.passed, result.failures


async def test_yes_taken_back_at_a_cancellation_cancels_nothing(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: yes, but wait
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: ちゅうもんばんごう にさんよんご ろくななはちきゅう キャンセル したいんですが
      expect: {awaiting: confirm}
    - user: はい… あ、でも ちょっと まって ください
      expect: {awaiting: confirm}
    - user: すみません おまたせしました はい キャンセルで だいじょうぶです
      expect: {says: キャンセルを承りました}
  expect: {outcome: resolved, intents: [cancel_order]}
""")
    assert result.passed, result.failures
