"""Entity exact match on the held-out entity file (nlu/data/test/entities_test.jsonl).

    .venv/bin/python benchmarks/entity_eval.py [--errors]

An utterance counts as exact when the set of (type, value) it yields equals the expected one; per-type
precision and recall are printed too. Dates and times resolve against each line's `now`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from nlu.pipeline import NLU

DATA = Path(__file__).resolve().parent.parent / "nlu" / "data" / "test" / "entities_test.jsonl"
SPEC_TYPES = {"order_id", "phone_number", "postal_code", "date", "time", "store", "product", "amount"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    nlu = NLU.load()
    exact = total = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for line in args.data.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        parsed = nlu.parse(row["text"], datetime.fromisoformat(row["now"]))
        got = {(e.type, str(e.value)) for e in parsed.entities if e.type in SPEC_TYPES}
        want = {(k, str(v)) for k, v in row["entities"].items()}
        total += 1
        exact += got == want
        for t, _ in got & want:
            tp[t] += 1
        for t, _ in got - want:
            fp[t] += 1
        for t, _ in want - got:
            fn[t] += 1
        if args.errors and got != want:
            print(f"{row['text']} | want {sorted(want)} | got {sorted(got)}")
    per_type = {
        t: {"precision": round(tp[t] / max(1, tp[t] + fp[t]), 4), "recall": round(tp[t] / max(1, tp[t] + fn[t]), 4)}
        for t in sorted(SPEC_TYPES)
    }
    print(json.dumps({"utterances": total, "exact_match": round(exact / max(1, total), 4), "per_type": per_type},
                     indent=1))


if __name__ == "__main__":
    main()
