"""nlu/linear.py's two norms: "known" keeps the ranking the features give when the wording is unfamiliar
and only lowers the confidence; "all" (older model files) lets the intercept take over."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from nlu import linear


def _toy() -> tuple[list[list[str]], list[str]]:
    """Class "big" has only one-off wording (no feature reaches min_count): the intercept is all it has.
    Class "small" always says "cue"."""
    rows: list[list[str]] = [[f"once{i}a", f"once{i}b"] for i in range(30)]
    labels = ["big"] * 30
    for i in range(4):
        rows.append(["cue", f"small{i}"])
        labels.append("small")
    return rows, labels


@pytest.mark.parametrize("norm", linear.NORMS)
def test_joint_scorer_matches_the_model(norm: str) -> None:
    rows, labels = _toy()
    model = linear.train(rows, labels, c=10.0, norm=norm)
    joint = linear.JointScorer({"intent": model})
    rnd = random.Random(0)
    vocab = [*model.vocab, "never1", "never2", "never3", "once3a"]
    for _ in range(50):
        feats = rnd.sample(vocab, rnd.randint(0, len(vocab)))
        np.testing.assert_allclose(joint.scores(feats)["intent"], model.scores(feats), rtol=1e-5, atol=1e-6)


def test_known_norm_keeps_the_ranking_and_lowers_the_confidence() -> None:
    rows, labels = _toy()
    known = linear.train(rows, labels, c=10.0, norm="known")
    small = known.labels.index("small")
    confidences = []
    for n_unseen in (0, 3, 10, 40):
        probs = known.scores(["cue", *(f"never{i}" for i in range(n_unseen))])
        assert int(np.argmax(probs)) == small
        confidences.append(float(probs[small]))
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[-1] < 0.6 < confidences[0]


def test_all_norm_hands_unfamiliar_lines_to_the_intercept() -> None:
    rows, labels = _toy()
    model = linear.train(rows, labels, c=10.0, norm="all")
    probs = model.scores(["cue", *(f"never{i}" for i in range(40))])
    assert model.labels[int(np.argmax(probs))] == "big"


def test_nothing_known_ranks_by_the_bias_with_little_confidence() -> None:
    rows, labels = _toy()
    model = linear.train(rows, labels, c=10.0, norm="known")
    probs = model.scores(["never1", "never2", "never3"])
    assert model.labels[int(np.argmax(probs))] == "big"
    assert float(probs.max()) < float(linear.softmax(model.bias.astype(np.float64)).max())  # the bias alone
    np.testing.assert_allclose(
        linear.JointScorer({"i": model}).scores(["never1", "never2", "never3"])["i"], probs, rtol=1e-5
    )


def test_the_norm_is_saved_and_older_files_read_as_all(tmp_path: Path) -> None:
    rows, labels = _toy()
    model = linear.train(rows, labels, c=10.0, norm="known")
    model.save(tmp_path / "m.npz")
    assert linear.LinearModel.load(tmp_path / "m.npz").norm == "known"
    with np.load(tmp_path / "m.npz") as data:
        older = {k: data[k] for k in data.files if k != "norm"}
    np.savez_compressed(tmp_path / "old.npz", **older)
    loaded = linear.LinearModel.load(tmp_path / "old.npz")
    assert loaded.norm == "all"
    assert loaded.scores(["cue"]).shape == (2,)


def test_an_unknown_norm_is_refused() -> None:
    rows, labels = _toy()
    with pytest.raises(ValueError, match="unknown norm 'l1'"):
        linear.train(rows, labels, norm="l1")


def test_the_intent_head_is_trained_with_the_norm_asked_for() -> None:
    from nlu import training
    from nlu.data_io import Example

    examples = [
        Example(t, y)
        for t, y in [
            ("予約を取りたいです", "book"),
            ("予約をお願いします", "book"),
            ("予約を取り消したい", "cancel"),
            ("キャンセルでお願いします", "cancel"),
        ]
    ]
    assert training.train_intent(examples, "known").norm == "known"
    assert training.train_intent(examples).norm == training.INTENT_NORM
    with pytest.raises(ValueError, match="unknown intent norm 'l1'"):
        training.train(out=Path("/nonexistent/never-written"), intent_norm="l1")
