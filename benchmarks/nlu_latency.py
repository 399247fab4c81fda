"""NLU cost per utterance on one core, beside the floor (tokenisation alone) measured in the same run.

    .venv/bin/python benchmarks/nlu_latency.py [--model DIR] [--rounds 5]

Reports model load time, p50/p99 of `NLU.parse` over the held-out test utterances (warm), the same for
fugashi tokenisation alone and for normalise + tokenise, peak RSS, and (with --train) the training time
of the default model. Pin it to one core with `taskset -c 0` for the figures in the README.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nlu.data_io import DEFAULT_INTENT_TEST, read_intent_examples
from nlu.normalize import normalize
from nlu.pipeline import NLU
from nlu.tokenizer import tokenize


def percentiles(fn: Callable[[str], object], texts: Sequence[str], rounds: int) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            fn(text)
            samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "p50_ms": round(1000 * samples[len(samples) // 2], 4),
        "p99_ms": round(1000 * samples[int(len(samples) * 0.99)], 4),
        "mean_ms": round(1000 * statistics.fmean(samples), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--train", action="store_true", help="also time training the default model")
    args = ap.parse_args()
    texts = [ex.text for ex in read_intent_examples([DEFAULT_INTENT_TEST])]
    started = time.perf_counter()
    nlu = NLU.load(args.model)
    load_s = time.perf_counter() - started
    for text in texts:  # warm caches, as a server does at start-up
        nlu.parse(text)
    report: dict[str, object] = {
        "utterances": len(texts),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1),
        "model_load_s": round(load_s, 3),
        "floor_tokenize": percentiles(tokenize, texts, args.rounds),
        "normalize_tokenize": percentiles(lambda t: tokenize(normalize(t).text), texts, args.rounds),
        "parse": percentiles(nlu.parse, texts, args.rounds),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.train:
        from nlu.training import train

        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            train(None, Path(tmp))
            report["train_default_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
