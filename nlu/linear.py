"""A multinomial logistic-regression classifier over sparse binary features.

Trained with scikit-learn, served with a hand-written sparse dot product: scikit-learn's own
`predict_proba` costs ~100 µs of input validation per call, more than the whole rest of the NLU.
The model file is a vocabulary plus a float32 weight matrix; only features seen in training are kept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt


def softmax(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    exp = np.exp(logits - logits.max())
    result: npt.NDArray[np.float64] = exp / exp.sum()
    return result


@dataclass(frozen=True)
class LinearModel:
    labels: tuple[str, ...]
    vocab: dict[str, int]
    weights: npt.NDArray[np.float32]  # (len(vocab), len(labels))
    bias: npt.NDArray[np.float32]  # (len(labels),)

    def scores(self, features: Iterable[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, in the order of `labels`."""
        feats = list(features)
        vocab = self.vocab
        idx = [i for i in (vocab.get(f) for f in feats) if i is not None]
        logits = self.bias.astype(np.float64)
        if idx:
            # scaled like the training rows: by all the utterance's features, so unseen words dilute
            logits = logits + self.weights[idx].sum(axis=0, dtype=np.float64) / np.sqrt(len(feats))
        return softmax(logits)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            labels=np.array(json.dumps(list(self.labels), ensure_ascii=False)),
            vocab=np.array("\n".join(terms)),
        )

    @staticmethod
    def load(path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            terms = str(data["vocab"]).split("\n")
            return LinearModel(
                labels=tuple(json.loads(str(data["labels"]))),
                vocab={t: i for i, t in enumerate(terms)},
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
            )


def train(
    rows: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    c: float = 10.0,
    min_count: int = 1,
    class_weight: str | None = "balanced",
) -> LinearModel:
    """Fit on feature lists; features seen fewer than `min_count` times are dropped."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for row in rows for f in set(row))
    vocab: dict[str, int] = {}
    for f, n in counts.items():
        if n >= min_count:
            vocab[f] = len(vocab)
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        ids = sorted({vocab[f] for f in row if f in vocab})
        indices.extend(ids)
        data.extend([1.0 / np.sqrt(len(set(row)))] * len(ids) if ids else [])
        indptr.append(len(indices))
    x = csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)), dtype=np.float64)
    classes = sorted(set(labels))
    clf = LogisticRegression(C=c, max_iter=2000, class_weight=class_weight, solver="lbfgs")
    clf.fit(x, list(labels))
    coef = np.asarray(clf.coef_, dtype=np.float32)
    bias = np.asarray(clf.intercept_, dtype=np.float32)
    if len(classes) == 2:  # scikit-learn keeps one row for binary problems
        coef = np.vstack([-coef / 2, coef / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return LinearModel(
        labels=tuple(str(c_) for c_ in clf.classes_),
        vocab=vocab,
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
    )


class JointScorer:
    """Several linear models over one shared vocabulary: one lookup pass and one gather per utterance."""

    def __init__(self, models: dict[str, LinearModel]) -> None:
        vocab: dict[str, int] = {}
        for m in models.values():
            for f in m.vocab:
                vocab.setdefault(f, len(vocab))
        width = sum(len(m.labels) for m in models.values())
        weights = np.zeros((len(vocab), width), dtype=np.float32)
        bias = np.zeros(width, dtype=np.float64)
        self.slices: dict[str, slice] = {}
        col = 0
        for name, m in models.items():
            n = len(m.labels)
            rows = np.fromiter((vocab[f] for f in sorted(m.vocab, key=m.vocab.__getitem__)), dtype=np.int64)
            weights[rows, col : col + n] = m.weights
            bias[col : col + n] = m.bias
            self.slices[name] = slice(col, col + n)
            col += n
        self.vocab = vocab
        self.weights = weights
        self.bias = bias

    def scores(self, features: Sequence[str]) -> dict[str, npt.NDArray[np.float64]]:
        get = self.vocab.get
        idx = [i for i in map(get, features) if i is not None]
        logits = self.bias.copy()
        if idx:
            logits += np.add.reduce(self.weights.take(idx, axis=0), axis=0) / np.sqrt(len(features))
        # one exp for all heads; logits are small (|x| < 50), so a shared shift cannot underflow a head
        exp = np.exp(logits - logits.max())
        out = {}
        for name, sl in self.slices.items():
            part = exp[sl]
            out[name] = part / part.sum()
        return out
