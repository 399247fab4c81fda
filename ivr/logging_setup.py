"""Structured logs: one JSON object per line, each carrying the conversation it belongs to.

The conversation id lives in a context variable, set around every manager call (`with_conversation`,
installed by ivr/metrics.instrument), so a log line written anywhere below a turn (dialogue, backend,
store) names its call without passing the id around. `configure` installs the JSON formatter
(python-json-logger) on the root logger; `IVR_LOG_FORMAT=text` keeps the plain format for a terminal.
When the records helper's redaction filter exists (dialogue/redact.py), it is installed too, so phone
numbers and names never reach a log file.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pythonjsonlogger.json import JsonFormatter

CONVERSATION_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("conversation_id", default=None)
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(conversation_id)s"
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class ConversationFilter(logging.Filter):
    """Adds `conversation_id` to every record (None outside a conversation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "conversation_id"):
            record.conversation_id = CONVERSATION_ID.get()
        return True


class SkipAccessLog(logging.Filter):
    """Redaction for every record but aiohttp's access lines: those hold a method, a path with our
    own nonce, a status and an address, never what a caller said, and there is one per request."""

    def __init__(self, inner: logging.Filter) -> None:
        super().__init__()
        self.inner = inner

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "aiohttp.access" or bool(self.inner.filter(record))


class OneLineFromLibraries(logging.Filter):
    """asyncpg's pool logs a traceback each time it cannot refill while the database is down: one line,
    with the reason, says as much (readiness and the callers' apologies carry the rest)."""

    LOGGERS = ("asyncpg.pool",)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name in self.LOGGERS:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def with_conversation(method: F) -> F:
    """A manager method whose first argument names the conversation (a session id or a SessionStart)."""

    @functools.wraps(method)
    async def bound(first: Any, *args: Any, **kwargs: Any) -> Any:
        cid = first if isinstance(first, str) else getattr(first, "session_id", None)
        token = CONVERSATION_ID.set(cid)
        try:
            return await method(first, *args, **kwargs)
        finally:
            CONVERSATION_ID.reset(token)

    return bound  # type: ignore[return-value]


def redaction_filter() -> logging.Filter | None:
    """The records helper's PII filter for log records, when dialogue/redact.py provides one."""
    try:
        from dialogue import redact
    except ImportError:
        return None
    for name in ("RedactingFilter", "RedactFilter", "LogRedactionFilter"):
        cls = getattr(redact, name, None)
        if isinstance(cls, type) and issubclass(cls, logging.Filter):
            return cls()
    return None


def configure(level: int | str = logging.INFO, json_lines: bool | None = None, stream: Any = None) -> logging.Handler:
    """The root logger of `ivr serve`: JSON lines (or text), the conversation id, PII redacted."""
    if json_lines is None:
        json_lines = os.environ.get("IVR_LOG_FORMAT", "json").lower() != "text"
    handler = logging.StreamHandler(stream or sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                                           json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(conversation_id)s]: %(message)s"))
    handler.addFilter(ConversationFilter())
    handler.addFilter(OneLineFromLibraries())
    redacting = redaction_filter()
    if redacting is not None:
        handler.addFilter(SkipAccessLog(redacting))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
