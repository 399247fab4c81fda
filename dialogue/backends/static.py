"""Fixed answers from `bot.yaml` (`backend: {static: {action: {...}}}`): a starter bot runs before any system
is connected, and a designer can try a flow's branches by editing one file."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from dialogue.backends import ActionResult, UnknownAction


class StaticBackend:
    def __init__(self, answers: Mapping[str, Mapping[str, Any]]) -> None:
        self._answers = {name: dict(answer) for name, answer in answers.items()}

    def actions(self) -> frozenset[str]:
        return frozenset(self._answers)

    async def call(self, action: str, args: dict[str, Any]) -> ActionResult:
        answer = self._answers.get(action)
        if answer is None:
            raise UnknownAction(f"static backend has no action '{action}'")
        return copy.deepcopy(answer)  # a flow that edits its result must not change the next caller's
