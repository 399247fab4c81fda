"""A caller who hangs up while holding for an agent is `abandoned` in the record too, not only in the desk: the
wallboard's abandonment rate and service level count them, and `ivr records export` shows it, with the
hand-over's reason kept. Driven by Twilio's signed posts on a SQLite store, as `ivr serve` keeps it."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dialogue import desk as desk_module
from dialogue.backends.demo import DemoBackend
from dialogue.factory import build_manager
from dialogue.records import annotate, record
from dialogue.store_remote import store_from_url
from ivr.cli import main
from ivr.desk_app import DESK
from ivr.voice_common import HOLD_DONE_PATH
from ivr.wallboard import BOARD_CACHE
from tests.voice.conftest import ClientMaker, Phone, call_sid, voice_app
from tests.voice.test_voice_desk import API, DIAL, ask_for_a_person, login


@pytest.fixture(autouse=True)
def _console_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGENT_USERS", "alice:alice-pw:agent,sam:sam-pw:supervisor")
    monkeypatch.setenv("IVR_CONSOLE_SECRET", "test-secret")


def later_by(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The desk's clock only (its waits are epoch seconds) runs `seconds` ahead: a caller held that long."""
    real = time.time
    monkeypatch.setattr(desk_module, "time", SimpleNamespace(time=lambda: real() + seconds))


async def test_hung_up_on_hold_is_abandoned_in_the_record_the_board_and_the_export(
        aiohttp_client: ClientMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/ivr.sqlite3"
    manager = build_manager(store=store_from_url(url), backend=DemoBackend())
    app = voice_app(manager, DIAL)
    client = await aiohttp_client(app)

    # alice answers one caller at once and closes the call, then signs off (no estimate, no callback offer)
    answered = Phone(client, call_sid(303), caller="+81312340003")
    await login(client)
    await ask_for_a_person(answered)
    assert (await client.post(API + answered.sid + "/accept")).status == 200
    assert (await client.post(API + answered.sid + "/close", json={"disposition": "配送状況を案内"})).status == 200
    assert (await client.post("/agent/api/state", json={"state": "offline"})).status == 200
    # one caller hangs up after 45 s on hold (Twilio's QueueResult), one at once (only the status callback)
    held = Phone(client, call_sid(301), caller="+81312340001")
    await ask_for_a_person(held)
    quick = Phone(client, call_sid(302), caller="+81312340002")
    await ask_for_a_person(quick)
    assert await quick.hang_up() == 204
    later_by(monkeypatch, 45)
    gone = await held.post(HOLD_DONE_PATH, held.params(QueueResult="hangup", QueueTime="45"))
    assert gone is not None and gone.find("Say") is None
    # Twilio's status callback follows the queue result: the record stays as it is (one abandonment)
    assert await held.hang_up() == 204

    for phone in (held, quick):
        contact = await app[DESK].contact(phone.sid)
        assert contact is not None and contact.status == "abandoned"
        rec = await record(manager.store, phone.sid)
        assert rec is not None
        assert (rec["outcome"], rec["reason"], rec["queue"]) == ("abandoned", "human_request", "general")
        assert rec["agent"] is None and rec["wait_seconds"] == round(contact.wait_s, 1)
        note = await manager.case_note(contact.case_id or "")
        assert note is not None and note["desk_status"] == "abandoned" and note["reason"] == "human_request"
    held_rec = await record(manager.store, held.sid)
    assert held_rec is not None and held_rec["wait_seconds"] >= 45
    kept = await record(manager.store, answered.sid)
    assert kept is not None and (kept["outcome"], kept["agent"]) == ("handover", "alice")

    # the wallboard counts both: 2 of 3 offered gave up; the one after 45 s misses the 20 s service level
    await login(client, "sam")
    app[BOARD_CACHE].clear()
    kpis = (await (await client.get("/agent/api/wallboard?period=all")).json())["kpis"]
    assert (kpis["offered"], kpis["answered"], kpis["abandoned_in_queue"]) == (3, 1, 2)
    assert kpis["abandonment"] == round(2 / 3, 3)
    assert kpis["service_level"] == 0.5  # answered in time, over answered + the late abandonment
    assert kpis["by_outcome"]["abandoned"] == 2

    # and the export says so
    code = await asyncio.to_thread(main, ["records", "export", "--store", url])
    out = capsys.readouterr().out
    assert code in (0, None)
    rows = {r["conversation_id"]: r for r in map(json.loads, out.splitlines())}
    assert rows[held.sid]["outcome"] == "abandoned" and rows[held.sid]["reason"] == "human_request"
    assert rows[held.sid]["wait_seconds"] >= 45 and rows[answered.sid]["outcome"] == "handover"


async def test_an_accepted_call_is_not_abandoned_by_the_hang_up(aiohttp_client: ClientMaker, tmp_path: Path) -> None:
    manager = build_manager(store=store_from_url(f"sqlite:///{tmp_path}/ivr.sqlite3"), backend=DemoBackend())
    client = await aiohttp_client(voice_app(manager, DIAL))
    await login(client)
    phone = Phone(client, call_sid(304))
    await ask_for_a_person(phone)
    assert (await client.post(API + phone.sid + "/accept")).status == 200
    assert await phone.hang_up() == 204  # the caller hangs up while with the agent: not a queue abandonment
    rec = await record(manager.store, phone.sid)
    assert rec is not None and rec["outcome"] == "handover"


async def test_annotate_takes_only_the_desks_verdict(tmp_path: Path) -> None:
    store: Any = store_from_url(f"sqlite:///{tmp_path}/ivr.sqlite3")
    with pytest.raises(ValueError, match="outcome may only be set to abandoned"):
        await annotate(store, "nobody", outcome="resolved")
    with pytest.raises(ValueError, match="unknown record fields"):
        await annotate(store, "nobody", mood="sad")
