"""The dev sets written for issue 14's eighth data batch (benchmarks/data/situational_dev.jsonl and
harassment_dev2.jsonl) stay apart from every training line, the trained ones and the candidate batch
waiting in nlu/data/*/candidates/ (docs/harassment.md), so that their figures keep meaning something.

No dev line may equal a training or candidate line once spaces and punctuation are removed.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from nlu.data_io import (
    DEFAULT_EMOTION_DIR,
    DEFAULT_INTENT_DATA,
    emotion_train_files,
    read_emotion_examples,
    read_intent_examples,
)

ROOT = Path(__file__).resolve().parents[2]
DEV_SETS = [
    ROOT / "benchmarks" / "data" / name for name in (
        "situational_dev.jsonl", "harassment_dev2.jsonl", "situational_dev2.jsonl", "harassment_dev3.jsonl",
        "intents_dev3.jsonl", "situational_dev3.jsonl")
]
INTENT_CANDIDATES = DEFAULT_INTENT_DATA / "candidates"
EMOTION_CANDIDATES = DEFAULT_EMOTION_DIR / "candidates"


def _key(text: str) -> str:
    return re.sub(r"[\s、。,.!?！？・…「」『』]", "", text)


@functools.cache  # read once for all the dev sets (about 3 s a read)
def _trained() -> frozenset[str]:
    texts = {ex.text for ex in read_intent_examples([DEFAULT_INTENT_DATA, INTENT_CANDIDATES])}
    emotion = [*emotion_train_files(), *sorted(EMOTION_CANDIDATES.glob("*.yaml"))]
    texts |= {str(r["text"]) for p in emotion for r in read_emotion_examples(p)}
    return frozenset(_key(t) for t in texts)


def test_the_candidate_batch_is_not_read_by_training() -> None:
    trained = {ex.text for ex in read_intent_examples([DEFAULT_INTENT_DATA])}
    candidates = {ex.text for ex in read_intent_examples([INTENT_CANDIDATES])}
    assert candidates and not candidates & trained
    assert not {p.parent for p in emotion_train_files()} & {EMOTION_CANDIDATES}


@pytest.mark.parametrize("path", DEV_SETS, ids=lambda p: p.name)
def test_no_dev_line_is_a_training_line(path: Path) -> None:
    trained = _trained()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows
    assert not [r["text"] for r in rows if _key(str(r["text"])) in trained]
