"""Contact-centre KPIs from conversation records (dialogue.records), for the supervisors' wallboard.

The standard definitions (COPC / the usual ACD reports):
- containment: contacts the bot resolved without a person, over all contacts;
- average speed of answer (ASA): mean queue wait of the contacts an agent answered;
- average handling time (AHT): mean handle time of the contacts an agent handled;
- abandonment: callers who left the queue before an agent answered, over those offered to the queue;
- service level: answered within the threshold (20 s), over answered plus abandoned after the threshold
  (callers who hung up sooner than that do not count against it);
- callbacks: booked, due, kept (connected) and missed (unreachable or failed), from the outbox;
- where callers get stuck: the bot's no-matches by the flow step it was on (from the calls' event logs).
Satisfaction is dialogue.survey.summary.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from dialogue.outbound import Job
from dialogue.survey import summary as survey_summary

SERVICE_LEVEL_S = 20.0
SERVICE_LEVEL_TARGET = 0.8  # 80/20
MENU_STEP = "(メニュー・最初のご用件)"


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def answered(r: Mapping[str, Any]) -> bool:
    """An agent took the contact (the desk records who)."""
    return bool(r.get("agent"))


def queued(r: Mapping[str, Any]) -> bool:
    """The contact was offered to a queue of people (answered, or abandoned while waiting)."""
    return answered(r) or (r.get("outcome") == "abandoned" and bool(r.get("queue")))


def handed_over(r: Mapping[str, Any]) -> bool:
    """The bot handed the contact to people: still marked so, or abandoned while waiting in their queue (the
    hand-over happened, and its reason stays in the record)."""
    return r.get("outcome") == "handover" or queued(r)


def contact_kpis(records: Iterable[Mapping[str, Any]], *, threshold_s: float = SERVICE_LEVEL_S) -> dict[str, Any]:
    rows = list(records)
    total = len(rows)
    contained = sum(1 for r in rows if r.get("outcome") == "resolved" and not r.get("agent"))
    offered = [r for r in rows if queued(r)]
    took = [r for r in offered if answered(r)]
    gave_up = [r for r in offered if not answered(r)]
    waits = [float(r["wait_seconds"]) for r in took if isinstance(r.get("wait_seconds"), int | float)]
    handles = [float(r["handle_seconds"]) for r in took if isinstance(r.get("handle_seconds"), int | float)]
    in_time = sum(1 for w in waits if w <= threshold_s)
    late_abandons = sum(1 for r in gave_up if float(r.get("wait_seconds") or 0.0) > threshold_s)
    return {
        "contacts": total,
        "by_channel": dict(Counter(str(r.get("channel")) for r in rows)),
        "by_outcome": dict(Counter(str(r.get("outcome")) for r in rows)),
        "containment": _share(contained, total),
        "handovers": sum(1 for r in rows if handed_over(r)),
        "handovers_by_reason": dict(Counter(str(r.get("reason") or "unknown") for r in rows
                                            if handed_over(r)).most_common()),
        "offered": len(offered),
        "answered": len(took),
        "abandoned_in_queue": len(gave_up),
        "abandonment": _share(len(gave_up), len(offered)),
        "asa_seconds": _mean(waits),
        "aht_seconds": _mean(handles),
        "service_level": _share(in_time, len(waits) + late_abandons),
        "service_level_threshold_s": threshold_s,
        "service_level_target": SERVICE_LEVEL_TARGET,
        "satisfaction": survey_summary(rows),
    }


def by_hour(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Contacts, bot-resolved contacts, hand-overs and abandoned contacts per hour (Japan time, as the records
    are written), by outcome, so that they add up (the wallboard stacks them): a caller abandoned in the
    queue is under `abandoned` here, while contact_kpis counts it among the hand-overs too."""
    hours: dict[str, Counter[str]] = {}
    for r in records:
        hour = str(r.get("started_at") or "")[:13]
        if not hour:
            continue
        c = hours.setdefault(hour, Counter())
        c["contacts"] += 1
        c["resolved"] += r.get("outcome") == "resolved" and not r.get("agent")
        c["handovers"] += r.get("outcome") == "handover"  # by outcome: the chart stacks these four
        c["abandoned"] += r.get("outcome") == "abandoned"
    return [{"hour": h + ":00", **{k: c[k] for k in ("contacts", "resolved", "handovers", "abandoned")}}
            for h, c in sorted(hours.items())]


def callback_kpis(jobs: Iterable[Job], now: datetime, since: datetime | None = None) -> dict[str, Any]:
    """Callbacks the bot or the web form booked: still due (overdue among them), kept, missed."""
    mine = [j for j in jobs if j.kind == "callback" and (since is None or (j.updated_at or j.due_at) >= since
                                                          or j.status in ("due", "dialing"))]
    due = [j for j in mine if j.status in ("due", "dialing")]
    kept = [j for j in mine if j.status == "done" and j.outcome in ("connected", None)]
    missed = [j for j in mine if j.status == "failed" or (j.status == "done" and j.outcome == "voicemail")]
    settled = len(kept) + len(missed)
    return {"booked": len(mine), "due": len(due), "overdue": sum(1 for j in due if j.due_at < now),
            "kept": len(kept), "missed": len(missed), "kept_rate": _share(len(kept), settled)}


def stuck_steps(logs: Iterable[Sequence[Mapping[str, Any]]], top: int = 10) -> list[dict[str, Any]]:
    """No-matches by the flow step the bot was on, most first: where callers get stuck."""
    counts: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for events in logs:
        at = MENU_STEP
        seen: set[str] = set()
        for e in events:
            kind = e.get("type")
            if kind == "step":
                at = f"{e.get('flow')}/{e.get('step')}"
            elif kind == "flow" and e.get("flow"):
                at = str(e.get("flow"))
            elif kind == "no_match":
                counts[at] += 1
                seen.add(at)
        calls.update(seen)
    return [{"step": s, "no_matches": n, "calls": calls[s]} for s, n in counts.most_common(top)]


def to_csv(board: Mapping[str, Any]) -> str:
    """The wallboard as `section,key,value` rows, for a spreadsheet."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "key", "value"])

    def flat(section: str, prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                flat(section, f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                label = str(v.get("step") or v.get("hour") or i) if isinstance(v, Mapping) else str(i)
                flat(section, f"{prefix}.{label}" if prefix else label, v)
        else:
            w.writerow([section, prefix, "" if value is None else value])

    for section, value in board.items():
        flat(section, "", value)
    return out.getvalue()


# -- the console's quick panel: the latest case notes (outcome names of the dialogue manager) ----------------

def is_harassment(note: Mapping[str, Any]) -> bool:
    return note.get("reason") == "harassment" or bool(note.get("harassment_events"))


def case_note_kpis(notes: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts over the most recent case notes, for every agent's console (the wallboard reads the records)."""
    calls = len(notes)
    outcomes = Counter(str(n.get("outcome") or "abandoned") for n in notes)
    reasons = Counter(str(n["reason"]) for n in notes if n.get("reason"))

    def pct(outcome: str) -> float:
        return round(100.0 * outcomes[outcome] / calls, 1) if calls else 0.0

    return {
        "calls": calls,
        "resolved_by_bot_pct": pct("resolved"),
        "transferred_pct": pct("transferred"),
        "by_outcome": dict(outcomes),
        "by_reason": dict(reasons),
        "by_channel": dict(Counter(str(n.get("channel")) for n in notes)),
        "harassment": sum(1 for n in notes if is_harassment(n)),
    }
