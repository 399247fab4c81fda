"""Mail threads handed to agents: where an agent's answer goes, and which answers went already.

An e-mail case on the agents' desk is answered by mail: the agent's message is sent as a reply to the
customer's latest mail of the thread. This table keeps that mail's headers per conversation and the desk
message last sent, so an answer is mailed once, by one worker (an atomic UPDATE ... RETURNING claims it),
and after a restart. It lives beside the conversations like the outbox (dialogue/outbox_sql.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dialogue.mail_text import InboundMail
from dialogue.pg_tables import PgTables

_DDL = ("CREATE TABLE IF NOT EXISTS mail_threads (conversation_id TEXT PRIMARY KEY, message_id TEXT NOT NULL,"
        " refs TEXT NOT NULL, subject TEXT NOT NULL, sender TEXT NOT NULL, sender_name TEXT NOT NULL,"
        " relayed_seq BIGINT NOT NULL DEFAULT 0)")
_COLUMNS = "message_id, refs, subject, sender, sender_name"


@dataclass(frozen=True, slots=True)
class ThreadHead:
    """The customer's latest mail of a thread: what a reply answers."""

    message_id: str
    references: tuple[str, ...]
    subject: str
    sender: str
    sender_name: str

    @staticmethod
    def of(mail: InboundMail) -> ThreadHead:
        return ThreadHead(mail.message_id, mail.references, mail.subject, mail.sender, mail.sender_name)

    def as_mail(self) -> InboundMail:
        return InboundMail(message_id=self.message_id, sender=self.sender, sender_name=self.sender_name,
                           subject=self.subject, in_reply_to=None, references=self.references, text="", words="")

    def _values(self) -> tuple[str, str, str, str, str]:
        return self.message_id, " ".join(self.references), self.subject, self.sender, self.sender_name


def _head(row: Any) -> ThreadHead:
    return ThreadHead(row[0], tuple(str(row[1]).split()), row[2], row[3], row[4])


class MailThreads(Protocol):
    async def remember(self, conversation_id: str, head: ThreadHead) -> None:
        """The thread's latest customer mail (the desk's messages already sent stay sent)."""
    async def claim(self, conversation_id: str, seq: int) -> ThreadHead | None:
        """Desk message `seq` is to be mailed: the head to reply to, if no worker sent it (or a later one)."""
    async def close(self) -> None: ...


class SQLiteMailThreads:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path or ":memory:", isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout=5000")
            db.execute(_DDL)
            self._db = db
        return self._db

    async def remember(self, conversation_id: str, head: ThreadHead) -> None:
        self._conn().execute(
            f"INSERT INTO mail_threads (conversation_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(conversation_id) DO UPDATE SET message_id = excluded.message_id, refs = excluded.refs, "
            "subject = excluded.subject, sender = excluded.sender, sender_name = excluded.sender_name",
            (conversation_id, *head._values()))

    async def claim(self, conversation_id: str, seq: int) -> ThreadHead | None:
        row = self._conn().execute(
            f"UPDATE mail_threads SET relayed_seq = ? WHERE conversation_id = ? AND relayed_seq < ? RETURNING {_COLUMNS}",
            (seq, conversation_id, seq)).fetchone()
        return _head(row) if row else None

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class PostgresMailThreads:
    def __init__(self, dsn: str, schema: str | None = None, timeout_s: float = 5.0) -> None:
        self._pg = PgTables(dsn, schema, ddl=_DDL, name="mail_threads", max_size=2, timeout_s=timeout_s)
        self.dsn, self.schema = dsn, schema

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._pg.fetch(sql, *args)

    async def remember(self, conversation_id: str, head: ThreadHead) -> None:
        await self._fetch(
            f"INSERT INTO mail_threads (conversation_id, {_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT (conversation_id) DO UPDATE SET message_id = excluded.message_id, refs = excluded.refs, "
            "subject = excluded.subject, sender = excluded.sender, sender_name = excluded.sender_name",
            conversation_id, *head._values())

    async def claim(self, conversation_id: str, seq: int) -> ThreadHead | None:
        rows = await self._fetch(
            f"UPDATE mail_threads SET relayed_seq = $1 WHERE conversation_id = $2 AND relayed_seq < $1 "
            f"RETURNING {_COLUMNS}", seq, conversation_id)
        return _head(rows[0]) if rows else None

    async def close(self) -> None:
        await self._pg.close()


def mail_threads_for(store: object) -> MailThreads:
    """Beside the session store: its SQLite file or PostgreSQL schema; in memory otherwise."""
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        return SQLiteMailThreads(path)
    dsn = getattr(store, "dsn", None)
    if isinstance(dsn, str):
        return PostgresMailThreads(dsn, getattr(store, "schema", None))
    return SQLiteMailThreads(None)
