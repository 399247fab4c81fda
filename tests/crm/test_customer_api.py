"""The console's contact history: profile, flag, roles, and the priority a third contact gets at the desk."""

from __future__ import annotations

from typing import Any

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.records import put_records
from ivr.customer_api import CUSTOMERS
from ivr.desk_app import enqueue_handover
from tests.agents.conftest import Client, login
from tests.crm.conftest import NOW, PHONE, past


def _read_again(client: Client) -> None:
    """The history however old the test's fixed day is (the store is read on every lookup)."""
    client.server.app[CUSTOMERS].lookback_days = 36500


async def test_profile_needs_a_login_and_a_real_id(app_client: Client) -> None:
    assert (await app_client.get(f"/agent/api/customers/{PHONE}")).status == 401
    await login(app_client)
    resp = await app_client.get("/agent/api/customers/not-a-number")
    assert resp.status == 400 and "phone number" in (await resp.json())["error"]


async def test_profile_lists_calls_chats_and_callbacks(app_client: Client, manager: DialogueManager) -> None:
    await put_records(manager.store, [past("a", 3), past("b", 2, channel="chat", outcome="callback"),
                                      past("x", 1, caller="0311112222"),
                                      past("h", 1, outcome="handover", reason="harassment")])
    _read_again(app_client)
    await login(app_client)
    body = await (await app_client.get("/agent/api/customers/090-1234-5678")).json()
    assert body["customer_id"] == PHONE and body["total"] == 3 and body["callbacks"] == 1
    assert [c["conversation_id"] for c in body["contacts"]] == ["h", "b", "a"]
    assert body["contacts"][0]["summary_ja"] is None  # harassment: supervisors only
    await login(app_client, "sam", "sam-pw")
    body = await (await app_client.get(f"/agent/api/customers/{PHONE}")).json()
    assert body["contacts"][0]["summary_ja"]


async def test_agents_flag_supervisors_clear(app_client: Client) -> None:
    await login(app_client)
    url = f"/agent/api/customers/{PHONE}/flag"
    resp = await app_client.post(url, json={"flagged": True, "note": "暴言"})
    assert resp.status == 200 and (await resp.json())["flag"] == {"flagged": True, "by": "alice", "note": "暴言",
                                                                   "at": (await resp.json())["flag"]["at"]}
    assert (await app_client.post(url, json={"flagged": False})).status == 403
    assert (await app_client.post(url, json={"flagged": "yes"})).status == 400
    assert (await app_client.post(url, data=b"{", headers={"Content-Type": "application/json"})).status == 400
    await login(app_client, "sam", "sam-pw")
    resp = await app_client.post(url, json={"flagged": False})
    assert (await resp.json())["flag"]["flagged"] is False
    profile = await (await app_client.get(f"/agent/api/customers/{PHONE}")).json()
    assert profile["flag"]["flagged"] is False and profile["flag"]["by"] == "sam"


async def _handover(manager: DialogueManager, phone: str) -> tuple[str, Any]:
    sid, _ = await manager.start(SessionStart("voice", CallerInfo(phone=phone), now=NOW))
    reply = None
    for line in ("注文した荷物がまだ届かないんです", "12345678", "オペレーターと話したい"):
        reply = await manager.handle(sid, UserTurn(text=line))
    assert reply is not None and reply.handover is not None
    return sid, reply.handover


async def test_a_third_contact_about_one_order_waits_with_higher_priority(app_client: Client,
                                                                          manager: DialogueManager) -> None:
    app = app_client.server.app
    await put_records(manager.store, [past("a", 3), past("b", 2)])
    _read_again(app_client)
    first_sid, first = await _handover(manager, "0311112222")
    third_sid, third = await _handover(manager, PHONE)
    plain = await enqueue_handover(app, first_sid, "voice", first)
    repeat = await enqueue_handover(app, third_sid, "voice", third)
    assert repeat.contact.priority == plain.contact.priority + 2  # queues/acd.yaml repeat_contact: 2
    await login(app_client)
    row = next(r for r in (await (await app_client.get("/agent/api/queue")).json())["queue"]
               if r["conversation_id"] == third_sid)
    assert row["customer_id"] == PHONE
    assert row["case_note"]["summary_ja"].startswith("今週3回目のお問い合わせです")
    labels = [f["label"] for f in row["case_note"]["fields_ja"]]
    assert "strong_anger" not in str(row["case_note"]["fields_ja"]) and "注文番号" in labels
