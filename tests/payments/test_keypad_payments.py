"""The `pay:` step through the dialogue manager: approved, declined, gateway timeout, silence, retries, chat."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest

from dialogue.api import BotReply, CallerInfo, SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from tests.payments.conftest import (
    CALLER,
    CARD,
    CODE,
    DECLINED_CARD,
    EXPIRY,
    NOW,
    ORDER,
    GatewayStandIn,
    wire_payments,
)

SECRETS = (CARD, DECLINED_CARD, EXPIRY, CODE)


@pytest.fixture
def manager(gateway_url: str) -> DialogueManager:
    return wire_payments(build_manager(), gateway_url)


async def call(manager: DialogueManager, channel: str = "voice") -> tuple[str, BotReply]:
    caller = CallerInfo(phone=CALLER) if channel == "voice" else CallerInfo()
    sid, _ = await manager.start(SessionStart(channel=channel, caller=caller, now=NOW))  # type: ignore[arg-type]
    reply = await manager.handle(sid, UserTurn(text="請求金額を確認してカードで払いたいです"))
    if reply.expect.awaiting == "slot:order_id":
        reply = await manager.handle(sid, UserTurn(dtmf=ORDER))
    return sid, reply


async def keys(manager: DialogueManager, sid: str, *entries: str) -> BotReply:
    reply = None
    for entry in entries:
        reply = await manager.handle(sid, UserTurn(dtmf=entry))
    assert reply is not None
    return reply


async def logged(manager: DialogueManager, sid: str) -> str:
    state = await manager.state(sid)
    assert state is not None
    return json.dumps([await manager.events(sid), state.to_json()], ensure_ascii=False)


async def test_an_approved_payment(manager: DialogueManager, stand_in: GatewayStandIn,
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sid, reply = await call(manager)
    assert "12,800円" in reply.text and "ボタン" in reply.text
    assert reply.expect.awaiting == "slot:card_number" and reply.expect.entity_type == "card_number"
    assert (await keys(manager, sid, CARD)).expect.awaiting == "slot:card_expiry"
    assert (await keys(manager, sid, EXPIRY)).expect.awaiting == "slot:card_code"
    reply = await keys(manager, sid, CODE)
    assert "承認されました" in reply.text and "末尾4242" in reply.text, reply.text
    assert reply.expect.awaiting == "anything_else"
    # the gateway got the card exactly, with the amount of the order and the call as the reference
    [charged] = stand_in.charges
    assert charged == {"amount": 12800, "reference": sid, "description": "ご注文代金", "card_number": CARD,
                       "card_expiry": EXPIRY, "card_code": CODE}
    assert not stand_in.refused
    # the call keeps a masked line per key entry and the gateway's answer, never the digits
    said = [e["text"] for e in await manager.events(sid) if e["type"] == "caller"]
    assert said[-3:] == ["[DTMF 末尾4242]", "[DTMF ****]", "[DTMF ****]"]
    text = await logged(manager, sid)
    assert '"approval_code": "A7Q2ZK"' in text
    assert not [s for s in SECRETS if s in text or s in caplog.text]
    view = await manager.view(sid)
    assert view is not None and view.last_heard == "[DTMF ****]"


async def test_a_declined_card_offers_a_person(manager: DialogueManager) -> None:
    sid, _ = await call(manager)
    reply = await keys(manager, sid, DECLINED_CARD, EXPIRY, CODE)
    assert "お取り扱いできませんでした" in reply.text and "担当者" in reply.text
    assert reply.expect.awaiting == "confirm"
    reply = await manager.handle(sid, UserTurn(text="はい"))
    assert reply.handover is not None and reply.handover.kind == "transfer" and reply.handover.queue == "billing"
    note = await manager.case_note(f"CASE-{sid}")
    assert note is not None
    dumped = json.dumps(note, ensure_ascii=False)
    assert "お取り扱い不可 12,800円 末尾0002 決済セッション ps_1" in dumped  # the agent sees what happened
    assert DECLINED_CARD not in dumped and CODE not in dumped and EXPIRY not in dumped


async def test_a_gateway_that_times_out_hands_over(manager: DialogueManager, stand_in: GatewayStandIn,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    manager.payments.timeout_s = 0.3
    stand_in.charge_delay_s = 2.0
    sid, _ = await call(manager)
    reply = await keys(manager, sid, CARD, EXPIRY, CODE)
    assert "ご利用いただけません" in reply.text and "担当者におつなぎ" in reply.text
    assert reply.handover is not None and reply.handover.reason == "backend_error"
    assert "failed at the gateway" in caplog.text
    assert not [s for s in SECRETS if s in caplog.text or s in await logged(manager, sid)]


@pytest.mark.parametrize(("field_keys", "says", "logged_as"), [
    (["4242424242424241"], "カード番号を確認できませんでした", "[DTMF 末尾4241]"),  # Luhn fails
    (["4242"], "カード番号を確認できませんでした", "[DTMF ****]"),  # too short
    ([CARD, "1326"], "有効期限を確認できませんでした", "[DTMF ****]"),  # month 13
    ([CARD, "1025"], "有効期限はすでに過ぎて", "[DTMF ****]"),  # October 2025, before the call
    ([CARD, EXPIRY, "12"], "セキュリティコードを確認できませんでした", "[DTMF ****]"),
])
async def test_wrong_entries_are_asked_again_politely(manager: DialogueManager, field_keys: list[str],
                                                      says: str, logged_as: str) -> None:
    sid, _ = await call(manager)
    reply = await keys(manager, sid, *field_keys)
    assert says in reply.text and "いただけますでしょうか" in reply.text
    field = ("card_number", "card_expiry", "card_code")[len(field_keys) - 1]
    assert reply.expect.awaiting == f"slot:{field}" and not reply.handover
    said = [e["text"] for e in await manager.events(sid) if e["type"] == "caller"]
    assert said[-1] == logged_as


async def test_silence_three_times_gives_up_and_offers_a_person(manager: DialogueManager,
                                                                 stand_in: GatewayStandIn) -> None:
    sid, _ = await call(manager)
    await keys(manager, sid, CARD)
    reply = await manager.handle(sid, UserTurn(no_input=True))
    assert "ご入力を確認できませんでした" in reply.text and reply.expect.awaiting == "slot:card_expiry"
    await manager.handle(sid, UserTurn(no_input=True))
    reply = await manager.handle(sid, UserTurn(no_input=True))
    assert "中止いたします" in reply.text
    assert reply.handover is not None and reply.handover.reason == "repeated_failure"
    assert not stand_in.charges


async def test_star_starts_the_field_over_and_speech_is_never_logged(manager: DialogueManager) -> None:
    sid, _ = await call(manager)
    reply = await keys(manager, sid, "*")
    assert reply.expect.awaiting == "slot:card_number" and "カード番号" in reply.text
    reply = await manager.handle(sid, UserTurn(text=f"カード番号は{CARD}です"))
    assert "ボタンで押して" in reply.text and reply.expect.awaiting == "slot:card_number"
    text = await logged(manager, sid)
    assert CARD not in text and "[音声 ****]" in text


async def test_chat_never_takes_card_details_by_default(manager: DialogueManager, stand_in: GatewayStandIn) -> None:
    sid, _ = await manager.start(SessionStart(channel="chat", now=NOW))
    reply = await manager.handle(sid, UserTurn(text="請求金額を確認してカードで払いたいです"))
    reply = await manager.handle(sid, UserTurn(text=ORDER))
    if reply.expect.awaiting == "slot:phone_number":
        reply = await manager.handle(sid, UserTurn(text="09012345678"))
    assert "チャットではお伺いしておりません" in reply.text, reply.text
    assert reply.handover is not None and reply.handover.queue == "billing"
    assert not stand_in.sessions


async def test_chat_may_type_the_digits_where_the_designer_allows_it(manager: DialogueManager,
                                                                      stand_in: GatewayStandIn) -> None:
    bot = manager.bot
    flow = bot.flows["pay_balance"]
    steps = [s.model_copy(update={"pay": s.pay.model_copy(update={"chat": "typed"})}) if s.pay else s
             for s in flow.steps]
    manager.reload(replace(bot, flows={**bot.flows, "pay_balance": flow.model_copy(update={"steps": steps})}))
    sid, _ = await manager.start(SessionStart(channel="chat", now=NOW))
    await manager.handle(sid, UserTurn(text="請求金額を確認してカードで払いたいです"))
    reply = await manager.handle(sid, UserTurn(text=ORDER))
    if reply.expect.awaiting == "slot:phone_number":
        reply = await manager.handle(sid, UserTurn(text="09012345678"))
    assert reply.expect.awaiting == "slot:card_number" and "数字のみ" in reply.text
    reply = await manager.handle(sid, UserTurn(text="4242 4242-4242 4242"))
    assert reply.expect.awaiting == "slot:card_expiry"
    reply = await manager.handle(sid, UserTurn(text="０８/３１"))  # full-width, as typed on a phone
    reply = await manager.handle(sid, UserTurn(text="カードは" + CODE))  # words: asked again, not kept
    assert "数字のみ" in reply.text and reply.expect.awaiting == "slot:card_code"
    reply = await manager.handle(sid, UserTurn(text=CODE))
    assert "承認されました" in reply.text
    assert stand_in.charges[0]["card_number"] == CARD and stand_in.charges[0]["card_expiry"] == EXPIRY
    said = [e["text"] for e in await manager.events(sid) if e["type"] == "caller"]
    assert said[-4:] == ["[DTMF 末尾4242]", "[DTMF ****]", "[入力 ****]", "[DTMF ****]"]
    assert not [s for s in SECRETS if s in await logged(manager, sid)]
