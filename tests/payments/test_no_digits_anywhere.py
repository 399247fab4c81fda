"""Payments through the real server (Twilio webhooks, signed), then a search for the card's digits in every
table and column of the store, the logs at DEBUG, `ivr records export` (plain and --redact) and the answers
of the agents' console API. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.escalation.engine import EscalationEngine
from dialogue.factory import BotPaths, load_paths
from dialogue.qa import Checker
from dialogue.store import SessionStore, SQLiteStore
from dialogue.store_remote import PostgresStore
from ivr.cli import main
from ivr.server import create_app
from ivr.voice_common import CONFIG, VoiceConfig
from ivr.voice_twilio import FIXED_NOW
from nlu.pipeline import NLU
from tests.agents.conftest import ENV, login
from tests.dialogue.test_stores import postgres_dsn
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
from tests.records.conftest import drop_schema
from tests.voice.conftest import TOKEN, Phone, call_sid

# what must never be found: the card numbers anywhere; the expiry (also as printed on the card) and the
# code as a run of their own, since four digits turn up by chance inside hex ids and hashes
CARDS = (CARD, DECLINED_CARD)
SHORT = re.compile(rf"(?<![0-9A-Za-z])({EXPIRY}|08/31|{CODE})(?![0-9A-Za-z])")


def leaks(text: str) -> list[str]:
    found = [card for card in CARDS if card in text] + [m.group() for m in SHORT.finditer(text)]
    return [f"{secret}: ...{text[max(0, text.find(secret) - 120):text.find(secret) + 40]}" for secret in found]


@dataclass
class Store:
    store: SessionStore
    url: str  # for `ivr records export --store`
    dump: Any  # async () -> every value of every column of every table, as text


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        path = tmp_path / "ivr.db"
        sqlite_store = SQLiteStore(path)
        yield Store(sqlite_store, f"sqlite:///{path}", lambda: asyncio.to_thread(_sqlite_dump, path))
        await sqlite_store.close()
        return
    dsn = await postgres_dsn()
    tag = f"ivr_pay_{uuid.uuid4().hex[:12]}"
    pg = PostgresStore(dsn, schema=tag)
    try:
        yield Store(pg, f"{dsn}?search_path={tag}", lambda: _postgres_dump(dsn, tag))
    finally:
        await pg.close()
        await drop_schema(dsn, tag)


def _sqlite_dump(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = [f"table {t}" for t in tables]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                out += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row]
        return out
    finally:
        db.close()


async def _postgres_dump(dsn: str, schema: str) -> list[str]:
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        tables = [r["table_name"] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)]
        out = [f"table {t}" for t in tables]
        for table in tables:
            for row in await conn.fetch(f'SELECT t::text AS row FROM "{schema}"."{table}" t'):
                out.append(row["row"])
        return out
    finally:
        await conn.close()


@pytest.fixture
async def manager(store: Store, nlu: NLU, gateway_url: str) -> AsyncIterator[DialogueManager]:
    paths = BotPaths()
    built = DialogueManager(load_paths(paths), nlu, DemoBackend(), store.store, EscalationEngine.load(paths.rules))
    try:
        yield wire_payments(built, gateway_url, timeout_s=1.0)
    finally:
        await built.locks.close()


def export(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["records", "export", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


async def pay(phone: Phone, card: str) -> str:
    await phone.dial()
    await phone.say("請求金額を確認してカードで払いたいです")
    await phone.press(ORDER)
    assert phone.gather().get("input") == "dtmf"  # keypad only while card details are asked
    for entry in (card, EXPIRY):
        await phone.press(entry)
        assert phone.gather().get("input") == "dtmf"
    root = await phone.press(CODE)
    return "".join("".join(s.itertext()) for s in root.iter("Say"))


async def test_card_digits_are_found_nowhere(store: Store, manager: DialogueManager, stand_in: GatewayStandIn,
                                            aiohttp_client: Any, caplog: pytest.LogCaptureFixture,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level("DEBUG")
    for var, value in ENV.items():
        monkeypatch.setenv(var, value)
    app = create_app(manager)
    app[CONFIG] = VoiceConfig(auth_token=TOKEN)
    app[FIXED_NOW] = NOW
    client = await aiohttp_client(app)

    approved, declined, timed_out = (Phone(client, call_sid(n), caller=CALLER) for n in (0xA1, 0xA2, 0xA3))
    said = await pay(approved, CARD)
    assert "承認されました" in said and "末尾4242" in said
    await approved.say("以上です")
    said = await pay(declined, DECLINED_CARD)
    assert "お取り扱いできませんでした" in said
    await declined.say("はい")  # a person, please
    assert declined.twiml is not None and declined.twiml.find("Enqueue") is not None
    stand_in.charge_delay_s = 3.0
    said = await pay(timed_out, CARD)
    assert "ご利用いただけません" in said and timed_out.twiml is not None
    assert timed_out.twiml.find("Enqueue") is not None
    assert len(stand_in.charges) == 2 and not stand_in.refused  # the gateway did get the cards

    # the agents' console: the queue, the cases, live calls, and the transcript an agent opens
    await login(client, "sam", "sam-pw")
    answers = []
    day = NOW.date().isoformat()
    for path in ("/agent/api/queue", "/agent/api/cases", "/agent/api/live", "/agent/api/supervisor",
                 f"/agent/api/qa?from={day}&to={day}"):  # the QA view quotes the turns it flags
        resp = await client.get(path)
        assert resp.status == 200, path
        answers.append(await resp.text())
    for sid in (approved.sid, declined.sid, timed_out.sid):
        resp = await client.get(f"/agent/api/cases/CASE-{sid}")
        assert resp.status == 200, (sid, resp.status)
        answers.append(await resp.text())
    console = "\n".join(answers)
    assert declined.sid in console and "末尾0002" in console, console  # the scan reads real answers

    exports = [await asyncio.to_thread(export, capsys, "--store", store.url, *flags)
               for flags in ((), ("--redact",), ("--format", "csv"))]
    assert all(approved.sid in out and declined.sid in out for out in exports)
    assert "末尾4242" in exports[0]

    # the payment prompts keep the company's protocol (qa/protocol.yaml): keigo, closing, no bare refusal
    checker = Checker()
    breaches = [f"{r['conversation_id']}: {e.rule} {e.text} ({e.why})"
                for r in map(json.loads, exports[0].splitlines()) for e in checker.check(r).failed]
    assert not breaches

    database = "\n".join(await store.dump())
    assert "末尾4242" in database and "ps_1" in database  # the masked line and the gateway's session id
    if "table ivr_once" in database:  # replay keys in the shared store: none derived from the keys pressed
        spoken_turns = 5  # the three requests, 以上です and はい
        assert database.count("|keys") == 3 * 4  # order number, card, expiry, code on each call
        assert database.count("/voice/twilio/turn?seq=") == 3 * 4 + spoken_turns

    logs = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "failed at the gateway" in logs and "declined" in logs
    places = {"database": database, "logs": logs, "console": console, "export": exports[0],
              "export --redact": exports[1], "export csv": exports[2]}
    found = {where: leaks(text) for where, text in places.items() if leaks(text)}
    print(f"{store.url.split(':')[0]}: scanned {database.count(chr(10)) + 1} stored values in "
          f"{database.count('table ')} tables, {len(caplog.records)} log records, {len(console)} characters of "
          f"console answers and {sum(map(len, exports))} of exports: {len(found)} places with card digits")
    assert not found
