"""The hand-over desk: conversations waiting for a person, who took them, and what agents and users said.

Everything here lives in a store, not in a process, so that an agent on one `ivr serve` worker can answer a
user whose chat socket is open on another. A store implements a handful of primitives (load / compare-and-
set a contact, append / read messages, agent states, revoked console logins); the transitions (accept,
release, transfer, close) are written once, in `Desk`, on top of them. A compare-and-set on a version
number makes two agents pressing "accept" on two workers at the same moment safe: one wins, one gets 409.

Implementations: `MemoryDesk` (tests, one process), `SQLiteDesk` (the default store, shared by processes
on one host), `PostgresDesk` (several hosts). `open_desk(store)` picks the one that matches the session
store, so hand-over state lives where the conversations do (a Redis store gets the in-process desk, with a
warning: agents then have to reach the worker that holds the chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from dialogue.clock import TOKYO
from dialogue.pg_tables import PgTables
from dialogue.store import SQLiteStore
from dialogue.store_remote import PostgresStore

log = logging.getLogger(__name__)

Status = Literal["queued", "assigned", "released", "closed", "abandoned"]
OPEN: tuple[Status, ...] = ("queued", "assigned")  # the user is with the desk, not the bot
AgentStateName = Literal["available", "busy", "after_call_work", "offline"]
AGENT_STATES: tuple[AgentStateName, ...] = ("available", "busy", "after_call_work", "offline")
MessageKind = Literal["user", "agent", "system", "bot_session"]
MAX_MESSAGE_CHARS = 2000
_CAS_TRIES = 8


class DeskError(Exception):
    """A transition that cannot happen; `code` maps to an HTTP status in the agent API."""

    def __init__(self, code: Literal["not_found", "conflict", "forbidden", "invalid"], message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Contact:
    """One conversation handed to people: from the moment it is queued until it is closed."""

    id: str  # the conversation id (the chat's first session id)
    channel: str
    queue: str
    reason: str | None
    priority: int
    queued_at: float  # epoch seconds; the wait is measured from here
    status: Status = "queued"
    case_id: str | None = None
    caller: str | None = None
    agent: str | None = None
    agent_name: str | None = None
    first_queued_at: float | None = None
    accepted_at: float | None = None
    ended_at: float | None = None
    wait_s: float = 0.0  # time spent queued, over every transfer
    handle_s: float = 0.0  # time spent with agents
    disposition: str | None = None
    note: str | None = None  # the agent's note when handing back to the bot
    bot_session: str | None = None  # the bot session the user talks to after a release
    bot_sessions: int = 1  # how many bot sessions the conversation has had

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Contact:
        return Contact(**data)


@dataclass(frozen=True, slots=True)
class DeskMessage:
    seq: int
    kind: MessageKind
    text: str
    at: str  # ISO-8601, Japan time
    author: str | None = None  # agent user name for agent messages
    author_name: str | None = None  # what the user is shown
    event: str | None = None  # system: accepted | released | transferred | closed | queued
    session_id: str | None = None  # bot_session: the bot session that starts here


@dataclass(frozen=True, slots=True)
class AgentState:
    name: str
    state: AgentStateName
    since: float
    display_name: str | None = None
    skills: tuple[str, ...] = field(default_factory=tuple)


def in_line_order(c: Contact) -> tuple[int, float]:
    """The order people answer waiting conversations in, on every channel (the console's queue, the agents'
    phone line, the wait a caller is told): the ACD's priority first (emotion, VIP, repeat contact raised it
    at routing), then the longest wait among equals."""
    return (-c.priority, c.queued_at)


def _iso(now: float) -> str:
    return datetime.fromtimestamp(now, TOKYO).isoformat(timespec="seconds")


class Desk(ABC):
    """Transitions over store primitives. `now` is injectable so tests need no sleeps."""

    poll_s: float = 0.5  # how often a chat socket looks for agent messages when no notification comes

    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}

    # -- primitives -------------------------------------------------------------------------------------

    @abstractmethod
    async def _load(self, cid: str) -> tuple[Contact, int] | None: ...

    @abstractmethod
    async def _cas(self, contact: Contact, version: int) -> bool:
        """Write `contact` if its stored version is still `version` (0: not stored yet)."""

    @abstractmethod
    async def _list(self, statuses: Iterable[str], since: float | None = None) -> list[Contact]:
        """Contacts in these states, written at or after `since` (epoch seconds) when given."""

    @abstractmethod
    async def _append(self, cid: str, msg: DeskMessage) -> int:
        """Store a message; returns its seq (increasing per desk)."""

    @abstractmethod
    async def messages(self, cid: str, after: int = 0) -> list[DeskMessage]: ...

    @abstractmethod
    async def set_agent(self, agent: AgentState) -> None: ...

    @abstractmethod
    async def agents(self) -> list[AgentState]: ...

    @abstractmethod
    async def revoke(self, token_id: str, until: float) -> None:
        """Mark a console login as logged out (until it would have expired anyway)."""

    @abstractmethod
    async def revoked(self, token_id: str) -> bool: ...

    async def close(self) -> None:
        return None

    # -- notifications (in-process; other processes poll) -------------------------------------------------

    def _notify(self, cid: str) -> None:
        ev = self._changed.pop(cid, None)
        if ev is not None:
            ev.set()

    async def wait_change(self, cid: str) -> None:
        """Return when this process changed the conversation, or after `poll_s` (to see other processes')."""
        ev = self._changed.setdefault(cid, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ev.wait(), self.poll_s)

    # -- reading ------------------------------------------------------------------------------------------

    async def contact(self, cid: str) -> Contact | None:
        found = await self._load(cid)
        return found[0] if found else None

    async def waiting(self) -> list[Contact]:
        """Queued conversations, highest priority first, then longest wait first."""
        return sorted(await self._list(["queued"]), key=in_line_order)

    async def open_contacts(self) -> list[Contact]:
        return await self._list(OPEN)

    async def recent(self, statuses: Iterable[str] = ("closed", "released"), since: float | None = None) -> list[Contact]:
        """Contacts in these states last changed at or after `since`: the desk keeps every contact, so
        readers that run often (the wait estimate) look back a bounded time."""
        return await self._list(statuses, since)

    async def agent(self, name: str) -> AgentState | None:
        return next((a for a in await self.agents() if a.name == name), None)

    # -- transitions -------------------------------------------------------------------------------------

    async def _update(self, cid: str, change: Any) -> Contact:
        """Read, change, compare-and-set; retried when another worker wrote in between."""
        for _ in range(_CAS_TRIES):
            found = await self._load(cid)
            if found is None:
                raise DeskError("not_found", f"no conversation {cid} with the desk")
            contact, version = found
            new = change(contact)
            if await self._cas(new, version):
                self._notify(cid)
                return new  # type: ignore[no-any-return]
        raise DeskError("conflict", f"conversation {cid} is being changed by someone else; try again")

    async def say(self, cid: str, kind: MessageKind, text: str, now: float | None = None, **extra: Any) -> int:
        seq = await self._append(cid, DeskMessage(0, kind, text[:MAX_MESSAGE_CHARS], _iso(now or time.time()), **extra))
        self._notify(cid)
        return seq

    async def enqueue(self, contact: Contact, now: float | None = None) -> Contact:
        """A conversation handed over by the bot (again, after a release) waits for a person."""
        now = now or time.time()
        found = await self._load(contact.id)
        if found is None:
            new = replace(contact, status="queued", queued_at=now, first_queued_at=now)
            if not await self._cas(new, 0):
                raise DeskError("conflict", f"conversation {contact.id} was queued twice at once")
        else:
            old = found[0]
            if old.status in OPEN:
                return old  # the same hand-over reported twice (a retried turn): keep its place in the queue

            def requeue(c: Contact) -> Contact:
                return replace(c, status="queued", queue=contact.queue, reason=contact.reason,
                               priority=contact.priority, case_id=contact.case_id or c.case_id, queued_at=now,
                               agent=None, agent_name=None, accepted_at=None, ended_at=None)

            new = await self._update(contact.id, requeue)
        await self.say(contact.id, "system", "", now, event="queued")
        return new

    async def accept(self, cid: str, agent: str, agent_name: str, now: float | None = None) -> Contact:
        now = now or time.time()

        def take(c: Contact) -> Contact:
            if c.status == "assigned" and c.agent == agent:
                return c
            if c.status != "queued":
                who = f" by {c.agent}" if c.status == "assigned" else ""
                raise DeskError("conflict", f"conversation {cid} is {c.status}{who}, not waiting")
            return replace(c, status="assigned", agent=agent, agent_name=agent_name, accepted_at=now,
                           wait_s=c.wait_s + max(0.0, now - c.queued_at))

        before = await self.contact(cid)
        contact = await self._update(cid, take)
        if before is not None and before.status == "queued":
            await self.say(cid, "system", f"担当の{agent_name}がお伺いします。", now, event="accepted",
                           author=agent, author_name=agent_name)
            await self.set_agent_state(agent, "busy", now)
        return contact

    def _mine(self, c: Contact, agent: str) -> None:
        if c.status != "assigned":
            raise DeskError("conflict", f"conversation {c.id} is {c.status}: accept it first")
        if c.agent != agent:
            raise DeskError("conflict", f"conversation {c.id} is handled by {c.agent}")

    async def post(self, cid: str, agent: str, text: str, now: float | None = None) -> DeskMessage:
        contact = await self.contact(cid)
        if contact is None:
            raise DeskError("not_found", f"no conversation {cid} with the desk")
        self._mine(contact, agent)
        now = now or time.time()
        seq = await self.say(cid, "agent", text, now, author=agent, author_name=contact.agent_name)
        return DeskMessage(seq, "agent", text[:MAX_MESSAGE_CHARS], _iso(now), agent, contact.agent_name)

    async def user_said(self, cid: str, text: str, now: float | None = None) -> int:
        return await self.say(cid, "user", text, now)

    def _leave(self, c: Contact, now: float) -> Contact:
        handled = now - c.accepted_at if c.accepted_at is not None else 0.0
        return replace(c, ended_at=now, handle_s=c.handle_s + max(0.0, handled))

    async def release(self, cid: str, agent: str, note: str | None, bot_session: str,
                      now: float | None = None) -> Contact:
        """Back to the bot: the user's next message starts `bot_session`."""
        now = now or time.time()

        def give_back(c: Contact) -> Contact:
            self._mine(c, agent)
            return replace(self._leave(c, now), status="released", note=note, bot_session=bot_session,
                           bot_sessions=c.bot_sessions + 1)

        contact = await self._update(cid, give_back)
        await self.say(cid, "system", note or "", now, event="released", author=agent, session_id=bot_session)
        await self.set_agent_state(agent, "after_call_work", now)
        return contact

    async def transfer(self, cid: str, agent: str, queue: str, priority: int | None = None,
                       now: float | None = None) -> Contact:
        now = now or time.time()

        def move(c: Contact) -> Contact:
            if c.status == "assigned":
                self._mine(c, agent)
            elif c.status != "queued":
                raise DeskError("conflict", f"conversation {cid} is {c.status}")
            left = self._leave(c, now) if c.status == "assigned" else c
            waited = c.wait_s + max(0.0, now - c.queued_at) if c.status == "queued" else c.wait_s
            return replace(left, status="queued", queue=queue, queued_at=now, agent=None, agent_name=None,
                           accepted_at=None, ended_at=None, wait_s=waited,
                           priority=c.priority if priority is None else priority)

        before = await self.contact(cid)
        contact = await self._update(cid, move)
        await self.say(cid, "system", queue, now, event="transferred", author=agent)
        if before is not None and before.status == "assigned":
            await self.set_agent_state(agent, "after_call_work", now)
        return contact

    async def close_contact(self, cid: str, agent: str, disposition: str, now: float | None = None) -> Contact:
        now = now or time.time()

        def finish(c: Contact) -> Contact:
            self._mine(c, agent)
            return replace(self._leave(c, now), status="closed", disposition=disposition)

        contact = await self._update(cid, finish)
        await self.say(cid, "system", disposition, now, event="closed", author=agent)
        await self.set_agent_state(agent, "after_call_work", now)
        return contact

    async def abandon(self, cid: str, now: float | None = None) -> Contact | None:
        """The user left while waiting: the entry leaves the queue (an agent cannot answer nobody)."""
        now = now or time.time()
        current = await self.contact(cid)
        if current is None or current.status != "queued":
            return current

        def leave(c: Contact) -> Contact:
            if c.status != "queued":
                return c
            return replace(c, status="abandoned", ended_at=now, wait_s=c.wait_s + max(0.0, now - c.queued_at))

        return await self._update(cid, leave)

    async def set_agent_state(self, name: str, state: AgentStateName, now: float | None = None,
                              display_name: str | None = None, skills: tuple[str, ...] | None = None) -> AgentState:
        old = await self.agent(name)
        new = AgentState(name, state, now or time.time(),
                         display_name if display_name is not None else (old.display_name if old else None),
                         skills if skills is not None else (old.skills if old else ()))
        await self.set_agent(new)
        return new


# -- in memory ---------------------------------------------------------------------------------------------


class MemoryDesk(Desk):
    """One process: tests and `ivr chat`. Values are kept as JSON so nothing is shared by reference."""

    poll_s = 5.0  # every change in this process notifies at once; polling is only a safety net

    def __init__(self) -> None:
        super().__init__()
        self._contacts: dict[str, tuple[str, int, float]] = {}  # id -> (contact JSON, version, written at)
        self._messages: list[tuple[str, DeskMessage]] = []
        self._agents: dict[str, AgentState] = {}
        self._revoked: dict[str, float] = {}

    async def _load(self, cid: str) -> tuple[Contact, int] | None:
        raw = self._contacts.get(cid)
        return (Contact.from_json(json.loads(raw[0])), raw[1]) if raw else None

    async def _cas(self, contact: Contact, version: int) -> bool:
        current = self._contacts.get(contact.id, ("", 0, 0.0))[1]
        if current != version:
            return False
        self._contacts[contact.id] = (json.dumps(contact.to_json(), ensure_ascii=False), version + 1, time.time())
        return True

    async def _list(self, statuses: Iterable[str], since: float | None = None) -> list[Contact]:
        wanted = set(statuses)
        contacts = [Contact.from_json(json.loads(raw)) for raw, _, at in self._contacts.values()
                    if since is None or at >= since]
        return [c for c in contacts if c.status in wanted]

    async def _append(self, cid: str, msg: DeskMessage) -> int:
        seq = len(self._messages) + 1
        self._messages.append((cid, replace(msg, seq=seq)))
        return seq

    async def messages(self, cid: str, after: int = 0) -> list[DeskMessage]:
        return [m for c, m in self._messages if c == cid and m.seq > after]

    async def set_agent(self, agent: AgentState) -> None:
        self._agents[agent.name] = agent

    async def agents(self) -> list[AgentState]:
        return list(self._agents.values())

    async def revoke(self, token_id: str, until: float) -> None:
        self._revoked[token_id] = until

    async def revoked(self, token_id: str) -> bool:
        return token_id in self._revoked


# -- SQLite ------------------------------------------------------------------------------------------------

_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS desk_contacts (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, version INTEGER NOT NULL, touched REAL NOT NULL, contact TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS desk_contacts_status ON desk_contacts (status, touched);
CREATE TABLE IF NOT EXISTS desk_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, contact_id TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS desk_messages_contact ON desk_messages (contact_id, seq);
CREATE TABLE IF NOT EXISTS desk_agents (name TEXT PRIMARY KEY, agent TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS desk_revoked (token_id TEXT PRIMARY KEY, until REAL NOT NULL);
"""


def _agent_json(a: AgentState) -> str:
    return json.dumps({**asdict(a), "skills": list(a.skills)}, ensure_ascii=False)


def _agent_from(raw: str) -> AgentState:
    data = json.loads(raw)
    return AgentState(data["name"], data["state"], float(data["since"]), data.get("display_name"),
                      tuple(data.get("skills") or ()))


def _message_json(m: DeskMessage) -> str:
    return json.dumps({k: v for k, v in asdict(m).items() if k != "seq"}, ensure_ascii=False)


class SQLiteDesk(Desk):
    """Tables next to the session store's, in the same file, on their own connection (same reasoning as
    SQLiteStore: a local WAL write costs less than a hop to a thread)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SQLITE_SCHEMA)
        return self._db

    async def _load(self, cid: str) -> tuple[Contact, int] | None:
        row = self._conn().execute("SELECT contact, version FROM desk_contacts WHERE id = ?", (cid,)).fetchone()
        return (Contact.from_json(json.loads(row[0])), int(row[1])) if row else None

    async def _cas(self, contact: Contact, version: int) -> bool:
        raw = json.dumps(contact.to_json(), ensure_ascii=False)
        db = self._conn()
        if version == 0:
            cur = db.execute("INSERT OR IGNORE INTO desk_contacts (id, status, version, touched, contact) "
                             "VALUES (?, ?, 1, ?, ?)", (contact.id, contact.status, time.time(), raw))
        else:
            cur = db.execute("UPDATE desk_contacts SET status = ?, version = version + 1, touched = ?, contact = ? "
                             "WHERE id = ? AND version = ?", (contact.status, time.time(), raw, contact.id, version))
        return cur.rowcount == 1

    async def _list(self, statuses: Iterable[str], since: float | None = None) -> list[Contact]:
        wanted = list(statuses)
        marks = ",".join("?" * len(wanted))
        rows = self._conn().execute(f"SELECT contact FROM desk_contacts WHERE status IN ({marks}) AND touched >= ?",
                                    [*wanted, since if since is not None else float("-inf")])
        return [Contact.from_json(json.loads(r[0])) for r in rows.fetchall()]

    async def _append(self, cid: str, msg: DeskMessage) -> int:
        cur = self._conn().execute("INSERT INTO desk_messages (contact_id, message) VALUES (?, ?)",
                                   (cid, _message_json(msg)))
        return int(cur.lastrowid or 0)

    async def messages(self, cid: str, after: int = 0) -> list[DeskMessage]:
        rows = self._conn().execute(
            "SELECT seq, message FROM desk_messages WHERE contact_id = ? AND seq > ? ORDER BY seq", (cid, after))
        return [DeskMessage(seq=int(s), **json.loads(m)) for s, m in rows.fetchall()]

    async def set_agent(self, agent: AgentState) -> None:
        self._conn().execute("INSERT OR REPLACE INTO desk_agents (name, agent) VALUES (?, ?)",
                             (agent.name, _agent_json(agent)))

    async def agents(self) -> list[AgentState]:
        return [_agent_from(r[0]) for r in self._conn().execute("SELECT agent FROM desk_agents").fetchall()]

    async def revoke(self, token_id: str, until: float) -> None:
        db = self._conn()
        db.execute("DELETE FROM desk_revoked WHERE until < ?", (time.time(),))
        db.execute("INSERT OR REPLACE INTO desk_revoked (token_id, until) VALUES (?, ?)", (token_id, until))

    async def revoked(self, token_id: str) -> bool:
        row = self._conn().execute("SELECT 1 FROM desk_revoked WHERE token_id = ?", (token_id,)).fetchone()
        return row is not None

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# -- PostgreSQL -------------------------------------------------------------------------------------------

_PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS desk_contacts (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, version INTEGER NOT NULL, touched DOUBLE PRECISION NOT NULL,
    contact TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS desk_contacts_status ON desk_contacts (status, touched);
CREATE TABLE IF NOT EXISTS desk_messages (seq BIGSERIAL PRIMARY KEY, contact_id TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS desk_messages_contact ON desk_messages (contact_id, seq);
CREATE TABLE IF NOT EXISTS desk_agents (name TEXT PRIMARY KEY, agent TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS desk_revoked (token_id TEXT PRIMARY KEY, until DOUBLE PRECISION NOT NULL);
"""


class PostgresDesk(Desk):
    """The desk for several hosts: its own small asyncpg pool, in the session store's schema."""

    def __init__(self, dsn: str, *, schema: str | None = None, timeout_s: float = 5.0) -> None:
        super().__init__()
        self.dsn, self.schema, self.timeout_s = dsn, schema, timeout_s
        self._pg = PgTables(dsn, schema, ddl=_PG_SCHEMA, name="desk", timeout_s=timeout_s)

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._pg.fetch(sql, *args)

    async def _execute(self, sql: str, *args: Any) -> str:
        return await self._pg.execute(sql, *args)

    async def _load(self, cid: str) -> tuple[Contact, int] | None:
        rows = await self._fetch("SELECT contact, version FROM desk_contacts WHERE id = $1", cid)
        return (Contact.from_json(json.loads(rows[0][0])), int(rows[0][1])) if rows else None

    async def _cas(self, contact: Contact, version: int) -> bool:
        raw = json.dumps(contact.to_json(), ensure_ascii=False)
        if version == 0:
            done = await self._execute("INSERT INTO desk_contacts (id, status, version, touched, contact) "
                                       "VALUES ($1, $2, 1, $3, $4) ON CONFLICT (id) DO NOTHING",
                                       contact.id, contact.status, time.time(), raw)
        else:
            done = await self._execute("UPDATE desk_contacts SET status = $1, version = version + 1, touched = $2, "
                                       "contact = $3 WHERE id = $4 AND version = $5",
                                       contact.status, time.time(), raw, contact.id, version)
        return done.endswith(" 1")

    async def _list(self, statuses: Iterable[str], since: float | None = None) -> list[Contact]:
        rows = await self._fetch("SELECT contact FROM desk_contacts WHERE status = ANY($1::text[]) AND touched >= $2",
                                 list(statuses), since if since is not None else float("-inf"))
        return [Contact.from_json(json.loads(r[0])) for r in rows]

    async def _append(self, cid: str, msg: DeskMessage) -> int:
        rows = await self._fetch("INSERT INTO desk_messages (contact_id, message) VALUES ($1, $2) RETURNING seq",
                                 cid, _message_json(msg))
        return int(rows[0][0])

    async def messages(self, cid: str, after: int = 0) -> list[DeskMessage]:
        rows = await self._fetch("SELECT seq, message FROM desk_messages WHERE contact_id = $1 AND seq > $2 "
                                 "ORDER BY seq", cid, after)
        return [DeskMessage(seq=int(r[0]), **json.loads(r[1])) for r in rows]

    async def set_agent(self, agent: AgentState) -> None:
        await self._execute("INSERT INTO desk_agents (name, agent) VALUES ($1, $2) "
                            "ON CONFLICT (name) DO UPDATE SET agent = excluded.agent", agent.name, _agent_json(agent))

    async def agents(self) -> list[AgentState]:
        return [_agent_from(r[0]) for r in await self._fetch("SELECT agent FROM desk_agents")]

    async def revoke(self, token_id: str, until: float) -> None:
        await self._execute("DELETE FROM desk_revoked WHERE until < $1", time.time())
        await self._execute("INSERT INTO desk_revoked (token_id, until) VALUES ($1, $2) "
                            "ON CONFLICT (token_id) DO UPDATE SET until = excluded.until", token_id, until)

    async def revoked(self, token_id: str) -> bool:
        return bool(await self._fetch("SELECT 1 FROM desk_revoked WHERE token_id = $1", token_id))

    async def close(self) -> None:
        await self._pg.close()


def open_desk(store: object) -> Desk:
    """The desk that lives where the session store does (see the module doc)."""
    if isinstance(store, SQLiteStore):
        return SQLiteDesk(store.path)
    if isinstance(store, PostgresStore):
        return PostgresDesk(store.dsn, schema=store.schema)
    if type(store).__name__ != "MemoryStore":
        log.warning("%s: hand-over state is kept in this process only (agents must use the same worker)",
                    type(store).__name__)
    return MemoryDesk()
