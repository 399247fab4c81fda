"""A caller in another language hears a line in it and goes to the languages queue, never three Japanese
re-prompts and a failure transfer (issue 14)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.factory import build_manager
from nlu.pipeline import NLU

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
