"""The outbox in PostgreSQL: workers on several hosts claim each due job once (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from dialogue.mail_threads import PostgresMailThreads, ThreadHead
from dialogue.outbound import new_job
from dialogue.outbox_sql import PostgresOutbox, outbox_for
from dialogue.store_remote import PostgresStore
from tests.dialogue.test_stores import postgres_dsn
from tests.outreach.conftest import NOW
from tests.records.conftest import drop_schema

pytestmark = pytest.mark.services


async def test_workers_claim_each_job_once_and_a_restart_keeps_them() -> None:
    dsn, tag = await postgres_dsn(), f"ivr_out_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(dsn, schema=tag)
    booking = outbox_for(store)
    assert isinstance(booking, PostgresOutbox) and booking.schema == tag
    workers = [PostgresOutbox(dsn, tag) for _ in range(4)]
    try:
        jobs = [new_job("callback", f"0901234{i:04d}", NOW, asked=True) for i in range(40)]
        for job in jobs:
            assert await booking.add(job)
        assert not await booking.add(jobs[0])  # a promise is booked once
        await booking.close()  # "restart": the workers are new processes

        async def drain(box: PostgresOutbox) -> list[str]:
            got: list[str] = []
            while claimed := await box.claim_due(NOW, limit=3):
                got.extend(j.id for j in claimed)
            return got

        claimed = [i for ids in await asyncio.gather(*(drain(w) for w in workers)) for i in ids]
        assert sorted(claimed) == sorted(j.id for j in jobs)
        one = await workers[0].update(jobs[0].id, call_sid="CA" + "1" * 32, outcome="connected")
        assert one is not None and one.status == "dialing" and one.attempts == 1
        assert await workers[1].claim_due(NOW + timedelta(minutes=11), limit=100) != []  # stale claims come back
        assert jobs[0].id not in {j.id for j in await workers[2].jobs("due")}
    finally:
        for w in workers:
            await w.close()
        await store.close()
        await drop_schema(dsn, tag)


async def test_an_agents_answer_is_claimed_by_one_worker() -> None:
    dsn, tag = await postgres_dsn(), f"ivr_mt_{uuid.uuid4().hex[:12]}"
    first, second = PostgresMailThreads(dsn, tag), PostgresMailThreads(dsn, tag)
    try:
        head = ThreadHead("<m1@example.jp>", ("<m0@example.jp>",), "注文の件", "taro@example.jp", "山田 太郎")
        await first.remember("mail-1", head)
        claims = await asyncio.gather(first.claim("mail-1", 7), second.claim("mail-1", 7))
        assert sorted(c is not None for c in claims) == [False, True]
        assert next(c for c in claims if c is not None) == head
        assert await second.claim("mail-1", 5) is None and await second.claim("mail-1", 9) == head
    finally:
        await first.close()
        await second.close()
        await drop_schema(dsn, tag)
