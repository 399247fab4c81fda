"""A caller in another language hears a line in it and goes to the languages queue, never three Japanese
re-prompts and a failure transfer (issue 14)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.bot import Bot, load_bot
from dialogue.factory import build_manager
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
SUNDAY_10 = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


async def _call(nlu: NLU, now: datetime, *lines: str) -> tuple[list[str], object]:
    manager = build_manager(nlu=nlu)
    sid, reply = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=now))
    said = [reply.text]
    for line in lines:
        reply = await manager.handle(sid, UserTurn(text=line))
        said.append(reply.text)
        if reply.ended:
            break
    return said, await manager.state(sid)


async def test_english_caller_is_served_by_the_bot_in_english(nlu: NLU) -> None:
    said, state = await _call(nlu, MONDAY_10, "Hello, I'd like to know where my order is")
    assert state.language == "en" and state.reason != "language" and not state.ended
    assert said[-1].isascii() and "お" not in said[-1]  # an English prompt (prompts/sakura_en.yaml)


async def test_chinese_caller_hears_chinese(nlu: NLU) -> None:
    said, state = await _call(nlu, MONDAY_10, "你好，我想查一下我的订单")
    assert "请稍候" in said[-1]
    assert state.reason == "language"


async def test_foreign_caller_out_of_hours_hears_the_hours_in_their_language(nlu: NLU) -> None:
    said, state = await _call(nlu, SUNDAY_10, "Olá, quero saber onde está meu pedido")
    assert "português" in said[-1] and not state.ended  # a callback from someone who speaks it, offered in it
    said, state = await _call(nlu, SUNDAY_10, "Olá, quero saber onde está meu pedido", "não, obrigado")
    assert "horário" in said[-1]
    assert state.ended and state.reason == "language"


async def test_a_japanese_caller_saying_ok_stays_in_japanese(nlu: NLU) -> None:
    said, state = await _call(nlu, MONDAY_10, "注文した商品が届かないんです", "OK")
    assert state.language == "ja" and state.reason != "language"


# found in `ivr chat`: 「日本語わかりません」 was warned as abuse (the lexicon lists 日本語わからない as the insult
# thrown at an agent) and the caller heard Japanese again
async def test_a_caller_who_says_they_do_not_speak_japanese_is_served_in_english(nlu: NLU) -> None:
    said, state = await _call(nlu, MONDAY_10, "日本語わかりません", "my order has not arrived")
    assert state.language == "en" and not state.ended and state.reason != "harassment"
    assert said[1].isascii() and said[2].isascii() and "order number" in said[2]


def test_own_limited_japanese_is_no_insult_but_the_taunt_still_is(nlu: NLU) -> None:
    for own in ("日本語わかりません", "すみません、日本語ちょっとだけ", "私は日本語が苦手です", "にほんご わからない"):
        parse = nlu.parse(own)
        assert "limited_japanese" in parse.flags and not parse.harassment.detected, own
        assert parse.emotion.label != "anger", own
    for taunt in ("お前日本語わからないのか", "日本語もわからないの？", "あんた日本語わかる？"):
        assert "limited_japanese" not in nlu.parse(taunt).flags, taunt
    assert nlu.parse("お前日本語わからないのか").harassment.detected


# dev56: what a caller in a language the bot does not serve asks for is named by its words (nlu/foreign_requests.py)
# and goes with them; a person asked for in so many words is a request for a person (SPEC 6 human_request)
def test_the_request_of_a_foreign_caller_is_read_from_its_words(nlu: NLU) -> None:
    for line, intent in [("我的订单12345678在哪里？", "order_status"), ("주문 23456789 취소해 주세요", "cancel_order"),
                         ("Olá, eu não estava em casa. Dá para entregar o pedido 12345678 amanhã?", "delivery_change"),
                         ("請問澀谷店今天營業到幾點?", "store_hours"), ("상담원과 통화하고 싶어요", "operator_request")]:
        parse = nlu.parse(line, MONDAY_10)
        assert parse.intent.name == intent, line


@pytest.mark.parametrize(
    ("line", "intent", "reason"),
    [("我的订单12345678在哪里？", "order_status", "language"), ("상담원과 통화하고 싶어요", "operator_request", "human_request"),
     ("Quiero hablar con una persona, por favor", "operator_request", "human_request")],
)
async def test_a_foreign_callers_request_goes_with_them(tmp_path: Path, bot: Bot, nlu: NLU, line: str, intent: str,
                                                       reason: str) -> None:
    result = await run_case(tmp_path, bot, nlu, f"""
- name: foreign caller
  channel: chat
  caller: {{}}
  now: "2026-12-07T10:00:00+09:00"
  turns:
    - user: "{line}"
  expect: {{outcome: transferred, reason: {reason}, intent: {intent}}}
""")
    assert result.passed, result.failures


def test_words_of_no_request_are_out_of_scope(nlu: NLU) -> None:
    assert nlu.parse("Olá, bom dia", MONDAY_10).intent.name == "out_of_scope"
    assert nlu.parse("Hello po, nasaan na po yung order ko?", MONDAY_10).language == "tl"


async def test_a_word_of_japanese_keeps_an_english_caller_in_english(nlu: NLU) -> None:
    said, state = await _call(nlu, MONDAY_10, "Hello, I'd like to know where my order is", "はい")
    assert state.language == "en"
    said, state = await _call(nlu, MONDAY_10, "Hello, I'd like to know where my order is", "Yes, yes. はい.")
    assert state.language == "en"
    said, state = await _call(nlu, MONDAY_10, "Hello, I'd like to know where my order is", "やっぱり日本語でお願いします")
    assert state.language == "ja"


def test_japanese_words_in_english_are_read_as_japanese(nlu: NLU) -> None:
    parse = nlu.parse("Can I ask for 再配達 on 明後日, 午前中?", MONDAY_10)
    assert parse.language == "en"
    assert {(e.type, e.value) for e in parse.entities} >= {("date", "2026-12-09"), ("time_window", "08:00-12:00")}
    assert ("store", "shibuya") in {(e.type, e.value) for e in nlu.parse("What time does 渋谷店 open?").entities}


def test_romaji_times_and_verbs_are_japanese(nlu: NLU) -> None:
    for line in ["gogo 1ji", "tantousha to hanashitai", "ashita 14ji kara 16ji ni saihaitatsu onegaishimasu"]:
        assert nlu.parse(line, MONDAY_10).language == "ja", line
