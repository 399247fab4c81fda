"""English callers' abuse and anger (issue 14) on lines written apart from the training data.

    .venv/bin/python benchmarks/english_abuse_eval.py [--model DIR] [--data FILE ...]

Files are JSON Lines {"text", "harassment": kind|null, "tone": "calm"|"angry" (null lines)}:
benchmarks/data/harassment_english.jsonl (held-out, never tuned on) and, by name, harassment_english_dev.jsonl
(the set the English data and weights were chosen on). Prints per file: harassment recall and kind accuracy,
false alarms on calm and on angry-but-legitimate lines, and the emotion head's anger recall on the angry and
abusive lines (sexual remarks are labelled neutral, so they are left out) and neutral rate on calm lines.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlu.pipeline import NLU

DATA = Path(__file__).resolve().parent / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--data", type=Path, nargs="*", default=[DATA / "harassment_english.jsonl"])
    args = ap.parse_args()
    nlu = NLU.load(args.model)
    for path in args.data:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        abuse = [r for r in rows if r.get("harassment")]
        calm = [r for r in rows if not r.get("harassment") and r.get("tone") == "calm"]
        angry = [r for r in rows if not r.get("harassment") and r.get("tone") == "angry"]
        parsed = {r["text"]: nlu.parse(r["text"]) for r in rows}
        found = [r for r in abuse if parsed[r["text"]].harassment.detected]
        right_kind = [r for r in found if parsed[r["text"]].harassment.kind == r["harassment"]]
        anger_lines = angry + [r for r in abuse if r["harassment"] != "sexual"]
        print(f"{path.name}: {len(rows)} lines")
        print(f"  harassment recall {len(found)}/{len(abuse)} = {len(found) / max(1, len(abuse)):.3f}, "
              f"kind accuracy {len(right_kind) / max(1, len(found)):.3f}")
        for name, group in (("calm", calm), ("angry", angry)):
            alarms = sum(parsed[r["text"]].harassment.detected for r in group)
            print(f"  false alarms {name} {alarms}/{len(group)} = {alarms / max(1, len(group)):.3f}")
        anger = sum(parsed[r["text"]].emotion.label == "anger" for r in anger_lines)
        neutral = sum(parsed[r["text"]].emotion.label == "neutral" for r in calm)
        print(f"  emotion: anger recall {anger}/{len(anger_lines)} = {anger / max(1, len(anger_lines)):.3f}, "
              f"calm lines neutral {neutral}/{len(calm)}")


if __name__ == "__main__":
    main()
