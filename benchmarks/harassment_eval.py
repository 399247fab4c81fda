"""Harassment (カスハラ) detection on held-out lines, ours beside a TF-IDF baseline trained on the same data.

    .venv/bin/python benchmarks/harassment_eval.py [--model DIR] [--data FILE ...] [--errors]

For the shipped model (models/default) and, with --model, a model directory of your own, prints per
file: recall per kind (insult, threat, sexual, unreasonable_demand), overall recall, kind accuracy, and
false alarms on calm lines and on angry-but-legitimate lines. The baseline is what a team would pick
instead: scikit-learn TfidfVectorizer (character 1-3 grams) + LogisticRegression on the raw text,
trained on the lines our harassment head trains on (nlu/data/emotion/train*.yaml plus the routine intent
examples as "none"), with the same weight for angry-but-legitimate lines; a line is flagged when its
"none" probability falls under 0.5.

Test files are JSON Lines {"text", "harassment": kind|null, "tone": "calm"|"angry"} (or "group", or
"emotion": "anger" for angry) or the emotion YAML format. None of them is trained or tuned on. With several
files, "all files" scores their lines together.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu import training
from nlu.data_io import DEFAULT_INTENT_DATA, emotion_train_files, read_emotion_examples, read_intent_examples
from nlu.pipeline import NLU

ROOT = Path(__file__).resolve().parent.parent
TEST_DIR = ROOT / "nlu" / "data" / "test"
DEFAULT_DATA = (
    TEST_DIR / "harassment_heldout2.jsonl",
    TEST_DIR / "harassment_heldout3.jsonl",
    ROOT / "nlu" / "data" / "emotion" / "test.yaml",
    TEST_DIR / "outside" / "emotion.jsonl",
)
KINDS = ("insult", "threat", "sexual", "unreasonable_demand")
# (detected, kind) for one line
Detector = Callable[[str], tuple[bool, str | None]]


def group(row: dict[str, Any]) -> str:
    """`harassment`, `angry` (angry but legitimate) or `calm`."""
    if row.get("harassment"):
        return "harassment"
    tone = row.get("tone") or row.get("group")
    if tone in ("angry", "calm"):
        return str(tone)
    return "angry" if row.get("emotion") == "anger" else "calm"


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    return read_emotion_examples(path)


def score(rows: Sequence[dict[str, Any]], detect: Detector) -> tuple[dict[str, Any], list[str]]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    style_hits: Counter[str] = Counter()
    style_totals: Counter[str] = Counter()
    kind_ok = 0
    errors = []
    for row in rows:
        g = group(row)
        kind = row.get("harassment")
        detected, guess = detect(str(row["text"]))
        totals[kind if kind else g] += 1
        if detected:
            hits[kind if kind else g] += 1
            kind_ok += bool(kind) and guess == kind
        if kind and row.get("style"):
            style_totals[str(row["style"])] += 1
            style_hits[str(row["style"])] += detected
        if bool(kind) != detected:
            errors.append(f"{'missed ' + str(kind) if kind else 'false alarm (' + g + ') ' + str(guess)} | {row['text']}")
    n_har = sum(totals[k] for k in KINDS)
    tp = sum(hits[k] for k in KINDS)
    report: dict[str, Any] = {
        "recall": round(tp / max(1, n_har), 4),
        "recall_by_kind": {k: round(hits[k] / totals[k], 4) for k in KINDS if totals[k]},
        "recall_by_style": {k: round(style_hits[k] / n, 4) for k, n in sorted(style_totals.items())},
        "kind_accuracy": round(kind_ok / max(1, tp), 4),
        "false_alarm_calm": round(hits["calm"] / max(1, totals["calm"]), 4),
        "false_alarm_angry": round(hits["angry"] / max(1, totals["angry"]), 4),
        "lines": {"harassment": n_har, "calm": totals["calm"], "angry": totals["angry"]},
    }
    return report, errors


def ours(model_dir: Path | None) -> Detector:
    nlu = NLU.load(model_dir)

    def detect(text: str) -> tuple[bool, str | None]:
        h = nlu.parse(text).harassment
        return h.detected, h.kind

    return detect


def tfidf_baseline() -> Detector:
    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []
    for path in emotion_train_files():
        for row in read_emotion_examples(path):
            texts.append(str(row["text"]))
            labels.append(str(row.get("harassment") or "none"))
            hard = training.angry_but_legitimate(row)
            weights.append(training.HARD_NEGATIVE_WEIGHT if hard else 1.0)
    for ex in read_intent_examples(sorted(DEFAULT_INTENT_DATA.glob("*.yaml"))):
        if ex.label != "complaint":
            texts.append(ex.text)
            labels.append("none")
            weights.append(1.0)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    clf = LogisticRegression(max_iter=3000, C=10.0)
    clf.fit(vec.fit_transform(texts), labels, sample_weight=weights)
    classes = [str(c) for c in clf.classes_]
    none = classes.index("none")

    def detect(text: str) -> tuple[bool, str | None]:
        probs = clf.predict_proba(vec.transform([text]))[0]
        if probs[none] >= 0.5:
            return False, None
        best = max((p, c) for c, p in zip(classes, probs, strict=True) if c != "none")
        return True, best[1]

    return detect


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="a model directory to score beside the shipped one")
    ap.add_argument("--data", type=Path, nargs="+", default=list(DEFAULT_DATA))
    ap.add_argument("--errors", action="store_true", help="print misses and false alarms of the --model (or shipped) model")
    args = ap.parse_args()
    systems: dict[str, Detector] = {"shipped": ours(None)}
    if args.model is not None:
        systems[f"model {args.model}"] = ours(args.model)
    systems["tfidf_lr"] = tfidf_baseline()
    results: dict[str, Any] = {}
    last_errors: dict[str, list[str]] = {}
    pooled: list[dict[str, Any]] = []
    for path in args.data:
        rows = read_rows(path)
        pooled += rows
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        results[name] = {}
        for label, detect in systems.items():
            report, errors = score(rows, detect)
            results[name][label] = report
            if label != "tfidf_lr":
                last_errors[name] = errors
    if len(args.data) > 1:
        # every file's lines together: a figure on one file of 60 calm lines moves 1.7 points a line
        results["all files"] = {label: score(pooled, detect)[0] for label, detect in systems.items()}
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if args.errors:
        for name, errors in last_errors.items():
            print(f"# {name}")
            print(*errors, sep="\n")


if __name__ == "__main__":
    main()
