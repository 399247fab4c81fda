"""Language identification (SPEC 7.1 `language`) on short caller turns written apart from nlu/language.py.

    .venv/bin/python benchmarks/language_eval.py [--data PATH] [--errors]

The held-out file (benchmarks/data/language_heldout.jsonl, {"text", "language"}) has 50 turns in each of
ja, en, zh, ko, vi, pt, as callers type them or as ASR writes them (1-12 words; Japanese with kanji-only
phrases, Latin brand names, digits and OK). Prints accuracy per language and overall, how many Japanese
turns were read as another language (the target is none), what each misread became, and the latency
of `detect_language` a turn (p50/p99, after one warm-up call that loads lingua's models).
Never tune nlu/language.py on this file: it measures, it does not teach.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from nlu.language import detect_language

DATA = Path(__file__).resolve().parent / "data" / "language_heldout.jsonl"
TARGET = 0.98


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--errors", action="store_true", help="print every misread turn")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    detect_language("warm up the statistical model")
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    for row in rows:
        start = time.perf_counter()
        guess = detect_language(row["text"])
        latencies.append((time.perf_counter() - start) * 1000)
        want = row["language"]
        total[want] += 1
        if guess.code == want:
            right[want] += 1
        else:
            confusions[(want, guess.code)] += 1
            errors.append(f"  {want} -> {guess.code} ({guess.confidence:.2f}): {row['text']}")
    print(f"{'language':<10}{'accuracy':>10}{'turns':>8}")
    for lang in sorted(total, key=lambda code: (code != "ja", code)):
        print(f"{lang:<10}{right[lang] / total[lang]:>10.3f}{total[lang]:>8}")
    overall = sum(right.values()) / max(1, sum(total.values()))
    print(f"{'overall':<10}{overall:>10.3f}{sum(total.values()):>8}   (target >= {TARGET})")
    misread = total["ja"] - right["ja"]
    print(f"Japanese read as another language: {misread} of {total['ja']} (target 0)")
    if confusions:
        print("misreads: " + ", ".join(f"{a}->{b} {n}" for (a, b), n in confusions.most_common()))
    print(f"latency a turn: p50 {_percentile(latencies, 0.5):.3f} ms, p99 {_percentile(latencies, 0.99):.3f} ms")
    if args.errors:
        print("\n".join(errors))


if __name__ == "__main__":
    main()
