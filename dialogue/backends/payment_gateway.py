"""The HTTP client of a card payment gateway (docs/payments.md describes the protocol).

A payment is a session at the gateway: opened with the amount, given each card field the moment the
caller keys it in, then charged. The bot keeps only the session id and the card's last four digits, so
no card data is ever written to our stores, and any worker of a shared store can take the next field.
Nothing here logs or raises with a field's value or a response body (a gateway may echo the card).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import aiohttp

from dialogue.backends import BackendError

CardField = Literal["card_number", "card_expiry", "card_code"]


class PaymentGatewayError(BackendError):
    """The gateway could not be reached, timed out, or refused the request as malformed."""


@dataclass(frozen=True, slots=True)
class Charge:
    approved: bool
    approval_code: str | None = None  # the gateway's authorisation code, safe to say and keep
    reason: str | None = None  # why it was declined, in the gateway's words (never card data)


class PaymentGateway(Protocol):
    async def open(self, amount: int, currency: str, reference: str, description: str) -> str:
        """Start a payment; returns the gateway's session id."""
        ...

    async def submit(self, session: str, field: CardField, value: str) -> None:
        """Hand one card field to the session (it is never sent anywhere else)."""
        ...

    async def charge(self, session: str) -> Charge:
        """Charge the card of a session whose fields are all in."""
        ...


class ProviderCollects:
    """No gateway of ours: the phone provider collects the card and charges it itself (Twilio `<Pay>` with a
    payment connector, IVR_PAYMENT_VIA=twilio). The voice channel reports only the result, so a card field
    keyed in any other way (the streaming gateway's keypad) is refused here as a gateway failure."""

    async def open(self, amount: int, currency: str, reference: str, description: str) -> str:
        raise PaymentGatewayError("cards are collected by the phone provider (<Pay>), not keyed in here")

    async def submit(self, session: str, field: CardField, value: str) -> None:
        raise PaymentGatewayError("cards are collected by the phone provider (<Pay>), not keyed in here")

    async def charge(self, session: str) -> Charge:
        raise PaymentGatewayError("cards are collected by the phone provider (<Pay>), not keyed in here")


class HttpPaymentGateway:
    """`POST {url}/sessions`, `PUT {url}/sessions/{id}/{field}`, `POST {url}/sessions/{id}/charge`."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 3.5) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout_s = timeout_s

    async def open(self, amount: int, currency: str, reference: str, description: str) -> str:
        body = {"amount": amount, "currency": currency, "reference": reference, "description": description}
        answer = await self._send("POST", "/sessions", body)
        session = answer.get("session")
        if not isinstance(session, str) or not session:
            raise PaymentGatewayError("gateway opened no session")
        return session

    async def submit(self, session: str, field: CardField, value: str) -> None:
        await self._send("PUT", f"/sessions/{session}/{field}", {"value": value})

    async def charge(self, session: str) -> Charge:
        answer = await self._send("POST", f"/sessions/{session}/charge", {})
        status = answer.get("status")
        if status == "approved":
            code = answer.get("approval_code")
            return Charge(True, str(code) if code else None)
        if status == "declined":
            reason = answer.get("reason")
            return Charge(False, reason=str(reason)[:80] if reason else None)
        raise PaymentGatewayError("gateway answered the charge without a status")

    async def _send(self, method: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout, headers=self.headers) as http,
                http.request(method, self.url + path, json=dict(body)) as resp,
            ):
                if resp.status >= 400:
                    raise PaymentGatewayError(f"gateway answered {resp.status} to {method} {_kind(path)}")
                if resp.status == 204:
                    return {}
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # the exception's text may quote the request: name only its type
            raise PaymentGatewayError(f"gateway unreachable on {method} {_kind(path)}: {type(exc).__name__}") from None
        if not isinstance(data, dict):
            raise PaymentGatewayError(f"gateway answered {method} {_kind(path)} with no JSON object")
        return data


def _kind(path: str) -> str:
    """The request's kind for a log line, without the session id."""
    parts = path.strip("/").split("/")
    return parts[-1] if len(parts) > 1 else parts[0]
