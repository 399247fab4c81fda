"""Databases written by the release before records upgrade in place, step by numbered step, once."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from dialogue.events import CallEnded, apply
from dialogue.records import purge, records
from dialogue.state import CallState
from dialogue.store import SQLITE_VERSION, SQLiteStore
from dialogue.store_remote import PG_MIGRATIONS, PG_VERSION, PostgresStore

# the schemas as the release before versioned migrations created them
OLD_SQLITE = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, ended INTEGER NOT NULL,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, state TEXT NOT NULL);
CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
CREATE INDEX events_session ON events (session_id, seq);
CREATE TABLE case_notes (id TEXT PRIMARY KEY, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, note TEXT NOT NULL);
"""
OLD_POSTGRES = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, ended BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    state JSONB NOT NULL);
CREATE INDEX sessions_active ON sessions (id) WHERE NOT ended;
CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, event JSONB NOT NULL);
CREATE INDEX events_session ON events (session_id, seq);
CREATE TABLE case_notes (id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), note JSONB NOT NULL);
CREATE INDEX case_notes_created ON case_notes (created_at DESC);
"""


def old_calls() -> list[tuple[CallState, list[dict[str, object]]]]:
    done = CallState(id="old-done", channel="voice", started_at="2026-10-01T10:00:00+09:00", caller_phone="09012345678",
                     intents=("store_hours",))
    done = apply(done, CallEnded("resolved"))
    live = CallState(id="old-live", channel="chat", started_at="2026-10-01T11:00:00+09:00")
    log: list[dict[str, object]] = [{"type": "bot", "text": "こんにちは。", "at": "2026-10-01T10:00:00+09:00"},
           {"type": "caller", "text": "渋谷店は何時まで？", "at": "2026-10-01T10:00:05+09:00"},
           {"type": "end", "outcome": "resolved", "reason": None, "at": "2026-10-01T10:01:00+09:00"}]
    return [(done, log), (live, [])]


async def _filed(store: SQLiteStore | PostgresStore) -> list[str]:
    """The conversations the contact history finds for the old call's caller."""
    found = await store.customer_contacts(["09012345678"], datetime(2000, 1, 1, tzinfo=UTC), 10)
    return [c.state["id"] for c in found]


async def test_an_old_sqlite_database_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD_SQLITE)
    for state, log in old_calls():
        db.execute("INSERT INTO sessions (id, ended, state) VALUES (?, ?, ?)",
                   (state.id, int(state.ended), json.dumps(state.to_json(), ensure_ascii=False)))
        db.executemany("INSERT INTO events (session_id, event) VALUES (?, ?)", [(state.id, json.dumps(e)) for e in log])
    db.execute("INSERT INTO case_notes (id, note) VALUES ('CASE-old-done', '{\"case_id\": \"CASE-old-done\"}')")
    db.commit()
    db.close()

    store = SQLiteStore(path)
    try:
        [record] = await records(store)
        assert record["conversation_id"] == "old-done" and record["started_at"] == "2026-10-01T10:00:00+09:00"
        assert record["ended_at"] == "2026-10-01T10:01:00+09:00"
        assert record["case_note"] == {"case_id": "CASE-old-done"}
        assert [t["text"] for t in record["transcript"]] == ["こんにちは。", "渋谷店は何時まで？"]
        assert [s.id for s in await store.active()] == ["old-live"]
        assert await _filed(store) == ["old-done"]  # step 3 filed the finished call under its caller
        version = store._conn().execute("PRAGMA user_version").fetchone()[0]
        assert version == SQLITE_VERSION
    finally:
        await store.close()
    again = SQLiteStore(path)  # opened again: nothing to do
    try:
        assert len(await records(again)) == 1
    finally:
        await again.close()


@pytest.mark.services
async def test_an_old_postgres_database_upgrades(pg_schema: tuple[str, str]) -> None:
    dsn, tag = pg_schema
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{tag}"; SET search_path = "{tag}"')
        await conn.execute(OLD_POSTGRES)
        for state, log in old_calls():
            await conn.execute("INSERT INTO sessions (id, ended, state) VALUES ($1, $2, $3::jsonb)",
                               state.id, state.ended, json.dumps(state.to_json(), ensure_ascii=False))
            await conn.executemany("INSERT INTO events (session_id, event) VALUES ($1, $2::jsonb)",
                                   [(state.id, json.dumps(e, ensure_ascii=False)) for e in log])
        await conn.execute("""INSERT INTO case_notes (id, note) VALUES ('CASE-old-done', '{"case_id": "CASE-old-done"}')""")
    finally:
        await conn.close()

    for _ in range(2):  # the second start finds nothing to migrate
        store = PostgresStore(dsn, schema=tag)
        try:
            [record] = await records(store)
            assert record["conversation_id"] == "old-done" and record["started_at"] == "2026-10-01T10:00:00+09:00"
            assert record["ended_at"] == "2026-10-01T10:01:00+09:00"
            assert record["case_note"] == {"case_id": "CASE-old-done"} and len(record["transcript"]) == 2
            assert [s.id for s in await store.active()] == ["old-live"]
            assert await _filed(store) == ["old-done"]
        finally:
            await store.close()

    conn = await asyncpg.connect(dsn)
    try:
        versions = [r[0] for r in await conn.fetch(f'SELECT version FROM "{tag}".schema_version ORDER BY version')]
    finally:
        await conn.close()
    assert versions == [v for v, _ in PG_MIGRATIONS] and versions[-1] == PG_VERSION

    store = PostgresStore(dsn, schema=tag)
    try:
        assert await purge(store, datetime(2026, 11, 1, tzinfo=UTC)) == 2
    finally:
        await store.close()


@pytest.mark.services
async def test_a_new_postgres_database_starts_at_the_last_version(pg_schema: tuple[str, str]) -> None:
    dsn, tag = pg_schema
    store = PostgresStore(dsn, schema=tag)
    try:
        assert await records(store) == []
    finally:
        await store.close()
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval(f'SELECT max(version) FROM "{tag}".schema_version') == PG_VERSION
        columns = {r[0] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sessions'", tag)}
    finally:
        await conn.close()
    assert {"started_at", "ended_at", "case_id", "extra"} <= columns
