"""The after-contact satisfaction survey: a rating of 1-5, asked by keypad, chat or e-mail, kept on the record.

A rating is stored as the record's `satisfaction` field (dialogue.records.annotate), so exports, QA and the
KPIs read it with the rest of the contact. Parsing and the chat frame are plain functions; channels ask.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from dialogue.bot import Bot
from dialogue.records import RecordsUnavailable, annotate
from dialogue.store import SessionStore

log = logging.getLogger(__name__)
SCALE = range(1, 6)
_KANJI = str.maketrans("一二三四五", "12345")
# the whole answer is a rating: 「5」「５です」「評価：4」「満足度は三点です」; a digit inside a sentence is not
_ANSWER = re.compile(r"^(アンケート|評価|満足度|点数|回答)?\s*[:：は]?\s*([1-5])\s*(点|番)?\s*(です|でお願いします)?[。．.!！]?$")
MAX_ANSWER_CHARS = 40


def parse_rating(text: str | None) -> int | None:
    """1-5 from a key press or a short answer (「５」「4です」「評価：三」); None when it is not one."""
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).strip().translate(_KANJI)
    if len(plain) > MAX_ANSWER_CHARS:
        return None
    m = _ANSWER.match(plain)
    return int(m.group(2)) if m else None


async def record_rating(store: SessionStore, conversation_id: str, rating: int, comment: str | None = None) -> bool:
    """Keep a rating (and the chat survey's optional comment) on the contact's record; False when the store
    has no such conversation."""
    if rating not in SCALE:
        raise ValueError(f"a rating is an integer from 1 to 5, not {rating!r}")
    fields: dict[str, Any] = {"satisfaction": rating}
    if comment:
        fields["satisfaction_comment"] = comment
    try:
        return await annotate(store, conversation_id, **fields)
    except RecordsUnavailable:
        log.warning("rating of %s not kept: the store keeps no records", conversation_id)
        return False


def chat_frame(bot: Bot, conversation_id: str) -> dict[str, Any]:
    """The frame a chat widget shows after a contact: a question and five buttons.
    The widget answers with `POST /survey/{conversation_id}` `{"rating": n}` (ivr/survey_channel.py)."""
    labels = bot.prompts.templates.get("survey_chat_labels", {}).get("any") or [str(n) for n in SCALE]
    question = bot.prompts.render("survey_chat_question", "chat", {}).text
    return {"type": "survey", "conversation_id": conversation_id, "question": question,
            "options": [{"rating": n, "label": labels[n - 1] if n <= len(labels) else str(n)} for n in SCALE]}


def summary(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Survey KPIs over records: responses, answer rate, mean rating, CSAT (share of 4 and 5), by channel."""
    rows = list(records)
    rated = [r for r in rows if isinstance(r.get("satisfaction"), int)]
    channels = sorted({str(r.get("channel")) for r in rated})
    return {**_figures(rows, rated),
            "by_channel": {c: _figures([r for r in rows if r.get("channel") == c],
                                       [r for r in rated if r.get("channel") == c]) for c in channels}}


def _figures(rows: list[Mapping[str, Any]], rated: list[Mapping[str, Any]]) -> dict[str, Any]:
    scores = [int(r["satisfaction"]) for r in rated]
    return {
        "contacts": len(rows),
        "responses": len(scores),
        "response_rate": round(len(scores) / len(rows), 3) if rows else None,
        "mean": round(sum(scores) / len(scores), 2) if scores else None,
        "csat": round(sum(1 for s in scores if s >= 4) / len(scores), 3) if scores else None,
        "distribution": {str(n): scores.count(n) for n in SCALE},
    }
