"""`ivr nlu eval`: accuracy, per-intent precision/recall/F1, confusions, and the same per style."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sklearn.metrics import precision_recall_fscore_support

from nlu.data_io import Example
from nlu.pipeline import NLU


def _scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    per = {
        lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
              "support": int(s[i])}
        for i, lab in enumerate(labels)
    }
    gold_labels = sorted(set(gold))
    macro = sum(per[lab]["f1"] for lab in gold_labels) / max(1, len(gold_labels))
    correct = sum(g == q for g, q in zip(gold, pred, strict=True))
    return {"n": len(gold), "accuracy": round(correct / max(1, len(gold)), 4), "macro_f1": round(macro, 4),
            "per_intent": per}


def evaluate(nlu: NLU, examples: Sequence[Example]) -> dict[str, Any]:
    gold: list[str] = []
    pred: list[str] = []
    by_style: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    confusions: Counter[tuple[str, str]] = Counter()
    errors: list[dict[str, Any]] = []
    started = time.perf_counter()
    for ex in examples:
        got = nlu.parse(ex.text).intent.name
        gold.append(ex.label)
        pred.append(got)
        if ex.style:
            by_style[ex.style][0].append(ex.label)
            by_style[ex.style][1].append(got)
        if got != ex.label:
            confusions[(ex.label, got)] += 1
            errors.append({"text": ex.text, "gold": ex.label, "pred": got, "style": ex.style})
    elapsed = time.perf_counter() - started
    report = _scores(gold, pred)
    report["styles"] = {
        style: {k: v for k, v in _scores(g, p).items() if k != "per_intent"} for style, (g, p) in sorted(by_style.items())
    }
    report["confusions"] = [{"gold": g, "pred": p, "count": n} for (g, p), n in confusions.most_common()]
    report["errors"] = errors
    report["ms_per_utterance"] = round(1000 * elapsed / max(1, len(gold)), 4)
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = [f"utterances: {report['n']}  accuracy: {report['accuracy']:.4f}  macro-F1: {report['macro_f1']:.4f}"
             f"  ({report['ms_per_utterance']} ms/utterance)", "", f"{'intent':<28}{'P':>8}{'R':>8}{'F1':>8}{'n':>6}"]
    for name, m in report["per_intent"].items():
        lines.append(f"{name:<28}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>6}")
    if report["styles"]:
        lines += ["", f"{'style':<28}{'accuracy':>10}{'n':>6}"]
        for style, m in report["styles"].items():
            lines.append(f"{style:<28}{m['accuracy']:>10.4f}{m['n']:>6}")
    if report["confusions"]:
        lines += ["", "confusions (gold -> predicted: count)"]
        lines += [f"  {c['gold']} -> {c['pred']}: {c['count']}" for c in report["confusions"][:30]]
    return "\n".join(lines)
