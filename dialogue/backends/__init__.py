"""Backend actions a flow calls (`action: order_status`): the seam where a company plugs in its systems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

ActionResult = dict[str, Any]

# the conversation whose flow calls the backend: set around each call by the flow runner, so that a backend
# (the webhook's request, a Python backend's logs) can name it without every backend's `call` taking it
_CONVERSATION: ContextVar[str | None] = ContextVar("ivr_backend_conversation", default=None)


def current_conversation() -> str | None:
    """The id of the conversation (CallSid, chat id) an action is being called for; None outside a turn."""
    return _CONVERSATION.get()


@contextmanager
def calling_for(conversation_id: str) -> Iterator[None]:
    """Backend calls inside this block are made for `conversation_id` (dialogue/runner.py sets it)."""
    token = _CONVERSATION.set(conversation_id)
    try:
        yield
    finally:
        _CONVERSATION.reset(token)


class BackendError(Exception):
    """The backend could not answer (down, timed out, malformed reply)."""


class UnknownAction(BackendError):
    pass


class Backend(Protocol):
    def actions(self) -> frozenset[str]:
        """Names of the actions this backend offers (checked by `ivr validate`)."""
        ...

    async def call(self, action: str, args: dict[str, Any]) -> ActionResult:
        """Run one action. Raises BackendError when it cannot answer."""
        ...
