"""A store's hours for the day the caller names, and an exchange told from a return (dialogue/store_days.py)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.backends.demo import DemoBackend
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.heard_words import heard_words
from dialogue.runner import BUILTIN_ACTIONS
from dialogue.state import AwaitFree
from dialogue.store_days import store_day, store_day_of
from dialogue.turn import Turn
from nlu.pipeline import NLU

TOKYO = ZoneInfo("Asia/Tokyo")
TUESDAY = datetime(2026, 12, 8, 10, 30, tzinfo=TOKYO)  # 明日 is Wednesday 2026-12-09

UMEDA: dict[str, Any] = {
    "name": "梅田店",
    "closed_weekdays": ["wed"],
    "holidays": "open",
    "closures": [{"start": "12-31", "end": "01-02", "name_ja": "年末年始"}],
}


@pytest.mark.parametrize(
    ("day", "result"),
    [
        (date(2026, 12, 9), "closed"),  # a Wednesday
        (date(2026, 12, 13), "open"),  # a Sunday
        (date(2026, 12, 29), "open"),  # a Tuesday, before the break
        (date(2026, 12, 31), "closure"),
        (date(2027, 1, 1), "closure"),  # the break wraps over the new year
        (date(2027, 1, 2), "closure"),
        (date(2027, 1, 3), "open"),
        (date(2026, 11, 23), "open"),  # 勤労感謝の日: open on holidays
    ],
)
def test_a_day_is_open_or_says_why_not(day: date, result: str) -> None:
    assert store_day_of(UMEDA, day)["result"] == result


def test_the_closure_says_its_name() -> None:
    assert store_day_of(UMEDA, date(2027, 1, 1)) == {"result": "closure", "name_ja": "年末年始"}


def test_a_store_shut_on_holidays() -> None:
    shut = {**UMEDA, "holidays": "closed"}
    assert store_day_of(shut, date(2026, 11, 23))["result"] == "holiday"  # 勤労感謝の日, a Monday
    assert store_day_of(shut, date(2026, 11, 24))["result"] == "open"
    assert store_day_of(shut, date(2026, 12, 9))["result"] == "closed"  # the closing day says so first


def test_a_record_without_closing_days_says_nothing_about_days() -> None:
    # a webhook answering store_info as before: the flow gives the general hours
    assert store_day_of({"name": "梅田店", "open": "10:00"}, date(2026, 12, 9))["result"] == "unknown"
    assert store_day_of({**UMEDA, "closed_weekdays": []}, date(2026, 12, 9))["result"] == "open"


async def test_the_demo_store_record_carries_the_closing_days() -> None:
    record = await DemoBackend().call("store_info", {"store": "umeda"})
    assert record["closed_weekdays"] == ["wed"]
    assert store_day_of(record, date(2026, 12, 9))["result"] == "closed"
    assert store_day_of(record, date(2026, 12, 31))["result"] == "closure"


def test_the_builtins_are_known_to_validation() -> None:
    assert {"store_day", "heard_words"} <= BUILTIN_ACTIONS


def _asked(day: str, values: dict[str, Any]) -> str:
    turn = cast(Turn, SimpleNamespace(now=TUESDAY, values=lambda: values))
    return str(store_day(turn, {"date": day, "store": "store_info"})["result"])


def test_store_day_reads_the_saved_record_and_the_call_s_clock() -> None:
    assert _asked("2026-12-09", {"store_info": UMEDA}) == "closed"
    assert _asked("2026-12-08", {"store_info": UMEDA}) == "open"  # today
    assert _asked("2026-12-02", {"store_info": UMEDA}) == "past"  # last Wednesday: the general hours
    assert _asked("", {"store_info": UMEDA}) == "unknown"
    assert _asked("2026-12-09", {}) == "unknown"  # no store_info saved


def _turn(last_heard: str | None) -> Turn:
    return cast(Turn, SimpleNamespace(state=SimpleNamespace(last_heard=last_heard, awaiting=AwaitFree())))


@pytest.mark.parametrize(
    ("heard", "result"),
    [
        ("色違いに交換してもらえますか", "exchange"),
        ("サイズ違いに替えてほしい", "exchange"),
        ("ｻｲｽﾞ違いに替えてほしい", "exchange"),  # half-width kana folded
        ("届いたケトルを返品したいです", "none"),
        (None, "none"),
    ],
)
def test_heard_words_finds_the_flow_s_words(heard: str | None, result: str) -> None:
    args = {"exchange": "交換|替えて|替えたい|サイズ違い", "other": "返送"}
    assert heard_words(_turn(heard), args)["result"] == result


class WebhookLikeBackend(DemoBackend):
    """A company's system over JSON: store_info with or without the closing days."""

    def __init__(self, *, with_days: bool) -> None:
        super().__init__()
        self.with_days = with_days
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, action: str, args: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((action, dict(args)))
        if action == "store_info":
            record: dict[str, Any] = {
                "result": "ok",
                "name": "梅田店",
                "open": "09:00",
                "close": "18:00",
                "closed_ja": "毎週水曜日定休",
            }
            if self.with_days:
                record |= {"closed_weekdays": ["wed"], "closures": []}
            return record
        return await super().call(action, args)


async def talk(manager: DialogueManager, channel: str, *lines: str) -> list[str]:
    start = SessionStart(channel=channel, caller=CallerInfo(phone="09012345678"), now=TUESDAY)  # type: ignore[arg-type]
    sid, reply = await manager.start(start)
    said = [reply.text]
    for line in lines:
        said.append((await manager.handle(sid, UserTurn(text=line))).text)
    return said


async def test_tomorrow_is_answered_from_a_webhook_s_record(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu, backend=WebhookLikeBackend(with_days=True))
    said = await talk(manager, "chat", "梅田店って明日やってます？")
    assert "12月9日(水)は、梅田店の定休日でございます" in said[-1]
    assert "9時から18時" in said[-1]


async def test_a_webhook_record_without_closing_days_gets_the_general_hours(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu, backend=WebhookLikeBackend(with_days=False))
    said = await talk(manager, "chat", "梅田店って明日やってます？")
    assert "梅田店の営業時間は、9時から18時まで、毎週水曜日定休でございます" in said[-1]


async def test_the_backend_is_told_an_exchange_from_a_return(nlu: NLU) -> None:
    backend = WebhookLikeBackend(with_days=True)
    manager = build_manager(nlu=nlu, backend=backend)
    said = await talk(manager, "chat", "色違いに交換してもらえますか", "34567890", "はい")
    assert "交換のお申し込みを承りました" in said[-1]
    assert ("create_return", {"order_id": "34567890", "kind": "exchange"}) in backend.calls
    backend = WebhookLikeBackend(with_days=True)
    manager = build_manager(nlu=nlu, backend=backend)
    said = await talk(manager, "chat", "届いたケトルを返品したいです", "34567890", "はい")
    assert "返品のお申し込みを承りました" in said[-1]
    assert ("create_return", {"order_id": "34567890", "kind": "return"}) in backend.calls
