"""Two requests in one breath (issue 11): 「届かないのと、あと梅田店の営業時間も」 is both served, in the order said,
the first named back with the second, the second taken up when the first is done; a question the knowledge base
answers may be the second. One request with a joint word in it (「注文したのと違う商品が」) stays one.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.answer_words import split_also
from dialogue.bot import Bot
from dialogue.events import RequestQueued, StackCleared, apply
from dialogue.notes import record_of
from dialogue.state import CallState
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(
    ("channel", "opening"),
    [
        ("voice", "注文した商品がまだ届かないのと、あと梅田店の営業時間も知りたいんですけど"),
        ("chat", "注文した荷物が来ないんです。それと、梅田店って何時まで開いてますか"),
        ("voice", "ちゅうもんしたのが とどかへんのと あと うめだてんの えいぎょうじかんも"),  # kana ASR, Kansai
    ],
)
async def test_both_requests_are_served_in_the_order_said(
    tmp_path: Path, bot: Bot, nlu: NLU, channel: str, opening: str
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: two requests
  channel: {channel}
  caller: {{phone: "09012345678"}}
  now: "2026-11-25T10:00:00+09:00"
  opening: {opening}
  answers: {{order_id: "12345678", phone_number: "09012345678"}}
  expect: {{outcome: resolved, intents: [order_status, store_hours]}}
""",
    )
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    named = next(i for i, t in enumerate(said) if "店舗の営業時間についてですね" in t)
    eta = next(i for i, t in enumerate(said) if "ワイヤレスイヤホン" in t)
    hours = next(i for i, t in enumerate(said) if "梅田店の営業時間は" in t)
    assert named < eta < hours  # named back first, then the order, then the store, never asked for again
    assert not any("ご用件をお" in t for t in said[1:hours])  # after the welcome, never asked what for


async def test_a_question_said_with_a_request_is_answered_after_it(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: cancel, then a question
  channel: chat
  caller: {phone: "08098765432"}
  now: "2026-11-25T10:00:00+09:00"
  turns:
    - user: キャンセルしたいんです。それと、ポイントの有効期限も教えてください
      expect: {says: そのあとご質問にお答えいたします}
    - user: "23456789"
    - user: "08098765432"
    - user: はい
      expect: {says: [キャンセルを承りました, ポイントの有効期限は], awaiting: confirm}
    - user: はい
      expect: {awaiting: anything_else}
    - user: 以上です
  expect: {outcome: resolved, intents: [cancel_order]}
""",
    )
    assert result.passed, result.failures
    assert sum("よろしいでしょうか" in t["text"] for t in result.transcript if t["speaker"] == "bot") == 1


@pytest.mark.parametrize(
    "opening",
    [
        "注文したのと違う商品が届いたんですけど",  # のと of a comparison, no joint
        "注文したんですけど、あと何日かかりますか",  # あと of time left
        "キャンセルしたいんですけど、あ、違う、やっぱり日にちを変えてほしい",  # a correction replaces, adds nothing
    ],
)
async def test_one_request_with_a_joint_word_stays_one(tmp_path: Path, bot: Bot, nlu: NLU, opening: str) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        f"""
- name: one request
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-25T10:00:00+09:00"
  turns:
    - user: {opening}
""",
    )
    said = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "についてですね" not in said and "ご質問にお答えいたします" not in said
    assert len(result.intents) == 1


async def test_an_english_caller_with_two_requests(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # the whole turn was torn between the two (「Are you calling about store opening hours?」), the order lost
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: two requests in English
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T14:00:00+09:00"
  opening: "Hi, I ordered earphones last week and they haven't arrived. Also, what time does the Umeda store close?"
  answers: {order_id: "12345678"}
  anything_else: "no, that's all"
  expect: {outcome: resolved, intents: [order_status, store_hours], says: [Let's start with, Umeda store]}
""",
    )
    assert result.passed, result.failures


def test_the_joint_splits_where_callers_pause() -> None:
    assert split_also("届かないのと、あとポイントも知りたい") == ("届かない", "ポイントも知りたい")
    assert split_also("キャンセルしたいんです。それと、住所も変えたい") == ("キャンセルしたいんです", "住所も変えたい")
    assert split_also("注文したのと違う商品が届いた") is None
    assert split_also("あと何日で届きますか") is None
    assert split_also("返品したいんですけど、それと") is None  # nothing after the joint yet
    assert split_also("I want to cancel my order, and also change my address") == (
        "I want to cancel my order", "change my address")
    assert split_also("I also want to cancel") is None


def test_a_second_question_in_its_own_sentence_with_mo_is_a_second_request() -> None:
    # the topic is left out of the second sentence; も says it is one more thing, not the same question again
    assert split_also("ポイントって何円で1ポイントつくんですか？期限とかもあります？") == (
        "ポイントって何円で1ポイントつくんですか？", "期限とかもあります？")
    assert split_also("送料っていくらですか？代引きもできます？") == ("送料っていくらですか？", "代引きもできます？")
    # いつも, ても and a second sentence without も are one grumble or one question told twice
    assert split_also("まだ届かないんですか？いつもこうなんですか？") is None
    assert split_also("返品できますか？レシートがなくてもいいですか？") is None
    assert split_also("届くのはいつですか？明日ですか？") is None


async def test_both_questions_of_two_sentences_are_answered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: two knowledge-base questions, the second without its topic
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 送料っていくらですか？代引きもできます？
      expect: {says: [550円, 代金引換]}
""")
    assert result.passed, result.failures


def test_a_request_not_reached_goes_to_the_agent_and_start_over_forgets_it() -> None:
    state = CallState(id="s1", channel="voice", started_at="2026-11-25T10:00:00+09:00", intents=("complaint",))
    state = apply(state, RequestQueued({"intent": "store_hours", "prefill": {"store": "梅田店"}}))
    assert record_of(state, []).intents == ["complaint", "store_hours"]
    assert CallState.from_json(state.to_json()).later == state.later  # kept across workers
    assert apply(state, StackCleared()).later == ()


# dev14: a goal-based caller whose `anything_else` names a second request asked it again at every
# 「ほかにご用件は」 until the runner gave up after 30 turns; a caller asks it once, then is done
@pytest.mark.parametrize("more", ["あ、あと渋谷店の営業時間も教えてください",
                                  "[あ、あと渋谷店の営業時間も教えてください, 以上です]"])
async def test_the_second_request_is_asked_once_then_the_caller_is_done(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                       more: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: order status, then store hours
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-20T10:00:00+09:00"
  opening: 注文の配送状況を知りたいです
  answers: {{order_id: "12345678"}}
  anything_else: {more}
  expect: {{outcome: resolved, intents: [order_status, store_hours], slots: {{store: shibuya}}}}
""")
    assert result.passed, result.failures
    assert sum("渋谷店の営業時間は" in t["text"] for t in result.transcript) == 1
