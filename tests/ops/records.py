"""Records in the shared schema, built in a line for the ops tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

START = datetime.fromisoformat("2026-11-20T10:00:00+09:00")


def contact(*turns: tuple[str, str] | tuple[str, str, float], **fields: Any) -> dict[str, Any]:
    """A finished contact; a turn is (speaker, text) or (speaker, text, seconds after the start)."""
    transcript = []
    for turn in turns:
        at = (START + timedelta(seconds=turn[2])).isoformat() if len(turn) == 3 else None
        transcript.append({"speaker": turn[0], "text": turn[1], "at": at})
    record: dict[str, Any] = {
        "conversation_id": "c1", "channel": "voice", "caller": "09012345678", "started_at": START.isoformat(),
        "ended_at": None, "outcome": "resolved", "reason": None, "queue": None, "intents": ["order_status"],
        "transcript": transcript, "case_note": None, "agent": None, "disposition": None, "satisfaction": None,
        "wait_seconds": None, "handle_seconds": None,
    }
    record.update(fields)
    return record
