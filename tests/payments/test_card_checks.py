"""The checks of keyed-in card fields, what the log keeps of them, and the `pay:` step's schema errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.clock import TOKYO
from dialogue.payments import PAYMENT_PROMPTS, field_problem, masked
from dialogue.validate import validate_all
from tests.payments.test_no_digits_anywhere import leaks

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("field", "digits", "problem"), [
    ("card_number", "4242424242424242", None),
    ("card_number", "378282246310005", None),  # 15 digits (American Express)
    ("card_number", "4242424242424241", "payment_invalid_card_number"),  # Luhn
    ("card_number", "42424242", "payment_invalid_card_number"),  # too short
    ("card_number", "42424242424242424242", "payment_invalid_card_number"),  # 20 digits
    ("card_expiry", "1126", None),  # this month is still good
    ("card_expiry", "1026", "payment_card_expired"),
    ("card_expiry", "0031", "payment_invalid_card_expiry"),
    ("card_expiry", "1331", "payment_invalid_card_expiry"),
    ("card_expiry", "831", "payment_invalid_card_expiry"),
    ("card_code", "123", None),
    ("card_code", "1234", None),
    ("card_code", "12", "payment_invalid_card_code"),
    ("card_code", "12345", "payment_invalid_card_code"),
])
def test_field_checks(field: str, digits: str, problem: str | None) -> None:
    assert field_problem(field, digits, NOW) == problem


@pytest.mark.parametrize(("field", "digits", "kept"), [
    ("card_number", "4242424242424242", "[DTMF 末尾4242]"),
    ("card_number", "4242", "[DTMF ****]"),  # a short entry is no card: not even its end is kept
    ("card_expiry", "0831", "[DTMF ****]"),
    ("card_code", "737", "[DTMF ****]"),
])
def test_what_the_log_keeps(field: str, digits: str, kept: str) -> None:
    assert masked(field, digits) == kept


def test_the_scan_finds_what_it_looks_for() -> None:
    # the end-to-end scan would pass vacuously if it could not see a leak
    assert leaks('{"text": "[DTMF 4242424242424242]"}') and leaks('"value": "0831"') and leaks("code 7391.")
    assert leaks("有効期限 08/31") and not leaks("f3a0831bc9 12:08:31 末尾4242")


FLOW = """flow: pay_test
steps:
  - id: pay
    pay: {{amount: "{amount}"}}
    cases: {cases}
  - id: done
    end: resolved
"""


@pytest.mark.parametrize(("amount", "cases", "message"), [
    ("12.5", "{approved: done}", "pay_test.yaml:4:11: steps.0.pay.amount: a whole number of yen"),
    ("{order.amount}", "{approved: done, maybe: done}", "pay_test.yaml:3:5: steps.0: pay step 'pay': cases are 'approved' and"),
    ("{order.amount}", "{approved: nowhere}", "pay_test.yaml:5:13: unknown step 'nowhere'"),
])
def test_pay_step_errors_point_at_the_file(tmp_path: Path, amount: str, cases: str, message: str) -> None:
    (tmp_path / "pay_test.yaml").write_text(FLOW.format(amount=amount, cases=cases), encoding="utf-8")
    problems = validate_all(tmp_path)
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(str(tmp_path / "pay_test.yaml"))


def test_the_sample_payment_flow_is_clean() -> None:
    assert not [p for p in validate_all() if "pay_balance" in p or "payments.yaml" in p]


def test_a_bot_that_pays_needs_the_payment_prompts(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "sakura.yaml").write_text((ROOT / "prompts" / "sakura.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    problems = validate_all(prompts_dir=prompts)
    missing = [p for p in problems if "(a pay: step says it; see docs/payments.md)" in p]
    assert sorted(missing) == sorted(f"{prompts / 'sakura.yaml'}:1:1: missing prompt '{key}' (a pay: step says it; "
                                     "see docs/payments.md)" for key in PAYMENT_PROMPTS)
