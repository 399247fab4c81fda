"""`ivr nlu parse|eval|train --bot DIR`: a company's own bot is parsed, scored and trained from its bot.yaml's
model and intent examples (the clinic sample bot here), without naming each path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ivr.cli import build_parser
from ivr.nlu_commands import train_inputs

ROOT = Path(__file__).resolve().parents[2]
CLINIC = ROOT / "bots" / "clinic"


def _ivr(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivr.cli", "nlu", *args], input=stdin, capture_output=True,
                          text=True, timeout=300, check=False)


def test_parse_uses_the_bots_model() -> None:
    lines = "来週、内科の診察を予約したいんですが\n予約を取り消したいです\n"
    clinic = _ivr("parse", "--bot", str(CLINIC), stdin=lines)
    assert clinic.returncode == 0, clinic.stderr
    intents = [json.loads(line)["intent"]["name"] for line in clinic.stdout.splitlines()]
    assert intents == ["book_appointment", "cancel_appointment"]
    sample = _ivr("parse", stdin=lines)  # the shop's model has no appointments at all
    assert "book_appointment" not in sample.stdout


def test_eval_needs_held_out_data_and_scores_it(tmp_path: Path) -> None:
    refused = _ivr("eval", "--bot", str(CLINIC))
    assert refused.returncode == 2
    assert "--data" in refused.stderr and "Traceback" not in refused.stderr
    held_out = tmp_path / "clinic_test.jsonl"
    rows = [("明日の午前中に診てもらえますか", "book_appointment"), ("予約の日を変えたいんですけど", "change_appointment"),
            ("土曜日は何時まで開いてますか", "clinic_hours"), ("血液検査の結果を聞きたいです", "test_results")]
    held_out.write_text("".join(json.dumps({"text": t, "intent": i}, ensure_ascii=False) + "\n" for t, i in rows),
                        encoding="utf-8")
    scored = _ivr("eval", "--bot", str(CLINIC), "--data", str(held_out), "--json")
    assert scored.returncode == 0, scored.stderr
    report = json.loads(scored.stdout)
    assert report["n"] == 4 and report["accuracy"] >= 0.75


def test_a_bad_bot_directory_is_refused_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "bot.yaml").write_text("name: x\nflows: nowhere\n", encoding="utf-8")
    result = _ivr("parse", "--bot", str(tmp_path), stdin="こんにちは\n")
    assert result.returncode == 2
    assert f"{tmp_path / 'bot.yaml'}:" in result.stderr and "Traceback" not in result.stderr


def test_train_reads_the_bots_examples_and_writes_its_model_directory(tmp_path: Path) -> None:
    # what `ivr nlu train --bot DIR` trains on and where it writes (training itself: tests/nlu/test_pipeline.py)
    parser = build_parser()
    data, out = train_inputs(parser.parse_args(["nlu", "train", "--bot", str(CLINIC)]))
    assert data == [CLINIC / "intents", CLINIC / "intents" / "common"] and out == CLINIC / "models" / "default"
    given = tmp_path / "extra.jsonl"
    data, out = train_inputs(parser.parse_args(["nlu", "train", "--bot", str(CLINIC), "--data", str(given),
                                                "--out", str(tmp_path / "m")]))
    assert data == [given] and out == tmp_path / "m"  # what the company names wins
    assert train_inputs(parser.parse_args(["nlu", "train", "--bot", str(ROOT)])) == (None, None)  # the sample bot
    assert train_inputs(parser.parse_args(["nlu", "train"])) == (None, None)
