"""A BERT-shaped encoder's forward pass in numpy, for serving on CPU without torch.

Importing torch and transformers takes 2-7 s and ~300 MB; a 4-layer encoder with hidden size 128 needs a
dozen small matrix products per layer, which numpy does in well under a millisecond for a caller's turn.
The weights are the checkpoint's own (`model.safetensors` of a Hugging Face `BertModel`), read as numpy
arrays; the numbers match transformers' to float32 rounding (tests/nlu/test_transformer_serving.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
SUPPORTED = frozenset({"bert"})
_ACTIVATIONS = frozenset({"gelu", "gelu_new", "gelu_pytorch_tanh", "relu"})
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def supports(config: dict[str, Any]) -> bool:
    return (
        config.get("model_type") in SUPPORTED
        and config.get("hidden_act", "gelu") in _ACTIVATIONS
        and config.get("position_embedding_type", "absolute") == "absolute"
    )


def _layer_norm(x: F32, gamma: F32, beta: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=-1, keepdims=True)
    out: F32 = centered / np.sqrt(var + eps) * gamma + beta
    return out


def _activation(name: str) -> Any:
    if name == "relu":
        return lambda x: np.maximum(x, 0.0)
    if name == "gelu":
        from scipy.special import erf  # exact GELU, as transformers' "gelu"

        return lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    return lambda x: 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))


class NumpyBert:
    def __init__(self, config: dict[str, Any], weights: dict[str, F32]) -> None:
        def w(name: str) -> F32:
            for key in (name, "bert." + name):
                if key in weights:
                    return np.ascontiguousarray(weights[key], dtype=np.float32)
            raise KeyError(name)

        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.act = _activation(str(config.get("hidden_act", "gelu")))
        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers: list[dict[str, F32]] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            q, k, v = (w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value"))
            qb, kb, vb = (w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value"))
            self.layers.append({
                # query, key and value in one product; weights transposed once here, not per call
                "qkv": np.ascontiguousarray(np.concatenate([q, k, v]).T), "qkv_b": np.concatenate([qb, kb, vb]),
                "o": np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                "o_b": w(p + "attention.output.dense.bias"),
                "ln1_g": w(p + "attention.output.LayerNorm.weight"), "ln1_b": w(p + "attention.output.LayerNorm.bias"),
                "i": np.ascontiguousarray(w(p + "intermediate.dense.weight").T), "i_b": w(p + "intermediate.dense.bias"),
                "f": np.ascontiguousarray(w(p + "output.dense.weight").T), "f_b": w(p + "output.dense.bias"),
                "ln2_g": w(p + "output.LayerNorm.weight"), "ln2_b": w(p + "output.LayerNorm.bias"),
            })

    @staticmethod
    def load(directory: Path) -> NumpyBert:
        from safetensors.numpy import load_file

        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        return NumpyBert(config, load_file(str(directory / "model.safetensors")))

    def __call__(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> F32:
        """Last hidden states, (batch, tokens, hidden)."""
        batch, width = ids.shape
        width = min(width, self.position.shape[0])
        ids, mask = ids[:, :width], mask[:, :width]
        x = self.word[ids] + self.position[:width] + self.token_type
        x = _layer_norm(x, *self.emb_ln, self.eps)
        hidden = x.shape[-1]
        nh, dh = self.heads, hidden // self.heads
        # padding gets a large negative score, as transformers' extended attention mask
        bias = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(dh))
        for layer in self.layers:
            qkv = x @ layer["qkv"] + layer["qkv_b"]
            qkv = qkv.reshape(batch, width, 3, nh, dh).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] @ qkv[1].transpose(0, 1, 3, 2)) * scale + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch, width, hidden)
            x = _layer_norm(x + context @ layer["o"] + layer["o_b"], layer["ln1_g"], layer["ln1_b"], self.eps)
            inner = self.act(x @ layer["i"] + layer["i_b"])
            x = _layer_norm(x + inner @ layer["f"] + layer["f_b"], layer["ln2_g"], layer["ln2_b"], self.eps)
        out: F32 = x.astype(np.float32, copy=False)
        return out


def mean_pool(hidden: F32, mask: npt.NDArray[np.bool_]) -> F32:
    weights = mask[:, : hidden.shape[1]].astype(np.float32)[:, :, None]
    pooled: F32 = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
    return pooled
