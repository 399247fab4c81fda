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
# each public set with the key its label is under (train on train, report on test)
PUBLIC = {"xsid_ja": "intent", "asdc_dialog_act": "intent", "naist_persuasive_emotion": "label"}


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
        read_jsonl,
    )
    from nlu.training import _fit_linear, featurize, kana_variant, train_intent
    from nlu.transformer.plan import PRESETS, make_plan
    from nlu.transformer.text import prepare

    out.mkdir(parents=True, exist_ok=True)
    baselines: dict[str, Any] = {}

    def reports(examples: list[Any], sets: dict[str, Path], labels: tuple[str, ...],
                label_key: str = "intent") -> dict[str, Any]:
        linear = train_intent(examples)
        order = [linear.labels.index(name) for name in labels]
        out_: dict[str, Any] = {}
        for name, path in sets.items():
            rows = list(read_jsonl(path, label_key)) if path.suffix == ".jsonl" else read_intent_examples([path])
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
    for name, key in PUBLIC.items():
        train_rows = list(read_jsonl(shared / name / "train.jsonl", key))
        p = make_plan(train_rows, [], preset=public, fit_linear=_fit_linear, kana_variant=lambda t: t,
                      heads=("intent",), shared_root=shared)
        p.reports = reports(train_rows, {name: shared / name / "test.jsonl"}, p.labels["intent"], key)
        p.save(out / f"plan_{name}.json.gz")
    (out / "baselines.json").write_text(json.dumps(baselines, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"bundle": str(out), "seconds": round(time.perf_counter() - started, 1),
                      "corpus_lines": len(plan.corpus), "rows": len(plan.everything.texts),
                      "mean_p": float(np.mean([max(r) for r in plan.dev_linear]))}, indent=1))


def throughput(directory: Path, texts: list[str], device: str) -> dict[str, Any]:
    """Batched inference of the bot's transformer on `device`: what concurrent calls batched together get.
    Per batch size, the mean of 30 timed batches after 5 warm-ups, tokenising included."""
    import torch

    from nlu.transformer import MANIFEST
    from nlu.transformer.network import load
    from nlu.transformer.text import load_tokenizer, pad

    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    model = load(directory, {h: len(v) for h, v in manifest["labels"].items()}, device)
    tok = load_tokenizer(directory)
    out: dict[str, Any] = {}
    gpu = device.startswith("cuda")
    # on a CPU (smoke runs, tests) only a glance: bfloat16 autocast there is slow and not what serving uses
    for dtype in ("float32", "bfloat16") if gpu else ("float32",):
        for size in (1, 8, 32, 128, 512) if gpu else (1, 8):
            batch = (texts * (size // max(1, len(texts)) + 1))[:size]

            def once(batch: list[str] = batch, dtype: str = dtype) -> None:
                ids_np, mask_np = pad(tok.encode(batch, manifest["max_len"]), tok.pad_id)
                ids, mask = torch.from_numpy(ids_np).to(device), torch.from_numpy(mask_np).to(device)
                with torch.inference_mode(), torch.autocast(device.split(":")[0], dtype=torch.bfloat16,
                                                            enabled=dtype == "bfloat16"):
                    probs = {h: torch.softmax(v.float(), -1) for h, v in model(ids, mask).items()}
                [p.cpu() for p in probs.values()]

            for _ in range(5):
                once()
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            started = time.perf_counter()
            for _ in range(30):
                once()
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            ms = (time.perf_counter() - started) / 30 * 1000
            out[f"{dtype}_batch{size}"] = {"ms_per_batch": round(ms, 3), "turns_per_second": round(size / ms * 1000)}
    return out


def _archive(out: Path, archive: Path | None) -> None:
    """Everything trained so far in one tar (the weights without the pre-trained encoder), rewritten after
    each stage: a run stopped at its time limit still brings back what it finished."""
    import tarfile

    if archive is None:
        return
    partial = archive.with_suffix(".partial")
    with tarfile.open(partial, "w") as tar:
        tar.add(out, arcname=out.name, filter=lambda info: None if "/pretrained" in info.name else info)
    partial.replace(archive)


def cmd_fit(bundle: Path, out: Path, preset_name: str, public_sets: bool = True, archive: Path | None = None) -> None:
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
                      "cascade": manifest["cascade"], "seconds": manifest["training"]["seconds"],
                      "parameters": manifest["parameters"], "pretraining": manifest["training"]["pretraining"]}
    plan_texts = Plan.load(bundle / "plan.json.gz").dev_texts
    metrics["throughput"] = throughput(out / "transformer", plan_texts, device)
    log(f"throughput: {json.dumps(metrics['throughput'])}")
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _archive(out, archive)
    public = replace(preset, corpus=(), kana_variants=False, ft_epochs=max(preset.ft_epochs, 15))
    metrics["public"] = {}
    for name in PUBLIC if public_sets else ():
        if not (bundle / f"plan_{name}.json.gz").is_file():
            continue
        log(f"== {name}")
        m = fit(Plan.load(bundle / f"plan_{name}.json.gz"), out / "public" / name, preset=public,
                base_model=pretrained, device=device, log=log)
        metrics["public"][name] = {"heldout": m.get("heldout"), "cascade": m["cascade"],
                                   "seconds": m["training"]["seconds"]}
        shutil.rmtree(out / "public" / name / "encoder")  # the figures are what comes back, not the weights
        (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _archive(out, archive)
    baselines = bundle / "baselines.json"
    if baselines.is_file():
        metrics["tfidf_baselines"] = json.loads(baselines.read_text(encoding="utf-8"))
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _archive(out, archive)
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
    f.add_argument("--no-public", action="store_true", help="only the bot's model, not the public sets")
    f.add_argument("--archive", type=Path, help="a tar of --out rewritten after each stage")
    i = sub.add_parser("install")
    i.add_argument("--trained", type=Path, required=True)
    i.add_argument("--model", type=Path, default=ROOT / "models" / "transformer")
    args = ap.parse_args()
    if args.cmd == "plan":
        cmd_plan(args.out, args.shared)
    elif args.cmd == "fit":
        cmd_fit(args.bundle, args.out, args.preset, public_sets=not args.no_public, archive=args.archive)
    else:
        cmd_install(args.trained, args.model)


if __name__ == "__main__":
    main()
