"""`ivr records synth|export|purge` (SPEC 7.5, 7.7) on SQLite and PostgreSQL, and their refusals."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.cli import main
from tests.dialogue.test_stores import postgres_dsn
from tests.records.conftest import drop_schema


def ivr(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own refusals
        code = int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/data/ivr.sqlite3"


def test_synth_export_purge_on_sqlite(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> None:
    code, out, _ = ivr(capsys, "records", "synth", "--store", sqlite_url, "--days", "4", "--seed", "5", "--per-day", "15")
    assert code == 0 and out.startswith("wrote ") and "4 days" in out
    written = int(out.split()[1])
    assert written > 10

    # the database holds what callers said: not readable by others
    path = tmp_path / "data" / "ivr.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    code, out, err = ivr(capsys, "records", "export", "--store", sqlite_url)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == written and f"exported {written}" in err
    assert all(r["conversation_id"].startswith("syn-") and r["case_note"] for r in lines)
    assert [r["started_at"] for r in lines] == sorted(r["started_at"] for r in lines)

    since = lines[len(lines) // 2]["started_at"]
    code, out, _ = ivr(capsys, "records", "export", "--store", sqlite_url, "--since", since, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len([r for r in lines if r["started_at"] >= since])
    assert list(rows[0]) == list(lines[0])  # the schema's fields, in order
    assert json.loads(rows[0]["transcript"])[0]["speaker"] in ("bot", "caller")
    assert rows[0]["intents"].startswith('["')

    # an ISO date without an offset is Japan time
    code, out, _ = ivr(capsys, "records", "export", "--store", sqlite_url, "--since", since[:10])
    assert code == 0 and len(out.splitlines()) >= len(rows)

    code, out, _ = ivr(capsys, "records", "purge", "--store", sqlite_url, "--older-than", "2")
    removed = int(out.split()[1])
    assert code == 0 and out.startswith("removed ") and 0 < removed < written
    code, out, _ = ivr(capsys, "records", "export", "--store", sqlite_url)
    assert len(out.splitlines()) == written - removed


def test_redacted_export_masks_personal_data(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    ivr(capsys, "records", "synth", "--store", sqlite_url, "--days", "2", "--per-day", "40")
    _, plain, _ = ivr(capsys, "records", "export", "--store", sqlite_url)
    code, masked, _ = ivr(capsys, "records", "export", "--store", sqlite_url, "--redact")
    assert code == 0
    before = [json.loads(line) for line in plain.splitlines()]
    after = [json.loads(line) for line in masked.splitlines()]
    phones = [r["caller"] for r in before if r["channel"] == "voice"]
    assert phones and all(p not in masked for p in phones)
    assert {r["caller"] for r in after} <= {None, "[電話番号]", "[メール]"}
    assert any("[電話番号]" in t["text"] for r in after for t in r["transcript"])
    assert [r["conversation_id"] for r in after] == [r["conversation_id"] for r in before]
    assert "@example.jp" in plain and "@example.jp" not in masked


@pytest.mark.services
def test_synth_export_purge_on_postgres(capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import uuid

    dsn = asyncio.run(postgres_dsn())
    tag = f"ivr_cli_{uuid.uuid4().hex[:10]}"
    url = f"{dsn}?search_path={tag}"  # asyncpg passes unknown DSN parameters on as server settings
    try:
        asyncio.run(_create_schema(dsn, tag))
        code, out, _ = ivr(capsys, "records", "synth", "--store", url, "--days", "3", "--per-day", "10")
        assert code == 0, out
        written = int(out.split()[1])
        code, out, _ = ivr(capsys, "records", "export", "--store", url, "--format", "jsonl")
        assert code == 0 and len(out.splitlines()) == written
        code, out, _ = ivr(capsys, "records", "purge", "--store", url, "--older-than", "0")
        assert code == 0 and out.startswith(f"removed {written} ")
    finally:
        asyncio.run(drop_schema(dsn, tag))


async def _create_schema(dsn: str, tag: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{tag}"')
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["purge", "--older-than", "soon"], "expected a number of days"),
        (["purge", "--older-than", "-3"], ">= 0"),
        (["purge"], "--older-than"),
        (["synth", "--days", "0"], "expected 1 to"),
        (["synth", "--days", "many"], "whole number"),
        (["synth", "--days", "2", "--bot", "no/such/bot"], "no/such/bot: no such bot directory"),
        (["export", "--format", "xml"], "invalid choice"),
        (["export", "--since", "last tuesday"], "--since: expected an ISO-8601"),
        (["export", "--store", "redis://127.0.0.1:6379/0"], "Redis keeps live session state only"),
        (["purge", "--store", "mysql://db/ivr", "--older-than", "3"], "unknown scheme"),
        (["export", "--store", "sqlite:///no/such/folder/ivr.db"], "no database at no/such/folder/ivr.db"),
    ],
)
def test_bad_arguments_exit_2_with_a_reason(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = ivr(capsys, "records", *argv)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_synth_of_a_bot_without_synth_yaml_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import shutil

    bot = tmp_path / "bot"
    starter = Path(__file__).parents[2] / "bots" / "starter"
    shutil.copytree(starter, bot, ignore=shutil.ignore_patterns("models", "synth.yaml"))
    code, out, err = ivr(capsys, "records", "synth", "--days", "2", "--bot", str(bot))
    assert code == 2 and f"{bot}/synth.yaml:1:1: no synth.yaml here" in err and "Traceback" not in err and out == ""


def test_synth_of_another_bot(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    clinic = str(Path(__file__).parents[2] / "bots" / "clinic")
    code, out, _ = ivr(capsys, "records", "synth", "--store", sqlite_url, "--days", "3", "--per-day", "20", "--bot", clinic)
    assert code == 0 and out.startswith("wrote ")
    code, out, _ = ivr(capsys, "records", "export", "--store", sqlite_url)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines and all(r["transcript"] for r in lines)
    said = " ".join(t["text"] for r in lines for t in r["transcript"])
    assert "みどり内科クリニック" in said and "サクラマート" not in said
    assert {r["queue"] for r in lines} <= {None, "general", "nurse", "supervisor"}


def test_export_into_a_closed_pipe_is_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/ivr.db"
    ivr(capsys, "records", "synth", "--store", url, "--days", "2", "--per-day", "50")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    shell = f"{Path(sys.executable).parent / 'ivr'} records export --store {url} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(done.stdout)["conversation_id"].startswith("syn-")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
