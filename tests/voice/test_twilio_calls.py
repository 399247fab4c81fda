"""Scripted phone calls through the Twilio webhooks: every routine intent, a transfer, silence, hang-ups.

The TwiML is read back with xml.etree, as Twilio would parse it; requests are signed with the `twilio`
package's RequestValidator.
"""

from __future__ import annotations

import pytest

from dialogue.engine import DialogueManager
from ivr.voice_common import VoiceConfig
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app

# (intent, caller id, the caller's turns: text, or "#digits" for the keypad, expected outcome)
ROUTINE_CALLS = [
    ("order_status", "+81312345678", ["注文した商品がまだ届かないんですけど", "#12345678", "#09012345678", "以上です"], "resolved"),
    ("delivery_change", "+81312345678", ["再配達をお願いしたいです", "いちにさんよんごーろくななはち", "09012345678", "明日", "午後三時", "はい", "以上です"], "resolved"),
    ("cancel_order", "+818098765432", ["注文をキャンセルしたい", "#23456789", "はい", "以上です"], "resolved"),
    ("return_exchange", "+81312345678", ["返品したいです", "#34567890", "#09012345678", "はい", "以上です"], "resolved"),
    ("address_change", "+81312345678", ["届け先の住所を変更したい", "#23456789", "#08098765432", "#1500001", "東京都渋谷区神宮前1-2-3", "はい", "以上です"], "resolved"),
    ("billing_inquiry", "+81312345678", ["請求金額について聞きたい", "#12345678", "#09012345678", "はい", "以上です"], "resolved"),
    ("store_hours", "+81312345678", ["渋谷店の営業時間を教えて", "以上です"], "resolved"),
    ("store_location", "+81312345678", ["梅田店の場所を教えてください", "以上です"], "resolved"),
    ("product_availability", "+81312345678", ["ワイヤレスイヤホンの在庫はありますか", "以上です"], "resolved"),
    ("account_login", "+81312345678", ["ログインできません", "いいえ", "以上です"], "resolved"),
    # the caller's own number (E.164 from Twilio) is offered for the callback: はい keeps it; once booked, the
    # bot asks whether there is anything else, and the call ends as the callback's
    ("callback_request", "+81312345678", ["折り返し電話がほしい", "はい", "明日", "午後三時", "はい", "以上です"],
     "callback_scheduled"),
    ("callback_request", "+81312345678", ["折り返し電話がほしい", "いいえ", "#09012345678", "明日", "午後三時", "はい",
                                          "以上です"], "callback_scheduled"),
]


async def converse(phone: Phone, turns: list[str]) -> None:
    await phone.dial()
    for line in turns:
        assert phone.twiml is not None
        assert phone.twiml.find("Gather") is not None, spoken(phone.twiml)
        if line.startswith("#"):
            await phone.press(line[1:])
        else:
            await phone.say(line)


@pytest.mark.parametrize(("intent", "caller", "turns", "outcome"), ROUTINE_CALLS, ids=[c[0] for c in ROUTINE_CALLS])
async def test_routine_call(aiohttp_client: ClientMaker, manager: DialogueManager, intent: str, caller: str,
                            turns: list[str], outcome: str) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(1), caller)
    await converse(phone, turns)
    assert phone.twiml is not None
    assert phone.twiml.find("Gather") is None
    # a call the bot resolved goes on to the keypad survey (issue 15); a booked callback just ends
    survey = phone.twiml.find("Redirect")
    if outcome == "resolved":
        assert survey is not None and survey.text == "/survey/twilio" and phone.twiml.find("Hangup") is None
    else:
        assert survey is None and phone.twiml.find("Hangup") is not None
    state = await manager.state(phone.sid)
    assert state is not None
    assert state.intents[0] == intent
    assert state.outcome == outcome
    assert await phone.hang_up() == 204  # the status callback after a finished call changes nothing
    state = await manager.state(phone.sid)
    assert state is not None and state.outcome == outcome


async def test_greeting_gathers_speech_and_keys(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(2))
    root = await phone.dial()
    gather = phone.gather()
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "ja-JP"
    assert gather.get("numDigits") == "1"  # a DTMF menu: one key
    assert gather.get("timeout") == "8" and gather.get("speechTimeout") == "3"  # patient with elderly callers
    assert gather.get("profanityFilter") == "false"
    say = gather.find("Say")
    assert say is not None and say.get("language") == "ja-JP" and say.get("voice") == "Polly.Mizuki"
    assert "サクラマート" in spoken(root)
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text and "noinput=1" in redirect.text


async def test_slot_hints_and_digit_readback(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(3))
    await phone.dial()
    await phone.say("注文した商品が届かない")
    gather = phone.gather()
    assert gather.get("numDigits") == "8" and gather.get("finishOnKey") == "#"
    assert "注文番号" in (gather.get("hints") or "")
    await phone.press("12345678")
    root = await phone.press("09012345678")
    readback = [s.text for s in root.iter("say-as") if s.get("interpret-as") == "characters"]
    assert "1234" in readback and "5678" in readback  # order number read digit by digit


async def test_operator_request_transfers_with_case_id(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    cfg = VoiceConfig(auth_token=TOKEN, workflow_sid="WW" + "1" * 32)
    phone = Phone(await aiohttp_client(voice_app(manager, cfg)), call_sid(4))
    await phone.dial()
    root = await phone.say("オペレーターと話したいんですが")
    assert "オペレーター" in spoken(root)
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.get("workflowSid") == cfg.workflow_sid
    task = enqueue.find("Task")
    assert task is not None and task.text
    state = await manager.state(phone.sid)
    assert state is not None and state.outcome == "transferred" and state.reason == "human_request"
    assert state.case_id and state.case_id in task.text
    assert await manager.case_note(state.case_id) is not None


async def test_transfer_by_menu_key_to_a_plain_queue(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(5))
    await phone.dial()
    root = await phone.press("0")
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "general"
    assert root.find("Gather") is None


async def test_transfer_to_agent_pbx_carries_case_header(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    cfg = VoiceConfig(auth_token=TOKEN, agent_sip="sip:{queue}@pbx.example.jp")
    phone = Phone(await aiohttp_client(voice_app(manager, cfg)), call_sid(6))
    await phone.dial()
    root = await phone.say("人と話したい")
    sip = root.find("Dial/Sip")
    assert sip is not None and sip.text and sip.text.startswith("sip:general@pbx.example.jp?X-Case-Id=CASE-")


async def test_silent_caller_is_reprompted_then_let_go(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(7))
    await phone.dial()
    root = await phone.silence()
    assert root.find("Gather") is not None and spoken(root)
    await phone.silence()
    root = await phone.silence()
    assert root.find("Hangup") is not None
    state = await manager.state(phone.sid)
    assert state is not None and (state.outcome, state.reason) == ("ended", "no_input")  # the bot hung up


async def test_hang_up_mid_call_is_abandoned(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(8))
    await phone.dial()
    await phone.say("注文した商品が届かない")
    assert await phone.hang_up() == 204
    state = await manager.state(phone.sid)
    assert state is not None and state.outcome == "abandoned"


async def test_backchannel_over_a_question_replays_it(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(9))
    await phone.dial()
    asked = spoken(await phone.say("注文した商品が届かない"))
    root = await phone.say("うんうん")
    assert spoken(root) == asked  # heard again, not counted as a wrong order number
    state = await manager.state(phone.sid)
    assert state is not None and state.failed_turns == 0


async def test_hai_answers_a_confirmation(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(10), "+818098765432")
    await phone.dial()
    await phone.say("注文をキャンセルしたい")
    await phone.press("23456789")
    assert phone.gather().get("numDigits") == "1"  # yes/no by keypad too
    root = await phone.say("はい")
    assert "キャンセルを承りました" in spoken(root)


async def test_star_starts_over(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(11))
    await phone.dial()
    await phone.say("注文した商品が届かない")
    await phone.press("12*")  # a wrong key at the order number: 訂正, the number asked again
    state = await manager.state(phone.sid)
    assert state is not None and state.awaiting.label == "slot:order_id"
    await phone.press("*")
    state = await manager.state(phone.sid)
    assert state is not None and state.awaiting.label == "slot:order_id"
    await phone.say("やっぱり最初からお願いします")
    gather = phone.gather()
    assert gather.get("numDigits") == "1"  # back at the menu
    state = await manager.state(phone.sid)
    assert state is not None and state.awaiting.label == "menu"
    await phone.press("*")  # at the menu, * starts over
    state = await manager.state(phone.sid)
    assert state is not None and state.awaiting.label == "menu"


async def test_harassment_warning_is_heard_in_full(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(12))
    await phone.dial()
    await phone.say("注文した商品が届かない")
    root = await phone.say("ふざけるなバカ野郎")
    children = [c.tag for c in root]
    assert children[0] == "Say" and "Gather" in children  # the warning is said before the Gather opens
    warning = root.find("Say")
    assert warning is not None and "".join(warning.itertext())


async def test_unknown_call_gets_a_polite_goodbye(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(13))
    root = await phone.post("/voice/twilio/turn?seq=1", phone.params(SpeechResult="もしもし"))
    assert root is not None and root.find("Hangup") is not None and spoken(root)


# answers given as callers give them, over the real webhooks (the conversation-core failure classes)
AS_GIVEN = [
    # a window given back with a particle is confirmed as a range, not as a point in time
    (["再配達をお願いしたいです", "いちにさんよん、ごーろくななはち", "09012345678", "明日でお願いします", "夕方ので"],
     "16時から18時", "confirm"),
    # yes + the restated request is a yes
    (["再配達をお願いしたいです", "#12345678", "#09012345678", "明日", "#2", "はい、その日で頼みます"], "変更いたしました",
     "anything_else"),
    # a correction in one breath: the last number counts
    (["注文の配送状況を教えて", "34567890、あ、ちがう、12345678です", "#09012345678"], "配送中", "anything_else"),
    # 「もう一度だけ言いますけど」 is a request, not a repeat
    (["もう一度だけ言いますけど、荷物が来てないんです"], "ご注文番号", "slot:order_id"),
]


@pytest.mark.parametrize(("turns", "said", "awaiting"), AS_GIVEN, ids=["window", "yes_plus", "correction", "not_repeat"])
async def test_answers_as_given_over_the_webhooks(aiohttp_client: ClientMaker, manager: DialogueManager,
                                                  turns: list[str], said: str, awaiting: str) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(31), "+81312345678")
    await converse(phone, turns)
    assert phone.twiml is not None and said in spoken(phone.twiml)
    state = await manager.state(phone.sid)
    assert state is not None and state.awaiting.label == awaiting
