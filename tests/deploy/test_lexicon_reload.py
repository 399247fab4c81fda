"""Hot reload of the bot's lexicon (issue 12): a store name a designer adds is recognised at the next turn, a
broken edit keeps the last good names and is reported at file:line."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dialogue.api import SessionStart, UserTurn
from dialogue.factory import BotPaths, build_manager, shared_nlu
from ivr import hot_reload
from ivr.app_keys import MANAGER
from nlu.entities.lexicon import load_lexicon
from nlu.pipeline import NLU

ROOT = Path(__file__).resolve().parents[2]

LEXICON = """\
stores:
  shibuya:
    name: 渋谷店
    variants: [渋谷]
"""
WITH_UMEDA = LEXICON + """\
  umeda:
    name: 梅田店
    variants: [梅田]
"""
ENGLISH = """\
stores:
  shibuya: [Shibuya]
"""


@pytest.fixture
def bot_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "dialogue" / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    (tmp_path / "lexicon.yaml").write_text(LEXICON, encoding="utf-8")
    (tmp_path / "lexicon_en.yaml").write_text(ENGLISH, encoding="utf-8")
    return tmp_path


async def _until(state: hot_reload.ReloadState, done: Callable[[], bool]) -> None:
    async with asyncio.timeout(10), state.settled:
        await state.settled.wait_for(done)


def _stores(nlu: NLU, text: str) -> list[str | int]:
    return [e.value for e in nlu.parse(text).entities if e.type == "store"]


def _line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


async def test_a_new_store_name_is_recognised_and_a_broken_lexicon_keeps_the_last_good(bot_copy: Path) -> None:
    lexicon, english = bot_copy / "lexicon.yaml", bot_copy / "lexicon_en.yaml"
    # as `ivr serve --bot` builds it: the process's shared NLU for this model and lexicon
    manager = build_manager(BotPaths(flows=bot_copy / "flows", prompts=bot_copy / "prompts", lexicon=lexicon))
    nlu = manager.nlu
    assert isinstance(nlu, NLU) and nlu is shared_nlu(None, lexicon)
    app = web.Application()
    app[MANAGER] = manager
    hot_reload.setup(app)
    async with TestClient(TestServer(app)):
        state = app[hot_reload.STATE]
        assert state.lexicon == lexicon  # the file the running NLU's names came from
        await asyncio.wait_for(state.ready.wait(), 10)
        assert _stores(nlu, "梅田店の営業時間を教えてください") == []  # not one of this bot's stores yet
        assert _stores(nlu, "渋谷店の営業時間を教えてください") == ["shibuya"]

        # a call that starts before the edit and goes on after it
        call, _ = await manager.start(SessionStart(channel="chat"))
        await manager.handle(call, UserTurn.keys("3"))  # the menu: store hours; the bot asks which store

        lexicon.write_text(WITH_UMEDA, encoding="utf-8")
        await _until(state, lambda: state.lexicon_version == 1)
        assert state.version == 0 and state.failures == 0  # the flows themselves were not reloaded
        reply = await manager.handle(call, UserTurn.say("梅田店"))  # the call's next turn knows the new name
        assert "梅田店の営業時間は" in reply.text
        assert _stores(shared_nlu(None, lexicon), "梅田の営業時間") == ["umeda"]  # the cache holds the new names

        # the English names next to it reload too
        assert _stores(nlu, "what time does the Umeda store open") == []
        english.write_text(ENGLISH + "  umeda: [Umeda]\n", encoding="utf-8")
        await _until(state, lambda: state.lexicon_version == 2)
        assert _stores(nlu, "what time does the Umeda store open") == ["umeda"]
        good = nlu.lexicon

        # a list written as a word: refused at its line, the last good names keep answering
        lexicon.write_text(WITH_UMEDA + "  sapporo:\n    name: 札幌店\n    variants: 札幌\n", encoding="utf-8")
        await _until(state, lambda: state.failures == 1)
        line = _line_of(lexicon, "    variants: 札幌")
        assert state.problems and state.problems[0].startswith(f"{lexicon}:{line}:")
        assert "variants: a list of words" in state.problems[0]
        assert nlu.lexicon is good and _stores(nlu, "札幌店") == [] and _stores(nlu, "梅田店") == ["umeda"]

        # half-saved YAML: a syntax error at its line
        lexicon.write_text("stores:\n  umeda:\n    name: 梅田店\n   variants: [梅田\n", encoding="utf-8")
        await _until(state, lambda: state.failures == 2)
        assert state.problems[0].startswith(f"{lexicon}:4:")
        assert nlu.lexicon is good

        # an English name for an id the lexicon does not have: refused at its line in the `_en` file
        lexicon.write_text(WITH_UMEDA, encoding="utf-8")
        await _until(state, lambda: state.problems == [])  # the good file again: the same names, nothing to swap
        english.write_text(ENGLISH + "  namba: [Namba]\n", encoding="utf-8")
        await _until(state, lambda: state.failures == 3)
        assert state.problems[0].startswith(f"{english}:{_line_of(english, '  namba: [Namba]')}:")
        assert "'namba' is not in the lexicon" in state.problems[0]
        assert nlu.lexicon is good and state.lexicon_version == 2

        # saved the way many editors do (a new file renamed over the old one), fixed: live again
        fixed = bot_copy / "lexicon.yaml.tmp"
        fixed.write_text(WITH_UMEDA + "  sapporo:\n    name: 札幌店\n    variants: [札幌]\n", encoding="utf-8")
        english.write_text(ENGLISH, encoding="utf-8")
        fixed.replace(lexicon)
        await _until(state, lambda: state.lexicon_version == 3 and not state.problems)
        assert _stores(nlu, "札幌店の営業時間") == ["sapporo"] and _stores(nlu, "Umeda") == []
        reply = await manager.handle(call, UserTurn.say("以上です"))
        assert reply.text  # the call in progress still answers
    assert state.task is not None and state.task.done()


def test_an_nlu_given_in_code_is_not_watched_unless_named(tmp_path: Path) -> None:
    model = shared_nlu().model
    manager = build_manager(nlu=NLU(model))  # names given in code: no file to watch
    app = web.Application()
    app[MANAGER] = manager
    hot_reload.setup(app)
    assert app[hot_reload.STATE].lexicon is None
    app = web.Application()
    app[MANAGER] = manager
    app[hot_reload.LEXICON] = tmp_path / "lexicon.yaml"
    hot_reload.setup(app)
    assert app[hot_reload.STATE].lexicon == tmp_path / "lexicon.yaml"
    assert shared_nlu().lexicon_source == ROOT / "nlu" / "data" / "lexicon.yaml"  # the sample bot's


def test_use_lexicon_swaps_the_names_in_place(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(LEXICON, encoding="utf-8")
    nlu = NLU.load(None, path)
    assert nlu.lexicon_source == path and _stores(nlu, "梅田店") == []
    path.write_text(WITH_UMEDA, encoding="utf-8")
    nlu.use_lexicon(load_lexicon(path))
    assert _stores(nlu, "梅田店") == ["umeda"] and _stores(nlu, "渋谷") == ["shibuya"]
