"""Multinomial logistic regression over sparse IDF-weighted features.

Trained with scikit-learn, served with a hand-written sparse dot product: scikit-learn's own
`predict_proba` costs ~100 µs of input validation per call, more than the whole rest of the NLU.
A row is the L2-normalised IDF vector of the utterance's features; features never seen in training
count as rare (the largest IDF) in the norm, so unfamiliar wording lowers the confidence.
The model file holds the vocabulary, each feature's IDF and a float16 weight matrix.

Two ways to norm (`norm=` in `train`, recorded in the model file):
- "all" (the heads' way, and every model file written before it existed): the row is divided by the norm
  over all its features, unseen ones included, and the bias is added unscaled. Unfamiliar wording shrinks
  the feature part and the bias decides more: the intercept's favourite class (the largest, most varied
  one) takes the lines the model knows least (xSID dev: 7 of 22 errors went to weather/find).
- "known" (the intent head's): the model is fit on rows normed over their known features only, and the
  logits (bias + features / known norm) are then multiplied by known norm / full norm. The ranking is
  the one the features give; unfamiliar wording flattens the distribution (lower confidence) instead of
  tilting it toward the intercept's favourite.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt


def softmax(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    exp = np.exp(logits - logits.max())
    result: npt.NDArray[np.float64] = exp / exp.sum()
    return result


NORMS = ("all", "known")


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies over a training corpus (smoothed, as scikit-learn's TfidfTransformer)."""

    values: dict[str, float]
    unseen: float  # for a feature outside the corpus

    @staticmethod
    def fit(rows: Iterable[Iterable[str]]) -> Idf:
        df: Counter[str] = Counter()
        n = 0
        for row in rows:
            df.update(set(row))
            n += 1
        values = {f: math.log((1 + n) / (1 + c)) + 1.0 for f, c in df.items()}
        return Idf(values, math.log(1 + n) + 1.0)

    def norm(self, features: Iterable[str]) -> float:
        get, unseen = self.values.get, self.unseen
        return math.sqrt(sum(get(f, unseen) ** 2 for f in set(features))) or 1.0


@dataclass(frozen=True)
class LinearModel:
    labels: tuple[str, ...]
    vocab: dict[str, int]
    weights: npt.NDArray[np.float32]  # (len(vocab), len(labels))
    bias: npt.NDArray[np.float32]  # (len(labels),)
    idf: npt.NDArray[np.float32]  # (len(vocab),)
    unseen_idf: float
    norm: str = "all"  # NORMS: how a row is normed and the bias scaled (module docstring)

    def scores(self, features: Iterable[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, in the order of `labels`."""
        feats = set(features)
        idx = [i for i in (self.vocab.get(f) for f in feats) if i is not None]
        logits = self.bias.astype(np.float64)
        idf = self.idf[idx].astype(np.float64)
        known_sq = float((idf**2).sum())
        norm = math.sqrt(known_sq + (len(feats) - len(idx)) * self.unseen_idf**2) or 1.0
        if self.norm == "known":
            logits = logits * bias_scale(known_sq, norm)
        if idx:
            logits = logits + (self.weights[idx] * idf[:, None]).sum(axis=0) / norm
        return softmax(logits)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            idf=self.idf,
            unseen_idf=np.array(self.unseen_idf),
            norm=np.array(self.norm),
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
                idf=data["idf"].astype(np.float32),
                unseen_idf=float(data["unseen_idf"]),
                norm=str(data["norm"]) if "norm" in data.files else "all",
            )


def bias_scale(known_sq: float, norm: float) -> float:
    """For norm "known": known norm / full norm. With no known feature at all, as if one feature of IDF 1
    were known: the bias still ranks, with next to no confidence."""
    return max(math.sqrt(known_sq), 1.0) / norm


def train(
    rows: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    c: float = 10.0,
    idf: Idf | None = None,
    class_weight: str | None = "balanced",
    min_count: int = 2,
    sample_weight: Sequence[float] | None = None,
    norm: str = "all",
) -> LinearModel:
    """Fit on feature lists. Features seen in fewer than `min_count` rows get no weight (they still
    count in the norm, as unseen ones do): it halves the matrix, which must stay in cache when serving.
    `norm` is "all" or "known" (module docstring); with "known" they count in the full norm only."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; available: {', '.join(NORMS)}")
    idf = idf or Idf.fit(rows)
    counts = Counter(f for row in rows for f in set(row))
    vocab: dict[str, int] = {}
    for row in rows:
        for f in row:
            if counts[f] >= min_count:
                vocab.setdefault(f, len(vocab))
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        feats = set(row)
        row_norm = idf.norm(f for f in feats if f in vocab) if norm == "known" else idf.norm(feats)
        for f in feats:
            if f in vocab:
                indices.append(vocab[f])
                data.append(idf.values.get(f, idf.unseen) / row_norm)
        indptr.append(len(indices))
    x = csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)), dtype=np.float64)
    clf = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight, solver="lbfgs")
    clf.fit(x, list(labels), sample_weight=None if sample_weight is None else np.asarray(sample_weight))
    coef = np.asarray(clf.coef_, dtype=np.float32)
    bias = np.asarray(clf.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:  # scikit-learn keeps one row for binary problems
        coef = np.vstack([-coef / 2, coef / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    terms = sorted(vocab, key=vocab.__getitem__)
    return LinearModel(
        labels=tuple(str(c_) for c_ in clf.classes_),
        vocab=vocab,
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
        idf=np.array([idf.values.get(t, idf.unseen) for t in terms], dtype=np.float32),
        unseen_idf=idf.unseen,
        norm=norm,
    )


class JointScorer:
    """Several heads over one vocabulary: one lookup pass and one gather per utterance.

    Each head keeps its own IDF (a feature's IDF is folded into its weight row), so the heads' norms
    are carried as extra columns: per head, the sum of squared IDFs of the known features and their count.
    """

    def __init__(self, models: Mapping[str, LinearModel]) -> None:
        vocab: dict[str, int] = {}
        for m in models.values():
            for f in m.vocab:
                vocab.setdefault(f, len(vocab))
        heads = list(models.items())
        width = sum(len(m.labels) for _, m in heads) + 2 * len(heads)
        weights = np.zeros((len(vocab), width), dtype=np.float32)
        bias = np.zeros(width, dtype=np.float64)
        # name, logit columns, norm column, unseen idf, bias scaled (norm "known")
        self.heads: list[tuple[str, slice, int, float, bool]] = []
        col = 0
        norm_col = sum(len(m.labels) for _, m in heads)
        for name, m in heads:
            n = len(m.labels)
            rows = np.fromiter((vocab[f] for f in sorted(m.vocab, key=m.vocab.__getitem__)), dtype=np.int64)
            weights[rows, col : col + n] = m.weights * m.idf[:, None]
            weights[rows, norm_col] = m.idf**2
            weights[rows, norm_col + 1] = 1.0
            bias[col : col + n] = m.bias
            self.heads.append((name, slice(col, col + n), norm_col, m.unseen_idf, m.norm == "known"))
            col += n
            norm_col += 2
        self.vocab = vocab
        self.weights = weights
        self.bias = bias

    def scores(self, features: Sequence[str]) -> dict[str, npt.NDArray[np.float64]]:
        feats = set(features)
        idx = [i for i in map(self.vocab.get, feats) if i is not None]
        total = self.bias.copy()
        if idx:
            total += np.add.reduce(self.weights.take(idx, axis=0), axis=0)
        out = {}
        for name, sl, nc, unseen, scaled in self.heads:
            known_sq, known = float(total[nc]), float(total[nc + 1])
            norm = math.sqrt(known_sq + (len(feats) - known) * unseen * unseen) or 1.0
            bias = self.bias[sl] * bias_scale(known_sq, norm) if scaled else self.bias[sl]
            logits = bias + (total[sl] - self.bias[sl]) / norm
            out[name] = softmax(logits)
        return out
