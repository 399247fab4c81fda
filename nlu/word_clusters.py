"""Japanese words grouped by meaning: knowledge from outside the bot's own examples.

The clusters come from chiVe word vectors (Works Applications, Apache-2.0) as shipped in the `ja_ginza`
wheel (MIT), grouped by k-means (scripts/build_word_clusters.py). A word the training examples never used
(託児所, 転居) shares its cluster with words they did (保育園, 引っ越し), so the linear classifier gives it the
weight those words earned. Loaded once per process, only for models trained with it.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

CLUSTERS_FILE = Path(__file__).resolve().parent / "data" / "word_clusters.tsv.gz"


@cache
def load(path: Path = CLUSTERS_FILE) -> dict[str, int]:
    out: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, _, cluster = line.rstrip("\n").partition("\t")
            out[word] = int(cluster)
    return out
