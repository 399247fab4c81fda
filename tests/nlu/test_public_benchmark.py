"""benchmarks/public_nlu.py's head for labelled public sets: rows weighted by their annotators' agreement,
C chosen by cross-validation on the train rows only; the context head that judges a line with its dialogue."""

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
    model, chosen, oof = bench._fit_label_head(rows)
    assert oof.shape == (len(rows), 2)  # out-of-fold probabilities, one row per train row
    assert chosen["c"] in bench.CANDIDATE_C
    assert set(chosen["cv_macro_f1"]) == {str(c) for c in bench.CANDIDATE_C}
    for text in angry[:3]:
        assert model.labels[int(np.argmax(model.scores(featurize(text))))] == "anger"


def _dialogue(n: int, speaker_mood: str, own: list[float]) -> tuple[list[dict[str, object]], list[list[float]]]:
    """Lines of one dialogue: the persuadee's lines carry `speaker_mood`'s probabilities, every third
    persuadee line only `own` (a line that says little by itself); the persuader's lines are calm."""
    rows: list[dict[str, object]] = []
    probs: list[list[float]] = []
    moods = {"anger": [0.8, 0.1, 0.1], "neutral": [0.1, 0.8, 0.1], "sadness": [0.1, 0.1, 0.8]}
    for line in range(8):
        speaker = "persuader" if line % 2 == 0 else "persuadee"
        label = "neutral" if speaker == "persuader" else speaker_mood
        rows.append({"dialogue_id": f"{speaker_mood}/{n}", "line": line, "speaker": speaker, "label": label})
        probs.append(own if speaker == "persuadee" and line % 3 == 0 else moods[label])
    return rows, probs


def test_context_features_read_the_neighbours_and_the_same_speaker() -> None:
    bench = _public_nlu()
    rows, probs = _dialogue(0, "anger", [1 / 3, 1 / 3, 1 / 3])
    x = bench.context_features(rows, np.asarray(probs))
    assert x.shape == (8, 9 * 3 + 3)
    third = x[3]  # the persuadee's line 3: flat by itself
    assert np.allclose(third[0:3], np.log(1 / 3))
    assert np.allclose(third[3:6], np.log([0.1, 0.8, 0.1]))  # line 2, the persuader's
    assert np.allclose(third[15:18], np.log([0.8, 0.1, 0.1]))  # the same speaker's previous line (1)
    assert np.allclose(x[0][3:6], np.log(1 / 3))  # nothing before the first line: no evidence
    assert x[0][-3] == 1.0 and x[1][-3] == 0.0  # the persuader's role


def test_the_context_head_judges_a_flat_line_by_its_speakers_other_lines() -> None:
    bench = _public_nlu()
    rows: list[dict[str, object]] = []
    probs: list[list[float]] = []
    for n in range(12):
        for mood in ("anger", "sadness"):
            r, p = _dialogue(n, mood, [1 / 3, 1 / 3, 1 / 3])
            rows += r
            probs += p
    labels = [str(r["label"]) for r in rows]
    head, cv = bench.context_head(rows, np.asarray(probs), labels, [1.0] * len(rows))
    assert cv > 0.9
    test, test_probs = _dialogue(99, "sadness", [1 / 3, 1 / 3, 1 / 3])
    pred = head.predict(bench.context_features(test, np.asarray(test_probs)))
    assert pred[3] == "sadness"  # flat by itself; its speaker's other lines are sad
