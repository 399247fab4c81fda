"""A trained model directory: the classifiers plus metadata.json, loaded once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlu import transformer
from nlu.linear import LinearModel

if TYPE_CHECKING:
    from nlu.transformer.serving import TransformerHeads

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "default"


class ModelError(Exception):
    """A model directory is missing or unreadable."""


@dataclass(frozen=True)
class ModelBundle:
    intent: LinearModel
    emotion: LinearModel
    harassment: LinearModel
    metadata: dict[str, Any] = field(default_factory=dict)
    # the second stage of the cascade, when the directory has one (`--backend transformer`)
    transformer: TransformerHeads | None = None

    @property
    def low_confidence(self) -> float:
        return float(self.metadata.get("thresholds", {}).get("low_confidence", 0.45))

    @property
    def ambiguous_margin(self) -> float:
        return float(self.metadata.get("thresholds", {}).get("ambiguous_margin", 0.12))

    @property
    def harassment_threshold(self) -> float:
        return float(self.metadata.get("thresholds", {}).get("harassment", 0.5))

    def save(self, out: Path) -> None:
        """The linear heads and metadata.json; the transformer is written by its trainer."""
        out.mkdir(parents=True, exist_ok=True)
        self.intent.save(out / "intent.npz")
        self.emotion.save(out / "emotion.npz")
        self.harassment.save(out / "harassment.npz")
        (out / "metadata.json").write_text(
            json.dumps(self.metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    @staticmethod
    def load(path: Path | None = None) -> ModelBundle:
        path = path or DEFAULT_MODEL_DIR
        meta_path = path / "metadata.json"
        if not meta_path.is_file():
            raise ModelError(f"{path}: no trained model here (run `ivr nlu train --out {path}`)")
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
            return ModelBundle(
                intent=LinearModel.load(path / "intent.npz"),
                emotion=LinearModel.load(path / "emotion.npz"),
                harassment=LinearModel.load(path / "harassment.npz"),
                metadata=metadata,
                transformer=_load_transformer(path),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: cannot read the model: {exc}") from exc


def _load_transformer(path: Path) -> TransformerHeads | None:
    if not transformer.present(path):
        return None
    try:
        from nlu.transformer.serving import TransformerError, TransformerHeads
    except ImportError as exc:
        raise ModelError(f"{path}: its transformer needs {exc.name} (pip install -e '.[transformer]')") from exc
    try:
        return TransformerHeads(path / transformer.SUBDIR)
    except TransformerError as exc:
        raise ModelError(str(exc)) from exc
