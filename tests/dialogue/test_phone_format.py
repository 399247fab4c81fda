"""A phone number read back as it is written in Japan: the area code's own length, not 2-4-4 for every
ten-digit number (dev26 heard 「07-5222-3333におかけしてよろしいでしょうか」 for a Kyoto number)."""

from __future__ import annotations

import pytest

from dialogue.prompts import PromptBook


@pytest.mark.parametrize(("number", "written"), [
    ("0752223333", "075-222-3333"),  # Kyoto: a three-digit area code
    ("0312345678", "03-1234-5678"),  # Tokyo: two
    ("0120123456", "0120-123-456"),  # free dial
    ("09012345678", "090-1234-5678"),
    ("12345", "12345"),  # not a phone number: as given
])
def test_a_number_is_grouped_by_its_area_code(number: str, written: str) -> None:
    book = PromptBook({"k": {"any": ["{n:phone}におかけします。"]}}, {})
    assert book.render("k", "chat", {"n": number}).text == f"{written}におかけします。"
