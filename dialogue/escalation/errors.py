"""The escalation package's one exception family."""

from __future__ import annotations

from collections.abc import Sequence


class EscalationError(Exception):
    """Base of every error raised by dialogue.escalation."""


class RuleError(EscalationError):
    """Problems in escalation_rules/*.yaml; each line of the message is `path:line:column: message`."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
