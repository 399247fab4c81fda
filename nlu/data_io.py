"""Reading labelled examples: the bot's YAML intent files and JSON Lines exports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

NLU_DATA = Path(__file__).resolve().parent / "data"
DEFAULT_INTENT_DATA = NLU_DATA / "intents"
DEFAULT_INTENT_TEST = NLU_DATA / "test" / "intents_test.jsonl"
DEFAULT_EMOTION_DIR = NLU_DATA / "emotion"
DEFAULT_EMOTION_TRAIN = DEFAULT_EMOTION_DIR / "train.yaml"
DEFAULT_EMOTION_TEST = NLU_DATA / "emotion" / "test.yaml"


class DataError(Exception):
    """A training or test file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    style: str | None = None
    extra: dict[str, Any] | None = None


def _yaml_load(path: Path) -> Any:
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise DataError(f"{where}: {getattr(exc, 'problem', None) or exc}") from exc


def _intent_yaml(path: Path) -> Iterator[Example]:
    doc = _yaml_load(path)
    if not isinstance(doc, dict) or "intent" not in doc or not isinstance(doc.get("examples"), list):
        raise DataError(f"{path}: expected a mapping with 'intent' and a list 'examples'")
    intent = str(doc["intent"])
    for item in doc["examples"]:
        if isinstance(item, str):
            yield Example(item, intent)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            yield Example(item["text"], intent, item.get("style"))
        else:
            raise DataError(f"{path}: intent {intent}: bad example {item!r}")


def read_jsonl(path: Path, label_key: str = "intent") -> Iterator[Example]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise DataError(f"{path}:{lineno}: expected an object with a 'text' string")
            label = obj.get(label_key)
            if label is None:
                continue  # e.g. NAIST lines whose emotion has no label of ours
            yield Example(obj["text"], str(label), obj.get("style"), obj)


def read_intent_examples(paths: Iterable[Path]) -> list[Example]:
    """YAML files/directories of the bot's intents, or JSON Lines of {"text", "intent"}."""
    out: list[Example] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")):
                out.extend(_intent_yaml(child))
            for child in sorted(path.glob("*.jsonl")):
                out.extend(read_jsonl(child))
        elif path.suffix == ".jsonl":
            out.extend(read_jsonl(path))
        elif path.suffix in (".yaml", ".yml"):
            out.extend(_intent_yaml(path))
        else:
            raise DataError(f"{path}: expected a .yaml, .jsonl file or a directory of them")
    if not out:
        raise DataError("no training examples found in " + ", ".join(str(p) for p in paths))
    return out


def emotion_train_files() -> list[Path]:
    """train.yaml plus any train_*.yaml beside it."""
    return sorted(DEFAULT_EMOTION_DIR.glob("train*.yaml"))


def read_emotion_examples(path: Path) -> list[dict[str, Any]]:
    """Rows of {text, emotion, harassment, style}."""
    if path.suffix == ".jsonl":
        return [dict(e.extra or {}) for e in read_jsonl(path, "text")]
    doc = _yaml_load(path)
    if not isinstance(doc, list):
        raise DataError(f"{path}: expected a list of {{text, emotion, harassment}}")
    rows = []
    for item in doc:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise DataError(f"{path}: bad row {item!r}")
        rows.append(dict(item))
    return rows
