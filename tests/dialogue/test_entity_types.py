"""Entity types are the bot's data (entities/*.yaml): digit counts, keypad lengths, check digits, windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.entity_types import load_entity_types
from dialogue.validate import check
from dialogue.yaml_source import SourceError

SAMPLE = load_entity_types()

MEMBER = """\
member_no:
  label: 会員番号
  digits: 9
  check_digit: luhn
  hints: [会員番号]
meter_no:
  label: メーター番号
  pattern: "M[0-9]{6}"
"""


@pytest.mark.parametrize(("etype", "keys", "value"), [
    ("order_id", "12345678", "12345678"),
    ("order_id", "12345678#", "12345678"),
    ("order_id", "1234567", None),  # seven digits are no order number
    ("phone_number", "09012345678", "09012345678"),
    ("phone_number", "0312345678", "0312345678"),
    ("phone_number", "9012345678", None),  # a Japanese number starts with 0
    ("postal_code", "1500041", "1500041"),
    ("time_window", "1", "08:00-12:00"),
    ("time_window", "5", "19:00-21:00"),
    ("time_window", "7", None),
    ("amount", "12800", 12800),
])
def test_keypad_values_follow_the_declared_type(etype: str, keys: str, value: object) -> None:
    assert SAMPLE.from_keys(etype, keys) == value


@pytest.mark.parametrize(("heard", "window"), [
    ({"time_window": "16:00-18:00"}, "16:00-18:00"),  # 夕方
    ({"time": "15:00"}, "14:00-16:00"),  # 午後三時 falls in the 14-16 window
    ({"time_window": "18:00-21:00"}, "18:00-20:00"),  # 夜: the window that starts when the caller's does
    ({"time_window": "19:00-21:00"}, "19:00-21:00"),  # 一番遅い時間
    ({"time_window": "08:00-12:00"}, "08:00-12:00"),
    ({"time": "13:00"}, None),  # no carrier window at one o'clock
    ({"date": "2026-12-05"}, None),
])
def test_a_window_is_the_offered_one_the_words_fall_in(heard: dict[str, str], window: str | None) -> None:
    assert SAMPLE.value_from("time_window", heard) == window


def test_a_bot_declares_its_own_number_types_without_python(tmp_path: Path) -> None:
    (tmp_path / "utility.yaml").write_text(MEMBER, encoding="utf-8")
    types = load_entity_types(tmp_path)
    assert types.from_keys("member_no", "123456782") == "123456782"  # Luhn check digit holds
    assert types.from_keys("member_no", "123456789") is None  # a misheard digit breaks it
    assert types.value_from("member_no", {"digits": "123456782"}) == "123456782"  # a run the NLU read
    assert types.value_from("member_no", {"digits": "12345678"}) is None  # eight digits: not a member number
    assert types.from_keys("meter_no", "M123456") == "M123456"
    assert types.spec("member_no") is not None and types.spec("member_no").max_digits == 9  # type: ignore[union-attr]


def test_a_broken_entity_file_points_at_file_line_column(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("order_id:\n  digits: 8\nmember_no:\n  digitz: 9\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_entity_types(tmp_path)
    assert err.value.problems == [f"{tmp_path / 'bad.yaml'}:4:3: unknown key 'digitz'"]
    report = check(entities_dir=tmp_path)
    assert f"{tmp_path / 'bad.yaml'}:4:3: unknown key 'digitz'" in report.problems


def test_an_amount_is_never_the_order_number_said_with_the_request() -> None:
    # 「いちにさんよんごろくななはち の はいたつ あしたに」: the order number is no amount of 12,345,678 yen
    assert SAMPLE.value_from("amount", {"order_id": "12345678"}) is None
    assert SAMPLE.value_from("amount", {"order_id": "12345678", "digits": "5000"}) == "5000"
    assert SAMPLE.value_from("amount", {"digits": "5000"}) == "5000"
