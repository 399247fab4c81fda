"""The escalation package's one exception family."""

from __future__ import annotations

from dialogue.yaml_source import SourceError


class EscalationError(Exception):
    """Base of every error raised by dialogue.escalation."""


class RuleError(SourceError, EscalationError):
    """Problems in escalation_rules/*.yaml; each line of the message is `path:line:column: message`.

    A SourceError like every other designer-file problem (flows, prompts, entity types), so one `except
    SourceError` catches them all."""
