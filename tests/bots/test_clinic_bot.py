"""The second sample bot, みどり内科クリニック: data only, run against its reservation system over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestServer

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.bot_project import load_project
from dialogue.yaml_source import REPO_ROOT
from ivr.deploy_commands import build_for
from ivr.settings import Secrets, Settings
from tests.bots.clinic_backend import PATH, Clinic, make_app

CLINIC = REPO_ROOT / "bots" / "clinic"
THURSDAY_10 = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # the front desk is open


async def test_the_clinic_suite_passes_against_its_http_service() -> None:
    clinic = Clinic()
    server = TestServer(make_app(clinic))
    await server.start_server()
    try:
        env = {**os.environ, "IVR_BACKEND_URL": str(server.make_url(PATH))}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ivr.cli", "test", "--bot", str(CLINIC), str(CLINIC / "tests"), "--json",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    finally:
        await server.close()
    results = [json.loads(line) for line in out.decode().splitlines()]
    failed = [r for r in results if not r["passed"]]
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    assert len(results) >= 10 and proc.returncode == 0, err.decode()
    # the bookings really went through the webhook
    assert {"verify_patient", "find_slot", "book_appointment", "cancel_appointment"} <= {c["action"] for c in clinic.calls}


async def test_a_reservation_system_that_is_down_gets_an_apology_and_a_person() -> None:
    server = TestServer(make_app())
    await server.start_server()
    url = str(server.make_url(PATH))
    await server.close()  # nothing listens there any more
    manager = build_for(load_project(CLINIC), None, Settings(backend_url=url), Secrets({}))
    try:
        sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="09011112222"),
                                                  now=THURSDAY_10))
        await manager.handle(sid, UserTurn(text="診察の予約を取りたいのですが"))
        reply = await manager.handle(sid, UserTurn(text="204818"))
    finally:
        await manager.backend.close()  # type: ignore[attr-defined]
    assert "ただいまお調べすることができません" in reply.text
    assert reply.handover is not None and reply.handover.reason == "backend_error"


def test_no_line_of_python_knows_the_clinic() -> None:
    facts = re.compile(r"みどり|クリニック|clinic|patient_no|診察券")
    hits = [
        f"{path}:{n}"
        for package in ("ivr", "dialogue", "nlu")
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if facts.search(line)
    ]
    assert hits == []


def test_the_clinic_model_is_small_and_knows_its_intents() -> None:
    model = CLINIC / "models" / "default"
    size = sum(p.stat().st_size for p in model.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024
    meta = json.loads((model / "metadata.json").read_text(encoding="utf-8"))
    assert {"book_appointment", "change_appointment", "cancel_appointment", "clinic_hours", "test_results"} <= set(
        meta["intents"])


def test_the_clinic_model_understands_its_callers() -> None:
    from dialogue.factory import shared_nlu

    nlu = shared_nlu(Path(CLINIC / "models" / "default"))
    cases = {
        "来週の火曜日に予約を取りたいのですが": "book_appointment",
        "予約の日を変えたいです": "change_appointment",
        "予約をキャンセルしたい": "cancel_appointment",
        "土曜日は何時まで診てもらえますか": "clinic_hours",
        "血液検査の結果を聞きたいです": "test_results",
        "よやくをとりたいんですけど": "book_appointment",
    }
    got = {text: nlu.parse(text).intent.name for text in cases}
    assert got == cases


async def test_the_card_number_prompt_listens_for_six_keys_and_the_clinic_words() -> None:
    manager = build_for(load_project(CLINIC), None, Settings(backend_url="http://127.0.0.1:9/none"), Secrets({}))
    try:
        sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(), now=THURSDAY_10))
        reply = await manager.handle(sid, UserTurn(text="予約を取りたいのですが"))
    finally:
        await manager.backend.close()  # type: ignore[attr-defined]
    assert reply.expect.entity_type == "patient_no" and reply.expect.dtmf_max_digits == 6
    assert "診察券番号" in reply.expect.hints  # ASR hints from entities/clinic.yaml
