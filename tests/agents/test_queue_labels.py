"""Queue, skill and slot names reach the console from the served bot's data, not from the console's code:
`label` in escalation_rules/queues.yaml, `skill_labels` in queues/acd.yaml, `slot_label_<slot>` prompts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dialogue.acd import Acd
from dialogue.api import SessionStart, UserTurn
from dialogue.bot_project import load_project
from dialogue.factory import BotPaths, build_manager
from dialogue.yaml_source import REPO_ROOT, SourceError
from ivr.agent_console import awaiting_ja, slot_label
from ivr.wallboard import step_ja
from tests.agents.conftest import Client, app_client, hand_over, login, manager  # noqa: F401
from tests.web.conftest import make_app

CLINIC = REPO_ROOT / "bots" / "clinic"


async def _me(aiohttp_client: Any, paths: BotPaths | None) -> tuple[Any, dict[str, Any]]:
    client = await aiohttp_client(make_app(build_manager(paths)))
    resp = await client.post("/agent/login", data={"username": "alice", "password": "alice-pw"}, allow_redirects=False)
    assert resp.status == 303
    return client, await (await client.get("/agent/api/me")).json()


async def test_the_clinic_agents_see_the_clinic_queue_names(aiohttp_client: Any) -> None:
    client, me = await _me(aiohttp_client, BotPaths.of(load_project(CLINIC)))
    assert me["name"] == "alice" and me["names"] == {"alice": "alice", "sam": "sam"}  # the old fields stay
    assert me["queue_labels"] == {"general": "受付", "nurse": "看護師", "supervisor": "事務長"}
    assert me["skill_labels"]["nurse"] == "看護師"
    assert me["intent_labels"]["book_appointment"] == "診察のご予約"  # prompts label_<intent>
    queue = await (await client.get("/agent/api/queue")).json()
    assert set(queue["queues"]) >= {"general", "nurse", "supervisor"}
    assert queue["queue_labels"] == me["queue_labels"]


async def test_the_sample_queue_names_come_from_its_queues_file(aiohttp_client: Any) -> None:
    _, me = await _me(aiohttp_client, None)
    assert me["queue_labels"]["complaints"] == "お客様相談室"
    assert me["queue_labels"]["billing"] == "請求・お支払い窓口"
    assert me["skill_labels"]["en"] == "英語"  # a language skill: queues/acd.yaml skill_labels


async def test_a_bots_own_slot_is_named_by_its_prompts(aiohttp_client: Any) -> None:
    clinic = build_manager(BotPaths.of(load_project(CLINIC)))
    assert slot_label(clinic.bot, "patient_no") == "診察券番号"
    assert awaiting_ja("slot:patient_no", clinic.bot) == "診察券番号"
    assert awaiting_ja("slot:patient_no") == "patient_no"  # no bot: the id, never a guess
    assert slot_label(clinic.bot, "date") == "日付"  # an entity type's own name
    client = await aiohttp_client(make_app(clinic))
    await client.post("/agent/login", data={"username": "alice", "password": "alice-pw"}, allow_redirects=False)
    sid, _ = await clinic.start(SessionStart(channel="chat"))
    await clinic.handle(sid, UserTurn(text="予約をキャンセルしたいです"))
    live = (await (await client.get("/agent/api/live")).json())["live"]
    assert [(s["awaiting"], s["awaiting_ja"]) for s in live] == [("slot:patient_no", "診察券番号")]


async def test_the_wallboard_names_the_waiting_queues_by_the_bots_data(app_client: Client) -> None:  # noqa: F811
    await login(app_client, "sam", "sam-pw")
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        live = (await (await app_client.get("/agent/api/wallboard?period=all")).json())["live"]
    assert live["waiting_by_queue"] == {"general": 1}
    assert live["queue_labels"]["general"] == "一般窓口"


def test_a_stuck_step_names_a_bots_own_slot() -> None:
    bot = build_manager(BotPaths.of(load_project(CLINIC))).bot
    flow = next(f for f in bot.flows.values() for s in f.steps if s.ask == "patient_no")
    step = next(s for s in flow.steps if s.ask == "patient_no")
    assert step_ja(bot, f"{flow.flow}/{step.id}").endswith(" — 診察券番号の聞き取り")


def test_a_bad_skill_label_is_reported_with_its_place(tmp_path: Path) -> None:
    good = (REPO_ROOT / "queues" / "acd.yaml").read_text(encoding="utf-8")
    assert "  en: 英語\n" in good
    path = tmp_path / "acd.yaml"
    path.write_text(good.replace("  en: 英語\n", "  en: [英語]\n", 1), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        Acd.load(path)
    line = good.splitlines().index("  en: 英語") + 1
    assert err.value.problems == [f"{path}:{line}:3: skill_labels.en: Input should be a valid string"]
