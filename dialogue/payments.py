"""Card payments by keypad: the `pay:` flow step (docs/payments.md).

The card number, expiry (MMYY) and security code are keyed in one at a time. Each is checked here (Luhn,
not expired, 3-4 digits) and handed straight to the payment gateway's session; the bot keeps only the
gateway's session id and the card's last four digits. The digits bypass everything a normal turn touches:
no NLU, no escalation, no slot; the call's log gets `[DTMF 末尾1234]` / `[DTMF ****]` instead, so the
session store, transcript, case note, records export, logs and the agents' console never see them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from stdnum import luhn

from dialogue.api import PaymentResult, UserTurn
from dialogue.backends.payment_gateway import (
    CardField,
    HttpPaymentGateway,
    PaymentGateway,
    PaymentGatewayError,
    ProviderCollects,
)
from dialogue.bot import Bot
from dialogue.clock import TOKYO
from dialogue.events import ActionDone, CallerSaid, TurnFailed, TurnUnderstood, Waiting
from dialogue.flow_model import Flow, PaySpec, Step
from dialogue.runner import End, Finished, Handover, Stop, Wait, render_arg
from dialogue.state import AwaitSlot, CallState, Position
from dialogue.turn import Turn

log = logging.getLogger(__name__)
PAYMENT_FIELDS: tuple[CardField, ...] = ("card_number", "card_expiry", "card_code")
KEYPAD_ONLY = frozenset(PAYMENT_FIELDS)  # a voice channel listens for keys only while one is asked
RESULT_KEY = "payment"  # `{payment.last4}`, `{payment.approval_code}` in prompts after the step
_SEPARATORS = re.compile(r"[\s\-/・ー]")
# what a `pay:` step may say (prompts/payments.yaml): `ivr validate` wants them all where a flow pays
PAYMENT_PROMPTS = (
    "payment_intro",
    *(f"payment_ask_{f}" for f in PAYMENT_FIELDS),
    "payment_invalid_card_number",
    "payment_invalid_card_expiry",
    "payment_card_expired",
    "payment_invalid_card_code",
    "payment_no_input",
    "payment_keypad_only",
    "payment_approved",
    "payment_declined",
    "payment_error",
    "payment_gave_up",
    "payment_chat_refused",
    "payment_transfer",
    "payment_restart",
    "payment_cancelled",
    "payment_approved_no_card",
    "payment_declined_no_card",
)
MAX_RESTARTS = 1  # a provider's session the caller stopped with * starts over once, then a person takes over


def collecting(state: CallState) -> AwaitSlot | None:
    """The card field the bot waits for, if it waits for one."""
    aw = state.awaiting
    return aw if isinstance(aw, AwaitSlot) and aw.entity in KEYPAD_ONLY else None


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """What a phone provider that collects the card itself (Twilio `<Pay>`) is asked to charge."""

    amount: int  # yen
    currency: str
    description: str
    max_tries: int


def pending_charge(state: CallState, bot: Bot) -> ChargeRequest | None:
    """The charge of the `pay:` step now asking for the card number, or None when none is asked."""
    aw = collecting(state)
    flow = bot.flows.get(aw.flow) if aw is not None and aw.entity == "card_number" else None
    step = flow.find(aw.step) if flow is not None and aw is not None else None
    if step is None or step.pay is None:
        return None
    record = state.results.get(step.save_as or RESULT_KEY)
    amount = record.get("amount") if isinstance(record, Mapping) else None
    if not isinstance(amount, int) or amount <= 0:
        return None
    return ChargeRequest(amount, step.pay.currency, step.pay.description, step.pay.max_tries)


def field_problem(field: str, digits: str, now: datetime) -> str | None:
    """The prompt key that tells the caller what is wrong with `digits`, or None when they will do."""
    if field == "card_number":
        ok = digits.isdigit() and 12 <= len(digits) <= 19 and luhn.is_valid(digits)
        return None if ok else "payment_invalid_card_number"
    if field == "card_expiry":
        if not re.fullmatch(r"(0[1-9]|1[0-2])[0-9]{2}", digits):
            return "payment_invalid_card_expiry"
        month, year = int(digits[:2]), 2000 + int(digits[2:])
        today = now.astimezone(TOKYO)
        return "payment_card_expired" if (year, month) < (today.year, today.month) else None
    return None if re.fullmatch(r"[0-9]{3,4}", digits) else "payment_invalid_card_code"


_STATUS_JA = {
    "approved": "承認",
    "declined": "お取り扱い不可",
    "error": "決済エラー",
    "abandoned": "入力中止",
    "refused": "チャットのためお受けせず",
    "collecting": "入力途中",
    "cancelled": "お客様が中止(*)",
    "hung_up": "入力中に通話終了",
}


def payment_note(state: CallState) -> dict[str, str]:
    """The payment of a call for its case note, in agents' words: never more of the card than its end."""
    record = state.results.get(RESULT_KEY)
    if not isinstance(record, Mapping) or not record.get("status"):
        return {}
    parts = [_STATUS_JA.get(str(record["status"]), str(record["status"]))]
    if record.get("amount"):
        parts.append(f"{int(record['amount']):,}円")
    if record.get("last4"):
        parts.append(f"末尾{record['last4']}")
    if record.get("approval_code"):
        parts.append(f"承認番号 {record['approval_code']}")
    if record.get("session") and record.get("status") != "approved":
        parts.append(f"決済セッション {record['session']}")
    return {"payment": " ".join(parts)}


def masked(field: str, digits: str) -> str:
    """What the call's log keeps of a keyed-in card field."""
    if field == "card_number" and len(digits) >= 12:
        return f"[DTMF 末尾{digits[-4:]}]"
    return "[DTMF ****]"


@dataclass
class PaymentDesk:
    """Runs `pay:` steps against one gateway (None: payments are not configured on this server)."""

    gateway: PaymentGateway | None = None
    # all gateway requests of one turn together: under the voice channel's 5 s net (ivr/voice_common.py)
    timeout_s: float = 3.5

    @property
    def provider_collects(self) -> bool:
        """The phone provider takes the card (Twilio `<Pay>`): a voice channel reports only the result."""
        return isinstance(self.gateway, ProviderCollects)

    @staticmethod
    def from_environment(environ: Mapping[str, str] | None = None) -> PaymentDesk:
        """`IVR_PAYMENT_GATEWAY_URL` and the secret `IVR_PAYMENT_GATEWAY_TOKEN`; or `IVR_PAYMENT_VIA=twilio`,
        where Twilio's `<Pay>` collects and charges the card through its payment connector."""
        env = os.environ if environ is None else environ
        if env.get("IVR_PAYMENT_VIA", "").strip().lower() == "twilio":
            return PaymentDesk(ProviderCollects())
        url = env.get("IVR_PAYMENT_GATEWAY_URL")
        gateway = HttpPaymentGateway(url, env.get("IVR_PAYMENT_GATEWAY_TOKEN")) if url else None
        return PaymentDesk(gateway)

    # -- entering the step ---------------------------------------------------------------------------

    async def begin(self, turn: Turn, flow: Flow, step: Step) -> str | Stop:
        spec = cast(PaySpec, step.pay)
        amount_text = render_arg(spec.amount, turn.values())
        if not amount_text.isdigit() or int(amount_text) <= 0:
            log.error("pay step %s.%s: amount %r is no whole number of yen", flow.flow, step.id, amount_text)
            return self._failed(turn, step, spec)
        amount = int(amount_text)
        self._record(
            turn,
            step,
            {
                "status": "collecting",
                "amount": amount,
                "currency": spec.currency,
                "session": None,
                "last4": None,
                "approval_code": None,
            },
        )
        if turn.state.channel != "voice" and spec.chat == "never":
            self._update(turn, step, status="refused")
            turn.say("payment_chat_refused")
            return step.on_fail or Handover("complex", spec.queue, prompt="payment_transfer")
        if self.gateway is None:
            log.error(
                "pay step %s.%s: no payment gateway configured (IVR_PAYMENT_GATEWAY_URL)", flow.flow, step.id
            )
            return self._failed(turn, step, spec)
        turn.say("payment_intro", amount=amount)
        return self._ask(turn, flow, step, "card_number")

    # -- a turn while a card field is asked ----------------------------------------------------------

    async def answer(self, turn: Turn, user: UserTurn) -> Position | Stop:
        aw = collecting(turn.state)
        assert aw is not None
        flow = turn.bot.flows.get(aw.flow)
        step = flow.find(aw.step) if flow is not None else None
        if flow is None or step is None or step.pay is None:
            turn.emit(CallerSaid("[DTMF ****]", dtmf="****"))
            turn.say("flow_unavailable")
            return Handover("backend_error", priority=1)
        spec, field = step.pay, cast(CardField, aw.entity)
        if user.payment is not None:
            return self._settled(turn, flow, step, user.payment)
        digits = self._digits(turn, user, spec)
        if digits == "*":  # the caller starts the field over: no failure
            turn.emit(CallerSaid("[DTMF *]", dtmf="*"))
            return self._ask(turn, flow, step, field)
        if digits is None:
            return self._retry(
                turn, flow, step, field, "payment_no_input" if user.no_input else "payment_keypad_only"
            )
        turn.emit(CallerSaid(masked(field, digits), dtmf="****"))
        problem = field_problem(field, digits, turn.now)
        if problem is not None:
            return self._retry(turn, flow, step, field, problem)
        try:
            async with asyncio.timeout(self.timeout_s):
                session = await self._session(turn, step, spec)
                assert self.gateway is not None
                await self.gateway.submit(session, field, digits)
                if field != PAYMENT_FIELDS[-1]:
                    if field == "card_number":
                        self._update(turn, step, last4=digits[-4:])
                    turn.emit(TurnUnderstood())
                    return self._ask(turn, flow, step, PAYMENT_FIELDS[PAYMENT_FIELDS.index(field) + 1])
                charge = await self.gateway.charge(session)
        except (TimeoutError, PaymentGatewayError) as exc:
            log.warning(
                "payment in %s failed at the gateway: %s", turn.state.id, str(exc) or type(exc).__name__
            )
            failed = self._failed(turn, step, spec)
            return Position(flow.flow, failed) if isinstance(failed, str) else failed
        turn.emit(TurnUnderstood())
        if charge.approved:
            self._update(turn, step, status="approved", approval_code=charge.approval_code)
            turn.say("payment_approved")
            return self._then(flow, step, "approved")
        log.info("payment in %s declined: %s", turn.state.id, charge.reason or "no reason given")
        self._update(turn, step, status="declined")
        turn.say("payment_declined")
        target = step.cases.get("declined")
        return (
            Position(flow.flow, target)
            if target
            else Handover("complex", spec.queue, prompt="payment_transfer")
        )

    def _settled(self, turn: Turn, flow: Flow, step: Step, result: PaymentResult) -> Position | Stop:
        """The provider collected the card and charged it, or the caller or the provider stopped it: the step
        goes on from the result (docs/payments.md, "Twilio `<Pay>`": the table of results and next steps)."""
        spec = cast(PaySpec, step.pay)
        last4 = result.last4 if result.last4 and re.fullmatch(r"[0-9]{4}", result.last4) else None
        if result.status == "hung_up":  # nobody left to hear anything or to wait for a person
            turn.emit(CallerSaid("[カード決済 通話切断]", dtmf="****"))
            self._update(turn, step, status="hung_up", last4=last4)
            return End("abandoned")  # as when a caller hangs up anywhere else
        turn.emit(CallerSaid(f"[カード決済 末尾{last4}]" if last4 else "[カード決済]", dtmf="****"))
        if result.status == "cancelled":  # the caller pressed *: once more from the start, then a person
            restarts = int(self._current(turn, step).get("restarts") or 0)
            again = restarts < MAX_RESTARTS
            self._update(
                turn, step, status="collecting" if again else "cancelled", last4=None, restarts=restarts + 1
            )
            turn.emit(TurnFailed())
            if again:
                turn.say("payment_restart")
                return self._ask(turn, flow, step, "card_number")
            turn.say("payment_cancelled")
            if step.on_fail:
                return Position(flow.flow, step.on_fail)
            return Handover("repeated_failure", spec.queue, prompt="payment_transfer")
        self._update(
            turn,
            step,
            status=result.status,
            last4=last4,
            approval_code=(result.approval_code or "")[:40] or None,
        )
        if result.status == "approved":
            turn.emit(TurnUnderstood())
            turn.say("payment_approved" if last4 else "payment_approved_no_card")
            return self._then(flow, step, "approved")
        if result.status == "declined":
            turn.emit(TurnUnderstood())
            turn.say("payment_declined" if last4 else "payment_declined_no_card")
            target = step.cases.get("declined")
            return (
                Position(flow.flow, target)
                if target
                else Handover("complex", spec.queue, prompt="payment_transfer")
            )
        if result.status == "abandoned":  # too many wrong entries or silences, counted by the provider
            turn.emit(TurnFailed())
            turn.say("payment_gave_up")
            if step.on_fail:
                return Position(flow.flow, step.on_fail)
            return Handover("repeated_failure", spec.queue, prompt="payment_transfer")
        turn.say("payment_error")
        target = step.on_error
        return (
            Position(flow.flow, target)
            if target
            else Handover("backend_error", spec.queue, priority=1, prompt="payment_transfer")
        )

    # -- helpers ------------------------------------------------------------------------------------

    def _digits(self, turn: Turn, user: UserTurn, spec: PaySpec) -> str | None:
        """The keys pressed, or typed on a chat that allows it; None for silence or speech."""
        if user.dtmf is not None:
            # never cut: 20 keys cut to 19 could pass the Luhn check by chance; the check refuses them
            return "*" if "*" in user.dtmf else "".join(c for c in user.dtmf if c.isdigit())[:40]
        if user.text and turn.state.channel != "voice" and spec.chat == "typed":
            typed = _SEPARATORS.sub("", unicodedata.normalize("NFKC", user.text))
            if typed.isdigit():
                return typed[:40]
        if user.text or user.alternatives:
            # spoken or free-typed card details are never logged, not even as heard
            turn.emit(CallerSaid("[音声 ****]" if turn.state.channel == "voice" else "[入力 ****]"))
        else:
            turn.emit(CallerSaid("", no_input=True))
        return None

    def _ask(self, turn: Turn, flow: Flow, step: Step, field: CardField) -> Wait:
        turn.say(f"payment_ask_{field}")
        turn.emit(Waiting(AwaitSlot(flow.flow, step.id, field, field)))
        return Wait()

    def _retry(self, turn: Turn, flow: Flow, step: Step, field: CardField, prompt: str) -> Position | Stop:
        turn.emit(TurnFailed())
        spec = cast(PaySpec, step.pay)
        if turn.state.tries >= spec.max_tries:
            self._update(turn, step, status="abandoned")
            turn.say("payment_gave_up")
            if step.on_fail:
                return Position(flow.flow, step.on_fail)
            return Handover("repeated_failure", spec.queue, prompt="payment_transfer")
        turn.say(prompt)
        turn.emit(Waiting(AwaitSlot(flow.flow, step.id, field, field)))  # the same question: tries go on
        return Wait()

    def _failed(self, turn: Turn, step: Step, spec: PaySpec) -> str | Stop:
        if step.save_as or RESULT_KEY in turn.state.results:
            self._update(turn, step, status="error")
        turn.say("payment_error")
        return step.on_error or Handover("backend_error", spec.queue, priority=1, prompt="payment_transfer")

    async def _session(self, turn: Turn, step: Step, spec: PaySpec) -> str:
        record = self._current(turn, step)
        session = record.get("session")
        if isinstance(session, str) and session:
            return session
        assert self.gateway is not None
        opened = await self.gateway.open(
            int(record.get("amount") or 0), spec.currency, turn.state.id, spec.description
        )
        self._update(turn, step, session=opened)
        return opened

    def _then(self, flow: Flow, step: Step, case: str) -> Position | Stop:
        target = step.cases.get(case) or flow.after(step)
        return Position(flow.flow, target) if target else Finished()

    def _current(self, turn: Turn, step: Step) -> dict[str, Any]:
        return dict(turn.state.results.get(step.save_as or RESULT_KEY) or {})

    def _record(self, turn: Turn, step: Step, record: Mapping[str, Any]) -> None:
        turn.emit(ActionDone("pay", step.save_as or RESULT_KEY, dict(record)))

    def _update(self, turn: Turn, step: Step, **changes: Any) -> None:
        self._record(turn, step, {**self._current(turn, step), **changes})
