"""`ivr validate --bot DIR` checks a bot against its own intents, entity types and backend actions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ivr.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("bot", [ROOT, ROOT / "bots" / "clinic", ROOT / "bots" / "starter"])
def test_the_shipped_bots_are_valid(bot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--bot", str(bot)]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_a_broken_flow_of_another_bot_is_reported_at_its_line(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(ROOT / "bots" / "starter", bot, ignore=shutil.ignore_patterns("models"))
    flow = next(iter(sorted((bot / "flows").glob("*.yaml"))))
    flow.write_text(flow.read_text(encoding="utf-8").replace("next:", "nxt:", 1), encoding="utf-8")
    assert main(["validate", "--bot", str(bot)]) == 1
    out = capsys.readouterr().out
    assert f"{flow.name}:" in out and "unknown key 'nxt'" in out


def test_a_missing_bot_directory_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--bot", str(tmp_path / "nope")]) == 1
    assert "no such bot directory" in capsys.readouterr().out
