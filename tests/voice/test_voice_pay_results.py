"""Every `Result` Twilio posts to the `<Pay action>` URL, as Twilio posts it (form-encoded, signed, with the
masked card, the expiry in clear and the redacted code), and what the caller hears and where the call goes;
the `<Pay>` verb the server emits checked against the twilio package's `Pay` and Twilio's documented values;
the `statusCallback` progress posts. Twilio's fields and values: the TwiML `<Pay>` reference ("Twilio's POST
request to your action URL", "statusCallback"); the mapping is in docs/payments.md."""

from __future__ import annotations

import inspect
import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal

import pytest
from twilio.request_validator import RequestValidator
from twilio.twiml import lower_camel
from twilio.twiml.voice_response import Pay, VoiceResponse

from dialogue.api import PaymentResult
from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.payments import PaymentDesk
from ivr import voice_pay
from ivr.desk_app import DESK
from ivr.voice_pay import STATUS_PATH, result_of
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app

CALLER = "+819012345678"  # the registered phone of the demo order 12345678 (12,800 yen)
ORDER = "12345678"
EXPIRY = "0731"  # what Twilio sends in clear as ExpirationDate: must be found nowhere
# Twilio's documented values (TwiML <Pay> reference)
RESULTS = (
    "success",
    "too-many-failed-attempts",
    "payment-connector-error",
    "caller-interrupted-with-star",
    "caller-hung-up",
    "validation-error",
    "internal-error",
)
CARD_TYPES = {"visa", "mastercard", "amex", "maestro", "discover", "optima", "jcb", "diners-club", "enroute"}
PROMPT_FOR = {
    "payment-card-number",
    "expiration-date",
    "security-code",
    "postal-code",
    "bank-routing-number",
    "bank-account-number",
    "payment-processing",
}
PROMPT_ERRORS = {
    "timeout",
    "invalid-card-number",
    "invalid-card-type",
    "invalid-date",
    "invalid-security-code",
    "invalid-postal-code",
    "invalid-bank-routing-number",
    "invalid-bank-account-number",
    "input-matching-failed",
}


@pytest.fixture
def manager() -> DialogueManager:
    manager = build_manager(backend=DemoBackend())
    manager.payments = PaymentDesk.from_environment({"IVR_PAYMENT_VIA": "twilio"})
    bot = manager.bot
    manager.reload(replace(bot, by_intent={**bot.by_intent, "billing_inquiry": "pay_balance"}))
    return manager


def action_form(result: str, card: str = "xxxx-xxxx-xxxx-1234", **extra: str) -> dict[str, str]:
    """The fields Twilio adds to the standard ones on the action post of a credit-card charge."""
    form = {
        "Result": result,
        "PaymentMethod": "credit-card",
        "PaymentCardNumber": card,
        "PaymentCardType": "visa",
        "ExpirationDate": EXPIRY,
        "SecurityCode": "***",
        "PaymentToken": "",
        "ProfileId": "",
        "ApiVersion": "2010-04-01",
    }
    if result == "success":
        form["PaymentConfirmationCode"] = "ch_1QxAbC2eZvKYlo2C"
    return {**form, **extra}


async def to_the_card(phone: Phone) -> ET.Element:
    await phone.dial()
    root = await phone.say("請求金額を確認してカードで払いたいです")
    if root.find("Gather") is not None and phone.gather().get("numDigits") == "8":
        root = await phone.press(ORDER)
    assert root.find("Pay") is not None, ET.tostring(root, encoding="unicode")
    return root


async def post_result(phone: Phone, root: ET.Element, form: dict[str, str]) -> ET.Element:
    pay = root.find("Pay")
    assert pay is not None, ET.tostring(root, encoding="unicode")
    answer = await phone.post(pay.get("action", ""), phone.params(**form))
    assert answer is not None, phone.status
    return answer


def leaks(text: str) -> list[str]:
    """Card data of the forms above found in `text`: the expiry, or more of the number than its last four."""
    return re.findall(rf"(?<![0-9]){EXPIRY}(?![0-9])|[0-9]{{5,}}1234", text)


async def everything_kept(manager: DialogueManager, sid: str) -> str:
    state = await manager.state(sid)
    return json.dumps([await manager.events(sid), repr(state)], ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    ("result", "status"),
    [
        ("success", "approved"),
        ("too-many-failed-attempts", "abandoned"),
        ("payment-connector-error", "error"),
        ("caller-interrupted-with-star", "cancelled"),
        ("caller-hung-up", "hung_up"),
        ("validation-error", "error"),
        ("internal-error", "error"),
        ("no-such-result", "error"),
        ("", "error"),
    ],
)
def test_each_result_in_our_terms(result: str, status: str) -> None:
    assert set(voice_pay.RESULTS) == set(RESULTS)  # the seven Twilio documents, no more, no fewer
    got = result_of(action_form(result, card="xxxx-xxxxxx-x4001"))
    assert got.status == status and got.last4 == "4001"
    assert got.approval_code == ("ch_1QxAbC2eZvKYlo2C" if result == "success" else None)


@pytest.mark.parametrize(
    "why",
    [
        {"PaymentError": "card is declined"},
        {"ConnectorError": "card_declined"},
        {"ConnectorError": "do_not_honor"},
        {"ConnectorError": "insufficient_funds"},
    ],
)
def test_a_connector_error_naming_a_decline_is_the_cards(why: dict[str, str]) -> None:
    assert result_of(action_form("payment-connector-error", **why)) == PaymentResult("declined", "1234")
    assert (
        result_of(action_form("payment-connector-error", PaymentError="connector timed out")).status
        == "error"
    )


async def test_success_confirms_the_masked_card(
    aiohttp_client: ClientMaker, manager: DialogueManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(300), CALLER)
    done = await post_result(phone, await to_the_card(phone), action_form("success"))
    said = spoken(done)
    assert "末尾1234のカードで、12,800円のお支払いが承認されました" in said
    assert done.find("Enqueue") is None and done.find("Pay") is None
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "approved"
    assert state.results["payment"]["approval_code"] == "ch_1QxAbC2eZvKYlo2C"
    assert not leaks(caplog.text) and not leaks(await everything_kept(manager, phone.sid))
    assert "<Pay> approved (Result success)" in caplog.text


async def test_a_declined_card_hears_its_last_four_and_is_offered_a_person(
    aiohttp_client: ClientMaker, manager: DialogueManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(301), CALLER)
    form = action_form(
        "payment-connector-error",
        PaymentError="card is declined",
        PayErrorCode="64014",
        ConnectorError="Your card was declined. (card_declined 4000000000000002)",
    )
    done = await post_result(phone, await to_the_card(phone), form)
    assert "申し訳ございません。末尾1234のカードでは、お取り扱いできませんでした" in spoken(done)
    assert "担当者がご案内いたしましょうか" in spoken(done) and done.find("Gather") is not None
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "declined"
    # the connector's words are logged without their digits: a card number echoed back never reaches the log
    assert "4000000000000002" not in caplog.text and "card_declined ################" in caplog.text
    assert "PayErrorCode 64014" in caplog.text
    assert not leaks(caplog.text) and not leaks(await everything_kept(manager, phone.sid))


@pytest.mark.parametrize(
    ("result", "extra", "level"),
    [
        (
            "payment-connector-error",
            {"PaymentError": "connector-timeout", "PayErrorCode": "64011"},
            logging.INFO,
        ),
        (
            "validation-error",
            {"PaymentError": "paymentAmount='-0.59' (not a number between 0.00 - 1,000,000.00)"},
            logging.ERROR,
        ),
        ("internal-error", {"PayErrorCode": "64001"}, logging.ERROR),
    ],
)
async def test_a_failure_on_twilios_side_apologises_and_goes_to_billing_first(
    aiohttp_client: ClientMaker,
    manager: DialogueManager,
    caplog: pytest.LogCaptureFixture,
    result: str,
    extra: dict[str, str],
    level: int,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = voice_app(manager)
    phone = Phone(await aiohttp_client(app), call_sid(302), CALLER)
    done = await post_result(phone, await to_the_card(phone), action_form(result, **extra))
    said = spoken(done)
    assert "申し訳ございません。ただいまお支払いの手続きをご利用いただけません" in said
    assert "担当者におつなぎいたします" in said
    enqueue = done.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing"
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.reason == "backend_error" and contact.priority >= 1
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "error"
    assert [r.levelno for r in caplog.records if f"Result {result}" in r.getMessage()] == [level]
    assert not leaks(caplog.text) and not leaks(await everything_kept(manager, phone.sid))


async def test_too_many_failed_attempts_goes_to_a_person(
    aiohttp_client: ClientMaker, manager: DialogueManager
) -> None:
    app = voice_app(manager)
    phone = Phone(await aiohttp_client(app), call_sid(303), CALLER)
    form = action_form(
        "too-many-failed-attempts",
        card="",
        ExpirationDate="",
        SecurityCode="",
        PaymentError="invalid-card-number",
    )
    done = await post_result(phone, await to_the_card(phone), form)
    assert "カード情報を確認できませんでしたので、お支払いの手続きをいったん中止いたします" in spoken(done)
    enqueue = done.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing"
    contact = await app[DESK].contact(phone.sid)
    assert contact is not None and contact.reason == "repeated_failure"
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "abandoned"


async def test_star_starts_over_once_then_a_person(
    aiohttp_client: ClientMaker, manager: DialogueManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = voice_app(manager)
    phone = Phone(await aiohttp_client(app), call_sid(304), CALLER)
    first = await to_the_card(phone)
    again = await post_result(
        phone, first, action_form("caller-interrupted-with-star", card="xxxx-xxxx-xxxx-12")
    )
    assert "カード情報のご入力を、最初からやり直させていただきます" in spoken(again)
    pay = again.find("Pay")
    assert pay is not None and again.find("Enqueue") is None  # a new <Pay>: the same amount, a fresh action
    assert pay.get("chargeAmount") == "12800" and pay.get("action") != first.find("Pay").get("action")  # type: ignore[union-attr]
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "collecting"

    done = await post_result(phone, again, action_form("caller-interrupted-with-star"))
    assert "かしこまりました。お支払いのお手続きを中止いたしました" in spoken(done)
    assert "担当者におつなぎいたします" in spoken(done) and done.find("Pay") is None
    enqueue = done.find("Enqueue")
    assert enqueue is not None and enqueue.text == "billing"
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "cancelled"
    assert not leaks(caplog.text) and not leaks(await everything_kept(manager, phone.sid))


async def test_a_caller_who_hung_up_is_not_queued(
    aiohttp_client: ClientMaker, manager: DialogueManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = voice_app(manager)
    phone = Phone(await aiohttp_client(app), call_sid(305), CALLER)
    done = await post_result(
        phone, await to_the_card(phone), action_form("caller-hung-up", CallStatus="completed")
    )
    assert done.find("Hangup") is not None and done.find("Enqueue") is None and spoken(done) == ""
    assert await app[DESK].contact(phone.sid) is None  # nobody for an agent to pick up
    state = await manager.state(phone.sid)
    assert state is not None and state.ended and state.outcome == "abandoned"
    assert state.results["payment"]["status"] == "hung_up"
    assert not leaks(caplog.text) and not leaks(await everything_kept(manager, phone.sid))


async def test_an_unsigned_result_is_refused(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(306), CALLER)
    root = await to_the_card(phone)
    forger = Phone(client, phone.sid, CALLER, token="not-the-auth-token")
    assert (
        await forger.post(root.find("Pay").get("action", ""), forger.params(**action_form("success"))) is None
    )  # type: ignore[union-attr]
    assert forger.status == 403
    state = await manager.state(phone.sid)
    assert state is not None and state.results["payment"]["status"] == "collecting"


async def test_the_pay_verb_is_valid_for_twilio(
    aiohttp_client: ClientMaker, manager: DialogueManager
) -> None:
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(307), CALLER)
    pay = (await to_the_card(phone)).find("Pay")
    assert pay is not None
    # every attribute is one the twilio package's <Pay> knows, and the package writes the same element
    known = {
        lower_camel(name): name
        for name in inspect.signature(VoiceResponse.pay).parameters
        if name not in ("self", "kwargs")
    }
    assert set(pay.attrib) <= set(known), set(pay.attrib) - set(known)
    rebuilt = ET.fromstring(Pay(**{known[k]: v for k, v in pay.attrib.items()}).to_xml())
    assert rebuilt.tag == "Pay" and rebuilt.attrib == pay.attrib
    a = pay.attrib
    assert {"paymentConnector", "chargeAmount", "currency", "action", "statusCallback"} <= set(a)
    assert a["input"] == "dtmf" and a["currency"] == "jpy" and a["paymentConnector"] == "Default"
    assert Decimal(a["chargeAmount"]) == 12800 and 0 < Decimal(a["chargeAmount"]) <= 1_000_000
    assert a["maxAttempts"] in ("1", "2", "3") and int(a["timeout"]) > 0
    assert a["securityCode"] in ("true", "false") and a["postalCode"] in ("true", "false")
    assert set(a["validCardTypes"].split()) <= CARD_TYPES and "jcb" in a["validCardTypes"].split()
    assert a["action"].startswith("/voice/twilio/pay?seq=") and a["statusCallback"].startswith(
        STATUS_PATH + "?"
    )
    prompt_args = {lower_camel(n) for n in inspect.signature(Pay.prompt).parameters}
    prompts = list(pay.iter("Prompt"))
    assert prompts and all(set(p.attrib) <= prompt_args | {"for"} for p in prompts)
    assert {p.get("for") for p in prompts} <= PROMPT_FOR
    assert {p.get("errorType") for p in prompts if p.get("errorType")} <= PROMPT_ERRORS


async def test_progress_posts_are_logged_without_card_data(
    aiohttp_client: ClientMaker, manager: DialogueManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone = Phone(await aiohttp_client(voice_app(manager)), call_sid(308), CALLER)
    pay = (await to_the_card(phone)).find("Pay")
    assert pay is not None
    form = {
        "For": "expiration-date",
        "ErrorType": "invalid-date",
        "Attempt": "2",
        "PaymentMethod": "credit-card",
        "PaymentCardNumber": "xxxxxxxxxxxx1234",
        "PaymentCardType": "visa",
        "ExpirationDate": EXPIRY,
        "SecurityCode": "",
        "PartialResult": "true",
        "Required": "expiration-date,security-code",
        "Capture": "",
        "Sid": "PK" + "a" * 32,
        "PaymentConnector": "Default",
        "DateCreated": "2026-11-24T01:00:00Z",
    }
    resp = await phone.client.post(
        pay.get("statusCallback", ""), data=phone.params(**form), headers={"X-Twilio-Signature": "forged"}
    )
    assert resp.status == 403
    url = str(phone.client.make_url(pay.get("statusCallback", "")))
    signed = RequestValidator(TOKEN).compute_signature(url, phone.params(**form))
    resp = await phone.client.post(
        pay.get("statusCallback", ""), data=phone.params(**form), headers={"X-Twilio-Signature": signed}
    )
    assert resp.status == 204
    assert "<Pay> expiration-date, attempt 2, invalid-date" in caplog.text
    assert not leaks(caplog.text)
