"""Contact history: keys, the repeat count, the profile, and what the dialogue manager does with them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.crm import Customers, Flag, customer_key, past_contact, profile, repeat_of
from dialogue.desk import MemoryDesk, SQLiteDesk
from dialogue.factory import build_manager
from dialogue.records import put_records, record
from dialogue.store import SQLiteStore
from tests.crm.conftest import NOW, PHONE, past


@pytest.mark.parametrize(("raw", "key"), [
    ("090-1234-5678", "09012345678"),
    ("+81 90 1234 5678", "09012345678"),
    ("０９０１２３４５６７８", "09012345678"),
    ("Taro@Example.JP", "taro@example.jp"),
    ("12345", None),
    ("", None),
    ("hello", None),
])
def test_customer_keys(raw: str, key: str | None) -> None:
    assert customer_key(raw) == key


def test_third_contact_about_one_order_escalates() -> None:
    history = [past_contact(past("a", 3)), past_contact(past("b", 1)), past_contact(past("old", 20))]
    found = repeat_of(history, NOW, order_id="12345678")
    assert (found.count, found.same_matter, found.escalates) == (3, 3, True)
    assert found.previous is not None and found.previous.conversation_id == "b"
    other = repeat_of(history, NOW, order_id="99999999")  # a third contact, but about another order
    assert (other.count, other.same_matter, other.escalates) == (3, 1, False)
    assert repeat_of(history[:1], NOW, order_id="12345678").escalates is False  # only the second


def test_profile_lists_every_contact_newest_first() -> None:
    rows = [past("a", 3), past("b", 1, channel="chat", outcome="resolved"), past("c", 2, outcome="callback")]
    found = profile(PHONE, [past_contact(r) for r in rows], Flag(False), NOW)
    assert [c["conversation_id"] for c in found["contacts"]] == ["b", "c", "a"]
    assert found["by_channel"] == {"chat": 1, "voice": 2} and found["callbacks"] == 1 and found["total"] == 3


async def _manager_with_history(*rows: dict[str, object]) -> tuple[object, Customers]:
    manager = build_manager()
    await put_records(manager.store, list(rows))
    customers = Customers(manager.store, MemoryDesk(), lookback_days=36500)  # the fixed day may be long past
    manager.customers = customers
    return manager, customers


async def test_third_call_about_an_order_opens_with_an_apology_and_the_note_says_so() -> None:
    manager, _ = await _manager_with_history(past("a", 3), past("b", 2, reason="emotion"))
    sid, reply = await manager.start(SessionStart("voice", CallerInfo(phone="+819012345678"), now=NOW))  # type: ignore[attr-defined]
    opening = "".join(p.text for p in reply.prompts)
    assert opening.startswith("お電話ありがとうございます。") and "たびたびお手数をおかけしており、誠に申し訳ございません。" in opening
    assert "12345678" in opening and "1を押して" not in opening  # straight to the request: no menu
    for line in ("注文した荷物がまだ届かないんです", "12345678", "オペレーターと話したい"):
        reply = await manager.handle(sid, UserTurn(text=line))  # type: ignore[attr-defined]
    note = (await record(manager.store, sid) or {}).get("case_note") or {}  # type: ignore[attr-defined]
    assert note["summary_ja"].startswith("今週3回目のお問い合わせです(注文番号12345678の件で3回目)。前回(12月2日)は")
    assert note["history"]["escalates"] is True
    assert {"label": "過去のお問い合わせ", "value": "今週3回目(同じ件で3回目)"} in note["fields_ja"]


async def test_a_first_caller_hears_the_usual_welcome() -> None:
    manager, _ = await _manager_with_history(past("a", 3))
    _, reply = await manager.start(SessionStart("voice", CallerInfo(phone=PHONE), now=NOW))  # type: ignore[attr-defined]
    assert "たびたび" not in reply.prompts[0].text


async def test_a_flagged_caller_is_handed_to_the_supervisor_queue() -> None:
    manager, customers = await _manager_with_history(past("a", 3))
    await customers.set_flag(PHONE, True, "sam", "暴言が続いたため")
    sid, _ = await manager.start(SessionStart("chat", CallerInfo(phone=PHONE), now=NOW))  # type: ignore[attr-defined]
    reply = await manager.handle(sid, UserTurn(text="オペレーターと話したい"))  # type: ignore[attr-defined]
    assert reply.handover is not None and reply.handover.kind == "transfer"
    assert reply.handover.queue == "supervisor" and reply.handover.priority >= 7
    assert (await customers.flag(PHONE)).by == "sam"
    await customers.set_flag(PHONE, False, "sam")
    sid2, _ = await manager.start(SessionStart("chat", CallerInfo(phone=PHONE), now=NOW + timedelta(hours=1)))  # type: ignore[attr-defined]
    reply = await manager.handle(sid2, UserTurn(text="オペレーターと話したい"))  # type: ignore[attr-defined]
    assert reply.handover is not None and reply.handover.queue != "supervisor"


async def test_two_workers_share_history_and_flags(tmp_path: Path) -> None:
    """Two workers on one SQLite store: contacts written by one and a flag set on one are seen by the other
    at once (the history is read from the store per customer, not from an index in each process)."""
    path = tmp_path / "ivr.sqlite3"
    stores = [SQLiteStore(path), SQLiteStore(path)]
    desks = [SQLiteDesk(path), SQLiteDesk(path)]
    one, two = (Customers(s, d, lookback_days=36500) for s, d in zip(stores, desks, strict=True))
    try:
        assert await two.history(PHONE) == []
        await put_records(stores[0], [past("a", 3), past("b", 1)])
        assert [c.conversation_id for c in await two.history(PHONE)] == ["b", "a"]
        await one.set_flag(PHONE, True, "sam", "脅迫")
        assert (await two.flag(PHONE)).flagged and (await two.flag("0311112222")).flagged is False
    finally:
        for d in desks:
            await d.close()
        for s in stores:
            await s.close()
