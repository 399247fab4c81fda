"""The streaming voice gateway and the agents' desk: a transfer puts the call on the desk (the console lists it
with its case note), the front end hears when an agent takes it, and a caller who hangs up while holding (the
`hangup` message, or the socket closing) is abandoned in the queue, in the desk and in the record."""

from __future__ import annotations

import asyncio

import pytest

from dialogue.engine import DialogueManager
from dialogue.records import record
from ivr.desk_app import DESK
from tests.voice.conftest import ClientMaker, voice_app
from tests.voice.test_stream import FrontEnd
from tests.voice.test_voice_desk import API, login


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent")
    monkeypatch.setenv("IVR_AGENT_NAMES", "alice:佐藤")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


async def transferred(fe: FrontEnd, call_id: str) -> dict[str, object]:
    await fe.send(type="start", call_id=call_id, **{"from": "0312345678"})
    await fe.until("listen")
    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="オペレーターと話したいんですが", confidence=0.9)
    said = await fe.until("transfer")
    return {"transfer": said[-1], "prompts": " ".join(m["text"] for m in said if m["type"] == "prompt")}


@pytest.mark.parametrize("how", ["hangup", "close"])
async def test_a_stream_caller_who_hangs_up_on_hold_is_abandoned(aiohttp_client: ClientMaker,
                                                                  manager: DialogueManager, how: str) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    call_id = f"pbx-hold-{how}"
    sent = await transferred(fe, call_id)
    transfer = sent["transfer"]
    assert isinstance(transfer, dict) and transfer["queue"] == "general" and transfer["reason"] == "human_request"

    await login(client)
    [row] = (await (await client.get("/agent/api/queue")).json())["queue"]
    assert (row["conversation_id"], row["channel"]) == (call_id, "voice")
    assert row["case_note"]["case_id"] == transfer["case_id"]

    if how == "hangup":
        await fe.send(type="hangup")  # the front end says so (the server then closes the socket)
    else:
        await fe.ws.close()  # or the socket just closes
    for _ in range(100):  # the server notices the close on its own loop
        contact = await app[DESK].contact(call_id)
        if contact is not None and contact.status == "abandoned":
            break
        await asyncio.sleep(0.05)
    assert contact is not None and contact.status == "abandoned"
    rec = await record(manager.store, call_id)
    assert rec is not None and (rec["outcome"], rec["reason"], rec["queue"]) == ("abandoned", "human_request", "general")
    assert (await (await client.get("/agent/api/queue")).json())["queue"] == []
    await fe.ws.close()


async def test_the_front_end_hears_when_an_agent_takes_the_call(aiohttp_client: ClientMaker,
                                                                manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)  # alice is free: the caller hears 「まもなく」 before the transfer
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    sent = await transferred(fe, "pbx-taken")
    assert "まもなく担当者におつなぎいたします" in str(sent["prompts"])
    assert (await client.post(API + "pbx-taken/accept")).status == 200
    accepted = (await fe.until("accepted"))[-1]
    assert (accepted["agent"], accepted["agent_name"]) == ("alice", "佐藤")
    await fe.ws.close()  # put through by the front end: not an abandonment
    await asyncio.sleep(0.2)
    contact = await app[DESK].contact("pbx-taken")
    assert contact is not None and contact.status == "assigned"
    rec = await record(manager.store, "pbx-taken")
    assert rec is not None and rec["outcome"] == "handover"


async def test_a_released_stream_call_comes_back_to_the_bot_with_the_note(aiohttp_client: ClientMaker,
                                                                         manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    sent = await transferred(fe, "pbx-back")
    transfer = sent["transfer"]
    assert isinstance(transfer, dict)
    assert (await client.post(API + "pbx-back/accept")).status == 200
    await fe.until("accepted")  # the front end bridges the caller to alice and keeps the socket open
    note = "営業時間のご案内のみ"
    assert (await client.post(API + "pbx-back/release", json={"note": note})).status == 200

    said = await fe.until("listen")
    released = next(m for m in said if m["type"] == "released")
    assert (released["session_id"], released["note"], released["agent"]) == ("pbx-back-r1", note, "alice")
    spoken = " ".join(m["text"] for m in said if m["type"] == "prompt")
    assert "担当者から自動応答にお戻しいたします" in spoken and "サクラマート" in spoken  # then the greeting
    assert said[-1]["awaiting"] == "menu"

    # the caller talks to the bot again, in the new session of the same conversation
    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="梅田店の営業時間を教えてください", confidence=0.9)
    answer = await fe.until("listen")
    assert "梅田店" in " ".join(m["text"] for m in answer if m["type"] == "prompt")
    assert (await manager.state("pbx-back-r1")) is not None
    case = await manager.case_note(str(transfer["case_id"]))
    assert case is not None and case["handover_note"] == note and case["desk_status"] == "released"
    lines = (await (await client.get(API + "pbx-back/messages")).json())["messages"]
    released_at = next(i for i, ln in enumerate(lines) if ln.get("event") == "released")
    assert lines[released_at]["text"] == note
    assert any(ln["speaker"] == "bot" and "梅田店" in ln["text"] for ln in lines[released_at:])  # one transcript

    await fe.send(type="playback_done")
    await fe.send(type="transcript", final=True, text="以上です", confidence=0.9)
    end = (await fe.until("hangup"))[-1]
    assert end["outcome"] == "resolved"
    state = await manager.state("pbx-back-r1")
    assert state is not None and state.ended and state.outcome == "resolved"
    contact = await app[DESK].contact("pbx-back")
    assert contact is not None and contact.status == "released"  # not an abandonment in the queue
    await fe.ws.close()


async def test_a_released_stream_caller_who_hangs_up_ends_the_new_session(aiohttp_client: ClientMaker,
                                                                          manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    await transferred(fe, "pbx-back-gone")
    await client.post(API + "pbx-back-gone/accept")
    await client.post(API + "pbx-back-gone/release", json={})
    released = next(m for m in await fe.until("listen") if m["type"] == "released")
    assert released["note"] is None
    await fe.send(type="hangup")
    for _ in range(100):
        state = await manager.state("pbx-back-gone-r1")
        if state is not None and state.ended:
            break
        await asyncio.sleep(0.05)
    assert state is not None and state.ended and state.outcome == "abandoned"
    await fe.ws.close()


async def test_a_stream_call_moved_to_another_queue_holds_again(aiohttp_client: ClientMaker,
                                                               manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    await transferred(fe, "pbx-moved")
    await client.post(API + "pbx-moved/accept")
    await fe.until("accepted")
    assert (await client.post(API + "pbx-moved/transfer", json={"queue": "billing"})).status == 200
    moved = (await fe.until("desk"))[-1]
    assert (moved["event"], moved["queue"]) == ("transferred", "billing")
    await fe.ws.close()  # hung up while waiting again: abandoned, in the new queue
    for _ in range(100):
        contact = await app[DESK].contact("pbx-moved")
        if contact is not None and contact.status == "abandoned":
            break
        await asyncio.sleep(0.05)
    assert contact is not None and (contact.status, contact.queue) == ("abandoned", "billing")


async def test_a_stream_call_goes_to_people_and_back_twice(aiohttp_client: ClientMaker,
                                                          manager: DialogueManager) -> None:
    app = voice_app(manager)
    client = await aiohttp_client(app)
    await login(client)
    fe = FrontEnd(await client.ws_connect("/voice/stream"))
    await transferred(fe, "pbx-twice")
    for n in (1, 2):
        assert (await client.post(API + "pbx-twice/accept")).status == 200
        await fe.until("accepted")
        assert (await client.post(API + "pbx-twice/release", json={"note": f"{n}回目"})).status == 200
        # alice is free again (else the wait is long enough for the bot to offer a callback instead)
        assert (await client.post("/agent/api/state", json={"state": "available"})).status == 200
        released = next(m for m in await fe.until("listen") if m["type"] == "released")
        assert (released["session_id"], released["note"]) == (f"pbx-twice-r{n}", f"{n}回目")
        if n == 1:  # with the bot again, the caller asks for a person again: back in the queue
            await fe.send(type="playback_done")
            await fe.send(type="transcript", final=True, text="オペレーターと話したいんですが", confidence=0.9)
            again = (await fe.until("transfer"))[-1]
            assert again["queue"] == "general"
            contact = await app[DESK].contact("pbx-twice")
            assert contact is not None and contact.status == "queued"
    assert (await manager.state("pbx-twice-r2")) is not None
    await fe.ws.close()
