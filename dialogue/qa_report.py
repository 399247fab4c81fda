"""Summaries of quality scores per agent, per flow (first intent) and per day, as JSON-able dicts.

The console and `ivr qa report` both read these; nothing here prints.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from dialogue.clock import TOKYO
from dialogue.qa import Checker, ContactScore, rules_checked

BOT_AGENT = "(bot)"  # contacts no person took part in
NO_FLOW = "(none)"


def day_of(started_at: str | None) -> str:
    """The Japan-time date of a contact; '(unknown)' without a clock."""
    if not started_at:
        return "(unknown)"
    try:
        when = datetime.fromisoformat(started_at)
    except ValueError:
        return "(unknown)"
    return (when.astimezone(TOKYO) if when.tzinfo else when).date().isoformat()


def _group(scores: Sequence[ContactScore], key: Callable[[ContactScore], str]) -> list[dict[str, Any]]:
    groups: dict[str, list[ContactScore]] = defaultdict(list)
    for s in scores:
        groups[key(s)].append(s)
    out = []
    for name in sorted(groups):
        members = groups[name]
        broken: Counter[str] = Counter(rule for s in members for rule in {e.rule for e in s.failed})
        out.append({
            "name": name,
            "contacts": len(members),
            "mean_score": round(sum(s.score for s in members) / len(members), 1),
            "passed_rate": round(sum(s.passed for s in members) / len(members), 3),
            "failed_rules": dict(broken.most_common()),
        })
    return out


def summarize(scores: Sequence[ContactScore]) -> dict[str, Any]:
    """Totals, then groups by agent, flow and day (each: contacts, mean score, pass rate, rules broken)."""
    broken: Counter[str] = Counter(rule for s in scores for rule in {e.rule for e in s.failed})
    return {
        "contacts": len(scores),
        "mean_score": round(sum(s.score for s in scores) / len(scores), 1) if scores else None,
        "passed_rate": round(sum(s.passed for s in scores) / len(scores), 3) if scores else None,
        "rules_checked": rules_checked(scores),
        "failed_rules": dict(broken.most_common()),
        "by_agent": _group(scores, lambda s: s.agent or BOT_AGENT),
        "by_flow": _group(scores, lambda s: s.flow or NO_FLOW),
        "by_day": _group(scores, lambda s: day_of(s.started_at)),
    }


def qa_report(records: Iterable[Mapping[str, Any]], checker: Checker | None = None) -> dict[str, Any]:
    """Everything the console shows: each contact's score with its evidence, and the summaries."""
    scores = (checker or Checker()).check_all(records)
    return {"contacts": [s.to_json() for s in scores], "summary": summarize(scores)}
