"""Twilio `<Pay>` for the `pay:` flow step, where Twilio collects and charges the card (IVR_PAYMENT_VIA=twilio).

When the bot asks for the card number on a Gather call, the reply becomes `<Pay>` with the bot's own prompts
for every field and error (prompts/payments.yaml); Twilio takes the keys, talks to the payment provider
through its payment connector, and posts only the result to

POST /voice/twilio/pay?seq=…          Result, PaymentConfirmationCode, PaymentCardNumber (masked), PaymentError,
                                      PayErrorCode, ConnectorError, ExpirationDate (MMYY, in clear), ...
POST /voice/twilio/pay/status?seq=…   progress: For, ErrorType, Attempt (and the same masked card fields)

The action's result goes to the dialogue as a `PaymentResult` (status, the card's last four digits, the
approval code); nothing else of either form is kept or logged, not even the expiry Twilio sends in clear.
docs/payments.md has the table of Twilio's `Result` values and what the caller hears next.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from urllib.parse import quote

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import BotReply, PaymentResult, PayStatus, Prompt, SessionNotFound, UserTurn
from dialogue.payments import ChargeRequest, pending_charge
from ivr.app_keys import MANAGER
from ivr.voice_common import (
    CONFIG,
    PAY_TWIML,
    UNKNOWN_CALL,
    VoiceConfig,
    ensure_setup,
    log,
    read_form,
    run_turn,
)
from ivr.voice_twilio import (
    LAST_REPLIES,
    down_apology,
    goodbye,
    new_nonce,
    reply_twiml,
    say,
    session_of,
    to_desk,
    twiml,
    when_store_down,
)

PAY_PATH = "/voice/twilio/pay"
STATUS_PATH = "/voice/twilio/pay/status"
# <Pay> prompts: (for, errorType) -> the bot's prompt key; Twilio says them while it collects the card
FIELD_PROMPTS = {
    ("payment-card-number", None): "payment_ask_card_number",
    ("payment-card-number", "invalid-card-number"): "payment_invalid_card_number",
    ("payment-card-number", "invalid-card-type"): "payment_invalid_card_number",
    ("payment-card-number", "timeout"): "payment_no_input",
    ("expiration-date", None): "payment_ask_card_expiry",
    ("expiration-date", "invalid-date"): "payment_invalid_card_expiry",
    ("expiration-date", "timeout"): "payment_no_input",
    ("security-code", None): "payment_ask_card_code",
    ("security-code", "invalid-security-code"): "payment_invalid_card_code",
    ("security-code", "timeout"): "payment_no_input",
}
# cards taken in Japan: JCB and Diners besides Twilio's default three
CARD_TYPES = "visa mastercard amex jcb diners-club"
# Twilio's `Result` values (docs: TwiML <Pay>, "Twilio's POST request to your action URL") -> our status; a
# payment-connector-error whose PaymentError / ConnectorError names a decline is the card's, not the connector's
RESULTS: dict[str, PayStatus] = {
    "success": "approved",
    "payment-connector-error": "error",
    "too-many-failed-attempts": "abandoned",
    "caller-interrupted-with-star": "cancelled",
    "caller-hung-up": "hung_up",
    "validation-error": "error",  # our <Pay> had a bad attribute: not the caller's doing
    "internal-error": "error",
}
_DECLINE = re.compile(
    r"declin|do[ _-]not[ _-]honou?r|insufficient[ _-]funds|card[ _-]refused|lost[ _-]card|stolen",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")  # a Result, For or ErrorType as Twilio spells them
_LAST4 = re.compile(r"([0-9]{4})\s*$")


def pay_twiml(
    reply: BotReply,
    charge: ChargeRequest,
    bot_prompt: dict[str, Prompt],
    cfg: VoiceConfig,
    action: str,
    status_callback: str,
) -> str:
    """The reply's prompts up to the card-number question, then `<Pay>` asking it (and the rest) itself."""
    resp = VoiceResponse()
    for prompt in reply.prompts[:-1]:  # the amount and that the card is not recorded (payment_intro)
        say(resp, prompt, cfg)
    pay = resp.pay(
        input="dtmf",
        action=action,
        status_callback=status_callback,
        payment_connector=cfg.pay_connector,
        charge_amount=str(charge.amount),
        currency=charge.currency.lower(),
        description=charge.description or None,
        timeout=8,
        max_attempts=charge.max_tries,
        security_code=True,
        postal_code=False,
        valid_card_types=CARD_TYPES,
    )
    for (field, error), key in FIELD_PROMPTS.items():
        prompt = pay.prompt(for_=field, error_type=error) if error else pay.prompt(for_=field)
        say(prompt, bot_prompt[key], cfg)
    return str(resp)


async def maybe_pay(
    request: web.Request, sid: str, reply: BotReply, nonce: str, session: str | None
) -> str | None:
    """`<Pay>` TwiML when this reply asks for the card number and Twilio collects cards; else None."""
    manager = request.app[MANAGER]
    if not manager.payments.provider_collects or reply.expect.entity_type != "card_number":
        return None
    state = await manager.state(sid)
    charge = pending_charge(state, manager.bot) if state is not None else None
    if charge is None:
        return None
    prompts = {
        key: manager.bot.prompts.render(key, "voice", {}, interruptible=False)
        for key in set(FIELD_PROMPTS.values())
    }
    query = f"?seq={nonce}" + (f"&session={quote(session)}" if session else "")
    return pay_twiml(reply, charge, prompts, request.app[CONFIG], PAY_PATH + query, STATUS_PATH + query)


def result_of(params: Mapping[str, str]) -> PaymentResult:
    """Twilio's `<Pay>` result in our terms. A declined card comes as a connector error naming the decline."""
    result = params.get("Result", "")
    masked = _LAST4.search(params.get("PaymentCardNumber", ""))
    last4 = masked.group(1) if masked else None
    status = RESULTS.get(result, "error")
    if status == "approved":
        return PaymentResult("approved", last4, params.get("PaymentConfirmationCode") or None)
    why = f"{params.get('PaymentError', '')} {params.get('ConnectorError', '')}"
    if result == "payment-connector-error" and _DECLINE.search(why):
        return PaymentResult("declined", last4)
    return PaymentResult(status, last4)


def token(value: str | None) -> str:
    """A word of Twilio's (Result, For, ErrorType) fit for a log line: anything else is not logged."""
    return value if value and _TOKEN.fullmatch(value) else "-"


def no_digits(text: str | None, limit: int = 120) -> str:
    """Free text from Twilio or a connector (PaymentError, ConnectorError) for a log line: no digit kept."""
    return re.sub(r"[0-9０-９]", "#", (text or "")[:limit]) or "-"


def outcome_line(params: Mapping[str, str], payment: PaymentResult) -> str:
    """What the log says of a `<Pay>` result: the status, Twilio's words and error code, never a card digit."""
    code = params.get("PayErrorCode", "")
    line = f"<Pay> {payment.status} (Result {token(params.get('Result'))}"
    if re.fullmatch(r"[0-9]{5}", code):  # a Twilio error code (64xxx), not card data
        line += f", PayErrorCode {code}"
    if payment.status not in ("approved", "cancelled", "hung_up", "abandoned"):
        line += f", PaymentError {no_digits(params.get('PaymentError'))}"
        line += f", ConnectorError {no_digits(params.get('ConnectorError'))}"
    return line + ")"


@when_store_down(down_apology)
async def paid(request: web.Request) -> web.Response:
    """`<Pay action>`: the result of the card payment Twilio took goes to the `pay:` step."""
    entered = time.perf_counter()
    params = await read_form(request)
    manager, cfg, cache = request.app[MANAGER], request.app[CONFIG], request.app[LAST_REPLIES]
    session = request.query.get("session")
    sid = session_of(params["CallSid"], session)
    payment = result_of(params)
    # the result only: never the form (it holds the expiry in clear; a connector's error may echo more)
    level = logging.ERROR if params.get("Result") in ("validation-error", "internal-error") else logging.INFO
    log.log(level, "call %s: %s", sid, outcome_line(params, payment))
    try:
        reply, elapsed = await run_turn(
            manager, sid, UserTurn(payment=payment), cache.get(sid, request.query.get("seq"))
        )
    except SessionNotFound:
        return goodbye(UNKNOWN_CALL, cfg)
    reply = await to_desk(request, params["CallSid"], reply)
    nonce = new_nonce()
    cache.put(sid, reply, nonce)
    return twiml(await reply_twiml(request, sid, reply, nonce, session), elapsed, entered)


async def progress(request: web.Request) -> web.Response:
    """`<Pay statusCallback>`: where the caller is in the card entry, for the log only (which field, which
    attempt, which error); the masked number, the expiry and the code Twilio adds are dropped unread."""
    params = await read_form(request)
    sid = session_of(params["CallSid"], request.query.get("session"))
    attempt = params.get("Attempt", "")
    log.info(
        "call %s: <Pay> %s, attempt %s%s",
        sid,
        token(params.get("For")),
        attempt if re.fullmatch(r"[0-9]{1,2}", attempt) else "-",
        f", {token(params.get('ErrorType'))}" if params.get("ErrorType") else "",
    )
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app[PAY_TWIML] = maybe_pay
    app.router.add_post(PAY_PATH, paid)
    app.router.add_post(STATUS_PATH, progress)
