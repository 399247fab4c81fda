"""The shipped conversation-test suite passes through `ivr test`, with its SPEC 7.2 JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).parent / "conversations"


def test_shipped_suite_passes_and_reports_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "test", str(SUITE), "--json"],
        capture_output=True, timeout=300, check=False,
    )
    results = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    failed = [r for r in results if not r["passed"]]
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    assert proc.returncode == 0
    assert proc.stderr.decode().strip().splitlines()[-1] == f"{len(results)} passed, 0 failed"
    for r in results:
        assert set(r) == {"name", "passed", "failures", "outcome", "reason", "intents", "slots", "transcript"}


def test_a_failing_case_fails_the_run(tmp_path: Path) -> None:
    case = tmp_path / "bad.yaml"
    case.write_text(
        "- name: wrong expectation\n  turns:\n    - user: 渋谷店の営業時間は\n  expect: {outcome: transferred}\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, "-m", "ivr.cli", "test", str(case)], capture_output=True, timeout=120,
                          check=False)
    assert proc.returncode == 1
    assert "outcome: expected transferred" in proc.stdout.decode()
    assert proc.stdout.decode().strip().splitlines()[-1] == "0 passed, 1 failed"
