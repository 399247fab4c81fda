"""Decide, once per turn, whether the call leaves the bot: first matching rule wins.

A `transfer` that cannot be served now (queue closed, or its estimated wait above `max_wait_s`) becomes
an `offer_callback` with the same reason. `supervisor` and `end` are never turned into callbacks:
harassment is handled now, not tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dialogue.escalation.conditions import Turn
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.rules import CompiledRule, RuleSet, load_rules
from dialogue.escalation.schema import ActionName, Reason
from dialogue.escalation.signals import Signals


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with the call this turn, and why (for the case note and for tuning the rules)."""

    action: ActionName  # transfer | warn | end | supervisor | offer_callback
    reason: Reason
    queue: str | None  # None for warn / end
    priority: int  # 0..9, higher is served first
    rule: str  # id of the rule that fired
    why: str  # matched conditions with their values, and any callback fallback
    prompt: str | None = None  # prompt key for the bot to say (harassment_warning, ...)
    opens_at: datetime | None = None  # for a callback offered because the queue is closed
    busy: bool = False  # a callback offered because the queue's estimated wait is above max_wait_s


class EscalationEngine:
    """Ordered escalation rules plus queue hours. Build once with `load`, call `decide` every turn."""

    def __init__(self, ruleset: RuleSet) -> None:
        self._rules = ruleset.rules
        self._boosts = ruleset.boosts
        self.hours: BusinessHours = ruleset.hours

    @classmethod
    def load(cls, directory: Path | None = None) -> EscalationEngine:
        """Read escalation_rules/ (the repository's, by default); raises RuleError on any problem."""
        return cls(load_rules(directory))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self._rules)

    def decide(self, signals: Signals) -> Decision | None:
        """The first matching rule's decision, or None when the bot keeps the call."""
        turn = Turn(signals)
        for rule in self._rules:
            if rule.matcher.matches(turn):
                return self._decision(rule, turn)
        return None

    def _decision(self, rule: CompiledRule, turn: Turn) -> Decision:
        why = [rule.matcher.explain(turn)]
        priority = rule.priority
        if rule.queue is not None:
            for boost in self._boosts:
                if boost.matcher.matches(turn):
                    priority += boost.add
                    why.append(f"priority {boost.add:+d} ({boost.id}: {boost.matcher.explain(turn)})")
            priority = max(0, min(9, priority))
        action = rule.action
        opens_at = None
        busy = False
        if action == "transfer" and rule.queue is not None:
            fallback = self._unavailable(rule.queue, turn.s)
            if fallback is not None:
                action = "offer_callback"
                why.append(fallback[0])
                opens_at = fallback[1]
                busy = opens_at is None  # open, but the wait is too long
        return Decision(
            action=action,
            reason=rule.reason,
            queue=rule.queue,
            priority=priority,
            rule=rule.id,
            why="; ".join(why),
            prompt=rule.prompt,
            opens_at=opens_at,
            busy=busy,
        )

    def _unavailable(self, queue: str, s: Signals) -> tuple[str, datetime | None] | None:
        """Why `queue` cannot take the call now (and when it opens, if closed), or None if it can."""
        closed = self.hours.closed_reason(queue, s.now)
        if closed is not None:
            opens = self.hours.next_open(queue, s.now)
            return f"callback instead of transfer: {queue} closed ({closed}), opens {opens:%Y-%m-%d %H:%M}", opens
        wait = s.queue_wait_s.get(queue, 0.0)
        limit = self.hours.max_wait_s.get(queue)
        if limit is not None and wait > limit:
            return f"callback instead of transfer: {queue} wait {wait:.0f}s > max_wait_s {limit:.0f}s", None
        return None
