"""A trained transformer directory, loaded for serving: batched class probabilities for each head.

`transformer/` in a model directory holds `transformer.json` (labels, cascade settings, what it was trained
on, its held-out figures), the tokenizer, `encoder/` (a Hugging Face checkpoint) and `heads.safetensors`.
It runs on numpy when the encoder is BERT-shaped and no accelerator is present (fast to load, no torch),
otherwise on torch, on the GPU when there is one. `IVR_NLU_DEVICE` (`auto`, `numpy`, `cpu`, `cuda`) overrides.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from nlu.linear import softmax
from nlu.transformer import ENCODER_DIR, HEADS_FILE, MANIFEST
from nlu.transformer import numpy_encoder as npe
from nlu.transformer.text import Tokenizer, load_tokenizer, pad

F32 = npt.NDArray[np.float32]
BATCH = 64  # rows per forward pass; turns arriving together are sorted by length and run in batches


class TransformerError(Exception):
    """A transformer directory is unreadable, or needs what is not installed."""


@dataclass(frozen=True)
class Cascade:
    """When the linear intent head's top probability is below `threshold`, the transformer is asked, and
    the intent distribution becomes `weight` x transformer + (1 - weight) x linear."""

    threshold: float = 0.8
    weight: float = 1.0


class Runner(Protocol):
    def __call__(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> dict[str, F32]: ...


class NumpyRunner:
    def __init__(self, directory: Path, heads: Sequence[str]) -> None:
        from safetensors.numpy import load_file

        self.encoder = npe.NumpyBert.load(directory / ENCODER_DIR)
        state = load_file(str(directory / HEADS_FILE))
        self.heads = {h: (np.ascontiguousarray(state[f"{h}.weight"].T), state[f"{h}.bias"]) for h in heads}

    def __call__(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> dict[str, F32]:
        pooled = npe.mean_pool(self.encoder(ids, mask), mask)
        return {h: pooled @ w + b for h, (w, b) in self.heads.items()}


class TorchRunner:
    def __init__(self, directory: Path, head_sizes: dict[str, int], device: str) -> None:
        from nlu.transformer import network

        self.device = device
        self.model = network.load(directory, head_sizes, device)

    def __call__(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> dict[str, F32]:
        import torch

        with torch.inference_mode():
            logits = self.model(torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device))
        return {h: t.float().cpu().numpy() for h, t in logits.items()}


def _cuda_present() -> bool:
    # checking the driver first keeps a CPU-only server from importing torch (seconds) just to ask
    if not Path("/proc/driver/nvidia/version").exists():
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def choose_runtime(config: dict[str, Any], wanted: str | None = None) -> str:
    wanted = (wanted or os.environ.get("IVR_NLU_DEVICE") or "auto").lower()
    if wanted not in ("auto", "numpy", "cpu", "cuda"):
        raise TransformerError(f"IVR_NLU_DEVICE={wanted!r}: expected auto, numpy, cpu or cuda")
    if wanted == "numpy" and not npe.supports(config):
        raise TransformerError(f"numpy serving handles BERT-shaped encoders only, not {config.get('model_type')!r}")
    if wanted == "auto":
        if _cuda_present():
            return "cuda"
        return "numpy" if npe.supports(config) else "cpu"
    return wanted


class TransformerHeads:
    def __init__(self, directory: Path, device: str | None = None) -> None:
        try:
            manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            config = json.loads((directory / ENCODER_DIR / "config.json").read_text(encoding="utf-8"))
            self.labels: dict[str, tuple[str, ...]] = {h: tuple(v) for h, v in manifest["labels"].items()}
            self.max_len = int(manifest["max_len"])
            cascade = manifest.get("cascade") or {}
            self.cascade = Cascade(float(cascade.get("threshold", 0.8)), float(cascade.get("weight", 1.0)))
            self.manifest = manifest
            self.tokenizer: Tokenizer = load_tokenizer(directory)
            self.runtime = choose_runtime(config, device)
            self.runner: Runner
            if self.runtime == "numpy":
                self.runner = NumpyRunner(directory, list(self.labels))
            else:
                self.runner = TorchRunner(directory, {h: len(v) for h, v in self.labels.items()}, self.runtime)
        except (OSError, ValueError, KeyError) as exc:
            raise TransformerError(f"{directory}: cannot read the transformer: {exc}") from exc
        except ImportError as exc:
            raise TransformerError(f"{directory}: the transformer needs {exc.name} (pip install -e '.[transformer]')") from exc

    def predict(self, prepared: Sequence[str]) -> dict[str, F32]:
        """Probabilities per head, (len(prepared), labels), for texts already passed through `text.prepare`."""
        rows = self.tokenizer.encode(prepared, self.max_len)
        out = {h: np.zeros((len(rows), len(v)), dtype=np.float32) for h, v in self.labels.items()}
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))  # similar lengths pad less
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            ids, mask = pad([rows[i] for i in chunk], self.tokenizer.pad_id)
            logits = self.runner(ids, mask)
            for head, values in logits.items():
                for row, i in enumerate(chunk):
                    out[head][i] = softmax(values[row].astype(np.float64))
        return out
