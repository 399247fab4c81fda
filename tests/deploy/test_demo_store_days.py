"""demo_data.yaml's optional closing days of a store (closed_weekdays, holidays, closures): read and checked
like every other field, with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.backends.demo import SAMPLE_DATA
from dialogue.backends.demo_data import load_demo_data
from dialogue.yaml_source import SourceError

STORE = """\
stores:
  umeda:
    name: 梅田店
    open: "09:00"
    close: "22:00"
    closed_ja: 毎週木曜日定休・年末年始休業
    address: 大阪府大阪市北区梅田一丁目1番1号
    station: JR大阪駅から徒歩1分
    parking: 駐車場はございません
    closed_weekdays: [thu]
    holidays: closed
    closures:
      - {start: "12-30", end: "01-03", name_ja: 年末年始}
"""


def test_the_closing_days_are_read(tmp_path: Path) -> None:
    path = tmp_path / "demo_data.yaml"
    path.write_text(STORE, encoding="utf-8")
    store = load_demo_data(path).stores["umeda"]
    assert store.closed_weekdays == ["thu"] and store.holidays == "closed"
    assert [(c.start, c.end, c.name_ja) for c in store.closures] == [("12-30", "01-03", "年末年始")]
    record = store.model_dump()  # what store_info answers
    assert record["closures"] == [{"start": "12-30", "end": "01-03", "name_ja": "年末年始"}]


def test_they_are_optional(tmp_path: Path) -> None:
    path = tmp_path / "demo_data.yaml"
    lines = STORE.splitlines(keepends=True)
    path.write_text("".join(lines[:9]), encoding="utf-8")
    store = load_demo_data(path).stores["umeda"]
    assert store.closed_weekdays == [] and store.holidays == "open" and store.closures == []


def test_the_sample_stores_have_their_closing_days() -> None:
    stores = load_demo_data(SAMPLE_DATA).stores
    assert stores["umeda"].closed_weekdays == ["wed"] and stores["sapporo"].closed_weekdays == ["tue"]
    assert stores["shibuya"].closed_weekdays == []  # 年中無休


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (
            "closed_weekdays: [thu]",
            "closed_weekdays: [thursday]",
            "10:23: stores.umeda.closed_weekdays.0: Input should be 'mon'",
        ),
        (
            "holidays: closed",
            "holidays: shut",
            "11:5: stores.umeda.holidays: Input should be 'open' or 'closed'",
        ),
        ('start: "12-30"', 'start: "12-32"', "'12-32' is not a month and day (MM-DD in quotes"),
        ('end: "01-03"', 'end: "1/3"', "'1/3' is not a month and day"),
        ("name_ja: 年末年始}", "name_ja: ''}", "stores.umeda.closures.0.name_ja"),
        ("    holidays: closed\n", "    holiday: closed\n", "11:5: unknown key 'holiday'"),
    ],
)
def test_a_broken_closing_day_points_at_the_spot(tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in STORE
    path = tmp_path / "demo_data.yaml"
    path.write_text(STORE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_demo_data(path)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:") and where in p for p in problems), problems
