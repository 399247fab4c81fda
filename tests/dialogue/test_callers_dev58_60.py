"""Callers of the blind sets dev58-dev60 (callbacks as callers book them, calls about orders, chat-widget users)
that failed on their first run, each now a test.

Scripted SPEC 7.2 cases on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_first_thing_in_the_morning_is_no_menu_key(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「朝一番」 held 一番, which the welcome menu took for key 1 (orders)
    result = await _run(tmp_path, bot, nlu, """
- name: 朝一番
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-02T10:00:00+09:00"
  turns:
    - user: 再来週の月曜の朝一番に、折り返しお願いしたいんですが
    - user: はい
      expect: {awaiting: confirm, says: "12月14日(月)の9時"}
    - user: はい
  expect: {outcome: callback_scheduled, intents: [callback_request], slots: {date: "2026-12-14", time: "09:00"}}
""")
    assert result.passed, result.failures


async def test_a_callback_asked_instead_of_the_request_in_hand_is_not_followed_by_it(tmp_path: Path, bot: Bot,
                                                                                      nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: billing question dropped for a callback
  channel: voice
  caller: {phone: "08065432109"}
  now: "2026-11-17T10:00:00+09:00"
  turns:
    - user: 先月の請求のことでちょっと聞きたいんですが
      expect: {awaiting: "slot:order_id"}
    - user: すみません、今から会議なので、あとで折り返しの電話をもらえますか
    - user: はい
    - user: 明日
    - user: 午前10時
    - user: はい
      expect: {awaiting: anything_else}
  expect: {outcome: callback_scheduled, slots: {date: "2026-11-18", time: "10:00"}}
""")
    assert result.passed, result.failures


async def test_a_kana_day_said_after_a_correction_is_the_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 二十日じゃなくて にじゅうよっか
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-18T10:00:00+09:00"
  turns:
    - user: いちにさんよんごーろくななはちの 配達日を 変えたいんですけど
    - user: 二十日の 午前中で お願いします
      expect: {awaiting: confirm}
    - user: いえ 違います 二十日じゃなくて にじゅうよっかです
      expect: {awaiting: confirm, says: 11月24日}
    - user: はい
  expect: {outcome: resolved, slots: {date: "2026-11-24", time_window: "08:00-12:00"}}
""")
    assert result.passed, result.failures


async def test_missed_words_asked_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 聞き取れなかったんで
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-18T10:00:00+09:00"
  turns:
    - user: 渋谷店って何時までですか
    - user: すいません ちょっと聞き取れなかったんで もういっぺん言ってもらえます？
      expect: {says: 21時}
""")
    assert result.passed, result.failures


async def test_the_wish_typed_under_a_pasted_notice_is_the_request(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    notice = ("【発送のお知らせ】サクラマートオンラインショップ\\nご注文番号：12345678\\n配送業者：ヤマト運輸\\n"
              "お問い合わせ伝票番号：4829-1035-7761\\n商品：ワイヤレスイヤホン\\n不在だったので再配達お願いしたいです 明日の午前中で")
    result = await _run(tmp_path, bot, nlu, f"""
- name: pasted notice
  channel: chat
  caller: {{}}
  now: "2026-11-19T10:00:00+09:00"
  turns:
    - user: "{notice}"
      expect: {{intent: delivery_change, awaiting: "slot:phone_number"}}
    - user: "09012345678"
    - user: はい
  expect: {{outcome: resolved, slots: {{order_id: "12345678", date: "2026-11-20", time_window: "08:00-12:00"}}}}
""")
    assert result.passed, result.failures


async def test_a_time_said_to_the_earliest_offered_is_checked_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # 「最も早くて12月14日(月)の9時から…」 was offered again whatever time the caller said instead
    result = await _run(tmp_path, bot, nlu, """
- name: Saturday 17:30, then 16:00 the same Saturday
  channel: chat
  caller: {}
  now: "2026-12-09T13:00:00+09:00"
  turns:
    - user: 土曜日の夕方5時半ごろに電話をもらえますか？番号は080-7766-5544です
      expect: {awaiting: confirm, says: 12月14日(月)の9時}
    - user: 17時までなんですね。では同じ土曜の16時でお願いします
      expect: {awaiting: confirm, says: "12月12日(土)の16時"}
    - user: はい
  expect: {outcome: callback_scheduled, slots: {date: "2026-12-12", time: "16:00", phone_number: "08077665544"}}
""")
    assert result.passed, result.failures
