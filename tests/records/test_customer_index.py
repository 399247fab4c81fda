"""The contact history's index: finished conversations filed under their customers, one query per customer.

On every record store (memory, SQLite, PostgreSQL): a call that ends is filed under its caller id and the
number the caller gave; imports are filed under their caller and case note; a replaced record moves; purged
conversations leave no key; a customer's query returns only that customer's contacts, newest first, bounded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.customer_keys import contact_keys, customer_key
from dialogue.engine import DialogueManager
from dialogue.records import purge, put_records, record, record_of
from dialogue.store import RecordStore, SessionStore
from tests.crm.conftest import NOW, PHONE, past

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


async def _ids(store: SessionStore, key: str, since: datetime = LONG_AGO, limit: int = 100) -> list[str]:
    assert isinstance(store, RecordStore)
    return [c.state["id"] for c in await store.customer_contacts([key], since, limit)]


def test_keys_are_national_digits_or_lower_case_addresses() -> None:
    assert customer_key("+81 90-1234-5678") == customer_key("０９０１２３４５６７８") == PHONE
    assert customer_key("Taro@Example.JP") == "taro@example.jp"
    assert customer_key("12345678") is None and customer_key(None) is None
    state = {"caller_phone": "+81312345678", "slots": {"phone_number": "090-1234-5678"}}
    assert contact_keys(state, {"caller_phone": "0311112222"}) == {"0312345678", PHONE, "0311112222"}


async def test_a_customer_gets_their_own_contacts_newest_first(store: SessionStore) -> None:
    await put_records(store, [past("a", 5), past("b", 1), past("c", 3), past("x", 2, caller="0311112222"),
                              past("m", 4, caller="hanako@example.jp", channel="email")])
    assert await _ids(store, PHONE) == ["b", "c", "a"]
    assert await _ids(store, PHONE, limit=2) == ["b", "c"]
    assert await _ids(store, PHONE, since=NOW - timedelta(days=4)) == ["b", "c"]
    assert await _ids(store, "0311112222") == ["x"]
    assert await _ids(store, "hanako@example.jp") == ["m"]
    assert await _ids(store, "0399999999") == []
    assert isinstance(store, RecordStore)
    both = await store.customer_contacts([PHONE, "0311112222", PHONE], LONG_AGO, 3)  # one customer, two numbers
    assert [c.state["id"] for c in both] == ["b", "x", "c"]
    assert isinstance(store, RecordStore)
    [newest] = await store.customer_contacts([PHONE], LONG_AGO, 1)
    contact = record_of(newest)
    assert contact["case_note"]["case_id"] == "CASE-b" and contact["queue"] == "general"
    assert contact["ended_at"] is not None and contact["outcome"] == "handover"


async def test_a_replaced_record_moves_and_a_purged_one_goes(store: SessionStore) -> None:
    await put_records(store, [past("a", 5), past("b", 1)])
    moved = past("a", 5, caller="0311112222")
    moved["case_note"]["caller_phone"] = "0311112222"
    await put_records(store, [moved])
    assert await _ids(store, PHONE) == ["b"] and await _ids(store, "0311112222") == ["a"]
    assert await purge(store, (NOW - timedelta(days=2)).astimezone(UTC)) == 1
    assert await _ids(store, "0311112222") == [] and await _ids(store, PHONE) == ["b"]


async def test_a_call_is_filed_when_it_ends_under_the_caller_id_and_the_number_given(
        manager: DialogueManager) -> None:
    sid, _ = await manager.start(SessionStart("voice", CallerInfo(phone="+81312345678")))
    assert await _ids(manager.store, "0312345678") == []  # still going on: not a contact yet
    for line in ("注文した商品がまだ届かないんですけど", "12345678", "09087654321"):
        await manager.handle(sid, UserTurn(text=line))
    await manager.hangup(sid)
    assert await _ids(manager.store, "0312345678") == [sid]
    assert await _ids(manager.store, "09087654321") == [sid]
    assert isinstance(manager.store, RecordStore)  # filed under both: found once through both
    found = await manager.store.customer_contacts(["0312345678", "09087654321"], LONG_AGO, 10)
    assert [c.state["id"] for c in found] == [sid]


async def test_the_history_entry_agrees_with_the_full_record(manager: DialogueManager) -> None:
    """The trimmed entry (no transcript, a few case-note fields) says what the full record says about the
    queue, the outcome, the order and the summary."""
    sid, _ = await manager.start(SessionStart("voice", CallerInfo(phone="+81312345678"), now=NOW))  # agents in
    for line in ("注文した商品がまだ届かないんですけど", "12345678", "09087654321", "オペレーターと話したい"):
        await manager.handle(sid, UserTurn(text=line))
    await manager.hangup(sid)
    full = await record(manager.store, sid)
    assert isinstance(manager.store, RecordStore) and full is not None and full["queue"]
    [entry] = await manager.store.customer_contacts(["0312345678"], LONG_AGO, 5)
    trimmed = record_of(entry)
    assert trimmed["transcript"] == [] and trimmed["case_note"] is not None
    assert full["outcome"] == "handover"
    for field in ("conversation_id", "outcome", "reason", "queue", "intents", "started_at"):
        assert trimmed[field] == full[field], field
    for field in ("case_id", "summary_ja", "slots", "caller_phone"):
        assert trimmed["case_note"][field] == full["case_note"][field], field


async def test_the_holder_of_a_chat_is_whoever_claimed_it_last(store: SessionStore) -> None:
    """What a worker's delayed hang-up of a closed chat asks (ivr/web_chat.py): did the widget reconnect
    to another worker? Shared through the store, so every worker on it agrees."""
    from dialogue.records import claim, held_elsewhere
    from dialogue.state import CallState

    await store.save(CallState(id="chat-1", channel="chat", started_at=NOW.isoformat()))
    assert not await held_elsewhere(store, "chat-1", None)  # nobody claimed it: the worker it left hangs up
    await claim(store, "chat-1", "worker-b:1")
    assert await held_elsewhere(store, "chat-1", None) and await held_elsewhere(store, "chat-1", "worker-a:7")
    assert not await held_elsewhere(store, "chat-1", "worker-b:1")
    await claim(store, "no-such-chat", "worker-b:1")  # nothing to claim: nothing happens
    assert not await held_elsewhere(store, "no-such-chat", None)
