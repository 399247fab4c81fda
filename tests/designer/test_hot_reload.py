"""Hot reload: a saved prompt reaches the next chat; a broken file leaves the last good bot running."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dialogue.api import SessionStart, UserTurn
from dialogue.backends.build import build_backend
from dialogue.backends.demo import DemoBackend
from dialogue.backends.demo_data import load_demo_data
from dialogue.bot_project import BackendSpec
from dialogue.engine import DialogueManager
from dialogue.factory import BotPaths, build_manager
from ivr import hot_reload
from ivr.app_keys import MANAGER
from nlu.types import Emotion, Entity, Harassment, IntentScore, Parse

ROOT = Path(__file__).resolve().parents[2]
OLD_WELCOME = "こんにちは、サクラマートのお客様窓口です。"
NEW_WELCOME = "いらっしゃいませ、サクラマートです(新しいあいさつ)。"


class StoreNameOnly:
    """Just enough NLU for these calls: 「渋谷店」 is a store; nothing else is understood."""

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        entities = (Entity("store", "shibuya", 0, 3),) if "渋谷" in text else ()
        intent = IntentScore("out_of_scope", 0.2)
        emotion = Emotion("neutral", 1.0, {"neutral": 1.0, "anger": 0.0, "anxiety": 0.0, "sadness": 0.0})
        return Parse(text, text, (), intent, (intent,), entities, emotion, Harassment(False, 0.0), low_confidence=True)

    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse:
        return self.parse(alternatives[0][0], now)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"flows": len(request.app[MANAGER].bot.flows)})


@pytest.fixture
def bot_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "dialogue" / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    return tmp_path


async def _until(state: hot_reload.ReloadState, done: Callable[[], bool]) -> None:
    async with asyncio.timeout(10), state.settled:
        await state.settled.wait_for(done)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_reload_new_prompt_keep_last_good_on_error(bot_copy: Path) -> None:
    manager = build_manager(BotPaths(flows=bot_copy / "flows", prompts=bot_copy / "prompts"), nlu=StoreNameOnly())
    app = web.Application()
    app[MANAGER] = manager
    app[hot_reload.FLOWS_DIR] = bot_copy / "flows"
    app[hot_reload.PROMPTS_DIR] = bot_copy / "prompts"
    hot_reload.setup(app)
    app.router.add_get("/healthz", healthz)
    async with TestClient(TestServer(app)) as client:
        state = app[hot_reload.STATE]
        await asyncio.wait_for(state.ready.wait(), 10)

        # a call that starts before the change and goes on after it
        call, first = await manager.start(SessionStart(channel="chat"))
        assert OLD_WELCOME in first.text

        _edit(bot_copy / "prompts" / "sakura.yaml", OLD_WELCOME, NEW_WELCOME)
        _edit(bot_copy / "prompts" / "sakura.yaml", "どちらの店舗についてお調べしましょうか。", "どの店舗ですか(新)。")
        await _until(state, lambda: state.version == 1)
        _, reply = await manager.start(SessionStart(channel="chat"))
        assert NEW_WELCOME in reply.text

        reply = await manager.handle(call, UserTurn.keys("3"))  # the menu: store hours
        assert "どの店舗ですか(新)。" in reply.text
        good = manager.bot

        # a broken flow file is refused: the last good bot keeps answering, the server stays up
        (bot_copy / "flows" / "store_hours.yaml").write_text("flow: store_hours\nsteps:\n  - id: x\n   say: y\n",
                                                              encoding="utf-8")
        await _until(state, lambda: state.failures == 1)
        assert manager.bot is good
        assert state.problems and state.problems[0].startswith(f"{bot_copy / 'flows' / 'store_hours.yaml'}:4:")
        resp = await client.get("/healthz")
        assert resp.status == 200 and (await resp.json())["flows"] == 17  # the sample bot's flows, pay_balance included

        reply = await manager.handle(call, UserTurn.say("渋谷店"))  # the call in progress finishes its request
        assert "渋谷店の営業時間は" in reply.text
        _, reply = await manager.start(SessionStart(channel="chat"))
        assert NEW_WELCOME in reply.text

        # fixed again: live again
        shutil.copy(ROOT / "dialogue" / "flows" / "store_hours.yaml", bot_copy / "flows")
        await _until(state, lambda: state.version == 2)
        assert manager.bot is not good
        good = manager.bot

        # a flow that loads but does not validate is refused too
        _edit(bot_copy / "flows" / "store_location.yaml", "say: store_unknown", "say: store_unknwon")
        await _until(state, lambda: state.failures == 2)
        assert any("unknown prompt 'store_unknwon'" in p for p in state.problems)
        assert manager.bot is good
    assert state.task is not None and state.task.done()  # cancelled on cleanup, not left running


def test_directories_default_to_where_the_bot_came_from(bot_copy: Path) -> None:
    manager: DialogueManager = build_manager(BotPaths(flows=bot_copy / "flows", prompts=bot_copy / "prompts"),
                                             nlu=StoreNameOnly())
    app = web.Application()
    app[MANAGER] = manager
    hot_reload.setup(app)
    state = app[hot_reload.STATE]
    assert (state.flows_dir, state.prompts_dir) == (bot_copy / "flows", bot_copy / "prompts")


def test_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_HOT_RELOAD", "0")
    app = web.Application()
    hot_reload.setup(app)
    assert hot_reload.STATE not in app


# -- the demo backend's records (demo_data.yaml) reload like flows (issue 12) ----------------------------


async def _store_hours(manager: DialogueManager) -> str:
    call, _ = await manager.start(SessionStart(channel="chat"))
    await manager.handle(call, UserTurn.keys("3"))  # the menu: store hours
    return (await manager.handle(call, UserTurn.say("渋谷店"))).text


async def test_an_edit_of_the_demo_data_reloads_and_a_broken_one_keeps_the_last_good(tmp_path: Path) -> None:
    data = tmp_path / "demo_data.yaml"
    shutil.copy(ROOT / "demo_data.yaml", data)
    manager = build_manager(backend=build_backend(BackendSpec(demo=str(data)), tmp_path), nlu=StoreNameOnly())
    app = web.Application()
    app[MANAGER] = manager
    hot_reload.setup(app)
    async with TestClient(TestServer(app)):
        state = app[hot_reload.STATE]
        assert state.demo_data == data  # the file the bot's backend was read from
        await asyncio.wait_for(state.ready.wait(), 10)
        assert "21時" in await _store_hours(manager)

        _edit(data, 'close: "21:00"', 'close: "22:00"')
        await _until(state, lambda: state.data_version == 1)
        assert "22時" in await _store_hours(manager) and state.version == 0  # the bot itself was not reloaded
        good = manager.backend.data  # type: ignore[attr-defined]

        # a time that is none: refused where it is, the last good records keep answering
        _edit(data, 'close: "22:00"', 'close: "25:00"')
        await _until(state, lambda: state.failures == 1)
        line = data.read_text(encoding="utf-8").splitlines().index('    close: "25:00"') + 1
        assert state.problems and state.problems[0].startswith(f"{data}:{line}:")
        assert "is not a time of day" in state.problems[0]
        assert manager.backend.data is good and "22時" in await _store_hours(manager)  # type: ignore[attr-defined]

        # half-saved YAML: a syntax error at its line
        data.write_text("stores:\n  shibuya:\n    name: 渋谷店\n   open: x\n", encoding="utf-8")
        await _until(state, lambda: state.failures == 2)
        assert state.problems[0].startswith(f"{data}:4:") and "YAML syntax error" in state.problems[0]
        assert "22時" in await _store_hours(manager)

        # saved the way many editors do (a new file renamed over the old one), fixed: live again
        fixed = tmp_path / "demo_data.yaml.tmp"
        fixed.write_text((ROOT / "demo_data.yaml").read_text(encoding="utf-8").replace('close: "21:00"',
                                                                                      'close: "20:30"'),
                         encoding="utf-8")
        fixed.replace(data)
        await _until(state, lambda: state.data_version == 2)
        assert "20時30分" in await _store_hours(manager) and state.problems == []
    assert state.task is not None and state.task.done()


def test_demo_data_given_in_code_is_not_watched() -> None:
    manager = build_manager(backend=DemoBackend(load_demo_data(ROOT / "demo_data.yaml")), nlu=StoreNameOnly())
    app = web.Application()
    app[MANAGER] = manager
    hot_reload.setup(app)
    assert app[hot_reload.STATE].demo_data is None
    app = web.Application()
    app[MANAGER] = build_manager(nlu=StoreNameOnly())  # the sample bot: its demo_data.yaml
    hot_reload.setup(app)
    assert app[hot_reload.STATE].demo_data == ROOT / "demo_data.yaml"
