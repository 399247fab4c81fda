"""Twilio `<Pay>` for the `pay:` flow step, where Twilio collects and charges the card (IVR_PAYMENT_VIA=twilio).

When the bot asks for the card number on a Gather call, the reply becomes `<Pay>` with the bot's own prompts
for every field and error (prompts/payments.yaml); Twilio takes the keys, talks to the payment provider
through its payment connector, and posts only the result to

POST /voice/twilio/pay?seq=…   Result, PaymentConfirmationCode, PaymentCardNumber (masked), PaymentError

which goes to the dialogue as a `PaymentResult` (status, the card's last four digits, the approval code).
No card digit ever reaches this server: nothing to keep out of the store, logs, transcript or case note.
docs/payments.md.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import BotReply, PaymentResult, Prompt, SessionNotFound, UserTurn
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
GAVE_UP = frozenset({"too-many-failed-attempts", "caller-interrupted-with-star", "input-timeout",
                     "validation-error", "caller-hung-up"})
_LAST4 = re.compile(r"([0-9]{4})\s*$")


def pay_twiml(reply: BotReply, charge: ChargeRequest, bot_prompt: dict[str, Prompt], cfg: VoiceConfig,
              action: str) -> str:
    """The reply's prompts up to the card-number question, then `<Pay>` asking it (and the rest) itself."""
    resp = VoiceResponse()
    for prompt in reply.prompts[:-1]:  # the amount and that the card is not recorded (payment_intro)
        say(resp, prompt, cfg)
    pay = resp.pay(input="dtmf", action=action, payment_connector=cfg.pay_connector, charge_amount=str(charge.amount),
                   currency=charge.currency.lower(), description=charge.description or None,
                   timeout=8, max_attempts=charge.max_tries, security_code=True, postal_code=False,
                   valid_card_types=CARD_TYPES)
    for (field, error), key in FIELD_PROMPTS.items():
        prompt = pay.prompt(for_=field, error_type=error) if error else pay.prompt(for_=field)
        say(prompt, bot_prompt[key], cfg)
    return str(resp)


async def maybe_pay(request: web.Request, sid: str, reply: BotReply, nonce: str, session: str | None) -> str | None:
    """`<Pay>` TwiML when this reply asks for the card number and Twilio collects cards; else None."""
    manager = request.app[MANAGER]
    if not manager.payments.provider_collects or reply.expect.entity_type != "card_number":
        return None
    state = await manager.state(sid)
    charge = pending_charge(state, manager.bot) if state is not None else None
    if charge is None:
        return None
    prompts = {key: manager.bot.prompts.render(key, "voice", {}, interruptible=False) for key in set(FIELD_PROMPTS.values())}
    action = f"{PAY_PATH}?seq={nonce}" + (f"&session={quote(session)}" if session else "")
    return pay_twiml(reply, charge, prompts, request.app[CONFIG], action)


def result_of(params: dict[str, str]) -> PaymentResult:
    """Twilio's `<Pay>` result in our terms. A declined card comes as a connector error naming the decline."""
    result = params.get("Result", "")
    masked = _LAST4.search(params.get("PaymentCardNumber", ""))
    last4 = masked.group(1) if masked else None
    if result == "success":
        return PaymentResult("approved", last4, params.get("PaymentConfirmationCode") or None)
    if result in GAVE_UP:
        return PaymentResult("abandoned", last4)
    why = f"{params.get('PaymentError', '')} {params.get('ConnectorError', '')}".lower()
    if result == "payment-connector-error" and "declin" in why:
        return PaymentResult("declined", last4)
    return PaymentResult("error", last4)


@when_store_down(down_apology)
async def paid(request: web.Request) -> web.Response:
    """`<Pay action>`: the result of the card payment Twilio took goes to the `pay:` step."""
    entered = time.perf_counter()
    params = await read_form(request)
    manager, cfg, cache = request.app[MANAGER], request.app[CONFIG], request.app[LAST_REPLIES]
    session = request.query.get("session")
    sid = session_of(params["CallSid"], session)
    payment = result_of(params)
    # the result only: never the form (a connector's error may echo more than it should)
    log.info("call %s: <Pay> %s (%s)", sid, payment.status, params.get("Result", "no result"))
    try:
        reply, elapsed = await run_turn(manager, sid, UserTurn(payment=payment), cache.get(sid, request.query.get("seq")))
    except SessionNotFound:
        return goodbye(UNKNOWN_CALL, cfg)
    reply = await to_desk(request, params["CallSid"], reply)
    nonce = new_nonce()
    cache.put(sid, reply, nonce)
    return twiml(await reply_twiml(request, sid, reply, nonce, session), elapsed, entered)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app[PAY_TWIML] = maybe_pay
    app.router.add_post(PAY_PATH, paid)
