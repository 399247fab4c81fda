"""Synthetic contacts look like a Japanese contact centre's history, fit the records schema, and repeat for
a seed."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
import pytest

from dialogue.records import put_records, records, validated
from dialogue.store import MemoryStore
from dialogue.synth import agents_open, is_year_end, synthesize

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=TOKYO)  # 70 days: November holidays and the year-end break
SPEC_INTENTS = {
    "order_status", "delivery_change", "cancel_order", "return_exchange", "address_change", "billing_inquiry",
    "store_hours", "store_location", "product_availability", "account_login", "callback_request",
    "operator_request", "complaint", "account_closure",
}  # fmt: skip


@pytest.fixture(scope="module")
def contacts() -> list[dict[str, Any]]:
    return synthesize(70, seed=3, now=NOW, per_day=60)


def per_day(contacts: list[dict[str, Any]]) -> Counter[date]:
    return Counter(datetime.fromisoformat(c["started_at"]).date() for c in contacts)


def test_same_seed_same_contacts() -> None:
    first = synthesize(10, seed=3, now=NOW, per_day=60)
    assert synthesize(10, seed=3, now=NOW, per_day=60) == first
    assert synthesize(10, seed=4, now=NOW, per_day=60) != first


def test_days_end_today_and_nothing_after_now(contacts: list[dict[str, Any]]) -> None:
    days = per_day(contacts)
    assert min(days) == date(2026, 11, 2) and max(days) == NOW.date()
    assert all(datetime.fromisoformat(c["started_at"]) < NOW for c in contacts)
    assert len({c["conversation_id"] for c in contacts}) == len(contacts)


def test_monday_peak_quiet_sunday(contacts: list[dict[str, Any]]) -> None:
    days = per_day(contacts)
    ordinary = {d: n for d, n in days.items()
                if not jpholiday.is_holiday(d) and not is_year_end(d) and d != NOW.date()}
    by_weekday = {w: statistics.mean(n for d, n in ordinary.items() if d.weekday() == w) for w in range(7)}
    assert max(by_weekday, key=lambda w: by_weekday[w]) == 0  # Monday
    assert by_weekday[6] < 0.6 * by_weekday[0] and by_weekday[5] < by_weekday[4]


def test_holidays_and_the_year_end_break_dip(contacts: list[dict[str, Any]]) -> None:
    days = per_day(contacts)
    weekdays = statistics.median(n for d, n in days.items() if d.weekday() < 5 and not jpholiday.is_holiday(d)
                                 and not is_year_end(d))
    assert days[date(2026, 11, 23)] < 0.75 * statistics.median(  # 勤労感謝の日, a Monday
        n for d, n in days.items() if d.weekday() == 0 and not jpholiday.is_holiday(d) and not is_year_end(d))
    year_end = [n for d, n in days.items() if is_year_end(d)]
    assert len(year_end) == 6
    assert statistics.mean(year_end) < 0.5 * weekdays
    assert max(days.values()) > 1.4 * weekdays  # the campaign spike (or a Monday after a break)


def test_time_of_day_follows_working_hours(contacts: list[dict[str, Any]]) -> None:
    hours = Counter(datetime.fromisoformat(c["started_at"]).hour for c in contacts)
    assert sum(hours[h] for h in range(9, 21)) > 0.85 * len(contacts)
    assert hours[3] < hours[10] / 20
    assert hours[12] > hours[13] and hours[19] > hours[17]  # lunch break and after-work bumps


def test_mix_of_channels_intents_outcomes(contacts: list[dict[str, Any]]) -> None:
    channels = Counter(c["channel"] for c in contacts)
    assert channels["voice"] > channels["chat"] > channels["email"] > 0
    intents = Counter(i for c in contacts for i in c["intents"])
    assert set(intents) == SPEC_INTENTS
    outcomes = Counter(c["outcome"] for c in contacts)
    assert set(outcomes) == {"resolved", "handover", "abandoned", "callback"}
    assert outcomes["resolved"] > 0.5 * len(contacts)
    queues = {c["queue"] for c in contacts if c["outcome"] == "handover"}
    assert {"general", "billing", "complaints"} <= queues
    assert all(c["outcome"] in ("handover", "abandoned") for c in contacts if c["intents"] == ["complaint"]
               and c["channel"] != "email" and agents_open(datetime.fromisoformat(c["started_at"])))


def test_people_work_their_hours(contacts: list[dict[str, Any]]) -> None:
    for c in contacts:
        started = datetime.fromisoformat(c["started_at"])
        if c["outcome"] == "handover" and c["channel"] != "email":
            assert agents_open(started) and c["agent"] and c["wait_seconds"] is not None
            assert [t["speaker"] for t in c["transcript"]].count("agent") >= 2
        if c["outcome"] == "callback":
            assert not agents_open(started) and "折り返し" in c["transcript"][-1]["text"]


def test_numbers_are_plausible(contacts: list[dict[str, Any]]) -> None:
    satisfaction = [c["satisfaction"] for c in contacts if c["satisfaction"] is not None]
    assert set(satisfaction) <= {1, 2, 3, 4, 5} and 0.15 < len(satisfaction) / len(contacts) < 0.5
    resolved = [c["satisfaction"] for c in contacts if c["outcome"] == "resolved" and c["satisfaction"]]
    abandoned = [c["satisfaction"] for c in contacts if c["outcome"] == "abandoned" and c["satisfaction"]]
    assert statistics.mean(resolved) > statistics.mean(abandoned) + 1
    voice_bot = [c["handle_seconds"] for c in contacts if c["channel"] == "voice" and c["outcome"] == "resolved"]
    agent = [c["handle_seconds"] for c in contacts if c["channel"] == "voice" and c["outcome"] == "handover"]
    assert 20 < statistics.median(voice_bot) < 120 < statistics.median(agent) < 900
    for c in contacts:
        assert c["handle_seconds"] >= 0 and datetime.fromisoformat(c["ended_at"]) >= datetime.fromisoformat(c["started_at"])


def test_transcripts_are_japanese_with_a_greeting(contacts: list[dict[str, Any]]) -> None:
    for c in contacts[:500]:
        first = c["transcript"][0]
        if c["channel"] == "email":
            assert first["speaker"] == "caller" and first["text"].startswith("お世話になっております")
        else:
            assert first["speaker"] == "bot" and ("お電話ありがとうございます" in first["text"] or "こんにちは" in first["text"])
        assert c["case_note"]["case_id"] == f"CASE-{c['conversation_id']}" and c["case_note"]["summary_ja"]
    kana_numbers = [t for c in contacts for t in c["transcript"] if t["speaker"] == "caller" and "いち" in t["text"]]
    assert kana_numbers  # ASR-style spoken digits among the answers


async def test_every_contact_fits_the_schema_and_round_trips(contacts: list[dict[str, Any]]) -> None:
    for i, c in enumerate(contacts):
        validated(c, i)
    store = MemoryStore()
    sample = contacts[:300]
    assert await put_records(store, sample) == 300
    assert await records(store) == sample


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        synthesize(0)
    with pytest.raises(ValueError, match="per_day"):
        synthesize(3, per_day=0)
