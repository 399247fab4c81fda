"""What the transformer is trained on, prepared without torch: sizes, rows, the dev slice, the corpus.

A `Plan` is everything the project's own code (normaliser, fugashi, the linear heads) contributes to
training. It can be written to one JSON file and trained from on a machine that has only torch,
transformers and sentencepiece (benchmarks/transformer_gpu.sh does that on a GPU).

- `dev`: a stratified slice of the intent examples, held out of fine-tuning, the tokenizer and the MLM
  corpus; it picks the epoch and the cascade's threshold. The linear intent head, trained on the rest,
  scores it here, so that the cascade can be calibrated where that head is not available.
- `reports`: held-out test sets for the figures a training run prints (texts, gold labels, and the
  served linear head's probabilities). Never trained or tuned on: only `fit`'s final report reads them.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nlu.transformer import corpus
from nlu.transformer.text import prepare

if TYPE_CHECKING:
    from nlu.data_io import Example

HEADS = ("intent", "emotion", "harassment")
EMOTIONS = ("neutral", "anger", "anxiety", "sadness")
# the linear heads' rules: routine requests are calm examples, complaints and hand-overs need not be
NOT_NEUTRAL = frozenset({"complaint", "operator_request", "account_closure"})
HARD_NEGATIVE_WEIGHT = 3.0  # angry but legitimate lines, for the harassment head
IGNORE = -100
LinearFit = Callable[[Sequence["Example"]], tuple[tuple[str, ...], Callable[[str], npt.NDArray[np.float64]]]]


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int = 128


@dataclass(frozen=True)
class Preset:
    name: str
    shape: Shape
    vocab: int
    max_len: int = 64
    mlm_epochs: float = 8.0
    mlm_seconds: float = 1e9  # pre-training stops at whichever comes first
    mlm_batch: int = 128
    mlm_lr: float = 5e-4
    ft_epochs: int = 8
    ft_batch: int = 64
    ft_lr: float = 3e-4
    corpus: tuple[str, ...] = corpus.SOURCES
    dev_fraction: float = 0.1
    refit: bool = True
    kana_variants: bool = True

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "corpus": list(self.corpus)}


PRESETS = {
    # seconds on a CPU: for tests and smoke runs, not for use
    "tiny": Preset("tiny", Shape(32, 1, 2, 64, 64), vocab=300, max_len=32, mlm_epochs=2, mlm_batch=32,
                   mlm_lr=2e-3, ft_epochs=4, ft_batch=16, ft_lr=2e-3, corpus=("own",), dev_fraction=0.2,
                   refit=False, kana_variants=False),
    # the shipped model: ~25 minutes on 2 CPU cores
    "cpu": Preset("cpu", Shape(128, 4, 4, 512), vocab=6000, mlm_epochs=15, mlm_seconds=1080, ft_epochs=8),
    # the same shape, a longer schedule: a few minutes on one GPU
    "gpu": Preset("gpu", Shape(128, 4, 4, 512), vocab=6000, mlm_epochs=60, mlm_seconds=200, mlm_batch=256,
                  mlm_lr=1e-3, ft_epochs=12),
    # twice as wide (about 5 M parameters, 10 MB in float16): still a few milliseconds a turn on a CPU
    "gpu-wide": Preset("gpu-wide", Shape(256, 4, 4, 1024), vocab=8000, mlm_epochs=80, mlm_seconds=200,
                       mlm_batch=256, mlm_lr=7e-4, ft_epochs=12, ft_lr=2e-4),
}


@dataclass
class Rows:
    """Fine-tuning rows: prepared text, one label index per head (IGNORE where unknown), a harassment weight."""

    texts: list[str] = field(default_factory=list)
    labels: list[list[int]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def __add__(self, other: Rows) -> Rows:
        return Rows(self.texts + other.texts, self.labels + other.labels, self.weights + other.weights)


@dataclass
class Plan:
    labels: dict[str, tuple[str, ...]]
    train: Rows  # fine-tuning rows without the dev slice
    everything: Rows  # with it, for the refit
    dev_texts: list[str]
    dev_gold: list[int]
    dev_linear: list[list[float]]  # the linear intent head (trained without dev) on dev, in labels order
    corpus: list[str]
    corpus_counts: dict[str, int]
    corpus_sha: str
    counts: dict[str, int]
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, ensure_ascii=False)

    @staticmethod
    def load(path: Path) -> Plan:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
        raw["labels"] = {h: tuple(v) for h, v in raw["labels"].items()}
        raw["train"], raw["everything"] = Rows(**raw["train"]), Rows(**raw["everything"])
        return Plan(**raw)


def split_dev(examples: Sequence[Example], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified by intent; an intent with fewer than 3 examples keeps them all for training."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_label[ex.label].append(i)
    rng = random.Random(seed)
    train_idx: list[int] = []
    dev_idx: list[int] = []
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        n_dev = round(len(idx) * fraction) if len(idx) >= 3 else 0
        dev_idx += idx[:n_dev]
        train_idx += idx[n_dev:]
    return sorted(train_idx), sorted(dev_idx)


def label_sets(examples: Sequence[Example], emotion: Sequence[dict[str, Any]], heads: Sequence[str]) -> dict[
    str, tuple[str, ...]
]:
    labels: dict[str, tuple[str, ...]] = {"intent": tuple(sorted({ex.label for ex in examples}))}
    if "emotion" in heads and emotion:
        labels["emotion"] = EMOTIONS
        kinds = {str(r.get("harassment")) for r in emotion if r.get("harassment")}
        labels["harassment"] = ("none", *sorted(kinds))
    return labels


def intent_rows(examples: Sequence[Example], labels: dict[str, tuple[str, ...]], variants: dict[str, str]) -> Rows:
    rows = Rows()
    index = {h: {name: i for i, name in enumerate(v)} for h, v in labels.items()}
    for ex in examples:
        y = [index["intent"][ex.label], IGNORE, IGNORE]
        if "emotion" in labels and ex.label not in NOT_NEUTRAL:
            y[1] = index["emotion"]["neutral"]
        if "harassment" in labels and ex.label != "complaint":
            y[2] = index["harassment"]["none"]
        for text in dict.fromkeys([ex.text, variants.get(ex.text, ex.text)]):
            rows.texts.append(prepare(text))
            rows.labels.append(list(y))
            rows.weights.append(1.0)
    return rows


def emotion_rows(rows: Sequence[dict[str, Any]], labels: dict[str, tuple[str, ...]]) -> Rows:
    out = Rows()
    if "emotion" not in labels:
        return out
    emo = {name: i for i, name in enumerate(labels["emotion"])}
    har = {name: i for i, name in enumerate(labels["harassment"])}
    for row in rows:
        emotion = row.get("emotion")
        kind = str(row.get("harassment") or "none")
        out.texts.append(prepare(str(row["text"])))
        out.labels.append([IGNORE, emo.get(str(emotion), IGNORE), har.get(kind, IGNORE)])
        out.weights.append(HARD_NEGATIVE_WEIGHT if emotion == "anger" and kind == "none" else 1.0)
    return out


def make_plan(examples: Sequence[Example], emotion: Sequence[dict[str, Any]], *, preset: Preset,
              fit_linear: LinearFit, kana_variant: Callable[[str], str], heads: Sequence[str] = HEADS,
              seed: int = 0, shared_root: Path = corpus.SHARED_BENCHMARKS) -> Plan:
    labels = label_sets(examples, emotion, heads)
    variants = {ex.text: kana_variant(ex.text) for ex in examples} if preset.kana_variants else {}
    train_idx, dev_idx = split_dev(examples, preset.dev_fraction, seed)
    train_ex = [examples[i] for i in train_idx]
    dev_ex = [examples[i] for i in dev_idx]
    emo = emotion_rows(emotion, labels)
    train = intent_rows(train_ex, labels, variants) + emo
    # the tokenizer and MLM corpus leave the dev slice out, so that dev figures stay honest
    lines, counts, sha = corpus.collect(preset.corpus, train.texts, shared_root)
    dev_linear: list[list[float]] = []
    if dev_ex:
        lin_labels, score = fit_linear(train_ex)
        order = [lin_labels.index(name) for name in labels["intent"]]
        dev_linear = [[float(p) for p in score(ex.text)[order]] for ex in dev_ex]
    index = {name: i for i, name in enumerate(labels["intent"])}
    return Plan(
        labels=labels,
        train=train,
        everything=intent_rows(examples, labels, variants) + emo,
        dev_texts=[prepare(ex.text) for ex in dev_ex],
        dev_gold=[index[ex.label] for ex in dev_ex],
        dev_linear=dev_linear,
        corpus=[prepare(line) for line in lines],
        corpus_counts=counts,
        corpus_sha=sha,
        counts={"intent_examples": len(examples), "dev_examples": len(dev_ex), "emotion_lines": len(emotion),
                "kana_variants": sum(1 for ex in examples if variants.get(ex.text, ex.text) != ex.text)},
    )
