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
import numpy.typing as npt
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


def _fit_label_head(rows: Sequence[tuple[list[str], str, float, str]]) -> tuple[
        linear.LinearModel, dict[str, Any], npt.NDArray[np.float64]]:
    """Our linear head for a labelled public set, with C chosen by 5-fold cross-validation on the train rows
    only (folds by dialogue where the data names one) and rows weighted by their annotators' agreement
    squared: a label two of three annotators gave is a weaker example than one all gave. Also returns the
    chosen C's out-of-fold class probabilities (columns in the model's label order), for the context head."""
    from sklearn.model_selection import GroupKFold

    feats, labels = [r[0] for r in rows], [r[1] for r in rows]
    weights, groups = [r[2] ** 2 for r in rows], [r[3] for r in rows]
    cv: dict[str, float] = {}
    oof: dict[str, npt.NDArray[np.float64]] = {}
    for c in CANDIDATE_C:
        probs = np.zeros((len(rows), len(set(labels))))
        for tr, te in GroupKFold(5).split(feats, labels, groups):
            m = linear.train([feats[i] for i in tr], [labels[i] for i in tr], c=c,
                             sample_weight=[weights[i] for i in tr])
            probs[te] = [m.scores(feats[i]) for i in te]
        names = sorted(set(labels))  # scikit-learn's class order, as the model's labels
        cv[str(c)] = round(float(f1_score(labels, [names[int(k)] for k in probs.argmax(1)], average="macro",
                                          zero_division=0)), 4)
        oof[str(c)] = probs
    best = max(cv, key=lambda k: cv[k])
    model = linear.train(feats, labels, c=float(best), sample_weight=weights)
    return model, {"c": float(best), "cv_macro_f1": cv}, oof[best]


def context_features(rows: Sequence[dict[str, Any]], probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """One row per line: the log-probabilities a line-level head gave this line and its neighbours in the
    dialogue (the lines before and after, two back and two on, the same speaker's previous and next line,
    the mean over the speaker's other lines and over the other speaker's), then the speaker's role and
    where in the dialogue the line falls. `rows` carry `dialogue_id`, `line` and `speaker`."""
    by_dialogue: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_dialogue.setdefault(str(r.get("dialogue_id")), []).append(i)
    flat = np.full(probs.shape[1], 1.0 / probs.shape[1])  # nothing there: no evidence either way
    out = []
    for i, r in enumerate(rows):
        lines = sorted(by_dialogue[str(r.get("dialogue_id"))], key=lambda j: int(rows[j].get("line") or 0))
        at = lines.index(i)

        def near(step: int, lines: list[int] = lines, at: int = at) -> npt.NDArray[np.float64]:
            return probs[lines[at + step]] if 0 <= at + step < len(lines) else flat

        same = [j for j in lines if rows[j].get("speaker") == r.get("speaker") and j != i]
        other = [j for j in lines if rows[j].get("speaker") != r.get("speaker")]
        before = [j for j in same if lines.index(j) < at]
        after = [j for j in same if lines.index(j) > at]
        parts = [probs[i], near(-1), near(1), near(-2), near(2),
                 probs[before[-1]] if before else flat, probs[after[0]] if after else flat,
                 probs[same].mean(0) if same else flat, probs[other].mean(0) if other else flat]
        out.append(np.concatenate([np.log(np.clip(np.concatenate(parts), 1e-4, 1.0)),
                                   [r.get("speaker") == "persuader", at == 0, at / len(lines)]]))
    return np.asarray(out, dtype=np.float64)


def context_head(train_rows: Sequence[dict[str, Any]], train_probs: npt.NDArray[np.float64], labels: Sequence[str],
                 weights: Sequence[float]) -> tuple[LogisticRegression, float]:
    """A small logistic regression over `context_features`, fit on out-of-fold line probabilities (so it
    learns how much to trust a line's own head from lines that head never saw); returns it with its own
    dialogue-grouped 5-fold CV macro-F1 on train."""
    from sklearn.model_selection import GroupKFold

    x, y, w = context_features(train_rows, train_probs), np.asarray(labels), np.asarray(weights)
    groups = [str(r.get("dialogue_id")) for r in train_rows]
    pred = np.empty(len(y), dtype=object)
    for tr, te in GroupKFold(5).split(x, y, groups):
        clf = LogisticRegression(C=0.3, max_iter=3000, class_weight="balanced").fit(x[tr], y[tr], sample_weight=w[tr])
        pred[te] = clf.predict(x[te])
    cv = round(float(f1_score(y, list(pred), average="macro", zero_division=0)), 4)
    return LogisticRegression(C=0.3, max_iter=3000, class_weight="balanced").fit(x, y, sample_weight=w), cv


def _tfidf_probs(train_x: Sequence[str], train_y: Sequence[str], groups: Sequence[str],
                 test_x: Sequence[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The TF-IDF baseline's out-of-fold probabilities on train (dialogue-grouped 5 folds) and its
    probabilities on test, classes in sorted order: the same context head is given to it, for a fair row."""
    from sklearn.model_selection import GroupKFold

    def fit(xs: Sequence[str], ys: Sequence[str]) -> Callable[[Sequence[str]], npt.NDArray[np.float64]]:
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        clf = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced").fit(vec.fit_transform(xs), list(ys))
        return lambda texts: np.asarray(clf.predict_proba(vec.transform(list(texts))), dtype=np.float64)

    oof = np.zeros((len(train_x), len(set(train_y))))
    for tr, te in GroupKFold(5).split(train_x, train_y, groups):
        oof[te] = fit([train_x[i] for i in tr], [train_y[i] for i in tr])([train_x[i] for i in te])
    return oof, fit(train_x, train_y)(test_x)


# the inverse regularisation strengths tried for a public set's head (the bot's own heads use training.C_*)
CANDIDATE_C = (1.0, 3.0, 10.0)


def label_task(folder: Path, label: Callable[[dict[str, Any]], str | None], positive: str | None = None,
               dialogue: bool = False) -> dict[str, Any]:
    """A line-labelling set. With `dialogue` (the rows name their dialogue, line and speaker), also the
    whole-dialogue judgement: the context head over the line head's probabilities, for ours and for the
    baseline alike (`ours_dialogue`, `tfidf_lr_dialogue`)."""
    def rows(name: str) -> list[dict[str, Any]]:
        out = []
        for n, ex in enumerate(read_jsonl(folder / name, "text")):
            extra = dict(ex.extra or {})
            lab = label(extra)
            if lab is not None:
                extra.setdefault("dialogue_id", n)
                out.append({**extra, "text": ex.text, "label": lab, "agreement": _agreement(extra)})
        return out

    train_rows, test_rows = rows("train.jsonl"), rows("test.jsonl")
    model, chosen, oof = _fit_label_head([(featurize(r["text"]), r["label"], r["agreement"], str(r["dialogue_id"]))
                                          for r in train_rows])
    gold = [r["label"] for r in test_rows]
    texts = [r["text"] for r in test_rows]
    ours, ms = _timed(lambda t: model.labels[int(np.argmax(model.scores(featurize(t))))], texts)
    base = tfidf_baseline([r["text"] for r in train_rows], [r["label"] for r in train_rows])
    theirs, base_ms = _timed(base, texts)
    report: dict[str, Any] = {"train": len(train_rows), "test": len(test_rows),
                              "ours": {**_scores(gold, ours, ms), **chosen}, "tfidf_lr": _scores(gold, theirs, base_ms)}
    if positive is not None:
        for name, pred in (("ours", ours), ("tfidf_lr", theirs)):
            p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=[positive], zero_division=0)
            report[name].update(precision=round(float(p[0]), 4), recall=round(float(r[0]), 4), f1=round(float(f[0]), 4))
    if dialogue:
        labels = [r["label"] for r in train_rows]
        weights = [r["agreement"] ** 2 for r in train_rows]
        test_probs = np.asarray([model.scores(featurize(t)) for t in texts])
        tf_oof, tf_test = _tfidf_probs([r["text"] for r in train_rows], labels,
                                       [str(r["dialogue_id"]) for r in train_rows], texts)
        for name, train_probs, probs in (("ours_dialogue", oof, test_probs), ("tfidf_lr_dialogue", tf_oof, tf_test)):
            head, cv = context_head(train_rows, train_probs, labels, weights)
            pred = [str(p) for p in head.predict(context_features(test_rows, probs))]
            report[name] = {**_scores(gold, pred, 0.0), "cv_macro_f1": cv}
            del report[name]["ms_per_utterance"]
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
            args.shared / "naist_persuasive_emotion", lambda r: r.get("label"), dialogue=True)
    if "inspection_ai_toxicity" in wanted:
        results["inspection_ai_toxicity (toxic)"] = label_task(
            args.shared / "inspection_ai_toxicity", lambda r: "toxic" if r.get("toxic") else "ok", positive="toxic")
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
