"""The one time zone of the product: callers, agents' hours and relative dates are all in Japan time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
