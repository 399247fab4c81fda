"""Wallboard KPIs from records, by the standard definitions, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dialogue.clock import TOKYO
from dialogue.kpis import by_hour, callback_kpis, contact_kpis, stuck_steps, to_csv
from dialogue.outbound import Job

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=TOKYO)


def rec(outcome: str, *, agent: str | None = None, wait: float | None = None, handle: float | None = None,
        reason: str | None = None, queue: str | None = None, hour: int = 10, satisfaction: int | None = None) -> dict[str, Any]:
    return {"conversation_id": f"c{id(object())}", "channel": "voice", "outcome": outcome, "agent": agent,
            "wait_seconds": wait, "handle_seconds": handle, "reason": reason, "queue": queue,
            "started_at": NOW.replace(hour=hour).isoformat(), "satisfaction": satisfaction}


RECORDS = [
    rec("resolved", handle=60, satisfaction=5), rec("resolved", handle=50), rec("resolved", handle=70, hour=11),
    rec("resolved", handle=40, hour=11, satisfaction=4),
    rec("handover", agent="a", wait=10, handle=300, reason="human_request", queue="general", satisfaction=2),
    rec("handover", agent="a", wait=30, handle=240, reason="emotion", queue="complaints"),
    rec("handover", agent="b", wait=15, handle=360, reason="human_request", queue="general"),
    # gave up after the 20 s threshold: against the service level; still a hand-over by its reason
    rec("abandoned", wait=45, reason="human_request", queue="general"),
    rec("abandoned", wait=5, reason="emotion", queue="general"),   # gave up at once: not against it
    rec("abandoned"),                            # hung up on the bot: not offered to people
]


def test_contact_kpis() -> None:
    k = contact_kpis(RECORDS)
    assert k["contacts"] == 10 and k["containment"] == 0.4
    # the two who gave up in the queue were handed over too; the one who hung up on the bot was not
    assert k["handovers"] == 5 and k["handovers_by_reason"] == {"human_request": 3, "emotion": 2}
    assert (k["offered"], k["answered"], k["abandoned_in_queue"]) == (5, 3, 2)
    assert k["abandonment"] == 0.4
    assert k["asa_seconds"] == round((10 + 30 + 15) / 3, 1) and k["aht_seconds"] == 300.0
    assert k["service_level"] == round(2 / 4, 3)  # 10 s and 15 s in time; 30 s late; one late abandon
    assert k["satisfaction"]["responses"] == 3 and k["satisfaction"]["csat"] == round(2 / 3, 3)


def test_empty_period_has_no_made_up_figures() -> None:
    k = contact_kpis([])
    assert k["contacts"] == 0 and k["containment"] is None and k["service_level"] is None and k["asa_seconds"] is None


def test_by_hour() -> None:
    rows = by_hour(RECORDS)
    assert rows[0]["hour"].endswith("T10:00") and rows[0]["contacts"] == 8 and rows[0]["resolved"] == 2
    # by outcome, so the stacked chart adds up: the queue abandons are under abandoned only
    assert (rows[0]["handovers"], rows[0]["abandoned"]) == (3, 3)
    assert rows[1] == {"hour": rows[1]["hour"], "contacts": 2, "resolved": 2, "handovers": 0, "abandoned": 0}


def test_callbacks_due_kept_missed() -> None:
    def job(status: str, outcome: str | None, due: timedelta) -> Job:
        return Job(id=status + str(due), kind="callback", to="+819012345678", due_at=NOW + due, status=status,  # type: ignore[arg-type]
                   outcome=outcome)
    jobs = [job("due", None, timedelta(hours=1)), job("due", None, -timedelta(hours=1)),
            job("done", "connected", -timedelta(hours=2)), job("failed", "unreachable", -timedelta(hours=3))]
    assert callback_kpis(jobs, NOW) == {"booked": 4, "due": 2, "overdue": 1, "kept": 1, "missed": 1, "kept_rate": 0.5}


def test_where_callers_get_stuck() -> None:
    logs = [
        [{"type": "no_match"}, {"type": "step", "flow": "order_status", "step": "ask_order"}, {"type": "no_match"},
         {"type": "no_match"}],
        [{"type": "step", "flow": "order_status", "step": "ask_order"}, {"type": "no_match"},
         {"type": "step", "flow": "billing_inquiry", "step": "confirm"}, {"type": "no_match"}],
    ]
    assert stuck_steps(logs) == [
        {"step": "order_status/ask_order", "no_matches": 3, "calls": 2},
        {"step": "(メニュー・最初のご用件)", "no_matches": 1, "calls": 1},
        {"step": "billing_inquiry/confirm", "no_matches": 1, "calls": 1},
    ]


def test_csv_rows() -> None:
    text = to_csv({"kpis": {"contacts": 3, "handovers_by_reason": {"emotion": 1}}, "stuck": [{"step": "a/b", "no_matches": 2}]})
    assert text.splitlines() == ["section,key,value", "kpis,contacts,3", "kpis,handovers_by_reason.emotion,1",
                                 "stuck,a/b.step,a/b", "stuck,a/b.no_matches,2"]
