"""Japan time and Japanese phone numbers as the dialogue manager reads them."""

from __future__ import annotations

import re

from nlu.timezone import TOKYO

__all__ = ["TOKYO", "national_number"]


def national_number(phone: str | None) -> str | None:
    """Caller id as the digits a Japanese caller would say: +81 3-1234-5678 -> 0312345678."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("+81") and digits.startswith("81"):
        digits = "0" + digits[2:]
    return digits or None
