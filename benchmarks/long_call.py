"""Turn cost over one very long conversation: is turn 3,000 as cheap as turn 10?

    .venv/bin/python benchmarks/long_call.py [--turns 3000] [--store sqlite|memory|postgresql|redis]

One chat asks for store hours again and again (each request resolved, then "anything else?" answered with
the next request), so the call state keeps moving and the event log keeps growing. The NLU is replayed
(each distinct utterance parsed once beforehand) so the figures are the dialogue and the store alone.
Prints the median turn time of turns 1-100 and of the last 100 turns, and the stored state's size then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.api import SessionStart, UserTurn  # noqa: E402 (after the path fix above)
from dialogue.factory import build_manager, shared_nlu  # noqa: E402
from dialogue.store import SessionStore  # noqa: E402
from dialogue.store_remote import store_from_url  # noqa: E402
from nlu.timezone import TOKYO  # noqa: E402
from nlu.types import Parse  # noqa: E402

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)
LINES = ("渋谷店の営業時間を教えてください", "梅田店は何時までですか", "札幌店の営業時間は")


class Replay:
    def __init__(self) -> None:
        nlu = shared_nlu()
        self.parses = {line: nlu.parse(line, NOW) for line in LINES}

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        return self.parses[text]

    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse:
        return self.parses[alternatives[0][0]]


async def run(turns: int, store: SessionStore) -> dict[str, float | int]:
    manager = build_manager(nlu=Replay(), store=store)
    sid, _ = await manager.start(SessionStart(channel="chat", now=NOW))
    times: list[float] = []
    for i in range(turns):
        started = time.perf_counter()
        reply = await manager.handle(sid, UserTurn(text=LINES[i % len(LINES)]))
        times.append((time.perf_counter() - started) * 1000)
        assert not reply.ended, reply
    state = await manager.state(sid)
    assert state is not None
    return {
        "turns": turns,
        "first_100_p50_ms": round(statistics.median(times[:100]), 3),
        "last_100_p50_ms": round(statistics.median(times[-100:]), 3),
        "state_bytes": len(json.dumps(state.to_json(), ensure_ascii=False).encode()),
        "events_logged": len(await manager.events(sid)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--store", default="sqlite", help="sqlite, memory, or a postgresql:// / redis:// URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = {"sqlite": f"sqlite:///{tmp}/long.db", "memory": "memory://"}.get(args.store, args.store)
        print(json.dumps({"store": args.store, **asyncio.run(run(args.turns, store_from_url(url)))}))


if __name__ == "__main__":
    main()
