"""Outreach fixtures: a bot on a SQLite store (records kept), real SMTP servers on loopback, a fixed clock."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.clock import TOKYO
from dialogue.desk import MemoryDesk
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.store import SQLiteStore
from ivr.email_channel import InboundHandler, MailDesk
from ivr.mail_smtp import MailConfig, SmtpRelay, start_smtp

NOW = datetime(2026, 12, 2, 11, 0, tzinfo=TOKYO)  # a Wednesday morning: agents at work
SUPPORT = "support@sakura-mart.example.jp"


@pytest.fixture
async def manager(tmp_path: Path) -> AsyncIterator[DialogueManager]:
    store = SQLiteStore(tmp_path / "ivr.db")
    yield build_manager(store=store, backend=DemoBackend())
    await store.close()


@dataclass
class Capture:
    """What a mail server received: the messages, parsed, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.original_content))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
async def outbox_server() -> AsyncIterator[tuple[Capture, int]]:
    """The company's relay, as a local SMTP server that keeps what it gets."""
    from aiosmtpd.smtp import SMTP

    capture = Capture()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(capture, hostname="relay", loop=loop), "127.0.0.1", 0)
    yield capture, server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@dataclass
class MailRig:
    desk: MailDesk
    handler: InboundHandler
    port: int
    sent: Capture
    agents: MemoryDesk

    async def send(self, message: EmailMessage | bytes, sender: str = "taro@example.jp") -> None:
        """Deliver a message to the bot's SMTP listener, as the company's MTA would."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        await asyncio.to_thread(_deliver, self.port, sender, raw)


def _deliver(port: int, sender: str, raw: bytes) -> None:
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # SMTP lines end in CRLF
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail(sender, [SUPPORT], raw)


@pytest.fixture
async def rig(manager: DialogueManager, outbox_server: tuple[Capture, int], tmp_path: Path) -> AsyncIterator[MailRig]:
    capture, relay_port = outbox_server
    config = MailConfig(sender=SUPPORT, relay=("127.0.0.1", relay_port), spool=tmp_path / "spool",
                        max_bytes=16 * 1024 * 1024)
    agents = MemoryDesk()
    desk = MailDesk(manager, SmtpRelay("127.0.0.1", relay_port), config, desk=agents, clock=lambda: NOW)
    handler = InboundHandler(desk)
    server = await start_smtp(handler, "127.0.0.1", 0, max_bytes=config.max_bytes)
    yield MailRig(desk, handler, server.sockets[0].getsockname()[1], capture, agents)
    server.close()
    await server.wait_closed()
