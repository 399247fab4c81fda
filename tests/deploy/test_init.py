"""`ivr init DIR` writes a working bot: it chats, passes its own conversation suite and serves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ivr.cli import main


def ivr(*args: str, stdin: str = "", timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivr.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def new_bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "mybot"
    proc = ivr("init", str(target))
    assert proc.returncode == 0, proc.stderr
    assert (target / "models" / "default" / "metadata.json").is_file()  # trained from the written examples
    return target


def test_init_refuses_a_directory_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_new_bot_passes_its_own_suite(new_bot: Path) -> None:
    proc = ivr("test", "--bot", str(new_bot), str(new_bot / "tests"), "--json")
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert results and all(r["passed"] for r in results), proc.stdout
    # its own store names (lexicon.yaml: 本店) and not サクラマート's (渋谷店)
    assert "the bot's own store names, not another company's" in {r["name"] for r in results}
    assert proc.returncode == 0


def test_the_new_bot_validates_and_makes_synthetic_records(new_bot: Path, tmp_path: Path) -> None:
    assert (new_bot / "synth.yaml").is_file() and (new_bot / "lexicon.yaml").is_file()
    proc = ivr("validate", "--bot", str(new_bot))
    assert proc.returncode == 0 and proc.stdout.startswith("OK: 4 flows"), proc.stdout + proc.stderr
    store = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    proc = ivr("records", "synth", "--bot", str(new_bot), "--store", store, "--days", "3", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("wrote ") and " synthetic contacts (3 days" in proc.stdout, proc.stdout
    exported = ivr("records", "export", "--store", store)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert exported.returncode == 0 and len(records) == int(proc.stdout.split()[1])
    said = json.dumps(records, ensure_ascii=False)
    assert "サンプル株式会社" in said or "営業時間" in said  # the new bot's requests, not サクラマート's orders
    assert "注文" not in said


def test_the_new_bot_chats(new_bot: Path) -> None:
    proc = ivr("chat", "--bot", str(new_bot), stdin="営業時間を教えてください\n以上です\n")
    assert "営業時間は平日の午前9時から午後6時まで" in proc.stdout, proc.stdout + proc.stderr
    assert "[outcome: resolved]" in proc.stdout


def test_the_new_bot_serves(new_bot: Path, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with subprocess.Popen(
        [sys.executable, "-m", "ivr.cli", "serve", "--bot", str(new_bot), "--port", str(port),
         "--store", f"sqlite:///{tmp_path / 'ivr.sqlite3'}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={"PATH": "/usr/bin:/bin", "IVR_HOT_RELOAD": "0"},
    ) as server:
        try:
            assert server.stdout is not None
            banner = server.stdout.readline()
            assert banner.startswith("サンプル株式会社 bot: open http://127.0.0.1:")
            body: dict[str, object] = {}
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                        body = json.loads(resp.read())
                    break
                except OSError:
                    time.sleep(0.2)
            assert body.get("flows") == 4
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_a_failed_init_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from ivr import deploy_commands

    broken = tmp_path / "starter"
    broken.mkdir()
    (broken / "bot.yaml").write_text("name: x\nbackend: nothing\n", encoding="utf-8")
    monkeypatch.setattr(deploy_commands, "STARTER", broken)
    target = tmp_path / "new"
    assert main(["init", str(target)]) == 2
    assert "bot.yaml:2:" in capsys.readouterr().err
    assert not target.exists()
