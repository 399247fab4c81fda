"""The torch side: an encoder built with transformers, the joint heads, the MLM head, saving and loading.

Training and accelerator serving only; CPU serving reads the same files with numpy_encoder.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from nlu.transformer import ENCODER_DIR, HEADS_FILE
from nlu.transformer.plan import Shape


def build_encoder(shape: Shape, vocab_size: int, pad_id: int) -> nn.Module:
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate,
        max_position_embeddings=shape.max_positions,
        hidden_act="gelu_new",  # the tanh form: numpy serving needs no erf
        pad_token_id=pad_id,
        type_vocab_size=1,
    )
    model: nn.Module = BertModel(config, add_pooling_layer=False)
    return model


def load_encoder(directory: Path) -> nn.Module:
    """Any local Hugging Face checkpoint with an encoder (`AutoModel`); nothing is downloaded."""
    from transformers import AutoModel

    _quiet()
    model: nn.Module = AutoModel.from_pretrained(str(directory), local_files_only=True, dtype=torch.float32)
    return model


def _quiet() -> None:
    # no progress bars, and no load report listing the pooler we never use
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def encoder_config(encoder: nn.Module) -> dict[str, Any]:
    config: dict[str, Any] = cast(Any, encoder).config.to_dict()
    return config


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class JointClassifier(nn.Module):
    """Mean-pooled encoder states -> one linear head per task (intent, emotion, harassment)."""

    def __init__(self, encoder: nn.Module, head_sizes: dict[str, int], dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder_config(encoder)["hidden_size"])
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({name: nn.Linear(hidden, n) for name, n in head_sizes.items()})

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask.long()).last_hidden_state
        return mean_pool(hidden, mask)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        pooled = self.dropout(self.pooled(ids, mask))
        return {name: head(pooled) for name, head in self.heads.items()}


class MlmHead(nn.Module):
    """BERT's prediction head, its decoder tied to the word embeddings (passed in, not owned, so the
    optimiser sees each weight once); applied to masked positions only, which is most of what makes
    pre-training affordable on a CPU."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        config = encoder_config(encoder)
        hidden = int(config["hidden_size"])
        self.dense = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden, eps=float(config.get("layer_norm_eps", 1e-12)))
        self.bias = nn.Parameter(torch.zeros(int(config["vocab_size"])))

    def forward(self, states: torch.Tensor, embeddings: torch.Tensor) -> torch.Tensor:
        x = self.norm(nn.functional.gelu(self.dense(states), approximate="tanh"))
        logits: torch.Tensor = x @ embeddings.T + self.bias
        return logits


def save(model: JointClassifier, directory: Path) -> None:
    """`encoder/` as a Hugging Face checkpoint in float16 (half the bytes, loaded back as float32) and
    the heads as float32 safetensors that numpy reads."""
    from safetensors.numpy import save_file

    _quiet()
    directory.mkdir(parents=True, exist_ok=True)
    half = copy.deepcopy(model.encoder).to("cpu").half()
    half.save_pretrained(str(directory / ENCODER_DIR))
    tensors: dict[str, np.ndarray[Any, Any]] = {}
    for name, head in model.heads.items():
        assert isinstance(head, nn.Linear)
        tensors[f"{name}.weight"] = head.weight.detach().to("cpu", torch.float32).numpy()
        tensors[f"{name}.bias"] = head.bias.detach().to("cpu", torch.float32).numpy()
    save_file(tensors, str(directory / HEADS_FILE))


def load(directory: Path, head_sizes: dict[str, int], device: str) -> JointClassifier:
    from safetensors.torch import load_file

    model = JointClassifier(load_encoder(directory / ENCODER_DIR), head_sizes)
    state = load_file(str(directory / HEADS_FILE))
    for name, head in model.heads.items():
        assert isinstance(head, nn.Linear)
        head.weight.data.copy_(state[f"{name}.weight"])
        head.bias.data.copy_(state[f"{name}.bias"])
    return cast(JointClassifier, model.to(device).eval())


def read_config(directory: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    return config
