"""Entity extraction (SPEC 5) from a normalised utterance.

Values are normalised (digits only, ISO dates, HH:MM, store/product ids, integer yen); spans are
offsets into the ORIGINAL text, through `Normalized.span`. Types: order_id, phone_number,
postal_code, date, time (+ time_end for the end of a range), time_window (a delivery slot, from a range
or a word: 午前中, 夕方), store, product, amount. A value the caller takes back in the same breath
(明日、いや、あさって) is dropped, and one corrected by its last digits only (12345679、いや、最後は8) made whole:
see `corrections`. A date or a window the caller cannot take (明日は留守) is not read: see `absence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nlu.entities.corrections import drop_corrected, replace_tails
from nlu.entities.lexicon import LexEntry, Lexicon, default_lexicon, load_lexicon
from nlu.entities.numeric import amount_entities, digit_entities
from nlu.entities.temporal import date_entities, time_entities
from nlu.entities.windows import window_entities
from nlu.types import Entity, Normalized, Token

__all__ = ["Entity", "LexEntry", "Lexicon", "default_lexicon", "extract_entities", "load_lexicon"]


def extract_entities(
    norm: Normalized, tokens: Sequence[Token], now: datetime, lexicon: Lexicon
) -> tuple[Entity, ...]:
    """All entities of one utterance, sorted by position. `now` resolves relative dates (Asia/Tokyo)."""
    text = norm.text
    if not text:
        return ()
    found: list[Entity] = []
    if any(c.isdigit() for c in text):
        found += digit_entities(norm)
        found += amount_entities(norm)
    found += date_entities(norm, now)
    found += time_entities(norm)
    windows = window_entities(norm)
    # 「18-20で」: the slot typed as two hours, not a number (the digit reader reads 1820)
    found = [e for e in found if not (e.type in ("digits", "amount") and any(
        w.start <= e.start and e.end <= w.end for w in windows))]
    found += windows
    found += lexicon.match(norm, tokens)
    found.sort(key=lambda e: (e.start, -e.end))
    return drop_corrected(norm, replace_tails(norm, found))
