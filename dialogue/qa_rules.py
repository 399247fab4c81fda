"""The company's quality protocol (qa/protocol.yaml): what every contact is checked against.

Designers write phrases as regular expressions; they are compiled here once, and a bad one is reported
as `qa/protocol.yaml:LINE:COL: ...` like every other designer file (dialogue.yaml_source).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dialogue.yaml_source import REPO_ROOT, SourceError, load

DEFAULT_PROTOCOL = REPO_ROOT / "qa" / "protocol.yaml"


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    return pattern


Pattern = Annotated[str, AfterValidator(_regex)]
Penalty = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def any_of(patterns: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation for a phrase list (one scan per turn, not one per phrase); None when empty."""
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class _Rule(_Strict):
    label: str | None = None  # the rule in supervisors' words (the QA console); without it, its id


class Greeting(_Rule):
    penalty: Penalty = 10
    phrases: dict[str, list[Pattern]]  # speaker -> what their first turn must say


class Closing(_Rule):
    penalty: Penalty = 10
    phrases: list[Pattern]
    handover_phrases: list[Pattern] = []
    not_needed_after: list[Pattern] = []
    not_needed_outcomes: list[str] = []


class Identity(_Rule):
    penalty: Penalty = 30
    disclosure: list[Pattern]
    request: list[Pattern]
    failed: list[Pattern] = []
    verified_slot: str = "verified"
    verified_by_slot: str = "verified_by"
    verified_at_start: list[str] = ["ani"]
    channels: list[str] | None = None  # where the rule applies (None: every channel)


class Apology(_Rule):
    penalty: Penalty = 15
    within_replies: int = Field(default=2, ge=1)
    phrases: list[Pattern]
    complaint_cues: list[Pattern] = []
    complaint_intents: list[str] = ["complaint"]
    complaint_emotions: list[str] = ["anger"]
    abuse_replies: list[Pattern] = []


class BareRefusal(_Rule):
    penalty: Penalty = 10
    refusals: list[Pattern]
    alternatives: list[Pattern]


class PlainSpeech(_Rule):
    penalty: Penalty = 10
    polite_endings: list[Pattern]
    set_phrases: list[str] = []


class Blame(_Rule):
    penalty: Penalty = 25
    expressions: list[Pattern]


class Hold(_Rule):
    penalty: Penalty = 10
    limit_seconds: float = Field(default=60, gt=0)
    phrases: list[Pattern]


class Silence(_Rule):
    penalty: Penalty = 10
    limit_seconds: dict[str, Annotated[float, Field(gt=0)]]  # channel -> limit; others are not checked


class Protocol(_Strict):
    pass_score: Annotated[int, Field(ge=0, le=100)] = 80
    greeting: Greeting | None = None
    closing: Closing | None = None
    identity: Identity | None = None
    apology: Apology | None = None
    bare_refusal: BareRefusal | None = None
    plain_speech: PlainSpeech | None = None
    blame: Blame | None = None
    hold: Hold | None = None
    silence: Silence | None = None

    def labels(self) -> dict[str, str]:
        """Each rule of this protocol by its name in supervisors' words (`label:`), else by its id."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            rule = getattr(self, name)
            if isinstance(rule, _Rule):
                out[name] = rule.label or name
        return out


def load_protocol(path: Path | None = None) -> Protocol:
    """Parse and check the protocol; raises SourceError with `file:line:col` problems."""
    protocol, _ = load(path or DEFAULT_PROTOCOL, Protocol)
    return protocol


def protocol_problems(path: Path | None = None) -> list[str]:
    """For `ivr validate`: the protocol's problems as `file:line:col: message`; [] when it is clean or the
    bot has none (a protocol is optional)."""
    path = path or DEFAULT_PROTOCOL
    if not path.exists():
        return []
    try:
        load_protocol(path)
    except SourceError as exc:
        return exc.problems
    return []
