"""Contact history fixtures: earlier contacts of one caller, a manager whose history is read at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dialogue.clock import TOKYO
from tests.agents.conftest import app_client, manager  # noqa: F401  (the console app with two users)

PHONE = "09012345678"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=TOKYO)  # a Friday, every queue open


def past(cid: str, days_ago: float, *, order: str | None = "12345678", intent: str = "order_status",
         outcome: str = "handover", reason: str | None = "human_request", caller: str | None = PHONE,
         channel: str = "voice", **more: Any) -> dict[str, Any]:
    """A finished earlier contact in the records schema, with the case note the bot would have written."""
    start = NOW - timedelta(days=days_ago)
    at = start.isoformat(timespec="seconds")
    slots = {"order_id": order} if order else {}
    return {
        "conversation_id": cid, "channel": channel, "caller": caller, "started_at": at,
        "ended_at": (start + timedelta(minutes=4)).isoformat(timespec="seconds"), "outcome": outcome,
        "reason": reason if outcome == "handover" else None, "queue": "general" if outcome == "handover" else None,
        "intents": [intent], "transcript": [{"speaker": "caller", "text": "注文した商品がまだ届かないんですけど", "at": at}],
        "case_note": {"case_id": f"CASE-{cid}", "slots": slots, "summary_ja": "お客様は配送状況についてお問い合わせです。",
                      "caller_phone": caller},
        **more,
    }


