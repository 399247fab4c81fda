"""Unlabelled Japanese text for masked-language-model pre-training, and where each line came from.

Sources (each openly licensed; none is a test split):
- `own`: the bot's training examples and emotion lines (what the encoder is fine-tuned on),
- `shared`: the `train` and `dev` splits of ../shared/benchmarks (xSID-ja CC BY-SA 4.0, ASDC CC BY 4.0,
  NAIST persuasive emotion CC BY-SA 4.0, inspection-ai toxicity Apache-2.0). Their `test` files are never
  opened here: they are for reporting only,
- `hironsan`: 500 news sentences shipped in the PyPI package `hironsancorpus` (MIT), when installed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from nlu.model import REPO_ROOT

SHARED_BENCHMARKS = REPO_ROOT.parent / "shared" / "benchmarks"
SOURCES = ("own", "shared", "hironsan")
_SPLITS = ("train.jsonl", "dev.jsonl")  # never test.jsonl


def shared_lines(root: Path = SHARED_BENCHMARKS) -> list[str]:
    lines: list[str] = []
    if not root.is_dir():
        return lines
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for name in _SPLITS:
            path = folder / name
            if not path.is_file():
                continue
            with path.open(encoding="utf-8") as fh:
                for raw in fh:
                    if raw.strip():
                        text = json.loads(raw).get("text")
                        if isinstance(text, str):
                            lines.append(text)
    return lines


def hironsan_lines() -> list[str]:
    try:
        data = resources.files("hironsan.corpus").joinpath("iob_sents.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return []
    # one morpheme a line (surface first, tab-separated features), a blank line between sentences
    return ["".join(row.split("\t", 1)[0] for row in block.splitlines()) for block in data.split("\n\n") if block.strip()]


def collect(sources: Sequence[str], own: Iterable[str], shared_root: Path = SHARED_BENCHMARKS) -> tuple[
    list[str], dict[str, int], str
]:
    """Lines (duplicates dropped, order kept), the count each source gave, and their sha256."""
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown corpus source(s) {sorted(unknown)}; known: {', '.join(SOURCES)}")
    seen: set[str] = set()
    lines: list[str] = []
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    for source in sources:
        texts = list(own) if source == "own" else shared_lines(shared_root) if source == "shared" else hironsan_lines()
        before = len(lines)
        for text in texts:
            text = text.strip()
            if text and text not in seen:
                seen.add(text)
                lines.append(text)
                digest.update(text.encode("utf-8") + b"\n")
        counts[source] = len(lines) - before
    return lines, counts, digest.hexdigest()
