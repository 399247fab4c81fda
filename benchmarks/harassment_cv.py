"""Cross-validated harassment figures on the *training* lines only: how thresholds and weights are chosen.

    .venv/bin/python benchmarks/harassment_cv.py [--folds 5] [--weight 3] [--c 10] [--errors]

The held-out test file is never read here. Each fold trains the harassment head exactly as
`nlu.training.train_emotion` does (same features, routine intent lines as extra negatives, the same
weight for angry-but-legitimate lines) on the other folds, then scores the held fold. Printed per
threshold: recall over harassment lines, kind accuracy, and false alarms on calm lines and on
angry-but-legitimate lines. The threshold shipped is the one with the fewest false alarms that keeps
recall >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from typing import Any

from nlu import training
from nlu.data_io import DEFAULT_INTENT_DATA, emotion_train_files, read_emotion_examples, read_intent_examples

THRESHOLDS = (0.3, 0.325, 0.35, 0.375, 0.4, 0.425, 0.45, 0.5, 0.55, 0.6)


def _group(row: dict[str, Any]) -> str:
    if row.get("harassment"):
        return "harassment"
    return "angry" if training.angry_but_legitimate(row) else "calm"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--weight", type=float, default=training.HARD_NEGATIVE_WEIGHT)
    ap.add_argument("--c", type=float, default=training.C_HARASSMENT)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--errors", action="store_true", help="print the false alarms and misses at the shipped threshold")
    args = ap.parse_args()

    rows = [row for p in emotion_train_files() for row in read_emotion_examples(p)]
    intents = read_intent_examples([DEFAULT_INTENT_DATA])
    # stratified folds: each group (harassment kinds, angry, calm) is dealt round-robin after a shuffle
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_group[str(row.get("harassment") or _group(row))].append(row)
    rng = random.Random(args.seed)
    fold_of: dict[int, int] = {}
    for members in by_group.values():
        rng.shuffle(members)
        for i, row in enumerate(members):
            fold_of[id(row)] = i % args.folds

    training.HARD_NEGATIVE_WEIGHT = args.weight
    training.C_HARASSMENT = args.c
    scored: list[tuple[dict[str, Any], float, str]] = []
    for k in range(args.folds):
        train_rows = [r for r in rows if fold_of[id(r)] != k]
        _, model = training.train_emotion(train_rows, intents)
        none = model.labels.index("none")
        for row in (r for r in rows if fold_of[id(r)] == k):
            probs = model.scores(training.featurize(str(row["text"])))
            kinds = [(float(p), lab) for lab, p in zip(model.labels, probs, strict=True) if lab != "none"]
            scored.append((row, 1.0 - float(probs[none]), max(kinds)[1]))

    counts = defaultdict(int)
    for row, _, _ in scored:
        counts[_group(row)] += 1
    print(f"lines: {dict(counts)}; weight {args.weight}, C {args.c}, {args.folds} folds")
    print("threshold  recall  kind_acc  fa_calm  fa_angry")
    report = []
    for t in THRESHOLDS:
        hit = [(r, kind) for r, s, kind in scored if s >= t]
        tp = [(r, kind) for r, kind in hit if r.get("harassment")]
        fa_calm = sum(1 for r, _ in hit if _group(r) == "calm")
        fa_angry = sum(1 for r, _ in hit if _group(r) == "angry")
        line = {
            "threshold": t,
            "recall": round(len(tp) / counts["harassment"], 4),
            "kind_accuracy": round(sum(r["harassment"] == kind for r, kind in tp) / max(1, len(tp)), 4),
            "false_alarm_calm": round(fa_calm / counts["calm"], 4),
            "false_alarm_angry": round(fa_angry / counts["angry"], 4),
        }
        report.append(line)
        print("{threshold:9}  {recall:.3f}   {kind_accuracy:.3f}    {false_alarm_calm:.4f}   {false_alarm_angry:.4f}".format(**line))
    print(json.dumps(report))
    if args.errors:
        shipped = training.THRESHOLDS["harassment"]
        for row, score, kind in sorted(scored, key=lambda x: -x[1]):
            group = _group(row)
            if group != "harassment" and score >= shipped:
                print(f"false alarm ({group}) {score:.2f} {kind} | {row['text']}")
            elif group == "harassment" and score < shipped:
                print(f"missed {row['harassment']} {score:.2f} | {row['text']}")


if __name__ == "__main__":
    main()
