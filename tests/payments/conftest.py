"""A local payment gateway stand-in (the HTTP protocol of docs/payments.md), and the sample bot wired to it."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from dialogue.backends.payment_gateway import HttpPaymentGateway
from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.payments import PaymentDesk

GATEWAY_TOKEN = "gw-test-token"  # made up: tests never see a real secret
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)  # a Tuesday morning: the billing desk is open
# test cards: Luhn-valid, and not found by chance in ids or timestamps
CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
EXPIRY = "0831"  # August 2031
CODE = "7391"
ORDER = "12345678"  # the demo order of +819012345678: 12,800 yen
CALLER = "+819012345678"


@dataclass
class GatewayStandIn:
    """Checks every request as a gateway would, keeps what it was given, answers approved or declined."""

    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why requests were refused (a test expects none)
    charge_delay_s: float = 0.0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/sessions", self.open)
        app.router.add_put("/sessions/{sid}/{field}", self.submit)
        app.router.add_post("/sessions/{sid}/charge", self.charge)
        app.middlewares.append(self._auth)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {GATEWAY_TOKEN}":
            return self._refuse(401, "no or wrong token")
        if request.content_type != "application/json":
            return self._refuse(415, "not JSON")
        response: web.StreamResponse = await handler(request)
        return response

    def _refuse(self, status: int, why: str) -> web.Response:
        self.refused.append(why)
        return web.json_response({"error": why}, status=status)

    async def open(self, request: web.Request) -> web.Response:
        body = await request.json()
        amount, currency, reference = body.get("amount"), body.get("currency"), body.get("reference")
        if not isinstance(amount, int) or amount <= 0 or currency != "JPY" or not reference:
            return self._refuse(422, f"bad session {body}")
        sid = f"ps_{next(self._ids)}"
        self.sessions[sid] = {"amount": amount, "reference": reference, "description": body.get("description")}
        return web.json_response({"session": sid}, status=201)

    async def submit(self, request: web.Request) -> web.Response:
        sid, name = request.match_info["sid"], request.match_info["field"]
        value = (await request.json()).get("value")
        if sid not in self.sessions or name not in ("card_number", "card_expiry", "card_code"):
            return self._refuse(404, f"unknown session or field {name}")
        if not isinstance(value, str) or not value.isdigit():
            return self._refuse(422, f"{name} is not digits")
        self.sessions[sid][name] = value
        return web.Response(status=204)

    async def charge(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        session = self.sessions.get(sid)
        if session is None or not all(k in session for k in ("card_number", "card_expiry", "card_code")):
            return self._refuse(409, "charge before every field")
        await asyncio.sleep(self.charge_delay_s)
        self.charges.append(dict(session))
        if session["card_number"] == DECLINED_CARD:
            return web.json_response({"status": "declined", "reason": "insufficient_funds"})
        return web.json_response({"status": "approved", "approval_code": "A7Q2ZK"})


@pytest.fixture
def stand_in() -> GatewayStandIn:
    return GatewayStandIn()


@pytest.fixture
async def gateway_url(stand_in: GatewayStandIn, aiohttp_server: Any) -> str:
    server: TestServer = await aiohttp_server(stand_in.app())
    return str(server.make_url("")).rstrip("/")


def wire_payments(manager: DialogueManager, url: str, timeout_s: float = 2.0) -> DialogueManager:
    """The sample bot, its billing requests taken to the payment flow (the sample's pay_balance)."""
    manager.payments = PaymentDesk(HttpPaymentGateway(url, GATEWAY_TOKEN), timeout_s=timeout_s)
    bot = manager.bot
    manager.reload(replace(bot, by_intent={**bot.by_intent, "billing_inquiry": "pay_balance"}))
    return manager
