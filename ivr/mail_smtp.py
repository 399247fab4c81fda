"""SMTP for the e-mail channel: its settings, the listener (aiosmtpd in the server's event loop) and the
relay replies go out through. What a message means is ivr/email_channel.py's business."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

MAX_MAIL_BYTES = 25 * 1024 * 1024  # larger messages are refused in the SMTP dialogue (552): the sender learns it


@dataclass(frozen=True)
class MailConfig:
    sender: str  # the address replies come from
    relay: tuple[str, int] = ("127.0.0.1", 25)
    listen: tuple[str, int] | None = None
    spool: Path | None = Path("var/mail")
    max_bytes: int = MAX_MAIL_BYTES

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[-1]

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None) -> MailConfig | None:
        """None when the channel is off (no IVR_MAIL_LISTEN); ValueError naming the variable when wrong."""
        env = os.environ if environ is None else environ
        if not env.get("IVR_MAIL_LISTEN"):
            return None
        sender = env.get("IVR_MAIL_FROM", "")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", sender):
            raise ValueError(f"IVR_MAIL_FROM={sender!r}: the address replies are sent from is required")
        spool = env.get("IVR_MAIL_SPOOL")
        return MailConfig(sender=sender, relay=host_port(env.get("IVR_MAIL_RELAY", "127.0.0.1:25"), "IVR_MAIL_RELAY"),
                          listen=host_port(env["IVR_MAIL_LISTEN"], "IVR_MAIL_LISTEN"),
                          spool=Path(spool) if spool else Path("var/mail"))


def host_port(value: str, var: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{var}={value!r}: expected host:port")
    return host, int(port)


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpRelay:
    """Replies go out through an SMTP relay (the company's MTA); smtplib in a thread, with a timeout."""

    def __init__(self, host: str, port: int, timeout_s: float = 10.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            smtp.send_message(message)


async def start_smtp(handler: Any, host: str, port: int, max_bytes: int = MAX_MAIL_BYTES) -> asyncio.Server:
    """An SMTP listener in the running event loop (aiosmtpd's protocol, without its thread)."""
    from aiosmtpd.smtp import SMTP

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO

    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, data_size_limit=max_bytes, enable_SMTPUTF8=True, hostname="ivr", loop=loop),
        host, port)
