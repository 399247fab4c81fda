"""`ivr chat` driven through a pipe, as a script or a tester would."""

from __future__ import annotations

import subprocess
import sys

import pytest

NOW = "2026-11-24T10:15:00+09:00"


def chat(stdin: bytes, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "chat", "--now", NOW, *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stdout + proc.stderr
    return proc.stdout.decode()


def test_order_status_call_is_resolved_with_the_status_read_out() -> None:
    script = "えーっと ちゅうもんしたしょうひんが まだとどかないんですけど\n12345678\n09012345678\n以上です\n"
    out = chat(script.encode(), "--phone", "0312345678")
    assert "ご注文番号" in out  # the bot asked for the order number
    assert "お電話番号" in out  # the caller id did not match: it asked for the registered phone
    assert "配送中" in out and "ヤマト運輸" in out and "12345678" in out
    assert out.rstrip().endswith("[outcome: resolved]")


@pytest.mark.parametrize(
    "bad",
    [
        b"\n",  # empty line
        ("あ" * 100_000).encode() + b"\n",  # 100k characters
        b"\x00\x01\x02\x1b[31m\n",  # control characters
        b"\xff\xfe\xfa invalid utf-8\n",  # not UTF-8
        "😀🎉🙏\n".encode(),  # emoji only
    ],
    ids=["empty", "100k", "control", "invalid-utf8", "emoji"],
)
def test_bad_input_gets_a_polite_reprompt_and_the_call_goes_on(bad: bytes) -> None:
    script = bad + "注文した商品が届きません\n12345678\n以上です\n".encode()
    out = chat(script, "--phone", "09012345678")
    assert "申し訳ございません" in out
    assert "配送中" in out  # the session survived and finished the request
    assert "[outcome: resolved]" in out


def test_end_of_input_hangs_up_as_abandoned() -> None:
    out = chat("注文した商品が届きません\n".encode())
    assert out.rstrip().endswith("[outcome: abandoned]")


def test_an_empty_line_on_the_phone_is_the_callers_silence() -> None:
    # a recogniser that heard nothing; on a chat an empty line is asked again as unreadable (above)
    out = chat("注文した商品が届きません\n\n12345678\n以上です\n".encode(), "--channel", "voice", "--phone", "09012345678")
    assert "メッセージを読み取れません" not in out and "ご入力ください" not in out
    assert "ご注文確認メールに記載" in out  # the help a silence at the order number gets
    assert "[outcome: resolved]" in out
