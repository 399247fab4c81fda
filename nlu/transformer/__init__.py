"""The transformer backend (SPEC 7.4): a small encoder trained jointly for intent, emotion and harassment.

Training needs torch, transformers and sentencepiece (`pip install -e '.[transformer]'`); serving a BERT-
shaped encoder on CPU needs only numpy and sentencepiece, so loading a model stays well under a second.

- `text`: the text the encoder sees, and its tokenizers (a sentencepiece model trained on the bot's text,
  or a Hugging Face checkpoint's own `tokenizer.json`).
- `corpus`: the unlabelled Japanese text for masked-language-model pre-training.
- `plan`: size presets and everything training needs from the project's own code (rows, the dev slice,
  the linear head's dev scores, the corpus), in one file a torch-only machine can train from.
- `network`: the torch modules (an encoder built with transformers, the three heads, the MLM head).
- `train`: pre-training, joint fine-tuning, the cascade's calibration, saving.
- `numpy_encoder`, `serving`: inference, batched, on numpy (CPU) or torch (an accelerator).

A model directory holds the linear heads as before plus `transformer/`; the pipeline then runs as a
cascade (the linear heads answer when they are sure).
"""

from __future__ import annotations

from pathlib import Path

SUBDIR = "transformer"
MANIFEST = "transformer.json"
ENCODER_DIR = "encoder"  # a Hugging Face checkpoint: config.json + model.safetensors
HEADS_FILE = "heads.safetensors"


def present(model_dir: Path) -> bool:
    """Whether a model directory carries a transformer next to its linear heads."""
    return (model_dir / SUBDIR / MANIFEST).is_file()
