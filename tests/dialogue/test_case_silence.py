"""SPEC 7.2 names no form for a caller who says nothing; testers write a pause as `silence: true` or as the
seconds it lasted (`silence: 5`, heldout12). Both are a turn without words; `silence: 0` is none."""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot
from dialogue.testing import load_suite
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


async def test_seconds_of_silence_are_a_silent_turn(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: a pause at the order number, then the keypad
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 注文した商品がまだ届かないんですけど
      expect: {awaiting: "slot:order_id"}
    - silence: 5
      expect: {awaiting: "slot:order_id"}
    - dtmf: "12345678"
  expect: {intent: order_status, slots: {order_id: "12345678"}}
""")
    assert result.passed, result.failures


def test_zero_seconds_is_no_silence(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("- name: x\n  turns:\n    - {user: はい, silence: 0}\n    - {silence: true}\n", encoding="utf-8")
    (case,) = load_suite(path)
    assert case.turns is not None and [t.silence for t in case.turns] == [False, True]
