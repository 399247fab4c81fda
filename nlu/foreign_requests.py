"""The request of a caller in a language the bot does not serve, named by its words (nlu/data/foreign_requests.yaml).

The intent heads learnt Japanese and English; on Chinese, Korean or Portuguese they read noise (「我的订单在哪里」
was a complaint, 「Quero remarcar a entrega」 a billing question). Such a caller goes to a person who speaks the
language (escalation_rules: the languages desk or a callback); what they asked for goes with them in the case
note, and a request for a person is recorded as one. A turn with none of the words is `out_of_scope`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

REQUESTS_FILE = Path(__file__).resolve().parent / "data" / "foreign_requests.yaml"
CONFIDENCE = 0.9  # words that name the request: sure enough to act on, never more than the words say
_LATIN_WORD = re.compile(r"^[\w\s'\-]+$", re.ASCII)


@cache
def _table(path: Path = REQUESTS_FILE) -> tuple[tuple[str, re.Pattern[str]], ...]:
    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    out = []
    for intent, by_language in doc.items():
        words = {unicodedata.normalize("NFKC", str(w)).lower() for ws in (by_language or {}).values() for w in ws or []}
        parts = []
        for word in sorted(words, key=len, reverse=True):
            escaped = re.escape(word)
            # Latin words are whole words (tao is not taon); other scripts have no spaces to find them by
            latin = word.isascii() or _LATIN_WORD.match(unicodedata.normalize("NFD", word).encode("ascii", "ignore").decode())
            parts.append(rf"(?<!\w){escaped}(?!\w)" if latin else escaped)
        if parts:
            out.append((str(intent), re.compile("|".join(parts))))
    return tuple(out)


def foreign_request(text: str) -> str | None:
    """The first request (in the file's order) whose words the turn says, or None."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return next((intent for intent, pattern in _table() if pattern.search(folded)), None)
