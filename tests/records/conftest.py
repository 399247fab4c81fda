"""Record stores for the records tests: memory, SQLite and PostgreSQL (each test in its own schema)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.bot import Bot
from dialogue.engine import DialogueManager
from dialogue.escalation.engine import EscalationEngine
from dialogue.factory import BotPaths, load_paths
from dialogue.store import MemoryStore, SessionStore, SQLiteStore
from dialogue.store_remote import PostgresStore
from nlu.pipeline import NLU
from tests.dialogue.test_stores import postgres_dsn


@pytest.fixture
async def pg_schema() -> AsyncIterator[tuple[str, str]]:
    """A DSN and a fresh schema name, dropped afterwards."""
    dsn = await postgres_dsn()
    tag = f"ivr_rec_{uuid.uuid4().hex[:12]}"
    try:
        yield dsn, tag
    finally:
        await drop_schema(dsn, tag)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.services)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SessionStore]:
    kind: str = request.param
    if kind == "memory":
        memory: SessionStore = MemoryStore()
        yield memory
    elif kind == "sqlite":
        sqlite: SessionStore = SQLiteStore(tmp_path / "records.db")
        yield sqlite
        await sqlite.close()
    else:
        dsn = await postgres_dsn()
        tag = f"ivr_rec_{uuid.uuid4().hex[:12]}"
        postgres: SessionStore = PostgresStore(dsn, schema=tag)
        try:
            yield postgres
        finally:
            await postgres.close()
            await drop_schema(dsn, tag)


async def drop_schema(dsn: str, tag: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{tag}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sakura() -> tuple[Bot, EscalationEngine]:
    """The sample bot and its escalation rules, loaded once: they are read-only."""
    paths = BotPaths()
    return load_paths(paths), EscalationEngine.load(paths.rules)


@pytest.fixture
async def manager(store: SessionStore, nlu: NLU, sakura: tuple[Bot, EscalationEngine]) -> AsyncIterator[DialogueManager]:
    """The sample bot on `store`; its shared locks (a PostgreSQL pool on PostgreSQL) closed afterwards."""
    bot, escalation = sakura
    built = DialogueManager(bot, nlu, DemoBackend(), store, escalation)
    try:
        yield built
    finally:
        await built.locks.close()
