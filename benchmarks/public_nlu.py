"""Our NLU on public Japanese data written by others, beside a TF-IDF baseline trained on the same data.

    .venv/bin/python benchmarks/public_nlu.py [--shared ../shared/benchmarks] [--only xsid_ja,...]
        [--intent-norm all|known]

Train on `train`, report on `test` (never trained or tuned on). The baseline is what a team would pick
instead: scikit-learn TfidfVectorizer (character 1-3 grams) + LogisticRegression, on the raw text.
Prints one JSON object with accuracy / macro-F1 and milliseconds per utterance for both.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from nlu import linear
from nlu.data_io import read_jsonl
from nlu.pipeline import NLU
from nlu.training import featurize, train

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "benchmarks"


def _timed(fn: Callable[[str], str], texts: Sequence[str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    out = [fn(t) for t in texts]
    return out, 1000 * (time.perf_counter() - started) / max(1, len(texts))


def _scores(gold: Sequence[str], pred: Sequence[str], ms: float) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, average="macro", zero_division=0)), 4),
        "ms_per_utterance": round(ms, 3),
    }


def tfidf_baseline(train_x: Sequence[str], train_y: Sequence[str]) -> Callable[[str], str]:
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    clf = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced")
    clf.fit(vec.fit_transform(train_x), list(train_y))
    return lambda text: str(clf.predict(vec.transform([text]))[0])


def intent_task(folder: Path, intent_norm: str | None = None) -> dict[str, Any]:
    train_rows = list(read_jsonl(folder / "train.jsonl"))
    test_rows = list(read_jsonl(folder / "test.jsonl"))
    gold = [r.label for r in test_rows]
    texts = [r.text for r in test_rows]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        train([folder / "train.jsonl"], Path(tmp), intent_norm=intent_norm)
        train_s = time.perf_counter() - started
        nlu = NLU.load(Path(tmp))
        ours, ms = _timed(lambda t: nlu.parse(t).intent.name, texts)
    base = tfidf_baseline([r.text for r in train_rows], [r.label for r in train_rows])
    theirs, base_ms = _timed(base, texts)
    return {"train": len(train_rows), "test": len(test_rows), "ours": {**_scores(gold, ours, ms),
            "train_s": round(train_s, 1)}, "tfidf_lr": _scores(gold, theirs, base_ms)}


def own_task() -> dict[str, Any]:
    """The sample bot's own data: YAML training examples, the held-out test file."""
    from nlu.data_io import DEFAULT_INTENT_DATA, DEFAULT_INTENT_TEST, read_intent_examples

    train_rows = read_intent_examples([DEFAULT_INTENT_DATA])
    test_rows = read_intent_examples([DEFAULT_INTENT_TEST])
    gold, texts = [r.label for r in test_rows], [r.text for r in test_rows]
    nlu = NLU.load()  # the shipped model, trained on exactly these YAML examples
    ours, ms = _timed(lambda t: nlu.parse(t).intent.name, texts)
    base = tfidf_baseline([r.text for r in train_rows], [r.label for r in train_rows])
    theirs, base_ms = _timed(base, texts)
    return {"train": len(train_rows), "test": len(test_rows), "ours": _scores(gold, ours, ms),
            "tfidf_lr": _scores(gold, theirs, base_ms)}


def _agreement(extra: dict[str, Any]) -> float:
    """The share of annotators who gave the row its label ("2/3" -> 0.67); 1.0 when the data has none."""
    try:
        agreed, total = str(extra["agreement"]).split("/")
        return int(agreed) / int(total)
    except (KeyError, ValueError, ZeroDivisionError):
        return 1.0


def _fit_label_head(rows: Sequence[tuple[list[str], str, float, str]]) -> tuple[linear.LinearModel, dict[str, Any]]:
    """Our linear head for a labelled public set, with C chosen by 5-fold cross-validation on the train rows
    only (folds by dialogue where the data names one) and rows weighted by their annotators' agreement
    squared: a label two of three annotators gave is a weaker example than one all gave."""
    from sklearn.model_selection import GroupKFold

    feats, labels = [r[0] for r in rows], [r[1] for r in rows]
    weights, groups = [r[2] ** 2 for r in rows], [r[3] for r in rows]
    cv: dict[str, float] = {}
    for c in CANDIDATE_C:
        gold: list[str] = []
        pred: list[str] = []
        for tr, te in GroupKFold(5).split(feats, labels, groups):
            m = linear.train([feats[i] for i in tr], [labels[i] for i in tr], c=c,
                             sample_weight=[weights[i] for i in tr])
            gold += [labels[i] for i in te]
            pred += [m.labels[int(np.argmax(m.scores(feats[i])))] for i in te]
        cv[str(c)] = round(float(f1_score(gold, pred, average="macro", zero_division=0)), 4)
    best = float(max(cv, key=lambda k: cv[k]))
    return linear.train(feats, labels, c=best, sample_weight=weights), {"c": best, "cv_macro_f1": cv}


# the inverse regularisation strengths tried for a public set's head (the bot's own heads use training.C_*)
CANDIDATE_C = (1.0, 3.0, 10.0)


def label_task(folder: Path, label: Callable[[dict[str, Any]], str | None], positive: str | None = None) -> dict[str, Any]:
    def rows(name: str) -> list[tuple[str, str, float, str]]:
        out = []
        for n, ex in enumerate(read_jsonl(folder / name, "text")):
            extra = ex.extra or {}
            lab = label(extra)
            if lab is not None:
                out.append((ex.text, lab, _agreement(extra), str(extra.get("dialogue_id", n))))
        return out

    train_rows, test_rows = rows("train.jsonl"), rows("test.jsonl")
    model, chosen = _fit_label_head([(featurize(t), y, a, g) for t, y, a, g in train_rows])
    gold = [r[1] for r in test_rows]
    texts = [r[0] for r in test_rows]
    ours, ms = _timed(lambda t: model.labels[int(np.argmax(model.scores(featurize(t))))], texts)
    base = tfidf_baseline([r[0] for r in train_rows], [r[1] for r in train_rows])
    theirs, base_ms = _timed(base, texts)
    report: dict[str, Any] = {"train": len(train_rows), "test": len(test_rows),
                              "ours": {**_scores(gold, ours, ms), **chosen}, "tfidf_lr": _scores(gold, theirs, base_ms)}
    if positive is not None:
        for name, pred in (("ours", ours), ("tfidf_lr", theirs)):
            p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=[positive], zero_division=0)
            report[name].update(precision=round(float(p[0]), 4), recall=round(float(r[0]), 4), f1=round(float(f[0]), 4))
    return report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--only", default="own,xsid_ja,asdc_dialog_act,naist_persuasive_emotion,inspection_ai_toxicity")
    ap.add_argument("--intent-norm", choices=linear.NORMS, default=None,
                    help="how the intent head norms its rows (nlu/linear.py); default: nlu.training.INTENT_NORM")
    args = ap.parse_args()
    wanted = set(args.only.split(","))
    results: dict[str, Any] = {}
    if "own" in wanted:
        results["sakura_mart (own held-out intents)"] = own_task()
    if "xsid_ja" in wanted:
        results["xsid_ja (intent)"] = intent_task(args.shared / "xsid_ja", args.intent_norm)
    if "asdc_dialog_act" in wanted:
        results["asdc_dialog_act (dialogue act)"] = intent_task(args.shared / "asdc_dialog_act", args.intent_norm)
    if "naist_persuasive_emotion" in wanted:
        results["naist_persuasive_emotion (emotion)"] = label_task(
            args.shared / "naist_persuasive_emotion", lambda r: r.get("label"))
    if "inspection_ai_toxicity" in wanted:
        results["inspection_ai_toxicity (toxic)"] = label_task(
            args.shared / "inspection_ai_toxicity", lambda r: "toxic" if r.get("toxic") else "ok", positive="toxic")
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
