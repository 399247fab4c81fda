"""The transformer backend: tokenizer, numpy serving against transformers, tiny train -> save -> load -> parse,
`--base-model` on a checkpoint made here, and the cascade with and without a transformer.

Every model here is tiny (one layer, hidden 32) and trained on a few dozen lines: seconds on a CPU.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

from nlu.pipeline import NLU  # noqa: E402
from nlu.training import train  # noqa: E402
from nlu.transformer import numpy_encoder, present  # noqa: E402
from nlu.transformer.serving import TransformerHeads  # noqa: E402
from nlu.transformer.text import SentencePieceTokenizer, load_tokenizer, pad, prepare  # noqa: E402

INTENTS = {
    "order_status": ["注文した商品がまだ届きません", "荷物はいつ届きますか", "配送状況を教えて", "まだ来ないんだけど",
                     "注文したものはどこですか", "発送はまだですか", "いつ届くのか知りたい", "荷物どこ"],
    "cancel_order": ["注文をキャンセルしたい", "注文を取り消してください", "やっぱり要らないのでキャンセル",
                     "キャンセルできますか", "注文をやめたい", "取り消しをお願いします", "買うのをやめます", "なしにして"],
    "greet": ["こんにちは", "もしもし", "おはようございます", "こんばんは", "どうもこんにちは", "もしもし聞こえますか",
              "はじめまして", "お世話になります"],
}
EMOTION = [("ふざけるな", "anger", None), ("ばかやろう", "anger", "insult"), ("心配です", "anxiety", None),
           ("悲しいです", "sadness", None), ("ありがとう", "neutral", None), ("殺すぞ", "anger", "threat")]


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny_data")
    intents = _write_jsonl(root / "train.jsonl", [{"text": t, "intent": k} for k, v in INTENTS.items() for t in v])
    emotion = _write_jsonl(root / "emotion.jsonl", [{"text": t, "emotion": e, "harassment": h} for t, e, h in EMOTION])
    return intents, emotion


@pytest.fixture(scope="module")
def tiny_model(tiny_data: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny_model")
    train([tiny_data[0]], out, "transformer", emotion_data=[tiny_data[1]], preset="tiny")
    return out


def test_sentencepiece_trains_on_our_text_and_wraps_lines() -> None:
    lines = [prepare(t) for v in INTENTS.values() for t in v] * 3
    tok = SentencePieceTokenizer.train(lines, 120)
    assert (tok.pad_id, tok.cls_id, tok.sep_id, tok.mask_id) == (0, 2, 3, 4)
    assert tok.pieces("[MASK]") == ["[MASK]"]
    [ids] = tok.encode(["注文をキャンセルしたい"], 64)
    assert ids[0] == tok.cls_id and ids[-1] == tok.sep_id and len(ids) > 3
    [cut] = tok.encode(["注文をキャンセルしたい" * 20], 8)
    assert len(cut) == 8 and cut[-1] == tok.sep_id


def test_the_encoder_sees_normalised_text_with_digits_folded() -> None:
    assert prepare("えーっと、注文番号は１２３４５６７８です") == prepare("注文番号は87654321です")


def test_tokenizer_saves_and_loads(tmp_path: Path) -> None:
    tok = SentencePieceTokenizer.train([prepare(t) for v in INTENTS.values() for t in v], 100)
    tok.save(tmp_path)
    again = load_tokenizer(tmp_path)
    texts = ["荷物はいつ届きますか", "もしもし"]
    assert again.encode(texts, 32) == tok.encode(texts, 32)


@pytest.mark.parametrize("act", ["gelu", "gelu_new"])
def test_numpy_serving_matches_transformers(tmp_path: Path, act: str) -> None:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, hidden_act=act)
    model = BertModel(config, add_pooling_layer=False).eval()
    model.save_pretrained(str(tmp_path))
    ids, mask = pad([[2, 7, 9, 11, 3], [2, 5, 3]], 0)
    with torch.inference_mode():
        expected = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask).long()).last_hidden_state
    ours = numpy_encoder.NumpyBert.load(tmp_path)(ids, mask)
    assert numpy_encoder.supports(config.to_dict())
    np.testing.assert_allclose(ours[mask], expected.numpy()[mask], atol=1e-4)


def test_tiny_train_save_load_parse_round_trip(tiny_model: Path) -> None:
    assert present(tiny_model)
    meta = json.loads((tiny_model / "metadata.json").read_text(encoding="utf-8"))
    manifest = json.loads((tiny_model / "transformer" / "transformer.json").read_text(encoding="utf-8"))
    assert meta["backend"] == "transformer" and meta["transformer"]["preset"] == "tiny"
    assert manifest["labels"]["intent"] == sorted(INTENTS)
    assert manifest["labels"]["harassment"][0] == "none" and manifest["training"]["corpus"]["lines"] > 0
    assert set(manifest["dev"]) >= {"n", "linear_accuracy", "transformer_accuracy", "cascade_accuracy"}
    nlu = NLU.load(tiny_model)
    assert nlu.transformer is not None and nlu.transformer.runtime == "numpy"
    texts = ["注文をキャンセルしたいです", "もしもし", "荷物まだ？", ""]
    batch = nlu.parse_batch(texts)
    for text, parsed in zip(texts, batch, strict=True):
        single = nlu.parse(text)
        assert parsed.intent.name == single.intent.name
        assert parsed.intent.confidence == pytest.approx(single.intent.confidence)
        assert {s.name for s in parsed.ranking} <= {*INTENTS, "out_of_scope"}
        assert sum(s.confidence for s in parsed.ranking) == pytest.approx(1.0)
    assert batch[-1].intent.name == "out_of_scope"


def test_torch_and_numpy_serving_agree(tiny_model: Path) -> None:
    texts = [prepare(t) for t in ("注文をキャンセルしたいです", "荷物まだ？", "もしもし聞こえてる")]
    on_numpy = TransformerHeads(tiny_model / "transformer", "numpy").predict(texts)
    on_torch = TransformerHeads(tiny_model / "transformer", "cpu").predict(texts)
    for head in on_numpy:
        np.testing.assert_allclose(on_numpy[head], on_torch[head], atol=1e-4)


def test_cascade_asks_the_transformer_only_when_the_linear_heads_are_unsure(tiny_model: Path) -> None:
    nlu = NLU.load(tiny_model)
    assert nlu.transformer is not None
    asked: list[list[str]] = []
    real = nlu.transformer.predict

    def spy(texts: list[str]) -> dict[str, np.ndarray]:
        asked.append(list(texts))
        return real(texts)

    nlu.transformer.predict = spy  # type: ignore[method-assign]
    linear_only = NLU.load(tiny_model)
    linear_only.transformer = None
    texts = ["注文をキャンセルしたいです", "もしもし", "荷物まだ？"]
    object.__setattr__(nlu.transformer, "cascade", type(nlu.transformer.cascade)(threshold=0.0, weight=1.0))
    assert [p.intent for p in nlu.parse_batch(texts)] == [p.intent for p in linear_only.parse_batch(texts)]
    assert asked == []
    object.__setattr__(nlu.transformer, "cascade", type(nlu.transformer.cascade)(threshold=1.01, weight=1.0))
    nlu.parse_batch(texts)
    assert len(asked) == 1 and len(asked[0]) == 3  # one batch for the three unsure turns


def test_without_a_transformer_the_pipeline_is_linear(tiny_data: tuple[Path, Path], tiny_model: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "model"
    shutil.copytree(tiny_model, out)
    train([tiny_data[0]], out, "linear", emotion_data=[tiny_data[1]])  # retraining linear drops the old one
    assert not present(out)
    nlu = NLU.load(out)
    assert nlu.transformer is None
    assert nlu.parse("注文をキャンセルしたい").intent.name == "cancel_order"


def _fine_tune_base(base: Path, out: Path) -> dict[str, object]:
    """The transformer half of `train(..., base_model=base)`, without retraining the linear heads."""
    from nlu.data_io import Example
    from nlu.training import _fit_linear
    from nlu.transformer.train import PRESETS, train_transformer

    examples = [Example(t, k) for k, v in INTENTS.items() for t in v]
    emotion = [{"text": t, "emotion": e, "harassment": h} for t, e, h in EMOTION]
    return train_transformer(examples, emotion, out, fit_linear=_fit_linear, kana_variant=lambda t: t,
                             preset=PRESETS["tiny"], base_model=base)


def test_base_model_without_a_tokenizer(tmp_path: Path) -> None:
    from transformers import BertConfig, BertModel

    base = tmp_path / "base"
    config = BertConfig(vocab_size=200, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(str(base))
    manifest = _fine_tune_base(base, tmp_path / "transformer")
    training = manifest["training"]
    assert isinstance(training, dict) and training["base_model"] == str(base)
    assert training["pretraining"] is None  # a checkpoint is fine-tuned as it is
    assert isinstance(manifest["vocab_size"], int) and manifest["vocab_size"] <= 200
    heads = TransformerHeads(tmp_path / "transformer")
    probs = heads.predict([prepare("注文をキャンセルしたい")])
    assert probs["intent"].shape == (1, len(INTENTS)) and probs["harassment"].shape[1] == 3


def test_base_model_with_its_own_tokenizer(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel

    base = tmp_path / "base"
    chars = sorted({ch for v in INTENTS.values() for t in v for ch in prepare(t)})
    vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split("", "isolated")  # one character a token
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(str(base))
    tokenizer.save(str(base / "tokenizer.json"))
    manifest = _fine_tune_base(base, tmp_path / "transformer")
    assert manifest["tokenizer"] == "base model" and (tmp_path / "transformer" / "tokenizer.json").is_file()
    heads = TransformerHeads(tmp_path / "transformer")
    assert heads.tokenizer.encode(["もしもし"], 16)[0] == [2, *[vocab[c] for c in "もしもし"], 3]
    assert heads.predict(["もしもし"])["intent"].shape == (1, len(INTENTS))


def test_base_model_needs_the_transformer_backend(tiny_data: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--backend transformer"):
        train([tiny_data[0]], tmp_path / "m", "linear", base_model=tmp_path)
    with pytest.raises(ValueError, match="config.json"):
        train([tiny_data[0]], tmp_path / "m", "transformer", emotion_data=[tiny_data[1]], base_model=tmp_path,
              preset="tiny")


def test_cli_parse_and_eval_use_the_transformer_model(tiny_model: Path, tiny_data: tuple[Path, Path]) -> None:
    import subprocess
    import sys

    run = [sys.executable, "-m", "ivr.cli", "nlu"]
    parsed = subprocess.run([*run, "parse", "--model", str(tiny_model)], input="もしもし\n{\"text\": 3\n".encode(),
                            capture_output=True, timeout=120, check=True)
    first, second = (json.loads(line) for line in parsed.stdout.decode().splitlines())
    assert first["intent"]["name"] in INTENTS and "error" in second
    evaluated = subprocess.run([*run, "eval", "--model", str(tiny_model), "--data", str(tiny_data[0]), "--json"],
                               capture_output=True, timeout=120, check=True)
    assert json.loads(evaluated.stdout)["n"] == sum(len(v) for v in INTENTS.values())


def test_cli_refuses_a_base_model_for_the_linear_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ivr.cli import main

    assert main(["nlu", "train", "--base-model", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "--backend transformer" in capsys.readouterr().err


def test_a_vocabulary_too_small_for_the_characters_grows() -> None:
    lines = ["".join(chr(0x4E00 + i + j) for j in range(8)) for i in range(0, 400, 8)]  # 400 distinct kanji
    tok = SentencePieceTokenizer.train(lines, 50)
    assert tok.vocab_size > 400


def test_calibration_asks_the_transformer_where_it_helps_and_not_too_often() -> None:
    from nlu.transformer.train import MAX_ASK_RATE, calibrate

    gold = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    linear = np.array([[0.99, 0.01]] * 5 + [[0.9, 0.1]] * 5)  # sure and right on 0-4, sure-ish and wrong on 5-9
    linear[5:, :] = [[0.55, 0.45]]
    transformer = np.array([[0.2, 0.8]] * 10)
    choice = calibrate(linear, transformer, gold)
    assert choice["dev_accuracy"] >= 0.5
    assert choice["dev_ask_rate"] <= MAX_ASK_RATE or choice["threshold"] == 0.0
    never = calibrate(linear, np.array([[0.99, 0.01]] * 10), gold)  # a transformer that never helps
    assert never["threshold"] == 0.0 and never["dev_ask_rate"] == 0.0


def test_a_plan_survives_the_trip_to_a_gpu_machine(tmp_path: Path) -> None:
    from nlu.data_io import Example
    from nlu.training import _fit_linear
    from nlu.transformer.plan import PRESETS, Plan, make_plan

    examples = [Example(t, k) for k, v in INTENTS.items() for t in v]
    emotion = [{"text": t, "emotion": e, "harassment": h} for t, e, h in EMOTION]
    plan = make_plan(examples, emotion, preset=PRESETS["tiny"], fit_linear=_fit_linear, kana_variant=lambda t: t)
    assert len(plan.dev_texts) == len(plan.dev_gold) == len(plan.dev_linear) > 0
    assert not set(plan.dev_texts) & set(plan.train.texts)  # dev stays out of training and the corpus
    assert not set(plan.dev_texts) & set(plan.corpus)
    plan.save(tmp_path / "plan.json.gz")
    again = Plan.load(tmp_path / "plan.json.gz")
    assert again.labels == plan.labels and again.train == plan.train and again.dev_linear == plan.dev_linear


def test_cli_trains_the_transformer_backend(tiny_data: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import nlu.training
    from ivr.cli import main

    # the command's plumbing on the tiny lines: the shipped emotion set would add a minute of CI and test nothing more
    monkeypatch.setattr(nlu.training, "emotion_train_files", lambda: [tiny_data[1]])
    out = tmp_path / "model"
    assert main(["nlu", "train", "--backend", "transformer", "--preset", "tiny", "--data", str(tiny_data[0]),
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "trained transformer model" in captured.out and "fine-tuning" in captured.err
    assert present(out) and NLU.load(out).transformer is not None
    assert main(["nlu", "train", "--backend", "transformer", "--preset", "huge", "--data", str(tiny_data[0]),
                 "--out", str(out)]) == 2
    assert "unknown preset" in capsys.readouterr().err


def test_a_gpu_fit_archives_what_it_finished(tmp_path: Path) -> None:
    """The GPU machine brings back single files: the fit leaves one tar of the bot's transformer and
    metrics (batched throughput included), without the float32 pre-trained encoder, after each stage."""
    import importlib.util
    import tarfile

    from nlu.data_io import Example
    from nlu.training import _fit_linear
    from nlu.transformer.plan import PRESETS, make_plan

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "transformer_gpu.py"
    spec = importlib.util.spec_from_file_location("transformer_gpu", script)
    assert spec is not None and spec.loader is not None
    gpu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu)
    examples = [Example(t, k) for k, v in INTENTS.items() for t in v]
    emotion = [{"text": t, "emotion": e, "harassment": h} for t, e, h in EMOTION]
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    make_plan(examples, emotion, preset=PRESETS["tiny"], fit_linear=_fit_linear,
              kana_variant=lambda t: t).save(bundle / "plan.json.gz")
    archive = tmp_path / "tiny.tar"
    gpu.cmd_fit(bundle, tmp_path / "tiny", "tiny", public_sets=False, archive=archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        metrics = json.loads(tar.extractfile("tiny/metrics.json").read())  # type: ignore[union-attr]
    assert "tiny/transformer/encoder/model.safetensors" in names and "tiny/transformer/spm.model" in names
    assert not [n for n in names if "pretrained" in n]
    assert metrics["throughput"]["float32_batch8"]["turns_per_second"] > 0
    assert metrics["bot"]["dev"]["n"] > 0
