"""The console with a phone caller: the agent talks on the phone, so the agent API refuses a chat message to a
voice contact with a 409 and a reason (never a 500), while the hand-over note, transfer, release and close work."""

from __future__ import annotations

import pytest

from dialogue.desk import Contact
from dialogue.engine import DialogueManager
from ivr.desk_app import DESK
from tests.voice.conftest import ClientMaker, Phone, call_sid, voice_app
from tests.voice.test_voice_desk import API, DIAL, ask_for_a_person, login, on_hold, queue_result


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


async def test_no_chat_message_to_a_phone_caller_but_every_other_action(aiohttp_client: ClientMaker,
                                                                         manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    for other in ("bob", "carol"):  # free colleagues: a short wait, so each caller is queued (no callback offer)
        await app[DESK].set_agent_state(other, "available", skills=("general",))
    calls = [Phone(client, call_sid(400 + n), caller=f"+8131234500{n}") for n in range(3)]
    for phone in calls:
        await ask_for_a_person(phone)
        assert (await client.post(API + phone.sid + "/accept")).status == 200
    released, moved, closed = calls

    refused = await client.post(API + released.sid + "/messages", json={"text": "お待たせいたしました"})
    assert refused.status == 409
    assert "phone call" in (await refused.json())["error"]
    bad = await client.post(API + released.sid + "/messages", data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert bad.status == 400 and "JSON" in (await bad.json())["error"]
    log = await (await client.get(API + released.sid + "/messages")).json()
    assert all(m["speaker"] != "agent" for m in log["messages"])  # nothing was said on the phone's behalf
    assert ("caller", "オペレーターと話したいんですが") in [(m["speaker"], m["text"]) for m in log["messages"]]

    # the hand-over note and the release: the caller leaves the queue and the bot greets again
    back = await client.post(API + released.sid + "/release", json={"note": "営業時間のご案内のみ"})
    assert back.status == 200 and (await back.json())["status"] == "released"
    assert (await on_hold(released, 20)).find("Leave") is not None
    again = await queue_result(released, "leave")
    assert again.find("Gather") is not None
    # transfer to another team, then close the third call
    assert (await client.post(API + moved.sid + "/transfer", json={"queue": "billing"})).status == 200
    contact = await app[DESK].contact(moved.sid)
    assert contact is not None and (contact.status, contact.queue) == ("queued", "billing")
    done = await client.post(API + closed.sid + "/close", json={"disposition": "電話で案内済み"})
    assert done.status == 200 and (await done.json())["status"] == "closed"


async def test_a_chat_contact_still_gets_messages(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)
    await login(client)
    await app[DESK].enqueue(Contact("chat-1", "chat", "general", "human_request", 3, 0.0))
    assert (await client.post(API + "chat-1/accept")).status == 200
    assert (await client.post(API + "chat-1/messages", json={"text": "お待たせいたしました"})).status == 201
