"""Escalation: when and how a call leaves the bot for a human (SPEC 6).

The dialogue manager fills a `Signals` each turn and asks `EscalationEngine.decide`; rules are data in
escalation_rules/ (YAML, edited by designers). This package never imports a channel (ivr/).
"""

from dialogue.escalation.case_note import CaseNote, ConversationRecord, HarassmentEvent, build_case_note
from dialogue.escalation.engine import Decision, EscalationEngine
from dialogue.escalation.errors import EscalationError, RuleError
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.rules import load_rules, validate_rules
from dialogue.escalation.signals import Signals
from dialogue.escalation.trajectory import MoodTurn, Trajectory

__all__ = [
    "BusinessHours",
    "CaseNote",
    "ConversationRecord",
    "Decision",
    "EscalationEngine",
    "EscalationError",
    "HarassmentEvent",
    "MoodTurn",
    "RuleError",
    "Signals",
    "Trajectory",
    "build_case_note",
    "load_rules",
    "validate_rules",
]
