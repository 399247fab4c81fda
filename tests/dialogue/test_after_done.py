"""What callers say after the bot has done what they asked (blind writer's dev43, 2026-12-06), one test each class:

- a callback declined is not the end of the call: the caller goes on (「じゃあ梅田店の営業時間だけ」);
  「今回はやめておきます」 to the offer is a no, not a cancellation;
- a value mended after the request was done (「あ ちがう うめだてんのほう」 after Shibuya's hours, 「やっぱり午前中じゃ
  なくて夜にして」 after a delivery change, 「十時は難しいので十一時に変えて」 after a booked callback): the same request
  again, with the rest as it was;
- 「もう一件の注文も」 after an order's status asks the other order's number; an order number keyed in to 「…について
  でしょうか」 is a yes with that number;
- another question at a read-back (「あ、それと、渋谷店って明日やってますか」「あと代引きの手数料っていくらでしたっけ」)
  is answered, then the read-back is asked again.
"""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_a_declined_callback_leaves_the_call_open(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: declined, then a store's hours
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-06T15:00:00+09:00"
  turns:
    - user: 人と話したいんですが
    - user: うーん、今回はやめておきます
      expect: {intent: deny, awaiting: anything_else}
    - user: じゃあ梅田店の営業時間だけ教えてください
      expect: {intent: store_hours, slots: {store: umeda}}
    - user: 以上です
  expect: {outcome: resolved, intents: [operator_request, store_hours]}
""")
    assert result.passed, result.failures


async def test_a_store_mended_after_its_hours_gets_the_other_stores_hours(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: shibuya answered, umeda meant
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: しぶやてんって なんじまで あいてますか
      expect: {slots: {store: shibuya}, awaiting: anything_else}
    - user: あ ちがう ちがう うめだてんの ほうでした
      expect: {intent: store_hours, slots: {store: umeda}, says: 梅田店}
""")
    assert result.passed, result.failures


async def test_a_window_mended_after_the_change_keeps_the_day(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: morning, then the evening after all
  channel: chat
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 12345678の配達をあさっての午前中にしてください
    - user: はい
      expect: {awaiting: anything_else}
    - user: すみません、やっぱり午前中じゃなくて十九時から二十一時にしてもらえますか
      expect: {intent: delivery_change, awaiting: confirm, slots: {date: "2026-12-10", time_window: "19:00-21:00"}}
    - user: はい
  expect: {outcome: resolved, slots: {date: "2026-12-10", time_window: "19:00-21:00"}}
""")
    assert result.passed, result.failures


async def test_a_booked_callback_moved_to_another_hour(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: ten booked, eleven wanted
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T19:30:00+09:00"
  turns:
    - user: 折り返しのお電話をお願いします。あしたの朝十時で、この番号にお願いします
    - user: はい
    - user: はい
      expect: {awaiting: anything_else}
    - user: あ、ごめんなさい、十時だとちょっと難しいので十一時に変えてもらえますか
      expect: {intent: callback_request, awaiting: confirm, slots: {date: "2026-12-09", time: "11:00"}}
    - user: はい
  expect: {outcome: callback_scheduled, slots: {date: "2026-12-09", time: "11:00"}}
""")
    assert result.passed, result.failures


async def test_another_order_after_an_orders_status(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the other order, its number keyed in
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 12345678の注文がどうなってるか知りたいです
      expect: {awaiting: anything_else}
    # the caller id's other order is looked up (SPEC 3: the phone has two): served without its number
    - user: あと、もう一件の注文も見てもらえますか
      expect: {intent: order_status, awaiting: anything_else, says: 電気ケトル}
  expect: {slots: {order_id: "34567890"}}
""")
    assert result.passed, result.failures
    result = await _run(tmp_path, bot, nlu, """
- name: keyed in to the guess at the request
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 荷物のことでちょっと
      expect: {awaiting: confirm}
    - dtmf: "34567890"
      expect: {intent: order_status, slots: {order_id: "34567890"}}
""")
    assert result.passed, result.failures


async def test_a_question_at_a_read_back_is_answered_and_the_read_back_asked_again(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a store's hours at the callback read-back
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-08T19:30:00+09:00"
  turns:
    - user: 折り返しのお電話をお願いしたいです。明日の午後三時に、この番号で
    - user: はい
      expect: {awaiting: confirm}
    - user: あ、それと、渋谷店って明日何時までやってますか
      expect: {intent: store_hours, awaiting: confirm, says: [渋谷店, 15時ごろ]}
    - user: はい、お願いします
  expect: {outcome: callback_scheduled, slots: {date: "2026-12-09", time: "15:00"}}
""")
    assert result.passed, result.failures
    result = await _run(tmp_path, bot, nlu, """
- name: a fee at the callback read-back
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-08T19:30:00+09:00"
  turns:
    - user: 折り返しのお電話をお願いしたいです。明日の午後三時に、この番号で
    - user: はい
    - user: あ、あとコンビニ払いの手数料っていくらでしたっけ
      expect: {awaiting: confirm, says: [220円, 15時ごろ]}
    - user: わかりました、それでお願いします
  expect: {outcome: callback_scheduled}
""")
    assert result.passed, result.failures


async def test_the_answer_taken_in_then_closing_ends_the_call(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a wrong belief put right, then 以上です
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 返品って二週間以内ならできるんでしたっけ？
      expect: {says: 8日, awaiting: confirm}
    - user: え、そうなんですか。了解です、以上です
  expect: {outcome: resolved}
""")
    assert result.passed, result.failures


async def test_a_complaint_said_after_a_broken_item_is_the_complaint(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: broken kettle, and the handling, a formal complaint
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 届いたケトルが壊れておりまして、それに問い合わせの時の対応も失礼だったので、正式にクレームを入れたいんです
      expect: {intent: complaint}
  expect: {outcome: transferred, reason: complex, intents: [complaint]}
""")
    assert result.passed, result.failures


async def test_the_delivery_day_changed_after_an_answer_is_a_delivery_change(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a fee, then the day moved
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 代引きの手数料っていくらですか
      expect: {awaiting: confirm}
    - user: それと、いま配送中の荷物なんですけど、届く日をずらしてもらえますか
      expect: {intent: delivery_change, awaiting: "slot:order_id"}
""")
    assert result.passed, result.failures
