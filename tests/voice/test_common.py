"""Caller habits shared by the voice channels: backchannels, keypad entry, interruptions, caller ids."""

from __future__ import annotations

import pytest

from dialogue.api import InputSpec
from dialogue.engine import national_number
from ivr.voice_common import DigitCollector, is_backchannel, remainder, takes_as_answer

BACKCHANNELS = [("はい", True), ("はいはい", True), ("ええ", True), ("うん", True), ("うんうん", True),
                ("なるほど", True), ("そうですね。", True), ("ああ、はい", True), ("はい、キャンセルで", False),
                ("いいえ", False), ("12345678", False), ("", False), ("注文番号は", False)]


@pytest.mark.parametrize(("text", "expected"), BACKCHANNELS)
def test_is_backchannel(text: str, expected: bool) -> None:
    assert is_backchannel(text) is expected


@pytest.mark.parametrize(("text", "awaiting", "during_question", "expected"), [
    ("うん", "slot:order_id", False, False),  # listening noises over an informing prompt
    ("うん", "slot:order_id", True, False),   # not an order number either
    ("はい", "confirm", True, True),           # はい over よろしいでしょうか is the answer
    ("はい", "confirm", False, False),         # はい over the order details before the question is not
    ("はい", "anything_else", True, True),
    ("オペレーター", "slot:order_id", False, True),
])
def test_takes_as_answer(text: str, awaiting: str, during_question: bool, expected: bool) -> None:
    assert takes_as_answer(text, InputSpec(awaiting=awaiting), during_question) is expected


def test_digit_collector() -> None:
    keys = DigitCollector(InputSpec(awaiting="slot:order_id", dtmf_max_digits=8))
    assert keys.push("1234") is None
    assert keys.push("5678") == "12345678"  # maximum digits reached
    assert keys.push("0901#") == "0901"  # the finish key
    assert keys.push("12") is None and keys.flush() == "12"  # the inter-digit timeout
    assert keys.push("12*") == "*" and keys.buffer == ""  # start over
    assert keys.push("#") is None  # a lone finish key is no entry


def test_remainder_after_interruption() -> None:
    full = "ご注文番号1234、5678の商品は配送中です。ほかにご用件はございますか。"
    assert remainder(full, "ご注文番号1234、5678の商品は") == "配送中です。ほかにご用件はございますか。"
    assert remainder(full, "") == full
    assert remainder(full, "聞き違い") == full


@pytest.mark.parametrize(("raw", "expected"), [("+819012345678", "09012345678"), ("+81312345678", "0312345678"),
                                               ("0312345678", "0312345678"), ("anonymous", None), (None, None)])
def test_domestic_caller_id(raw: str | None, expected: str | None) -> None:
    assert national_number(raw) == expected
