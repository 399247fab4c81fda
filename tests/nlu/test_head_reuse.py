"""A new bot's model trains only its intent head when the emotion and harassment heads of the shipped
model were made from exactly the same inputs (`ivr init` in seconds, not a minute)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlu import model as model_module
from nlu import training

EMOTION = """
- {text: 商品がまだ届きません, emotion: neutral}
- {text: ふざけるな、いつまで待たせるんだ, emotion: anger}
- {text: 父が亡くなりまして手続きを, emotion: sadness}
- {text: 不正利用されていないか心配です, emotion: anxiety}
- {text: お前は馬鹿か, emotion: anger, harassment: insult}
- {text: 殺すぞ, emotion: anger, harassment: threat}
"""
INTENTS = "\n".join(f'{{"text": "{t}", "intent": "{i}"}}' for t, i in [
    ("予約を取りたいです", "book"), ("診察の予約をお願いします", "book"), ("予約したいんですけど", "book"),
    ("予約を取り消したい", "cancel"), ("キャンセルでお願いします", "cancel"), ("予約をやめます", "cancel")])


@pytest.fixture
def emotion_file(tmp_path: Path) -> Path:
    path = tmp_path / "emotion.yaml"
    path.write_text(EMOTION, encoding="utf-8")
    return path


def test_heads_are_reused_only_when_their_inputs_match(tmp_path: Path, emotion_file: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    intents = tmp_path / "intents.jsonl"
    intents.write_text(INTENTS, encoding="utf-8")
    shipped = tmp_path / "shipped"
    training.train(data=[intents], out=shipped, emotion_data=[emotion_file])
    monkeypatch.setattr(model_module, "DEFAULT_MODEL_DIR", shipped)

    bundle, _ = training.train(data=[intents], out=tmp_path / "new", emotion_data=[emotion_file])
    assert bundle.intent.labels == ("book", "cancel")
    assert np.array_equal(bundle.emotion.weights, model_module.ModelBundle.load(shipped).emotion.weights)

    # other emotion data: other inputs, so nothing is copied
    emotion_file.write_text(EMOTION + "- {text: ありがとうございました, emotion: neutral}\n", encoding="utf-8")
    other = training.heads_sha256([emotion_file])
    assert other != bundle.metadata["heads_sha256"]
    assert training._reusable_heads(other, tmp_path / "other") is None
    assert training._reusable_heads(bundle.metadata["heads_sha256"], shipped) is None  # never from itself


def test_the_shipped_model_was_trained_by_the_code_and_data_of_this_commit() -> None:
    """Its emotion and harassment heads match what they would be made from now. Otherwise features at serving
    time differ from those it learnt (a normaliser change), and every new bot (`ivr init`, a company's own
    intents) trains those heads again, a minute instead of seconds. Retrain: ivr nlu train --out models/default."""
    import json

    meta = json.loads((model_module.DEFAULT_MODEL_DIR / "metadata.json").read_text(encoding="utf-8"))
    assert meta["heads_sha256"] == training.heads_sha256(), (
        "models/default is stale: retrain it with `ivr nlu train --out models/default` and rerun the suites")
