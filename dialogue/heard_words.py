"""`heard_words`, an action the dialogue answers itself (`BUILTIN_ACTIONS`): which of the flow's word lists
the caller's request contains (「色違いに交換してほしい」 is an exchange, not a return; 「まだ届いてない」 about a
delivered order is a missing parcel). The words are the flow's, in YAML; the request is the caller's last
words when the step runs, so the step comes first in its flow.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialogue.turn import Turn

__all__ = ["heard_words"]


def heard_words(turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
    """`args`: a result name -> words separated by `|`. The result is the first name one of whose words the
    caller's last words contain (width and case folded), else `none`."""
    heard = _fold(turn.state.last_heard or "")
    for name, words in args.items():
        if any(w and w in heard for w in (_fold(w.strip()) for w in words.split("|"))):
            return {"result": name}
    return {"result": "none"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()
