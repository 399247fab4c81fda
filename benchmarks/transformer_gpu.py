"""The transformer backend trained on a GPU machine that has torch but not this project's other packages.

    .venv/bin/python benchmarks/transformer_gpu.py plan --out benchmarks/.gpu_bundle      # here
    python benchmarks/transformer_gpu.py fit --bundle benchmarks/.gpu_bundle --out "$OUT"  # on the GPU
    .venv/bin/python benchmarks/transformer_gpu.py install --trained DIR --model models/transformer  # here

`plan` does everything that needs the project's own packages (normaliser, fugashi, scikit-learn): the
bot's training rows with their hiragana variants, the dev slice and the linear head's scores on it, the
MLM corpus, the held-out sets' texts with the linear head's scores (reporting only), the same for xSID-ja
and ASDC (train on train, report on test), and the TF-IDF baselines on all of them. `fit` needs only
numpy, torch, transformers and sentencepiece: it pre-trains the encoder once, fine-tunes it on the bot's
data and on each public set, and writes `transformer/` and `metrics.json`. `install` puts the bot's
`transformer/` beside freshly trained linear heads.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # run as a script from a checkout, installed or not
PUBLIC = ("xsid_ja", "asdc_dialog_act")


def _heldout_sets() -> dict[str, Path]:
    from nlu.data_io import DEFAULT_INTENT_TEST, NLU_DATA

    return {"own_heldout": DEFAULT_INTENT_TEST, "situational": NLU_DATA / "test" / "situational.jsonl",
            "outside": NLU_DATA / "test" / "outside" / "intents.jsonl"}


def cmd_plan(out: Path, shared: Path) -> None:
    import numpy as np
    from transformer_eval import tfidf_baselines

    from nlu.data_io import (
        DEFAULT_INTENT_DATA,
        emotion_train_files,
        read_emotion_examples,
        read_intent_examples,
    )
    from nlu.training import _fit_linear, featurize, kana_variant, train_intent
    from nlu.transformer.plan import PRESETS, make_plan
    from nlu.transformer.text import prepare

    out.mkdir(parents=True, exist_ok=True)
    baselines: dict[str, Any] = {}

    def reports(examples: list[Any], sets: dict[str, Path], labels: tuple[str, ...]) -> dict[str, Any]:
        linear = train_intent(examples)
        order = [linear.labels.index(name) for name in labels]
        out_: dict[str, Any] = {}
        for name, path in sets.items():
            rows = read_intent_examples([path])
            out_[name] = {"texts": [prepare(r.text) for r in rows], "gold": [r.label for r in rows],
                          "linear": [[float(p) for p in linear.scores(featurize(r.text))[order]] for r in rows]}
            baselines[name] = tfidf_baselines([e.text for e in examples], [e.label for e in examples],
                                              [r.text for r in rows], [r.label for r in rows])
        return out_

    examples = read_intent_examples([DEFAULT_INTENT_DATA])
    emotion = [row for p in emotion_train_files() for row in read_emotion_examples(p)]
    started = time.perf_counter()
    plan = make_plan(examples, emotion, preset=PRESETS["gpu"], fit_linear=_fit_linear, kana_variant=kana_variant,
                     shared_root=shared)
    plan.reports = reports(examples, _heldout_sets(), plan.labels["intent"])
    plan.save(out / "plan.json.gz")
    public = replace(PRESETS["gpu"], corpus=(), kana_variants=False)
    for name in PUBLIC:
        train_rows = read_intent_examples([shared / name / "train.jsonl"])
        p = make_plan(train_rows, [], preset=public, fit_linear=_fit_linear, kana_variant=lambda t: t,
                      heads=("intent",), shared_root=shared)
        p.reports = reports(train_rows, {name: shared / name / "test.jsonl"}, p.labels["intent"])
        p.save(out / f"plan_{name}.json.gz")
    (out / "baselines.json").write_text(json.dumps(baselines, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"bundle": str(out), "seconds": round(time.perf_counter() - started, 1),
                      "corpus_lines": len(plan.corpus), "rows": len(plan.everything.texts),
                      "mean_p": float(np.mean([max(r) for r in plan.dev_linear]))}, indent=1))


def cmd_fit(bundle: Path, out: Path, preset_name: str) -> None:
    import torch

    from nlu.transformer.plan import PRESETS, Plan
    from nlu.transformer.train import fit

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    metrics: dict[str, Any] = {"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
                               "torch": torch.__version__}
    pretrained = out / "pretrained"
    preset = PRESETS[preset_name]
    manifest = fit(Plan.load(bundle / "plan.json.gz"), out / "transformer", preset=preset, device=device,
                   log=log, keep_pretrained=pretrained)
    metrics["bot"] = {"heldout": manifest.get("heldout"), "dev": {k: v for k, v in manifest["dev"].items() if k != "grid"},
                      "cascade": manifest["cascade"], "seconds": manifest["training"]["seconds"]}
    public = replace(preset, corpus=(), kana_variants=False, ft_epochs=max(preset.ft_epochs, 15))
    metrics["public"] = {}
    for name in PUBLIC:
        log(f"== {name}")
        m = fit(Plan.load(bundle / f"plan_{name}.json.gz"), out / "public" / name, preset=public,
                base_model=pretrained, device=device, log=log)
        metrics["public"][name] = {"heldout": m.get("heldout"), "cascade": m["cascade"],
                                   "seconds": m["training"]["seconds"]}
        shutil.rmtree(out / "public" / name / "encoder")  # the figures are what comes back, not the weights
    baselines = bundle / "baselines.json"
    if baselines.is_file():
        metrics["tfidf_baselines"] = json.loads(baselines.read_text(encoding="utf-8"))
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(metrics, ensure_ascii=False, indent=1))


def cmd_install(trained: Path, model: Path) -> None:
    from nlu.training import train
    from nlu.transformer import MANIFEST, SUBDIR

    if not (trained / SUBDIR / MANIFEST).is_file():
        raise SystemExit(f"{trained}: no {SUBDIR}/{MANIFEST} (the `fit` step's $OUT)")
    bundle, target = train(None, model, "linear")  # the same linear heads the plan scored with
    shutil.copytree(trained / SUBDIR, target / SUBDIR)
    manifest = json.loads((target / SUBDIR / MANIFEST).read_text(encoding="utf-8"))
    meta = dict(bundle.metadata, backend="transformer", transformer={
        "preset": manifest["training"]["preset"]["name"], "trained_on": manifest["training"]["device"],
        "parameters": manifest["parameters"], "cascade": manifest["cascade"],
        "dev": {k: v for k, v in manifest["dev"].items() if k != "grid"}, "heldout": manifest.get("heldout")})
    (target / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{target}: linear heads + {trained / SUBDIR}; check with `ivr nlu eval --model {target}`")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / ".gpu_bundle")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    f = sub.add_parser("fit")
    f.add_argument("--bundle", type=Path, default=ROOT / "benchmarks" / ".gpu_bundle")
    f.add_argument("--out", type=Path, required=True)
    f.add_argument("--preset", default="gpu", help="tiny: a smoke test of this step on a CPU")
    i = sub.add_parser("install")
    i.add_argument("--trained", type=Path, required=True)
    i.add_argument("--model", type=Path, default=ROOT / "models" / "transformer")
    args = ap.parse_args()
    if args.cmd == "plan":
        cmd_plan(args.out, args.shared)
    elif args.cmd == "fit":
        cmd_fit(args.bundle, args.out, args.preset)
    else:
        cmd_install(args.trained, args.model)


if __name__ == "__main__":
    main()
