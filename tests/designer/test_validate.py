"""`ivr validate`: the shipped bot is clean, and each kind of mistake points at its file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogue.validate import check, validate_all
from ivr.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]

# fixture directory, file, line, column, message: one mistake each, validated against the shipped prompts
BROKEN = [
    ("bad_indent", "bad_indent.yaml", 6, 4,
     "YAML syntax error: while parsing a block collection expected <block end>, but found '<block mapping start>'"
     " (check the indentation: keys of one mapping line up, list items start with '- ')"),
    ("unknown_kind", "unknown_kind.yaml", 5, 5, "unknown step kind 'confirmm' (did you mean 'confirm'?)"),
    ("unknown_prompt", "unknown_prompt.yaml", 5, 5, "unknown prompt 'how_can_i_hepl' (did you mean 'how_can_i_help'?)"),
    ("unreachable", "unreachable.yaml", 7, 5, "step 'orphan' is unreachable from the first step 'hello'"),
    ("unknown_target", "unknown_target.yaml", 7, 5, "unknown step 'dnoe' (did you mean 'done'?)"),
    ("slot_never_filled", "slot_never_filled.yaml", 9, 12, "slot 'shop' is never filled: no ask or save_as sets it"),
    ("unknown_intent", "unknown_intent.yaml", 3, 11, "unknown intent 'store_hourz' (did you mean 'store_hours'?)"),
    ("endless_loop", "endless_loop.yaml", 8, 5, "endless loop: steps first, again go round without waiting for the caller"),
    ("unknown_action", "unknown_action.yaml", 5, 5, "unknown backend action 'stor_info' (did you mean 'store_info'?)"),
    ("call_no_return", "caller.yaml", 5, 5, "flow 'helper' has no 'end: return' step, so this call never comes back"),
]


def test_shipped_bot_is_clean() -> None:
    report = check()
    assert report.problems == []
    assert report.flows >= 16 and report.prompts > 50 and report.rules > 0


@pytest.mark.parametrize(("case", "file", "line", "col", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_fixture_points_at_the_mistake(case: str, file: str, line: int, col: int, message: str) -> None:
    assert validate_all(FIXTURES / case) == [f"{FIXTURES / case / file}:{line}:{col}: {message}"]


def test_problems_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    for case in ("unreachable", "unknown_target", "unknown_prompt"):
        shutil.copy(FIXTURES / case / f"{case}.yaml", tmp_path)
    problems = validate_all(tmp_path)
    assert [p.split(":")[0] for p in problems] == sorted(p.split(":")[0] for p in problems)
    assert len(problems) == 3


def test_rule_prompts_are_checked(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "escalation_rules", rules)
    default = rules / "default.yaml"
    default.write_text(default.read_text(encoding="utf-8").replace("prompt: harassment_end", "prompt: harassment_ned"),
                       encoding="utf-8")
    problems = validate_all(rules_dir=rules)
    assert len(problems) == 1
    assert problems[0].startswith(f"{default}:")
    assert problems[0].endswith("unknown prompt 'harassment_ned' (did you mean 'harassment_end'?)")


def test_missing_engine_prompt_is_reported(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    text = (ROOT / "prompts" / "sakura.yaml").read_text(encoding="utf-8")
    (prompts / "sakura.yaml").write_text(text.replace("nomatch_slot:", "nomatch_slott:"), encoding="utf-8")
    # the prompts of the sample's payment flow, in a file sorted after the one the problem is reported at
    shutil.copy(ROOT / "prompts" / "payments.yaml", prompts / "z_payments.yaml")
    assert validate_all(prompts_dir=prompts) == [
        f"{prompts / 'sakura.yaml'}:1:1: missing prompt 'nomatch_slot' (the dialogue engine says it)"
    ]


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.strip().startswith("OK: ")
    assert main(["validate", "--flows", str(FIXTURES / "unknown_target")]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "1 problem"
    assert lines[0].endswith("unknown_target.yaml:7:5: unknown step 'dnoe' (did you mean 'done'?)")
    assert main(["validate", "--flows", str(FIXTURES / "call_no_return"), "--rules", str(FIXTURES)]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith(" problems")
