"""The sample bot's billing line offers a keypad card payment for an unpaid order (pay_balance reached from
billing_inquiry, not only by `goto_flow` in tests); chat and a server without a gateway say where to pay."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dialogue.api import BotReply, CallerInfo, SessionStart, UserTurn
from dialogue.backends.payment_gateway import HttpPaymentGateway
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.payments import PaymentDesk
from tests.payments.conftest import CARD, CODE, EXPIRY, GATEWAY_TOKEN, GatewayStandIn

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
UNPAID = "45678901"  # the demo backend's コンビニ払い order, not yet paid
UNPAID_PHONE = "09077778888"  # its registered phone


@pytest.fixture
def manager(gateway_url: str) -> DialogueManager:
    manager = build_manager()
    manager.payments = PaymentDesk(HttpPaymentGateway(gateway_url, GATEWAY_TOKEN), timeout_s=2.0)
    return manager


async def _billing(manager: DialogueManager, channel: str, order: str) -> tuple[str, BotReply]:
    phone = UNPAID_PHONE if order == UNPAID else "09012345678"
    caller = CallerInfo(phone=phone) if channel == "voice" else CallerInfo()
    sid, _ = await manager.start(SessionStart(channel=channel, caller=caller, now=NOW))  # type: ignore[arg-type]
    await manager.handle(sid, UserTurn(text="請求金額について聞きたいんですが"))
    reply = await manager.handle(sid, UserTurn(dtmf=order) if channel == "voice" else UserTurn(text=order))
    if reply.expect.awaiting == "slot:phone_number":
        reply = await manager.handle(sid, UserTurn(text=phone))
    return sid, reply


async def test_an_unpaid_order_is_paid_on_the_call(manager: DialogueManager, stand_in: GatewayStandIn) -> None:
    sid, reply = await _billing(manager, "voice", UNPAID)
    assert "8,800円" in reply.text and "カードでのお支払い" in reply.text
    reply = await manager.handle(sid, UserTurn(text="はい、お願いします"))
    assert reply.expect.awaiting == "slot:card_number", reply.text
    for entry in (CARD, EXPIRY, CODE):
        reply = await manager.handle(sid, UserTurn(dtmf=entry))
    assert "承認されました" in reply.text, reply.text
    [charged] = stand_in.charges
    assert charged["amount"] == 8800 and charged["reference"] == sid


async def test_declining_the_offer_goes_on_with_the_billing_question(manager: DialogueManager,
                                                                     stand_in: GatewayStandIn) -> None:
    sid, _ = await _billing(manager, "voice", UNPAID)
    reply = await manager.handle(sid, UserTurn(text="いえ、コンビニで払います"))
    assert "解消されましたでしょうか" in reply.text
    assert not stand_in.charges


async def test_a_paid_order_is_offered_nothing(manager: DialogueManager) -> None:
    _, reply = await _billing(manager, "voice", "12345678")
    assert "12,800円" in reply.text and "お支払い" not in reply.text.split("でございます")[-1]
    assert reply.expect.awaiting.startswith("confirm")


async def test_chat_is_told_where_to_pay_and_no_card_is_asked(manager: DialogueManager) -> None:
    _, reply = await _billing(manager, "chat", UNPAID)
    assert "会員ページ" in reply.text and "チャットではお伺いしておりません" in reply.text
    assert reply.expect.awaiting.startswith("confirm")


async def test_without_a_gateway_the_voice_caller_is_told_where_to_pay() -> None:
    manager = build_manager()  # no IVR_PAYMENT_GATEWAY_URL: no offer that would end in an apology
    _, reply = await _billing(manager, "voice", UNPAID)
    assert "コンビニエンスストア" in reply.text and "ボタン操作" not in reply.text
