"""FAQ questions through the whole turn path: what the bot does with a caller's first turn.

    .venv/bin/python benchmarks/faq_turns.py [--data FILE ...] [--errors]

`faq_eval.py` scores the knowledge base's `match` alone; on the turn path the dialogue manager also weighs
the classifier's request, two-part turns, wishes and questions (dialogue/interpret.py) and a looser match
for questions that tell a story (`FaqIndex.match_loose`). Each line (`{"text", "faq", "accept"}`, the
faq_eval format) is said as the first turn of a chat; the reply is read from the manager's interpretation:
- answered: an answer from its entry or an accepted one (share of answerable lines);
- wrong: an answer from another entry, or any answer to a line that must get none (share of all lines);
- a request started instead (share of answerable lines): the flow's first question (an order number)
  where the caller wanted the fact.
Dev sets only for tuning (benchmarks/data/faq_dev*.jsonl); the held-out sets are scored, never tuned on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.interpret import Answer, Request, interpret
from dialogue.question import question_for
from dialogue.store import MemoryStore

DATA = sorted(Path("benchmarks/data").glob("faq_dev*.jsonl"))
NOW = datetime(2026, 12, 8, 11, 0, tzinfo=TOKYO)  # a Tuesday morning


async def _first_action(manager: DialogueManager, text: str) -> Any:
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(), now=NOW))
    state = await manager.state(sid)
    assert state is not None
    heard = manager._understand(UserTurn(text=text), NOW, True)  # noqa: SLF001 - the manager's own reading
    return interpret(question_for(state, manager.bot), heard, manager.bot.entities)


def score(path: Path, manager: DialogueManager, errors: bool) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answered = wrong = started = answerable = 0
    for row in rows:
        action = asyncio.run(_first_action(manager, row["text"]))
        ok = {row["faq"], *row.get("accept", [])} - {None}
        got = action.hit.entry.id if isinstance(action, Answer) else None
        answerable += bool(ok)
        if got is not None and got in ok:
            answered += 1
        elif got is not None:
            wrong += 1
            if errors:
                print(f"WRONG {got} (want {row['faq']}): {row['text']}")
        elif ok and isinstance(action, Request):
            started += 1
            if errors:
                print(f"STARTED {action.intent} (want {row['faq']}): {row['text']}")
    return {"data": str(path), "lines": len(rows), "answered": round(answered / max(answerable, 1), 3),
            "wrong": round(wrong / max(len(rows), 1), 3), "request_started": round(started / max(answerable, 1), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, nargs="+", default=DATA)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    manager = build_manager(store=MemoryStore())
    for path in args.data:
        if errors_refused(path, args.errors):
            continue
        print(json.dumps(score(path, manager, args.errors), ensure_ascii=False))


def errors_refused(path: Path, errors: bool) -> bool:
    if errors and "heldout" in path.name:
        print(f"--errors is refused on a held-out set ({path}): score it only")
        return True
    return False


if __name__ == "__main__":
    main()
