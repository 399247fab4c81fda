"""Synthetic contacts look like a Japanese contact centre's history, fit the records schema, and repeat for
a seed."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
import pytest

from dialogue.entity_types import load_entity_types
from dialogue.records import put_records, records, validated
from dialogue.store import MemoryStore
from dialogue.synth import agents_open, is_year_end, load_company, synthesize
from dialogue.yaml_source import REPO_ROOT, SourceError

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


# -- the bot's facts come from its data (issue 12) -------------------------------------------------------

SECOND_BOT = """\
name: ミドリ電器
languages: [ja]
backend: demo
flows: {root}/dialogue/flows
prompts: {root}/prompts
escalation_rules: {root}/escalation_rules
intents: [{root}/nlu/data/intents]
model: {root}/models/default
"""
SECOND_ENTITIES = """\
order_id: {label: 受付番号, digits: 10, check_digit: mod10}
phone_number: {label: お電話番号, digits: [10, 11], starts_with: "0"}
"""
SECOND_DEMO = """\
stores:
  kobe: {name: 神戸元町店, open: "09:30", close: "19:00", closed_ja: 毎週木曜日定休, closed_weekdays: [thu],
         address: 兵庫県神戸市中央区元町通1丁目, station: 元町駅から徒歩2分, parking: ございません}
products:
  fan: {name: サーキュレーター, stock: out_of_stock, restock_ja: 来月中旬}
  rice: {name: 炊飯器, stock: store_only, stores: [kobe]}
"""
SECOND_SYNTH = """\
reference: order_id
queue: general
agents:
  okada: {name: 岡田}
contacts:
  order_status:
    share: 0.5
    asks_reference: true
    openings: [修理に出したのどうなってますか]
    answer: 受付番号{reference}の修理は完了しております。
    email: 修理の状況を教えてください。
  store_hours:
    share: 0.3
    openings: ["{store}って何時までですか"]
    answer: "{store}の営業時間は{hours}でございます。"
    email: "{store}の営業時間を教えてください。"
  product_availability:
    share: 0.2
    openings: ["{product}ありますか"]
    answer: "{product}は{stock}。"
    email: "{product}の在庫を教えてください。"
  operator_request:
    share: 0.1
    to_people: human_request
    queue: billing
    openings: [人と話したい]
    email: 連絡をください。
"""


def second_bot(tmp_path: Path, synth: str = SECOND_SYNTH) -> Path:
    (tmp_path / "entities").mkdir()
    (tmp_path / "bot.yaml").write_text(SECOND_BOT.format(root=REPO_ROOT), encoding="utf-8")
    (tmp_path / "entities" / "types.yaml").write_text(SECOND_ENTITIES, encoding="utf-8")
    (tmp_path / "demo_data.yaml").write_text(SECOND_DEMO, encoding="utf-8")
    (tmp_path / "synth.yaml").write_text(synth, encoding="utf-8")
    return tmp_path


def texts(contacts: list[dict[str, Any]]) -> str:
    return "\n".join(t["text"] for c in contacts for t in c["transcript"])


def test_a_second_bot_gets_its_own_names_numbers_and_agents(tmp_path: Path) -> None:
    contacts = synthesize(20, seed=2, now=NOW, per_day=40, bot=second_bot(tmp_path))
    said = texts(contacts)
    assert "ミドリ電器でございます" in said and "神戸元町店の営業時間は9時30分から19時まで、毎週木曜日が定休日" in said
    assert "サーキュレーターはただいま在庫を切らしており、来月中旬に入荷予定でございます" in said
    assert "炊飯器は神戸元町店に在庫がございます" in said and "受付番号を10桁でお知らせいただけますでしょうか" in said
    for fact in ("サクラマート", "渋谷", "梅田", "札幌", "イヤホン", "ケトル", "ヤマト", "佐藤", "ご注文番号"):
        assert fact not in said
    assert {i for c in contacts for i in c["intents"]} == {"order_status", "store_hours", "product_availability",
                                                            "operator_request"}
    numbers = [c["case_note"]["slots"]["order_id"] for c in contacts if "order_id" in c["case_note"]["slots"]]
    assert numbers and all(len(n) == 10 and n[0] != "0" for n in numbers)
    assert {c["agent"] for c in contacts if c["agent"]} == {"okada"}
    assert {c["queue"] for c in contacts if c["outcome"] == "handover"} <= {"billing", "general"}
    assert any(c["queue"] == "billing" for c in contacts)


def test_the_clinic_gets_its_own_contacts() -> None:
    clinic = load_company(REPO_ROOT / "bots" / "clinic")
    contacts = synthesize(30, seed=1, now=NOW, per_day=30, bot=clinic)
    said = texts(contacts)
    assert "みどり内科クリニックでございます" in said and "サクラマート" not in said
    assert {i for c in contacts for i in c["intents"]} <= set(clinic.contacts)
    assert {c["queue"] for c in contacts if c["queue"]} <= {"general", "nurse", "supervisor"}
    cards = [c["case_note"]["slots"]["patient_no"] for c in contacts if "patient_no" in c["case_note"]["slots"]]
    types = load_entity_types(REPO_ROOT / "bots" / "clinic" / "entities")
    assert cards and all(types.valid_digits("patient_no", n) for n in cards)  # 6 digits with a Luhn check digit
    for c in contacts:  # the clinic's desk: mornings and late afternoons (its queues.yaml), not the shop's hours
        if c["outcome"] == "handover" and c["channel"] != "email":
            started = datetime.fromisoformat(c["started_at"])
            assert clinic.agents_open(started) and not 12 <= started.hour < 15


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("queue: billing", "queue: accounts", "synth.yaml:25:12: queue: no queue 'accounts' in queues.yaml"),
        ('["{store}って何時までですか"]', '["{shop}って何時までですか"]', "synth.yaml:14:16: {shop} is not one of"),
        ("  store_hours:", "  shop_hours:", "synth.yaml:12:3: contacts: shop_hours: not an intent of the bot"),
        ("reference: order_id", "reference: member_no", "synth.yaml:1:12: reference: 'member_no' not an entity type"),
        ("share: 0.5", "share: -1", "synth.yaml:7:5: contacts.order_status.share: Input should be greater than 0"),
    ],
)
def test_a_bad_synth_file_is_refused_at_its_place(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in SECOND_SYNTH
    with pytest.raises(SourceError) as caught:
        load_company(second_bot(tmp_path, SECOND_SYNTH.replace(old, new)))
    assert any(p.startswith(str(tmp_path / "synth.yaml")) and message.split("synth.yaml")[1] in p
               for p in caught.value.problems), caught.value.problems


def test_a_bot_without_stores_cannot_ask_about_one(tmp_path: Path) -> None:
    bot = second_bot(tmp_path)
    (bot / "demo_data.yaml").write_text("orders: {}\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"synth\.yaml:14:16: \{store\}: the bot has no stores"):
        load_company(bot)
    (bot / "synth.yaml").unlink()
    with pytest.raises(SourceError, match=r"synth\.yaml:1:1: no synth\.yaml here"):
        load_company(bot)
