"""Which customers a conversation belongs to: the keys the contact history (dialogue/crm.py) files it under.

A customer is a key: a phone number in national digits (0312345678, as the caller id arrives) or an e-mail
address in lower case. A finished conversation is filed under its caller id, the number the caller gave the
bot (the `phone_number` slot) and its case note's phone. The stores write these keys beside the conversation
when it ends (an indexed table), so a customer's history is one query, never a scan of every record.

Kept apart from dialogue/crm.py because the stores need it and crm needs the stores.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from dialogue.clock import national_number

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def customer_key(raw: str | None) -> str | None:
    """The key a customer is filed under: an e-mail address in lower case, or a phone number's national
    digits (+81 90-1234-5678 -> 09012345678); None for anything else."""
    text = unicodedata.normalize("NFKC", raw or "").strip()  # ０９０ typed in a Japanese IME
    if _EMAIL.match(text):
        return text.lower()
    digits = national_number(text)
    return digits if digits and 10 <= len(digits) <= 11 and digits.startswith("0") else None


def contact_keys(state: Mapping[str, Any], note: Mapping[str, Any] | None = None) -> set[str]:
    """The customers of one conversation: from its state (as `CallState.to_json` writes it, or a record's
    fields) and its case note."""
    raw: list[object] = [state.get("caller_phone"), state.get("caller")]
    slots = state.get("slots")
    if isinstance(slots, Mapping):
        raw.append(slots.get("phone_number"))
    if isinstance(note, Mapping):
        raw.append(note.get("caller_phone"))
        note_slots = note.get("slots")
        if isinstance(note_slots, Mapping):
            raw.append(note_slots.get("phone_number"))
    return {k for r in raw if isinstance(r, str) and (k := customer_key(r))}
