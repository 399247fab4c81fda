"""Emotion and harassment figures on the held-out labelled set (never trained on).

    .venv/bin/python benchmarks/emotion_eval.py [--model DIR] [--data nlu/data/emotion/test.yaml]

Reports emotion macro-F1 and per-label P/R/F1, harassment recall (any kind), kind accuracy, and the
false-alarm rate on neutral lines and on angry-but-legitimate lines.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import classification_report, f1_score

from nlu.data_io import DEFAULT_EMOTION_TEST, read_emotion_examples
from nlu.pipeline import NLU


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=DEFAULT_EMOTION_TEST)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    nlu = NLU.load(args.model)
    rows = read_emotion_examples(args.data)
    gold_e, pred_e = [], []
    har_tp = har_fn = kind_ok = 0
    fa_neutral = n_neutral = fa_angry = n_angry = 0
    errors = []
    for row in rows:
        p = nlu.parse(str(row["text"]))
        if row.get("emotion"):
            gold_e.append(row["emotion"])
            pred_e.append(p.emotion.label)
            if row["emotion"] != p.emotion.label:
                errors.append(("emotion", row["emotion"], p.emotion.label, row["text"]))
        kind = row.get("harassment")
        if kind:
            if p.harassment.detected:
                har_tp += 1
                kind_ok += p.harassment.kind == kind
            else:
                har_fn += 1
                errors.append(("missed harassment", kind, None, row["text"]))
        else:
            if row.get("emotion") == "anger":
                n_angry += 1
                fa_angry += p.harassment.detected
            else:
                n_neutral += 1
                fa_neutral += p.harassment.detected
            if p.harassment.detected:
                errors.append(("false alarm", None, p.harassment.kind, row["text"]))
    report = {
        "emotion_macro_f1": round(float(f1_score(gold_e, pred_e, average="macro")), 4),
        "harassment_recall": round(har_tp / max(1, har_tp + har_fn), 4),
        "harassment_kind_accuracy": round(kind_ok / max(1, har_tp), 4),
        "false_alarm_non_angry": round(fa_neutral / max(1, n_neutral), 4),
        "false_alarm_angry_legitimate": round(fa_angry / max(1, n_angry), 4),
        "n": len(rows),
    }
    print(classification_report(gold_e, pred_e, digits=3, zero_division=0))
    print(json.dumps(report, indent=1))
    if args.errors:
        for e in errors:
            print(*e, sep=" | ")


if __name__ == "__main__":
    main()
