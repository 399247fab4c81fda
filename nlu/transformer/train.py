"""Training the transformer: tokenizer, masked-language-model pre-training, joint fine-tuning, the cascade.

1. The plan (plan.py, no torch needed) holds a stratified slice of the intent examples out (`dev`): it
   picks the fine-tuning epoch and the cascade's threshold, and is reported in `transformer.json`. No
   test file is read here; a plan may carry held-out sets, which only the final report scores.
2. Tokenizer: a sentencepiece model trained on the pre-training corpus, or the base checkpoint's own.
3. Encoder: a small BERT pre-trained with masked-language modelling on that corpus (corpus.py), or a
   local Hugging Face checkpoint (`--base-model DIR`) fine-tuned as it is.
4. Fine-tuning: intent, emotion and harassment heads on one encoder, each batch mixing intent examples
   (with their hiragana ASR variants) and emotion lines; a head's loss skips rows without its label.
5. Cascade: the linear intent head, trained without the dev slice, has scored it in the plan; the
   threshold below which the transformer is asked, and the weight of its answer, are the pair with the
   best `dev` accuracy (asking on at most MAX_ASK_RATE of the turns).
6. With `refit`, fine-tune again on all examples for the chosen number of epochs; then save.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from importlib import metadata as pkg_meta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from nlu.transformer import MANIFEST, network
from nlu.transformer.network import JointClassifier, MlmHead
from nlu.transformer.plan import HEADS, IGNORE, PRESETS, LinearFit, Plan, Preset, Rows, make_plan
from nlu.transformer.text import (
    SentencePieceTokenizer,
    Tokenizer,
    has_tokenizer,
    load_tokenizer,
    pad,
    write_json,
)

if TYPE_CHECKING:
    from nlu.data_io import Example

__all__ = ["PRESETS", "Preset", "fit", "train_transformer"]
MAX_ASK_RATE = 0.4  # the cascade asks the transformer on at most this share of dev turns (p50 latency)
Log = Callable[[str], None]


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("torch", "transformers", "sentencepiece", "tokenizers", "safetensors"):
        try:
            out[pkg] = pkg_meta.version(pkg)
        except pkg_meta.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def length_batches(lengths: Sequence[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths: little padding, still a different mix every epoch."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[list[int]] = []
    pool = batch * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        out += [chunk[i : i + batch] for i in range(0, len(chunk), batch)]
    rng.shuffle(out)
    return out


def _schedule(optimizer: torch.optim.Optimizer, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    warmup = max(1, int(0.06 * total))

    def factor(step: int) -> float:
        return (step + 1) / warmup if step < warmup else max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _tensors(rows: Sequence[Sequence[int]], pad_id: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    ids, mask = pad(rows, pad_id)
    return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)


def _autocast(device: str) -> Any:
    if device.startswith("cuda"):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def pretrain(encoder: nn.Module, tok: SentencePieceTokenizer, lines: Sequence[str], preset: Preset, device: str,
             seed: int, log: Log) -> dict[str, Any]:
    """Masked-language modelling: 15 % of pieces chosen, 80 % of those masked, 10 % replaced, 10 % kept."""
    encoded = [r for r in tok.encode(lines, preset.max_len) if len(r) > 3]
    head = MlmHead(encoder).to(device)
    params = list(encoder.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=preset.mlm_lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(encoded) / preset.mlm_batch)
    total = max(1, int(preset.mlm_epochs * steps_per_epoch))
    scheduler = _schedule(optimizer, total)
    rng = random.Random(seed)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    embeddings = encoder.get_input_embeddings().weight
    encoder.train()
    started = time.perf_counter()
    step, losses = 0, []
    while step < total and time.perf_counter() - started < preset.mlm_seconds:
        for batch in length_batches([len(r) for r in encoded], preset.mlm_batch, rng):
            ids_cpu, mask_cpu = (torch.from_numpy(a) for a in pad([encoded[i] for i in batch], tok.pad_id))
            candidates = mask_cpu & (ids_cpu > tok.mask_id)  # never [PAD] [UNK] [CLS] [SEP] [MASK]
            roll = torch.rand(ids_cpu.shape, generator=gen)
            chosen = candidates & (roll < 0.15)
            if not bool(chosen.any()):
                continue
            inputs = ids_cpu.clone()
            how = torch.rand(ids_cpu.shape, generator=gen)
            inputs[chosen & (how < 0.8)] = tok.mask_id
            swap = chosen & (how >= 0.8) & (how < 0.9)
            inputs[swap] = torch.randint(tok.mask_id + 1, tok.vocab_size, (int(swap.sum()),), generator=gen)
            inputs, mask, chosen_d = inputs.to(device), mask_cpu.to(device), chosen.to(device)
            with _autocast(device):
                states = encoder(input_ids=inputs, attention_mask=mask.long()).last_hidden_state
                logits = head(states[chosen_d], embeddings)
            loss = nn.functional.cross_entropy(logits.float(), ids_cpu[chosen].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            step += 1
            if step % max(1, steps_per_epoch // 2) == 0:
                log(f"  mlm step {step}/{total}: loss {np.mean(losses[-50:]):.3f} ({time.perf_counter() - started:.0f} s)")
            if step >= total or time.perf_counter() - started >= preset.mlm_seconds:
                break
    return {"lines": len(encoded), "steps": step, "epochs": round(step / steps_per_epoch, 2),
            "final_loss": round(float(np.mean(losses[-50:])), 4) if losses else None,
            "seconds": round(time.perf_counter() - started, 1)}


def predict(model: JointClassifier, tok: Tokenizer, texts: Sequence[str], max_len: int, device: str,
            head: str = "intent") -> npt.NDArray[np.float64]:
    model.eval()
    encoded = tok.encode(texts, max_len)
    out = np.zeros((len(texts), int(cast(nn.Linear, model.heads[head]).out_features)), dtype=np.float64)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    with torch.inference_mode():
        for start in range(0, len(order), 256):
            chunk = order[start : start + 256]
            ids, mask = _tensors([encoded[i] for i in chunk], tok.pad_id, device)
            probs = torch.softmax(model(ids, mask)[head].float(), dim=-1).cpu().numpy()
            out[chunk] = probs
    return out


def finetune(model: JointClassifier, tok: Tokenizer, rows: Rows, preset: Preset, device: str, seed: int, log: Log,
             dev: tuple[list[str], npt.NDArray[np.int64]] | None = None, stop_after: int | None = None) -> dict[str, Any]:
    """Joint training; with `dev`, the weights of the best epoch on dev intent accuracy are kept."""
    encoded = tok.encode(rows.texts, preset.max_len)
    labels = torch.tensor(rows.labels, dtype=torch.long)
    weights = torch.tensor(rows.weights, dtype=torch.float32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=preset.ft_lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(encoded) / preset.ft_batch)
    scheduler = _schedule(optimizer, steps_per_epoch * preset.ft_epochs)
    rng = random.Random(seed)
    heads = list(model.heads)
    history: list[float] = []
    best: tuple[float, int, dict[str, torch.Tensor] | None] = (-1.0, 0, None)
    started = time.perf_counter()
    for epoch in range(1, (stop_after or preset.ft_epochs) + 1):
        model.train()
        for batch in length_batches([len(r) for r in encoded], preset.ft_batch, rng):
            ids, mask = _tensors([encoded[i] for i in batch], tok.pad_id, device)
            y, w = labels[batch].to(device), weights[batch].to(device)
            with _autocast(device):
                logits = model(ids, mask)
            loss = torch.zeros((), device=device)
            for col, head in enumerate(HEADS):
                if head not in heads:
                    continue
                target = y[:, col]
                known = target != IGNORE
                if not bool(known.any()):
                    continue
                per_row = nn.functional.cross_entropy(logits[head].float()[known], target[known], reduction="none")
                row_w = w[known] if head == "harassment" else torch.ones_like(per_row)
                loss = loss + (per_row * row_w).sum() / row_w.sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
        if dev is not None:
            accuracy = float((predict(model, tok, dev[0], preset.max_len, device).argmax(1) == dev[1]).mean())
            history.append(round(accuracy, 4))
            if accuracy > best[0]:
                best = (accuracy, epoch, {k: v.detach().clone() for k, v in model.state_dict().items()})
            log(f"  epoch {epoch}: dev intent accuracy {accuracy:.4f} ({time.perf_counter() - started:.0f} s)")
        else:
            log(f"  epoch {epoch} ({time.perf_counter() - started:.0f} s)")
    if best[2] is not None:
        model.load_state_dict(best[2])
    return {"epochs": stop_after or preset.ft_epochs, "best_epoch": best[1] or (stop_after or preset.ft_epochs),
            "dev_history": history, "seconds": round(time.perf_counter() - started, 1)}


def calibrate(linear: npt.NDArray[np.float64], transformer: npt.NDArray[np.float64],
              gold: npt.NDArray[np.int64]) -> dict[str, Any]:
    """The (threshold, weight) with the best dev accuracy asking the transformer on <= MAX_ASK_RATE of turns;
    among equals, the one that asks least."""
    top = linear.max(axis=1)
    grid = []
    for threshold in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98):
        ask = top < threshold
        for weight in (0.2, 0.35, 0.5, 0.7, 0.85, 1.0):
            mixed = np.where(ask[:, None], weight * transformer + (1 - weight) * linear, linear)
            grid.append({"threshold": threshold, "weight": weight, "ask_rate": round(float(ask.mean()), 4),
                         "accuracy": round(float((mixed.argmax(1) == gold).mean()), 4)})
    allowed = [g for g in grid if g["ask_rate"] <= MAX_ASK_RATE] or grid[:1]
    choice = max(allowed, key=lambda g: (g["accuracy"], -g["ask_rate"], g["weight"]))
    return {"threshold": choice["threshold"], "weight": choice["weight"], "dev_accuracy": choice["accuracy"],
            "dev_ask_rate": choice["ask_rate"], "grid": grid}


def _encoder(preset: Preset, base_model: Path | None, tok: Tokenizer) -> nn.Module:
    if base_model is not None:
        encoder = network.load_encoder(base_model)
        vocab = int(network.encoder_config(encoder)["vocab_size"])
        if tok.vocab_size > vocab:
            raise ValueError(f"{base_model}: the tokenizer has {tok.vocab_size} ids, the encoder {vocab}")
        return encoder
    return network.build_encoder(preset.shape, tok.vocab_size, tok.pad_id)


def _tokenizer(plan: Plan, preset: Preset, base_model: Path | None) -> tuple[Tokenizer, str]:
    if base_model is not None and has_tokenizer(base_model):
        return load_tokenizer(base_model), "base model"
    vocab = preset.vocab
    if base_model is not None:  # a checkpoint without a tokenizer: ids must fit its embedding table
        vocab = min(vocab, int(network.read_config(base_model)["vocab_size"]))
    return SentencePieceTokenizer.train(plan.corpus, vocab), "sentencepiece (trained here)"


def _report(model: JointClassifier, tok: Tokenizer, plan: Plan, preset: Preset, device: str,
            cascade: dict[str, float]) -> dict[str, Any]:
    """Figures on the plan's held-out sets (reporting only: nothing above reads them)."""
    out: dict[str, Any] = {}
    index = {name: i for i, name in enumerate(plan.labels["intent"])}
    for name, rep in plan.reports.items():
        gold = np.array([index.get(g, -1) for g in rep["gold"]])
        theirs = predict(model, tok, rep["texts"], preset.max_len, device)
        linear = np.array(rep["linear"], dtype=np.float64)
        ask = linear.max(axis=1) < cascade["threshold"]
        w = cascade["weight"]
        mixed = np.where(ask[:, None], w * theirs + (1 - w) * linear, linear)
        out[name] = {"n": len(gold), "ask_rate": round(float(ask.mean()), 4)}
        for who, probs in (("linear", linear), ("transformer", theirs), ("cascade", mixed)):
            pred = probs.argmax(1)
            out[name][who] = {"accuracy": round(float((pred == gold).mean()), 4), "macro_f1": _macro_f1(gold, pred)}
    return out


def _macro_f1(gold: npt.NDArray[np.int64], pred: npt.NDArray[np.int64]) -> float:
    """Averaged over the gold labels (scikit-learn is not needed where this runs)."""
    scores = []
    for label in np.unique(gold[gold >= 0]):
        tp = float(((pred == label) & (gold == label)).sum())
        fp, fn = float(((pred == label) & (gold != label)).sum()), float(((pred != label) & (gold == label)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(float(np.mean(scores)), 4) if scores else 0.0


def fit(plan: Plan, out: Path, *, preset: Preset, base_model: Path | None = None, device: str | None = None,
        seed: int = 0, log: Log = lambda _msg: None, keep_pretrained: Path | None = None) -> dict[str, Any]:
    """Train from a plan and save `out` (a model directory's `transformer/`); returns its manifest.
    `keep_pretrained` also saves the encoder after pre-training, with its tokenizer: a `--base-model`."""
    started = time.perf_counter()
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    tok, tokenizer_kind = _tokenizer(plan, preset, base_model)
    log(f"tokenizer: {tokenizer_kind}, {tok.vocab_size} pieces; corpus {len(plan.corpus)} lines {plan.corpus_counts}")
    encoder = _encoder(preset, base_model, tok).to(device)
    mlm: dict[str, Any] | None = None
    if base_model is None and isinstance(tok, SentencePieceTokenizer):
        log(f"pre-training ({preset.name}) on {device}")
        mlm = pretrain(encoder, tok, plan.corpus, preset, device, seed, log)
    if keep_pretrained is not None:
        cast(Any, encoder).save_pretrained(str(keep_pretrained))
        tok.save(keep_pretrained)
    pretrained_state = copy.deepcopy(encoder.state_dict())
    head_sizes = {h: len(v) for h, v in plan.labels.items()}

    log(f"fine-tuning on {len(plan.train.texts)} rows, dev {len(plan.dev_texts)} examples")
    model = JointClassifier(encoder, head_sizes).to(device)
    dev_gold = np.array(plan.dev_gold, dtype=np.int64)
    ft = finetune(model, tok, plan.train, preset, device, seed, log,
                  dev=(plan.dev_texts, dev_gold) if plan.dev_texts else None)
    dev: dict[str, Any] = {"n": len(plan.dev_texts)}
    cascade: dict[str, float] = {"threshold": 0.8, "weight": 1.0}
    if plan.dev_texts:
        theirs = predict(model, tok, plan.dev_texts, preset.max_len, device)
        linear = np.array(plan.dev_linear, dtype=np.float64)
        cal = calibrate(linear, theirs, dev_gold)
        cascade = {"threshold": cal["threshold"], "weight": cal["weight"]}
        dev.update(linear_accuracy=round(float((linear.argmax(1) == dev_gold).mean()), 4),
                   transformer_accuracy=round(float((theirs.argmax(1) == dev_gold).mean()), 4),
                   cascade_accuracy=cal["dev_accuracy"], cascade_ask_rate=cal["dev_ask_rate"], grid=cal["grid"])
        log(f"dev: linear {dev['linear_accuracy']}, transformer {dev['transformer_accuracy']}, cascade "
            f"{cal['dev_accuracy']} asking on {cal['dev_ask_rate']:.0%} (threshold {cal['threshold']}, "
            f"weight {cal['weight']})")
    refit = None
    if preset.refit and plan.dev_texts:
        log(f"refit on all {len(plan.everything.texts)} rows for {ft['best_epoch']} epochs")
        encoder.load_state_dict(pretrained_state)
        model = JointClassifier(encoder, head_sizes).to(device)
        refit = finetune(model, tok, plan.everything, preset, device, seed, log, stop_after=ft["best_epoch"])

    network.save(model, out)
    tok.save(out)
    manifest: dict[str, Any] = {
        "format": 1,
        "labels": {h: list(v) for h, v in plan.labels.items()},
        "max_len": preset.max_len,
        "pooling": "mean",
        "cascade": cascade,
        "tokenizer": tokenizer_kind,
        "vocab_size": tok.vocab_size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {
            "preset": preset.to_json(),
            "base_model": str(base_model) if base_model else None,
            "device": device,
            "seed": seed,
            **plan.counts,
            "corpus": {"lines": len(plan.corpus), "by_source": plan.corpus_counts, "sha256": plan.corpus_sha},
            "pretraining": mlm,
            "finetuning": ft,
            "refit": refit,
            "seconds": round(time.perf_counter() - started, 1),
            "versions": _versions(),
        },
        "dev": dev,
    }
    if plan.reports:
        manifest["heldout"] = _report(model, tok, plan, preset, device, cascade)
    write_json(out / MANIFEST, manifest)
    return manifest


def train_transformer(examples: Sequence[Example], emotion: Sequence[dict[str, Any]], out: Path, *,
                      fit_linear: LinearFit, kana_variant: Callable[[str], str], preset: Preset,
                      base_model: Path | None = None, heads: Sequence[str] = HEADS, device: str | None = None,
                      seed: int = 0, log: Log = lambda _msg: None) -> dict[str, Any]:
    """Plan and fit in one process (`ivr nlu train --backend transformer`)."""
    plan = make_plan(examples, emotion, preset=preset, fit_linear=fit_linear, kana_variant=kana_variant,
                     heads=heads, seed=seed)
    return fit(plan, out, preset=preset, base_model=base_model, device=device, seed=seed, log=log)
