"""`ivr qa report` and `ivr forecast` (SPEC 7.7) on a SQLite records store filled with put_records."""

from __future__ import annotations

import asyncio
import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dialogue.records import put_records
from dialogue.store_remote import store_from_url
from ivr.cli import main
from tests.ops.records import contact
from tests.ops.test_forecast import synthetic

GREET = ("bot", "お電話ありがとうございます。サクラマート、お客様窓口でございます。")
CLOSE = ("agent", "お問い合わせいただき、ありがとうございました。失礼いたします。")


def fill(url: str, records: list[dict[str, Any]]) -> None:
    async def put() -> None:
        store = store_from_url(url)
        try:
            await put_records(store, records)
        finally:
            await store.close()

    asyncio.run(put())


def as_record(r: dict[str, Any]) -> dict[str, Any]:
    return contact(conversation_id=r["conversation_id"], channel=r["channel"], queue=r["queue"],
                   started_at=r["started_at"], handle_seconds=r["handle_seconds"], outcome="handover")


def test_qa_report_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    fill(url, [
        contact(GREET, ("caller", "オペレーターを"), ("bot", "担当者におつなぎいたします。"),
                ("agent", "お電話代わりました、佐藤です。"), CLOSE, conversation_id="good", agent="sato",
                intents=["operator_request"], started_at="2026-11-19T10:00:00+09:00"),
        contact(GREET, ("caller", "荷物まだ？"), ("agent", "お待たせいたしました。今調べてるよ。"), CLOSE,
                conversation_id="rude", agent="sato", started_at="2026-11-20T10:00:00+09:00"),
    ])
    assert main(["qa", "report", "--store", url, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["conversation_id"], r["score"]) for r in rows] == [("good", 100), ("rude", 90)]
    evidence = rows[1]["failed"][0]
    assert (evidence["rule"], evidence["turn"], evidence["speaker"]) == ("plain_speech", 2, "agent")
    assert main(["qa", "report", "--store", url, "--since", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "rude" in out and "good" not in out and "plain_speech@2 agent" in out
    assert "by agent:\n  sato: 1 contacts, mean 90.0" in out and "by flow:" in out and "by day:\n  2026-11-20" in out


def test_qa_report_bad_since_and_store(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="ISO-8601"):
        main(["qa", "report", "--store", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--since", "yesterday"])
    with pytest.raises(SystemExit, match="cannot read records"):
        main(["qa", "report", "--store", "ftp://nowhere"])
    with pytest.raises(SystemExit, match="no database at"):
        main(["forecast", "--store", f"sqlite:///{tmp_path / 'typo.sqlite3'}"])
    assert not (tmp_path / "typo.sqlite3").exists()
    with pytest.raises(SystemExit, match="live session state only"):
        main(["qa", "report", "--store", "redis://127.0.0.1:1/0"])


def test_forecast_writes_csvs_and_a_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    fill(url, [as_record(r) for r in synthetic(35)])
    out = tmp_path / "fc"
    assert main(["forecast", "--store", url, "--weeks", "1", "--out", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(r"backtest MAPE: model (0\.\d{3}), seasonal naive (\d+\.\d{3})", last)
    assert match and float(match[1]) < float(match[2])
    with (out / "forecast.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7 * 48 and rows[0]["interval_start"] == "2026-11-09T00:00:00+09:00"
    with (out / "staffing.csv").open(encoding="utf-8") as f:
        staff = list(csv.DictReader(f))
    assert max(int(r["agents"]) for r in staff) >= 2 and staff[0]["handle_seconds"] == "240"
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_forecast_with_too_little_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    fill(url, [as_record(r) for r in synthetic(10)])
    with pytest.raises(SystemExit, match="at least 28 days are needed"):
        main(["forecast", "--store", url, "--out", str(tmp_path / "fc")])


def test_qa_report_with_a_broken_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "protocol.yaml"
    bad.write_text("pass_score: 80\nblame:\n  penalty: 25\n  expressions: ['(unclosed']\n", encoding="utf-8")
    assert main(["qa", "report", "--store", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--protocol", str(bad)]) == 1
    assert f"{bad}:4:" in capsys.readouterr().err


def test_a_report_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`ivr qa report | head`: the reader closes the pipe early; the command ends 0 with no traceback."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    subprocess.run([sys.executable, "-m", "ivr.cli", "records", "synth", "--store", url, "--days", "3", "--seed", "2"],
                   check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen([sys.executable, "-m", "ivr.cli", "qa", "report", "--store", url, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0, err
    assert json.loads(first)["conversation_id"]
    assert "Traceback" not in err and "BrokenPipeError" not in err
