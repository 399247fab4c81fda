"""The time of a callback left to us while the number is being read back (dev42, 2026-12-06, agents' hours and
callbacks): the caller answers the question they expected next. 「いちばん はやい じかんで おねがいします」 to
「090-…におかけしてよろしいでしょうか」 takes the number and is offered the first time an agent can call; an
elderly caller's 「いつでも いいよ ずっと いえに いるから」 is the same answer (家にいる is no delivery to change, and
the casual いいよ no anger). 「どちらでもいいです」, which answers the question asked, leaves the day to be asked.
A no to the whole read-back that names the number (「この でんわじゃなくて べつの けいたいに」) asks the number again,
not the day."""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_the_earliest_time_said_at_the_number_read_back_is_offered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: 一番早い時間 at the number question, Sunday morning
  channel: voice
  caller: {phone: "09077778888"}
  now: "2026-12-13T10:00:00+09:00"
  turns:
    - user: もしもし たんとうの かたと はなしたいんですが
      expect: {intent: operator_request}
    - user: はい おりかえしで いいです
      expect: {awaiting: confirm}
    - user: いちばん はやい じかんで おねがいします
      expect: {says: [最も早くて, 14日, 9時], awaiting: confirm}
    - user: はい
      expect: {outcome: callback_scheduled, awaiting: anything_else}
  expect: {outcome: callback_scheduled, slots: {phone_number: "09077778888", date: "2026-12-14", time: "09:00"}}
""")
    assert result.passed, result.failures


async def test_any_time_from_an_elderly_caller_is_no_anger_and_no_delivery(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: いつでもいいよ at the number question, Saitama landline
  channel: voice
  caller: {phone: "0489876543"}
  now: "2026-12-06T11:00:00+09:00"
  turns:
    - user: あのう ちょっと ひとに きいて もらいたいことが あって だれか いないかね
    - user: そうかい じゃあ でんわ ちょうだい
    - user: いつでも いいよ ずっと いえに いるから
      expect: {says: [最も早くて, 7日, 9時], awaiting: confirm}
    - user: はいはい
  expect: {outcome: callback_scheduled, reason: null, intents: [operator_request, callback_request],
           slots: {phone_number: "0489876543", date: "2026-12-07"}}
""")
    assert result.passed, result.failures


async def test_either_is_an_answer_to_the_number_not_to_the_time(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: どちらでもいい at the number question
  channel: voice
  caller: {phone: "09077778888"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 折り返しの電話をお願いしたいんですが
      expect: {awaiting: confirm}
    - user: はい、どちらでもいいですよ
      expect: {awaiting: "slot:date"}
""")
    assert result.passed, result.failures


async def test_a_no_that_names_the_number_asks_the_number_again(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the home phone is not the one to call
  channel: voice
  caller: {phone: "0312348888"}
  now: "2026-12-07T21:00:00+09:00"
  turns:
    - user: 折り返しのお電話をお願いできますか
    - user: 明日の朝十時でお願いします
      expect: {awaiting: confirm}
    - user: いや、家の電話じゃなくて、携帯のほうにかけてほしいんです
      expect: {awaiting: "slot:phone_number"}
    - dtmf: "08011112222"
      expect: {awaiting: confirm, says: 080-1111-2222}
    - user: はい
  expect: {outcome: callback_scheduled, slots: {date: "2026-12-08", time: "10:00", phone_number: "08011112222"}}
""")
    assert result.passed, result.failures
