"""`heard_words`, an action the dialogue answers itself (`BUILTIN_ACTIONS`): which of the flow's word lists
the caller's request contains (「色違いに交換してほしい」 is an exchange, not a return; 「まだ届いてない」 about a
delivered order is a missing parcel). The words are the flow's, in YAML; the request is the caller's last
words when the step runs, so the step comes first in its flow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dialogue.state import AwaitOffer

if TYPE_CHECKING:
    from dialogue.turn import Turn

__all__ = ["heard_words"]


def heard_words(turn: Turn, args: Mapping[str, str]) -> dict[str, Any]:
    """`args`: a result name -> words separated by `|`. The result is the first name one of whose words the
    caller's last words contain (width and case folded), else `none`. A word said only to be turned down
    (「交換じゃなくて返品で」「交換はいいので」) is not heard."""
    heard = _fold(turn.state.last_heard or "")
    aw = turn.state.awaiting
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and aw.words:
        # 「…たのんだんだども まだ来ねえんだ」 asked back as 「配送状況のお問い合わせでしょうか」 and confirmed with
        # 「はい」: the request's words are the ones asked about
        heard = _fold(f"{aw.words} {turn.state.last_heard or ''}")
    for name, words in args.items():
        if any(w and _said(heard, w) for w in (_fold(w.strip()) for w in words.split("|"))):
            return {"result": name}
    return {"result": "none"}


# what turns a word down when it follows at once: 交換じゃなくて, 返品ではなく, 交換はいいです, 返品は結構
_TURNED_DOWN = re.compile(r"(の方)?(じゃな|ではな|やな|ちゃう|でなく|はいい|はええ|は結構|はけっこう|はいら|は要ら|は不要|はやめ|はしな|はせん)")


def _said(heard: str, word: str) -> bool:
    start = heard.find(word)
    while start >= 0:
        if not _TURNED_DOWN.match(heard, start + len(word)):
            return True
        start = heard.find(word, start + 1)
    return False


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()
