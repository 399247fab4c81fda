"""benchmarks/public_nlu.py's head for labelled public sets: rows weighted by their annotators' agreement,
C chosen by cross-validation on the train rows only."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

from nlu.training import featurize


def _public_nlu() -> ModuleType:
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "public_nlu.py"
    spec = importlib.util.spec_from_file_location("public_nlu", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_agreement_is_the_share_of_annotators() -> None:
    bench = _public_nlu()
    assert bench._agreement({"agreement": "2/3"}) == 2 / 3
    assert bench._agreement({"agreement": "4/4"}) == 1.0
    assert bench._agreement({}) == 1.0  # a set without the field: every row counts fully
    assert bench._agreement({"agreement": "n/a"}) == 1.0


def test_the_head_is_chosen_by_cross_validation_and_weights_agreed_rows_more() -> None:
    bench = _public_nlu()
    angry = ["ふざけるな", "いい加減にしろ", "腹が立つ", "頭にくる", "許せない", "もう怒った"]
    sad = ["悲しいです", "寂しいな", "泣きたい", "つらいです", "落ち込んだ", "がっかりした"]
    rows = [(featurize(t), "anger", 1.0, f"d{i}") for i, t in enumerate(angry)]
    rows += [(featurize(t), "sadness", 1.0, f"e{i}") for i, t in enumerate(sad)]
    # the same words twice more, labelled the other way by a bare majority each time: counted row by row
    # they would outvote the agreed rows; weighted by agreement squared they weigh half as much
    rows += [(featurize(t), "sadness", 0.5, f"f{i}") for i, t in enumerate(angry[:3] * 2)]
    model, chosen = bench._fit_label_head(rows)
    assert chosen["c"] in bench.CANDIDATE_C
    assert set(chosen["cv_macro_f1"]) == {str(c) for c in bench.CANDIDATE_C}
    for text in angry[:3]:
        assert model.labels[int(np.argmax(model.scores(featurize(text))))] == "anger"
