"""The `ivr nlu parse` contract (SPEC 7.1): one JSON object per input line, in order, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys


def parse_lines(lines: list[bytes], *args: str) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "nlu", "parse", *args],
        input=b"".join(line + b"\n" for line in lines),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def test_fields_and_values() -> None:
    [out] = parse_lines(["注文番号は12345678です、まだ届かないんですけど".encode()], "--now", "2026-11-23T10:00:00+09:00")
    assert set(out) >= {"text", "normalized", "tokens", "intent", "ranking", "entities", "emotion", "harassment"}
    assert out["intent"]["name"] == "order_status"  # type: ignore[index]
    token = out["tokens"][0]  # type: ignore[index]
    assert set(token) == {"surface", "lemma", "reading", "pos"}
    [entity] = [e for e in out["entities"] if e["type"] == "order_id"]  # type: ignore[attr-defined]
    assert entity["value"] == "12345678"
    assert out["text"][entity["start"] : entity["end"]] == "12345678"  # type: ignore[index]
    assert out["emotion"]["label"] in ("neutral", "anger", "anxiety", "sadness")  # type: ignore[index]
    ranking = out["ranking"]
    assert isinstance(ranking, list) and ranking[0]["name"] == "order_status"


def test_relative_dates_follow_now() -> None:
    [out] = parse_lines(["明日の午後三時に再配達してください".encode()], "--now", "2026-11-23T10:00:00+09:00")
    values = {e["type"]: e["value"] for e in out["entities"]}  # type: ignore[attr-defined]
    assert values["date"] == "2026-11-24"
    assert values["time"] == "15:00"


def test_asr_nbest_picks_the_understood_alternative() -> None:
    line = json.dumps(
        {"text": "ちゅうもんの へん ぴん", "alternatives": [
            {"text": "注文の変貌", "confidence": 0.5},
            {"text": "注文の返品をしたい", "confidence": 0.45},
        ]},
        ensure_ascii=False,
    )
    [out] = parse_lines([line.encode()])
    assert out["intent"]["name"] == "return_exchange"  # type: ignore[index]


def test_bad_lines_get_errors_and_the_stream_goes_on() -> None:
    lines = [b'{"text": 3', b"\xff\xfe", b'{"alternatives": "x"}', b"", "ありがとう".encode()]
    out = parse_lines(lines)
    assert len(out) == 5
    assert "error" in out[0] and "error" in out[1] and "error" in out[2]
    assert out[3]["intent"]["name"] == "out_of_scope"  # type: ignore[index]
    assert out[4]["intent"]["name"] == "thanks"  # type: ignore[index]
