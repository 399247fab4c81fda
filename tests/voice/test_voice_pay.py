"""Twilio `<Pay>` for the `pay:` step (issue 16): Twilio collects and charges the card, the bot gets the result.

The sample bot's billing requests go to its pay_balance flow (as in tests/payments); the server is set up as
with IVR_PAYMENT_VIA=twilio. Twilio's `<Pay action>` posts are signed like every webhook."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.payments import PaymentDesk
from ivr.desk_app import DESK
from tests.voice.conftest import ClientMaker, Phone, call_sid, spoken, voice_app

CALLER = "+819012345678"  # the registered phone of the demo order 12345678 (12,800 yen)
ORDER = "12345678"


@pytest.fixture
def manager() -> DialogueManager:
    manager = build_manager(backend=DemoBackend())
    manager.payments = PaymentDesk.from_environment({"IVR_PAYMENT_VIA": "twilio"})
    bot = manager.bot
    manager.reload(replace(bot, by_intent={**bot.by_intent, "billing_inquiry": "pay_balance"}))
    return manager


async def to_the_card(phone: Phone) -> ET.Element:
    await phone.dial()
    root = await phone.say("請求金額を確認してカードで払いたいです")
    if root.find("Gather") is not None and phone.gather().get("numDigits") == "8":
        root = await phone.press(ORDER)
    return root


async def pay_result(phone: Phone, root: ET.Element, **result: str) -> ET.Element:
    pay = root.find("Pay")
    assert pay is not None, ET.tostring(root, encoding="unicode")
    answer = await phone.post(pay.get("action", ""), phone.params(**result))
    assert answer is not None, phone.status
    return answer


def test_the_setting() -> None:
    assert PaymentDesk.from_environment({"IVR_PAYMENT_VIA": "twilio"}).provider_collects
    assert not PaymentDesk.from_environment({"IVR_PAYMENT_GATEWAY_URL": "https://pay.example.jp"}).provider_collects


async def test_twilio_collects_the_card_and_the_bot_goes_on(aiohttp_client: ClientMaker,
                                                            manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(200), CALLER)
    root = await to_the_card(phone)
    assert root.find("Gather") is None  # no keypad Gather of ours: the keys go to Twilio only
    pay = root.find("Pay")
    assert pay is not None
    assert (pay.get("chargeAmount"), pay.get("currency"), pay.get("paymentConnector")) == ("12800", "jpy", "Default")
    assert pay.get("input") == "dtmf" and "jcb" in (pay.get("validCardTypes") or "")
    assert pay.get("securityCode") == "true" and pay.get("postalCode") == "false" and pay.get("maxAttempts") == "3"
    assert (pay.get("action") or "").startswith("/voice/twilio/pay?seq=")
    assert "12,800円" in spoken(root)  # the intro, said before <Pay>
    assert "00" not in [sa.text for sa in root.iter("say-as")]  # the amount is a number, not 12,8 "zero zero"
    prompts = {(p.get("for"), p.get("errorType")): spoken(p) for p in pay.iter("Prompt")}
    assert "カード番号" in prompts[("payment-card-number", None)]
    assert "有効期限" in prompts[("expiration-date", None)]
    assert prompts[("payment-card-number", "invalid-card-number")]

    done = await pay_result(phone, root, Result="success", PaymentCardNumber="xxxx-xxxx-xxxx-4242",
                            PaymentCardType="visa", PaymentConfirmationCode="ch_3Q7", PaymentToken="")
    said = spoken(done)
    assert "末尾4242" in said and "12,800円" in said and "承認" in said
    state = await manager.state(phone.sid)
    assert state is not None
    assert state.results["payment"]["status"] == "approved"
    assert state.results["payment"]["last4"] == "4242" and state.results["payment"]["approval_code"] == "ch_3Q7"
    assert "[カード決済 末尾4242]" in json.dumps(await manager.events(phone.sid), ensure_ascii=False)


async def test_a_declined_card_is_offered_a_person(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(201), CALLER)
    root = await to_the_card(phone)
    done = await pay_result(phone, root, Result="payment-connector-error", PaymentCardNumber="xxxx-xxxx-xxxx-0002",
                            PaymentError="payment-declined", ConnectorError="card_declined")
    assert "末尾0002" in spoken(done) and "お取り扱いできませんでした" in spoken(done)
    assert done.find("Gather") is not None  # pay_balance asks whether to talk to a person
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "declined"


async def test_a_caller_who_cannot_key_in_the_card_goes_to_billing(aiohttp_client: ClientMaker,
                                                                   manager: DialogueManager) -> None:
    app = voice_app(manager)
    phone = Phone(await aiohttp_client(app), call_sid(202), CALLER)
    root = await to_the_card(phone)
    done = await pay_result(phone, root, Result="too-many-failed-attempts")
    enqueue = done.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing"
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.queue == "billing" and contact.reason == "repeated_failure"
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "abandoned"


async def test_a_connector_failure_is_a_gateway_error(aiohttp_client: ClientMaker,
                                                                              manager: DialogueManager) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(203), CALLER)
    root = await to_the_card(phone)
    done = await pay_result(phone, root, Result="payment-connector-error", PaymentError="connector-timeout")
    assert done.find("Enqueue") is not None  # payment_error, then the billing desk (backend_error)
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "error" and state.reason == "backend_error"


async def test_digits_keyed_past_twilio_are_not_taken(manager: DialogueManager) -> None:
    """Without <Pay> (the streaming gateway), a card keyed in is a gateway failure, never kept."""
    from dialogue.api import CallerInfo, SessionStart, UserTurn
    from tests.voice.conftest import NOW

    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone=CALLER), now=NOW))
    reply = await manager.handle(sid, UserTurn(text="請求金額を確認してカードで払いたいです"))
    if reply.expect.awaiting == "slot:order_id":
        reply = await manager.handle(sid, UserTurn(dtmf=ORDER))
    assert reply.expect.entity_type == "card_number"
    reply = await manager.handle(sid, UserTurn(dtmf="4242424242424242"))
    assert reply.handover is not None and reply.handover.reason == "backend_error"
    assert "4242424242424242" not in json.dumps(await manager.events(sid), ensure_ascii=False)
