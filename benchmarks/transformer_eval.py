"""The transformer cascade beside the linear heads and TF-IDF baselines trained on the same data in this run.

    .venv/bin/python benchmarks/transformer_eval.py --model models/transformer [--public] [--latency]

- held-out sets (never trained on): nlu/data/test/intents_test.jsonl (588), situational.jsonl (172),
  outside/intents.jsonl (420). Compared: the cascade, its transformer alone, its linear heads alone, the
  shipped default model, and TF-IDF (char 1-3) + LogisticRegression / LinearSVC trained on the same
  YAML + JSON Lines examples as the cascade.
- `--public`: xSID-ja and ASDC, train on train, report on test. The linear heads and the baselines are
  trained on the train split; the transformer is the model's encoder (pre-trained by MLM, then tuned on
  the bot's data) fine-tuned on the train split, as `--base-model` would.
- `--latency`: one core (the script pins itself; OpenBLAS one thread): model load in a fresh process,
  per-turn p50/p99 of the cascade, of the linear heads alone and of the transformer alone, over the
  held-out utterances; the share of turns the transformer is asked; model size on disk.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core means one BLAS thread
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"


def _scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(gold))
    return {"accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4)}


def tfidf_baselines(train_x: Sequence[str], train_y: Sequence[str], test_x: Sequence[str],
                    test_y: Sequence[str]) -> dict[str, dict[str, float]]:
    """What a team would pick instead: character 1-3 gram TF-IDF + LogisticRegression or LinearSVC."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    x = vec.fit_transform(train_x)
    out = {}
    for name, clf in (("tfidf_lr", LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced")),
                      ("tfidf_svc", LinearSVC(C=1.0))):
        clf.fit(x, list(train_y))
        out[name] = _scores(test_y, [str(p) for p in clf.predict(vec.transform(test_x))])
    return out


def heldout_sets() -> dict[str, Path]:
    from nlu.data_io import DEFAULT_INTENT_TEST, NLU_DATA

    return {"own_heldout": DEFAULT_INTENT_TEST, "situational": NLU_DATA / "test" / "situational.jsonl",
            "outside": NLU_DATA / "test" / "outside" / "intents.jsonl"}


def own(model_dir: Path) -> dict[str, Any]:
    from nlu.data_io import DEFAULT_INTENT_DATA, read_intent_examples
    from nlu.pipeline import NLU
    from nlu.transformer.text import prepare

    train_rows = read_intent_examples([DEFAULT_INTENT_DATA])
    cascade = NLU.load(model_dir)
    assert cascade.transformer is not None, f"{model_dir} has no transformer"
    linear = NLU.load(model_dir)
    linear.transformer = None
    shipped = NLU.load()
    tr_labels = cascade.transformer.labels["intent"]
    results: dict[str, Any] = {"train_examples": len(train_rows)}
    for name, path in heldout_sets().items():
        rows = read_intent_examples([path])
        texts, gold = [r.text for r in rows], [r.label for r in rows]
        probs = cascade.transformer.predict([prepare(t) for t in texts])["intent"]
        preds = {
            "cascade": [p.intent.name for p in cascade.parse_batch(texts)],
            "transformer_alone": [tr_labels[int(i)] for i in probs.argmax(1)],
            "linear_alone (same data)": [p.intent.name for p in linear.parse_batch(texts)],
            "shipped_default (linear)": [p.intent.name for p in shipped.parse_batch(texts)],
        }
        res: dict[str, Any] = {"n": len(rows), **{k: _scores(gold, v) for k, v in preds.items()}}
        res.update(tfidf_baselines([r.text for r in train_rows], [r.label for r in train_rows], texts, gold))
        styles = sorted({r.style for r in rows if r.style})
        res["cascade_by_style"] = {
            s: _scores([g for g, r in zip(gold, rows, strict=True) if r.style == s],
                       [p for p, r in zip(preds["cascade"], rows, strict=True) if r.style == s])["accuracy"]
            for s in styles}
        res["cascade_errors"] = [{"text": t, "gold": g, "pred": p} for t, g, p in
                                 zip(texts, gold, preds["cascade"], strict=True) if g != p][:40]
        results[name] = res
    results["emotion_test"] = emotion(model_dir)
    return results


def emotion(model_dir: Path) -> dict[str, Any]:
    """The jointly trained emotion and harassment heads on the held-out emotion lines, beside the linear ones
    (serving keeps the linear heads for both: their thresholds were set by cross-validation)."""
    from sklearn.metrics import f1_score

    from nlu.data_io import DEFAULT_EMOTION_TEST, read_emotion_examples
    from nlu.pipeline import NLU
    from nlu.transformer.text import prepare

    rows = read_emotion_examples(DEFAULT_EMOTION_TEST)
    nlu = NLU.load(model_dir)
    assert nlu.transformer is not None
    heads = nlu.transformer
    probs = heads.predict([prepare(str(r["text"])) for r in rows])
    parsed = nlu.parse_batch([str(r["text"]) for r in rows])
    out: dict[str, Any] = {"n": len(rows)}
    gold_e = [str(r["emotion"]) for r in rows]
    for who, pred in (("linear", [p.emotion.label for p in parsed]),
                      ("transformer", [heads.labels["emotion"][int(i)] for i in probs["emotion"].argmax(1)])):
        out[f"emotion_macro_f1_{who}"] = round(float(f1_score(gold_e, pred, average="macro", zero_division=0)), 4)
    gold_h = [bool(r.get("harassment")) for r in rows]
    none = heads.labels["harassment"].index("none")
    for who, flags in (("linear", [p.harassment.detected for p in parsed]),
                       ("transformer", [float(1 - p[none]) >= 0.5 for p in probs["harassment"]])):
        hits = sum(f and g for f, g in zip(flags, gold_h, strict=True))
        false = sum(f and not g for f, g in zip(flags, gold_h, strict=True))
        out[f"harassment_recall_{who}"] = round(hits / max(1, sum(gold_h)), 4)
        out[f"harassment_false_alarms_{who}"] = round(false / max(1, len(gold_h) - sum(gold_h)), 4)
    return out


def _base_from(model_dir: Path, tmp: Path) -> Path:
    """The model's encoder and tokenizer as a Hugging Face checkpoint directory, for `base_model`."""
    base = tmp / "base"
    shutil.copytree(model_dir / "transformer" / "encoder", base)
    shutil.copy(model_dir / "transformer" / "spm.model", base / "spm.model")
    return base


def public(model_dir: Path, names: Sequence[str]) -> dict[str, Any]:
    from nlu.data_io import read_intent_examples
    from nlu.training import _fit_linear, featurize, train_intent
    from nlu.transformer.plan import PRESETS, make_plan
    from nlu.transformer.text import prepare
    from nlu.transformer.train import fit

    preset = replace(PRESETS["cpu"], corpus=(), kana_variants=False, ft_epochs=15)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        base = _base_from(model_dir, Path(tmp_name))
        for name in names:
            train_rows = read_intent_examples([SHARED / name / "train.jsonl"])
            test_rows = read_intent_examples([SHARED / name / "test.jsonl"])
            started = time.perf_counter()
            plan = make_plan(train_rows, [], preset=preset, fit_linear=_fit_linear, kana_variant=lambda t: t,
                             heads=("intent",))
            linear = train_intent(train_rows)
            order = [linear.labels.index(label) for label in plan.labels["intent"]]
            plan.reports = {name: {"texts": [prepare(r.text) for r in test_rows], "gold": [r.label for r in test_rows],
                                   "linear": [[float(p) for p in linear.scores(featurize(r.text))[order]]
                                              for r in test_rows]}}
            manifest = fit(plan, Path(tmp_name) / name, preset=preset, base_model=base,
                           log=lambda m: print(m, file=sys.stderr, flush=True))
            rep = manifest["heldout"][name]
            results[name] = {"train": len(train_rows), "test": len(test_rows), "cascade": rep["cascade"],
                             "transformer_alone": rep["transformer"], "linear_alone": rep["linear"],
                             "ask_rate": rep["ask_rate"], "cascade_settings": manifest["cascade"],
                             "train_s": round(time.perf_counter() - started, 1)}
            results[name].update(tfidf_baselines([r.text for r in train_rows], [r.label for r in train_rows],
                                                 [r.text for r in test_rows], [r.label for r in test_rows]))
    return results


def _percentiles(fn: Callable[[str], object], texts: Sequence[str], rounds: int) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            fn(text)
            samples.append(time.perf_counter() - started)
    samples.sort()
    return {"p50_ms": round(1000 * samples[len(samples) // 2], 3),
            "p99_ms": round(1000 * samples[int(len(samples) * 0.99)], 3)}


def _size(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)


def latency(model_dir: Path, rounds: int) -> dict[str, Any]:
    from nlu.data_io import read_intent_examples
    from nlu.pipeline import NLU
    from nlu.transformer.text import prepare

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    code = ("import time; t = time.perf_counter(); from nlu.pipeline import NLU; from pathlib import Path; "
            f"n = NLU.load(Path({str(model_dir)!r})); print(time.perf_counter() - t, n.transformer.runtime)")
    loads = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split() for _ in range(3)]
    texts = [r.text for p in heldout_sets().values() for r in read_intent_examples([p])]
    cascade = NLU.load(model_dir)
    assert cascade.transformer is not None
    heads = cascade.transformer
    linear = NLU.load(model_dir)
    linear.transformer = None
    for text in texts[:200]:
        cascade.parse(text)
    asked = sum(float(p.max()) < heads.cascade.threshold for p in
                (linear.scorer.scores(linear._linear(t).feats)["intent"] for t in texts))
    batch = texts[:32]
    started = time.perf_counter()
    for _ in range(rounds):
        cascade.parse_batch(batch)
    batch_ms = round(1000 * (time.perf_counter() - started) / (rounds * len(batch)), 3)
    return {
        "cpu_cores": 1, "runtime": loads[0][1], "utterances": len(texts),
        "model_load_s": sorted(round(float(x[0]), 3) for x in loads),
        "cascade_parse": _percentiles(cascade.parse, texts, rounds),
        "linear_parse": _percentiles(linear.parse, texts, rounds),
        "transformer_alone": _percentiles(lambda t: heads.predict([prepare(t)]), texts, rounds),
        "cascade_batch32_ms_per_turn": batch_ms,
        "ask_rate": round(asked / len(texts), 4),
        "model_mb": {"total": _size(model_dir), "transformer": _size(model_dir / "transformer")},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "transformer")
    ap.add_argument("--public", action="store_true")
    ap.add_argument("--public-sets", default="xsid_ja,asdc_dialog_act")
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-own", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args()
    report: dict[str, Any] = {"model": str(args.model)}
    if not args.skip_own:
        report["own"] = own(args.model)
    if args.public:
        report["public"] = public(args.model, args.public_sets.split(","))
    if args.latency:
        report["latency"] = latency(args.model, args.rounds)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
