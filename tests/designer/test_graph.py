"""`ivr graph`: a flow drawn as SVG/PNG/DOT, steps shaped by kind and edges labelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import load_bot
from dialogue.graph import flow_graph
from ivr.cli import main


def test_svg_names_every_step(tmp_path: Path) -> None:
    out = tmp_path / "verify.svg"
    assert main(["graph", "verify_order", "--out", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
    for step in load_bot().flows["verify_order"].steps:
        assert step.id in svg


def test_png_and_default_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "order_status", "--format", "png"]) == 0
    assert (tmp_path / "order_status.png").read_bytes().startswith(b"\x89PNG")


def test_shapes_labels_and_prompt_text() -> None:
    bot = load_bot()
    dot = flow_graph(bot.flows["account_login"], bot.prompts, fontname="Noto Sans CJK JP").source
    assert "parallelogram" in dot and "diamond" in dot and "box3d" in dot and "doublecircle" in dot
    assert 'label=yes' in dot and 'label=no' in dot and "label=ok" in dot
    assert "パスワードをお忘れの場合は" in dot  # the start of the say step's prompt
    assert 'fontname="Noto Sans CJK JP"' in dot
    handover = flow_graph(bot.flows["complaint"], bot.prompts).source
    assert "house" in handover and "red" in handover


def test_unknown_flow(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["graph", "no_such_flow", "--out", str(tmp_path / "x.svg")]) == 2
    assert "unknown flow 'no_such_flow'" in capsys.readouterr().err
