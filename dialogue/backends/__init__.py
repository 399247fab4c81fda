"""Backend actions a flow calls (`action: order_status`): the seam where a company plugs in its systems."""

from __future__ import annotations

from typing import Any, Protocol

ActionResult = dict[str, Any]


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
