"""`ivr nlu train`: examples -> features -> linear models -> a model directory with metadata."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from importlib import metadata as pkg_meta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jaconv
import numpy as np
import numpy.typing as npt

from nlu import features, linear, word_clusters
from nlu import transformer as transformer_pkg
from nlu.data_io import (
    DEFAULT_INTENT_DATA,
    Example,
    emotion_train_files,
    read_emotion_examples,
    read_intent_examples,
)
from nlu.model import ModelBundle, ModelError
from nlu.normalize import normalize
from nlu.tokenizer import tokenize

BACKENDS = ("linear", "transformer")
# chosen by 5-fold cross-validation on the training data (never on the test files). Harassment: on the five
# dev sets (benchmarks/data/harassment_dev*.jsonl, 1,102 lines never trained on), the lowest threshold that
# meets issue 14's bar, recall >= 0.97 with <= 1 % false alarms on calm and on angry-but-legitimate lines:
# 0.45 (dev recall 0.981, false alarms 0.6 % / 0.3 %; at 0.4, the lowest false-alarm rate that kept
# cross-validated recall >= 0.95, dev recall was 0.992 with 1.1 % / 0.3 %)
THRESHOLDS = {"low_confidence": 0.45, "ambiguous_margin": 0.12, "harassment": 0.45}
C_INTENT, C_EMOTION, C_HARASSMENT = 30.0, 10.0, 30.0
# how the intent head norms its rows (nlu/linear.py). "known" (rows normed over their known features, the
# bias scaled down with unfamiliar wording) did better on dev splits of training data only (issue 14):
# 5-fold CV on the bot's intents 0.9450 -> 0.9456, xSID-ja train CV 0.927 / 0.815 -> 0.937 / 0.821 (lines
# it knew little of had gone to weather/find, the intercept's favourite). Retrained with it, the shipped
# bot scored one held-out line less (0.9643 against 0.9660), so the default stays "all" until it is
# measured better there; `train(intent_norm=...)` and `public_nlu.py --intent-norm` choose it. The emotion
# and harassment heads keep "all" (their thresholds were chosen by cross-validation with it).
INTENT_NORM = "all"
# angry but legitimate complaints weigh triple for the harassment head: telling them apart is its hard part
HARD_NEGATIVE_WEIGHT = 5.0
# English requests weigh double as calm lines for the harassment head: a few hundred of them against
# thousands of Japanese ones, and the balanced class weights otherwise let English abuse lines claim
# every n-gram English shares ("you", "our"): "what are your hours" was flagged (dev set, issue 14)
ENGLISH_CALM_WEIGHT = 2.0
# routine requests are calm examples the emotion set has few of; complaints and hand-overs are not
_NOT_NEUTRAL = frozenset({"complaint", "operator_request", "account_closure"})


# every new model uses the word clusters (nlu/word_clusters.py); its metadata says so, for serving
WORD_CLUSTERS = True


def featurize(text: str) -> list[str]:
    norm = normalize(text)
    return features.extract(norm.text, tokenize(norm.text), word_clusters.load() if WORD_CLUSTERS else None)


def kana_variant(text: str) -> str:
    """What a recogniser without kanji output would send: hiragana readings, no punctuation."""
    norm = normalize(text)
    parts = [
        t.surface if t.surface.isdigit() else str(jaconv.kata2hira(t.reading))
        for t in tokenize(norm.text)
        if t.pos not in ("補助記号", "空白")
    ]
    return "".join(parts)


def _augmented(examples: Sequence[Example]) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    labels: list[str] = []
    for ex in examples:
        rows.append(featurize(ex.text))
        labels.append(ex.label)
        kana = kana_variant(ex.text)
        if kana and kana != ex.text:
            rows.append(featurize(kana))
            labels.append(ex.label)
    return rows, labels


def _hash_files(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        # a directory: the files read_intent_examples reads from it (not candidates/ below it)
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".jsonl")) if path.is_dir() \
            else [path]
        for f in files:
            digest.update(f.name.encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()


_NLU = Path(__file__).resolve().parent
# what the emotion and harassment heads depend on besides their data: the features and how they are fit
_HEADS_CODE = [_NLU / name for name in ("features.py", "normalize.py", "tokenizer.py", "harassment_lexicon.py",
                                        "linear.py", "training.py", "word_clusters.py")] + [
    _NLU / "data" / "harassment_lexicon.yaml", _NLU / "data" / "lexicon.yaml", word_clusters.CLUSTERS_FILE]


def _calm_paths() -> list[Path]:
    return sorted(DEFAULT_INTENT_DATA.glob("*.yaml")) + sorted(DEFAULT_INTENT_DATA.glob("english*.jsonl"))


def heads_sha256(emotion_paths: Sequence[Path] | None = None) -> str:
    """What the emotion and harassment heads are made from (their data, the calm lines, the code that
    featurises and fits them): a model whose `heads_sha256` matches lends its heads to a new bot."""
    return _hash_files([*(emotion_paths or emotion_train_files()), *_calm_paths(), *_HEADS_CODE])


def _reusable_heads(heads_sha: str, out: Path | None) -> tuple[linear.LinearModel, linear.LinearModel] | None:
    """The shipped model's emotion and harassment heads, when they were trained from exactly these inputs:
    a new bot (`ivr init`, a company's own intents) then trains only its intent head, in seconds."""
    from nlu.model import DEFAULT_MODEL_DIR

    source = DEFAULT_MODEL_DIR
    if out is None or out.resolve() == source.resolve():
        return None  # retraining the shipped model itself trains everything
    try:
        meta = json.loads((source / "metadata.json").read_text(encoding="utf-8"))
        if meta.get("heads_sha256") != heads_sha:
            return None
        return linear.LinearModel.load(source / "emotion.npz"), linear.LinearModel.load(source / "harassment.npz")
    except (OSError, ValueError, KeyError):
        return None


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parent.parent))
    except ValueError:
        return str(path)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("fugashi", "unidic-lite", "scikit-learn", "numpy", "neologdn", "jaconv"):
        try:
            out[pkg] = pkg_meta.version(pkg)
        except pkg_meta.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _with_kana_variant(text: str) -> list[list[str]]:
    """Features of a line and, when it differs, of its hiragana reading."""
    kana = kana_variant(text)
    return [featurize(text), featurize(kana)] if kana and kana != text else [featurize(text)]


def train_intent(examples: Sequence[Example], norm: str | None = None) -> linear.LinearModel:
    rows, labels = _augmented(examples)
    return linear.train(rows, labels, c=C_INTENT, norm=norm or INTENT_NORM)


def angry_but_legitimate(row: Mapping[str, Any]) -> bool:
    """A hard negative for the harassment head: an angry line (its emotion, or `tone: angry` on a line that
    trains the harassment head only) that is no harassment."""
    return (row.get("emotion") == "anger" or row.get("tone") == "angry") and not row.get("harassment")


def train_emotion(rows: Sequence[dict[str, Any]], intent_examples: Sequence[Example]) -> tuple[
    linear.LinearModel, linear.LinearModel
]:
    emo_feats: list[list[str]] = []
    emo_labels: list[str] = []
    har_feats: list[list[str]] = []
    har_labels: list[str] = []
    har_weights: list[float] = []
    for row in rows:
        hard = angry_but_legitimate(row)
        # each line also as a recogniser without kanji would send it (as train_intent does): abuse and
        # legitimate anger must stay apart in hiragana too (こわれたしょうひん / おまえむのう)
        for feats in _with_kana_variant(str(row["text"])):
            if row.get("emotion"):
                emo_feats.append(feats)
                emo_labels.append(str(row["emotion"]))
            har_feats.append(feats)
            har_labels.append(str(row.get("harassment") or "none"))
            har_weights.append(HARD_NEGATIVE_WEIGHT if hard else 1.0)
    # routine requests from the intent data are calm, non-abusive examples the emotion set lacks
    for ex in intent_examples:
        feats = featurize(ex.text)
        if ex.label not in _NOT_NEUTRAL:
            emo_feats.append(feats)
            emo_labels.append("neutral")
        if ex.label != "complaint":
            har_feats.append(feats)
            har_labels.append("none")
            har_weights.append(ENGLISH_CALM_WEIGHT if ex.text.isascii() else 1.0)
    return (
        linear.train(emo_feats, emo_labels, c=C_EMOTION),
        linear.train(har_feats, har_labels, c=C_HARASSMENT, sample_weight=har_weights),
    )


def _fit_linear(examples: Sequence[Example]) -> tuple[tuple[str, ...], Callable[[str], npt.NDArray[np.float64]]]:
    """The linear intent head on a slice of the data, for calibrating the transformer cascade."""
    model = train_intent(examples)
    return model.labels, lambda text: model.scores(featurize(text))


def train(
    data: Sequence[Path] | None = None,
    out: Path | None = None,
    backend: str = "linear",
    emotion_data: Sequence[Path] | None = None,
    base_model: Path | None = None,
    preset: str | None = None,
    log: Callable[[str], None] | None = None,
    intent_norm: str | None = None,
) -> tuple[ModelBundle, Path]:
    """Train a model directory. `transformer` trains the linear heads too: they answer first (a cascade).
    `intent_norm`: "all" or "known" for the intent head (INTENT_NORM when None)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    if intent_norm is not None and intent_norm not in linear.NORMS:
        raise ValueError(f"unknown intent norm {intent_norm!r}; available: {', '.join(linear.NORMS)}")
    if (base_model is not None or preset is not None) and backend != "transformer":
        raise ValueError("--base-model and --preset need --backend transformer")
    if base_model is not None and not (base_model / "config.json").is_file():
        raise ValueError(f"--base-model {base_model}: no config.json (a Hugging Face checkpoint directory)")
    if backend == "transformer":
        _check_transformer_setup(preset)
    from nlu.model import DEFAULT_MODEL_DIR

    started = time.perf_counter()
    data_paths = list(data) if data else [DEFAULT_INTENT_DATA]
    examples = read_intent_examples(data_paths)
    emotion_paths = list(emotion_data) if emotion_data else emotion_train_files()
    emotion_rows = [row for p in emotion_paths for row in read_emotion_examples(p)]
    intent_model = train_intent(examples, intent_norm)
    # calm, non-abusive examples for the emotion and harassment heads: the bot's YAML intents and the English
    # requests (without them every English line looked angry: the English emotion lines are mostly anger),
    # not the situational JSON Lines (they describe troubles, a broken kettle or a missed delivery, in no
    # neutral tone)
    calm_paths = _calm_paths()
    heads_sha = heads_sha256(emotion_paths)
    reused = _reusable_heads(heads_sha, out)
    if reused is not None:  # the same data and code made the shipped model's heads: the same heads again
        emotion_model, harassment_model = reused
    else:
        emotion_model, harassment_model = train_emotion(emotion_rows, read_intent_examples(calm_paths))
    metadata: dict[str, Any] = {
        "backend": backend,
        "trained_at": datetime.now(ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds"),
        "data": [_rel(p) for p in [*data_paths, *emotion_paths]],
        "data_sha256": _hash_files([*data_paths, *emotion_paths]),
        "examples": len(examples),
        "intents": sorted(set(intent_model.labels)),
        "features": {"intent": len(intent_model.vocab), "emotion": len(emotion_model.vocab)},
        "intent_norm": intent_model.norm,
        "thresholds": THRESHOLDS,
        "word_clusters": WORD_CLUSTERS,
        "heads_sha256": heads_sha,
        "versions": _versions(),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    bundle = ModelBundle(intent_model, emotion_model, harassment_model, metadata)
    target = out or DEFAULT_MODEL_DIR
    stale = target / transformer_pkg.SUBDIR
    if stale.is_dir():  # a linear model must not be served with an older run's transformer
        shutil.rmtree(stale)
    bundle.save(target)
    if backend == "transformer":
        metadata["transformer"] = _train_transformer(examples, emotion_rows, target, base_model, preset, log)
        metadata["train_seconds"] = round(time.perf_counter() - started, 2)
        bundle.save(target)
        bundle = ModelBundle.load(target)
    return bundle, target


def _check_transformer_setup(preset: str | None) -> None:
    """Before anything is trained or replaced: a known preset, and the training packages installed."""
    from importlib.util import find_spec

    from nlu.transformer.plan import PRESETS

    if (preset or "cpu") not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; available: {', '.join(PRESETS)}")
    missing = [pkg for pkg in ("torch", "transformers", "sentencepiece") if find_spec(pkg) is None]
    if missing:
        raise ModelError(f"--backend transformer needs {', '.join(missing)}: pip install -e '.[transformer]'")


def _train_transformer(examples: Sequence[Example], emotion_rows: Sequence[dict[str, Any]], target: Path,
                       base_model: Path | None, preset: str | None, log: Callable[[str], None] | None) -> dict[str, Any]:
    from nlu.transformer.train import PRESETS, train_transformer

    name = preset or "cpu"
    manifest = train_transformer(
        examples, emotion_rows, target / transformer_pkg.SUBDIR, fit_linear=_fit_linear, kana_variant=kana_variant,
        preset=PRESETS[name], base_model=base_model, log=log or (lambda _msg: None),
    )
    return {"preset": name, "base_model": manifest["training"]["base_model"], "parameters": manifest["parameters"],
            "vocab_size": manifest["vocab_size"], "cascade": manifest["cascade"], "dev": {
                k: v for k, v in manifest["dev"].items() if k != "grid"}, "seconds": manifest["training"]["seconds"]}
