"""Business hours (SPEC 3) and the callback fallback: holidays come from jpholiday, not a hand table."""

from __future__ import annotations

import pytest

from dialogue.escalation import BusinessHours, EscalationEngine
from tests.escalation.factories import at, sig

# (case, now, open?)
OPENING: list[tuple[str, str, bool]] = [
    ("weekday morning", "2026-12-01T09:00:00+09:00", True),
    ("weekday before opening", "2026-12-01T08:59:00+09:00", False),
    ("weekday closing time", "2026-12-01T18:00:00+09:00", False),
    ("saturday 10:00", "2026-12-05T10:00:00+09:00", True),
    ("saturday 17:30", "2026-12-05T17:30:00+09:00", False),
    ("sunday", "2026-12-06T11:00:00+09:00", False),
    ("year-end 12/29", "2026-12-29T10:00:00+09:00", False),
    ("year-end 12/30", "2026-12-30T10:00:00+09:00", False),
    ("new year 1/1", "2027-01-01T10:00:00+09:00", False),
    ("1/3", "2027-01-03T10:00:00+09:00", False),
    ("1/4 back to work", "2027-01-04T09:30:00+09:00", True),
    ("勤労感謝の日 (a Monday)", "2026-11-23T10:00:00+09:00", False),
    ("振替休日 2026-05-06", "2026-05-06T10:00:00+09:00", False),
    ("国民の休日 2026-09-22", "2026-09-22T10:00:00+09:00", False),
    ("UTC clock, 01:00Z = 10:00 JST", "2026-12-01T01:00:00+00:00", True),
]


@pytest.mark.parametrize(("case", "now", "is_open"), OPENING, ids=[c[0] for c in OPENING])
def test_is_open(engine: EscalationEngine, case: str, now: str, is_open: bool) -> None:
    assert engine.hours.is_open("general", at(now)) is is_open, case


NEXT: list[tuple[str, str]] = [
    ("2026-12-01T10:00:00+09:00", "2026-12-01T10:00:00+09:00"),  # open now
    ("2026-12-01T07:00:00+09:00", "2026-12-01T09:00:00+09:00"),
    ("2026-12-05T17:30:00+09:00", "2026-12-07T09:00:00+09:00"),  # Saturday evening -> Monday
    ("2026-12-30T20:15:00+09:00", "2027-01-04T09:00:00+09:00"),  # year-end break
    ("2026-11-21T18:00:00+09:00", "2026-11-24T09:00:00+09:00"),  # Sat -> Sun -> holiday Monday -> Tue
    ("2026-05-02T17:00:00+09:00", "2026-05-07T09:00:00+09:00"),  # Golden Week incl. substitute holiday
]


@pytest.mark.parametrize(("now", "expected"), NEXT)
def test_next_open(engine: EscalationEngine, now: str, expected: str) -> None:
    assert engine.hours.next_open("general", at(now)) == at(expected)


CLOSED: list[tuple[str, str, str]] = [
    ("sunday", "2026-12-06T11:00:00+09:00", "Sunday"),
    ("2026-12-30", "2026-12-30T11:00:00+09:00", "年末年始"),
    ("2027-01-01", "2027-01-01T11:00:00+09:00", "年末年始"),
    ("勤労感謝の日", "2026-11-23T11:00:00+09:00", "勤労感謝の日"),
    ("substitute holiday", "2026-05-06T11:00:00+09:00", "振替休日"),
    ("weekday night", "2026-12-01T20:00:00+09:00", "outside hours 09:00-18:00"),
]


@pytest.mark.parametrize(("case", "now", "because"), CLOSED, ids=[c[0] for c in CLOSED])
def test_transfer_becomes_callback_when_closed(engine: EscalationEngine, case: str, now: str, because: str) -> None:
    d = engine.decide(sig(now=at(now), intent="operator_request"))
    assert d is not None
    assert (d.action, d.reason, d.queue) == ("offer_callback", "human_request", "general")
    assert because in d.why and "callback instead of transfer" in d.why
    assert d.opens_at is not None and engine.hours.is_open("general", d.opens_at)


def test_transfer_becomes_callback_when_wait_too_long(engine: EscalationEngine) -> None:
    d = engine.decide(sig(intent="complaint", queue_wait_s={"complaints": 420.0}))
    assert d is not None and d.action == "offer_callback" and d.reason == "complex"
    assert "420s > max_wait_s 300s" in d.why and d.opens_at is None


def test_short_wait_transfers(engine: EscalationEngine) -> None:
    d = engine.decide(sig(intent="complaint", queue_wait_s={"complaints": 120.0, "general": 9999.0}))
    assert d is not None and d.action == "transfer"


def test_queue_can_override_hours(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "queues.yaml"  # type: ignore[operator]
    path.write_text(
        "hours: {weekdays: '09:00-18:00'}\n"
        "queues:\n"
        "  general: {}\n"
        "  night:\n"
        "    hours: {weekdays: ['00:00-24:00'], saturday: '00:00-24:00', sunday: '00:00-24:00', holidays: open}\n",
        encoding="utf-8",
    )
    hours = BusinessHours.load(path)
    sunday = at("2026-12-06T03:00:00+09:00")
    assert hours.is_open("night", sunday) and not hours.is_open("general", sunday)
    assert hours.is_open("night", at("2026-11-23T23:59:00+09:00"))
