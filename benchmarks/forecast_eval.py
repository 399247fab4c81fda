"""Backtest the contact forecast at several origins (rolling), against the seasonal-naive baseline.

    .venv/bin/ivr records synth --store sqlite:////tmp/ops.sqlite3 --days 365 --seed 1
    .venv/bin/python benchmarks/forecast_eval.py --store sqlite:////tmp/ops.sqlite3 [--origins 6] [--weeks 2]

For each origin (every `--step` weeks back from the end of the records) the model is fitted on what came
before and scored on the next `--weeks` weeks: MAPE over intervals with contacts (fractions), model and
naive, and the same on daily totals, which is what a planner reads first.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.forecast import SLOTS_PER_DAY, WEEK, backtest, history, mape  # noqa: E402


async def load(url: str) -> list[dict[str, Any]]:
    from dialogue.records import records
    from dialogue.store_remote import store_from_url

    store = store_from_url(url)
    try:
        return await records(store)
    finally:
        await store.close()


def daily(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(x.reshape(-1, SLOTS_PER_DAY).sum(axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--origins", type=int, default=6)
    parser.add_argument("--step", type=int, default=2, help="weeks between origins")
    parser.add_argument("--weeks", type=int, default=2, help="weeks held out at each origin")
    args = parser.parse_args()
    began = time.perf_counter()
    records = asyncio.run(load(args.store))
    hist = history(records)
    print(f"{len(records)} contacts, {hist.days:.0f} days, {len(hist.counts)} series "
          f"({', '.join('/'.join(k) for k in hist.counts)}), read in {time.perf_counter() - began:.1f} s")
    rows = []
    rng = np.random.default_rng(0)
    for j in range(args.origins):
        cut = hist.n - j * args.step * WEEK
        if cut - args.weeks * WEEK < 2 * WEEK:
            break
        sub = replace(hist, counts={k: v[:cut] for k, v in hist.counts.items()})
        t0 = time.perf_counter()
        bt = backtest(sub, args.weeks)
        took = time.perf_counter() - t0
        # the error a perfect model would still make: counts drawn from the model's own means
        floor = float(np.mean([mape(rng.poisson(bt.model).astype(float), bt.model) for _ in range(10)]))
        rows.append((bt.model_mape, bt.naive_mape, mape(daily(bt.actual), daily(bt.model)),
                     mape(daily(bt.actual), daily(bt.naive)), floor))
        print(f"origin {bt.start:%Y-%m-%d}: interval MAPE model {rows[-1][0]:.3f}, naive {rows[-1][1]:.3f} "
              f"(Poisson noise floor {floor:.3f}); daily MAPE model {rows[-1][2]:.3f}, naive {rows[-1][3]:.3f} "
              f"({took:.1f} s)")
    mean = np.mean(np.array(rows), axis=0)
    print(f"mean over {len(rows)} origins: interval MAPE model {mean[0]:.3f}, naive {mean[1]:.3f} "
          f"(noise floor {mean[4]:.3f}); daily MAPE model {mean[2]:.3f}, naive {mean[3]:.3f}")


if __name__ == "__main__":
    main()
