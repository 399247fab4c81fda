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
