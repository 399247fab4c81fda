"""Elderly-friendly voice (issue 15): 「もう少しゆっくり」 slows the bot down for the rest of the call.

The words are read by dialogue.answer_words.only_slower; the engine keeps `slow` in the call state; the Twilio
channel speaks slower (SSML <prosody>), pauses after each sentence and waits longer for the answer.
"""

from __future__ import annotations

import pytest

from dialogue.answer_words import only_slower
from dialogue.engine import DialogueManager
from tests.voice.conftest import ClientMaker, Phone, call_sid, spoken, voice_app

ASKS_SLOWER = [
    "もう少しゆっくり話してもらえますか",
    "すみません、もうちょっとゆっくりお願いします",
    "早口で分からへん",
    "もうちいとゆっくり言うてくれんね",
    "もうすこし ゆっくり はなして ください",
    "え？ちょっと早口で聞き取れなかったです",
    "もう一度、ゆっくりお願いします",
    "話すのが速いです",
    "ちょっと はやくて わからないよ",  # kana-only ASR, words split by spaces
    "早すぎて聞き取れません",
    "Could you speak more slowly, please?",
]
NOT_ABOUT_PACE = [
    "もっと早い時間がいいです",  # a delivery time, not the bot's pace
    "午前中は早すぎます",
    "ゆっくり考えます",
    "ゆっくりでいいですよ",
    "早くしてください",
    "ゆっくり、注文番号は12345678",
    "届くのが早すぎます",
    "もう一度お願いします",  # a plain repeat
    "はやくしてよ",
    "わからないです",
]


@pytest.mark.parametrize("said", ASKS_SLOWER)
def test_asks_for_a_slower_pace(said: str) -> None:
    assert only_slower(said)


@pytest.mark.parametrize("said", NOT_ABOUT_PACE)
def test_other_words_are_not_about_the_pace(said: str) -> None:
    assert not only_slower(said)


def _prosody_rates(phone: Phone) -> list[str]:
    assert phone.twiml is not None
    return [p.get("rate", "") for p in phone.twiml.iter("prosody")]


async def test_slower_for_the_rest_of_the_call(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(71))
    await phone.dial()
    await phone.say("注文した商品がまだ届かないんですけど")
    assert _prosody_rates(phone) == []  # normal pace until asked
    asked = phone.gather()
    assert asked.get("timeout") == "8"
    question = spoken(phone.twiml) if phone.twiml is not None else ""
    assert "注文番号" in question

    await phone.say("もう少しゆっくり話してもらえますか")
    assert phone.twiml is not None
    said = spoken(phone.twiml)
    assert "ゆっくりお話しいたします" in said
    assert "注文番号" in said  # the question is said again, slowly
    assert _prosody_rates(phone) and set(_prosody_rates(phone)) == {"80%"}
    assert any(b.get("time") == "700ms" for b in phone.twiml.iter("break"))
    gather = phone.gather()
    assert gather.get("timeout") == "12" and gather.get("speechTimeout") == "5"

    await phone.press("12345678")  # the call goes on where it was, still slow
    assert set(_prosody_rates(phone)) == {"80%"}
    state = await manager.state(phone.sid)
    assert state is not None and state.slow and state.slots.get("order_id") == "12345678"
    assert state.failed_turns == 0  # asking for a slower pace is no failure


async def test_chat_caller_gets_the_question_again_without_voice_markup(manager: DialogueManager) -> None:
    from dialogue.api import SessionStart, UserTurn

    sid, _ = await manager.start(SessionStart(channel="chat"))
    await manager.handle(sid, UserTurn(text="返品したいです"))
    reply = await manager.handle(sid, UserTurn(text="ゆっくりお願いします"))
    assert reply.slow
    assert all(p.ssml is None for p in reply.prompts)
    assert "注文番号" in reply.text
