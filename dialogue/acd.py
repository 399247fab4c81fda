"""ACD (automatic call distribution): routing a hand-over to a queue, its priority, who may answer it, and how
long the caller will wait.

The wait is the Erlang C average speed of answer (M/M/N: arrivals from the last hour of the live desk,
handle times measured from closed contacts, agents signed in with the queue's skill), and never less than
the backlog in front of the caller (callers ahead, minus free agents, times the handle time per agent).
With nobody signed in for a queue the wait is unknown and left out: the escalation engine then treats the
queue as it always did (open hours decide). The designer data is queues/acd.yaml.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import poisson

from dialogue.desk import AgentState, Contact, Desk, in_line_order
from dialogue.yaml_source import load

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "queues" / "acd.yaml"
SUPERVISOR = "supervisor"
ARRIVAL_WINDOW_S = 3600.0  # arrivals over the last hour give the Erlang C arrival rate
HISTORY_S = 86400.0  # handle times are measured over the last day's contacts
STAFFED = ("available", "busy", "after_call_work")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueSkills(_Strict):
    skills: list[str] = Field(min_length=1)
    handle_time_s: Annotated[float, Field(gt=0)] = 360.0


class RouteWhen(_Strict):
    reason: str | list[str] | None = None
    rule: str | list[str] | None = None
    intents: list[str] | None = None
    language: list[str] | None = None


class Route(_Strict):
    when: RouteWhen
    queue: str


class PriorityBoosts(_Strict):
    emotion: Annotated[int, Field(ge=0, le=9)] = 0
    vip: Annotated[int, Field(ge=0, le=9)] = 0
    repeat_contact: Annotated[int, Field(ge=0, le=9)] = 0
    repeat_window_days: Annotated[int, Field(ge=1)] = 7


class AgentSkills(_Strict):
    default: dict[str, list[str]] = Field(default_factory=dict)  # role -> skills
    users: dict[str, list[str]] = Field(default_factory=dict)  # console user -> skills


class Announcements(_Strict):
    soon: str
    minutes: str


class AcdFile(_Strict):
    queues: dict[str, QueueSkills] = Field(min_length=1)
    routing: list[Route] = Field(default_factory=list)
    priority: PriorityBoosts = PriorityBoosts()
    agents: AgentSkills = AgentSkills()
    measured_handle_time_min_contacts: Annotated[int, Field(ge=1)] = 5
    announcements: Announcements
    # skills in agents' words (「英語」 for `en`); a skill named after a queue takes the queue's `label`
    # (escalation_rules/queues.yaml), any other skill without an entry shows its id
    skill_labels: dict[str, str] = Field(default_factory=dict)


def _one_of(value: str | None, allowed: str | list[str] | None) -> bool:
    if allowed is None:
        return True
    return value in ([allowed] if isinstance(allowed, str) else allowed)


@dataclass(frozen=True, slots=True)
class HandoverFacts:
    """What routing looks at: the hand-over and its case note."""

    queue: str
    reason: str | None
    priority: int
    rule: str | None = None
    intents: tuple[str, ...] = ()
    language: str | None = None
    vip: bool = False
    repeat_contact: bool = False


def erlang_c(agents: int, load: float) -> float:
    """The probability that an arrival waits, M/M/N with offered load `load` (Erlangs). Written with the
    Poisson distribution, which stays finite where A**N / N! overflows."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    top = float(poisson.pmf(agents, load)) * agents / (agents - load)
    return top / (float(poisson.cdf(agents - 1, load)) + top)


def erlang_c_wait_s(agents: int, arrivals_per_s: float, handle_s: float) -> float:
    """Average speed of answer; infinite when the queue grows without bound (load >= agents)."""
    load = arrivals_per_s * handle_s
    if agents <= 0 or load >= agents:
        return math.inf
    return erlang_c(agents, load) * handle_s / (agents - load)


class Acd:
    def __init__(self, config: AcdFile) -> None:
        self.config = config

    @staticmethod
    def load(path: Path | None = None) -> Acd:
        """Read queues/acd.yaml; problems raise SourceError with `path:line:column: message`."""
        config, _ = load(path or DEFAULT_FILE, AcdFile)
        return Acd(config)

    def covering(self, queues: Iterable[str]) -> Acd:
        """This ACD, plus every queue the escalation rules know and queues/acd.yaml does not (a bot made with
        `ivr init`): such a queue needs a skill of its own name, which agents have (the supervisor queue's,
        supervisors only), with the default handle time."""
        missing = [q for q in queues if q not in self.config.queues]
        if not missing:
            return self
        added = {q: QueueSkills(skills=[q]) for q in missing}
        defaults = dict(self.config.agents.default)
        for role in ("agent", "supervisor"):
            extra = [q for q in missing if q != SUPERVISOR or role == "supervisor"]
            defaults[role] = [*defaults.get(role, []), *extra]
        agents = self.config.agents.model_copy(update={"default": defaults})
        return Acd(self.config.model_copy(update={"queues": {**self.config.queues, **added}, "agents": agents}))

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(self.config.queues)

    # -- routing -------------------------------------------------------------------------------------------

    def route(self, facts: HandoverFacts) -> tuple[str, int]:
        """The queue and priority a hand-over waits with. Harassment never leaves the supervisor queue."""
        queue = facts.queue
        if queue != SUPERVISOR and facts.reason != "harassment":
            for route in self.config.routing:
                w = route.when
                if (_one_of(facts.reason, w.reason) and _one_of(facts.rule, w.rule)
                        and (w.intents is None or any(i in w.intents for i in facts.intents))
                        and (w.language is None or facts.language in w.language)):
                    queue = route.queue
                    break
        elif facts.reason == "harassment":
            queue = SUPERVISOR
        if queue not in self.config.queues:
            queue = facts.queue
        boosts = self.config.priority
        priority = facts.priority
        priority += boosts.emotion if facts.reason == "emotion" else 0
        priority += boosts.vip if facts.vip else 0
        priority += boosts.repeat_contact if facts.repeat_contact else 0
        return queue, max(0, min(9, priority))

    # -- who may answer what ------------------------------------------------------------------------------

    def skills_of(self, user: str, role: str) -> tuple[str, ...]:
        agents = self.config.agents
        return tuple(agents.users.get(user) or agents.default.get(role) or ())

    def can_answer(self, skills: Iterable[str], queue: str) -> bool:
        spec = self.config.queues.get(queue)
        return spec is not None and bool(set(spec.skills) & set(skills))

    # -- waits ---------------------------------------------------------------------------------------------

    def handle_time_s(self, queue: str, finished: Sequence[Contact]) -> float:
        """Mean handle time of the queue's finished contacts, once there are enough; before, the YAML's."""
        samples = [c.handle_s for c in finished if c.queue == queue and c.handle_s > 0]
        if len(samples) >= self.config.measured_handle_time_min_contacts:
            return sum(samples[-200:]) / len(samples[-200:])
        spec = self.config.queues.get(queue)
        return spec.handle_time_s if spec else 360.0

    def estimate(self, queue: str, waiting: Sequence[Contact], agents: Sequence[AgentState],
                 finished: Sequence[Contact], now: float | None = None, arrivals: Sequence[Contact] = ()) -> float | None:
        """Seconds a new arrival in `queue` will wait, or None when nobody is signed in to answer it."""
        now = now or time.time()
        staffed = [a for a in agents if a.state in STAFFED and self.can_answer(a.skills, queue)]
        if not staffed:
            return None
        free = sum(1 for a in staffed if a.state == "available")
        ahead = sum(1 for c in waiting if c.queue == queue)
        if free > ahead:
            return 0.0
        handle = self.handle_time_s(queue, finished)
        backlog = (ahead + 1 - free) * handle / len(staffed)
        recent = [c for c in arrivals if c.queue == queue and now - (c.first_queued_at or c.queued_at) <= ARRIVAL_WINDOW_S]
        asa = erlang_c_wait_s(len(staffed), len(recent) / ARRIVAL_WINDOW_S, handle)
        return backlog if math.isinf(asa) else max(backlog, asa)

    async def waits(self, desk: Desk, now: float | None = None) -> dict[str, float]:
        """Every queue's estimate from the live desk (queues nobody staffs are left out: unknown)."""
        now = now or time.time()
        agents = await desk.agents()
        # queued ones of any age; the rest of the last day (handle times; the last hour's arrivals)
        contacts = [*await desk.recent(("queued",)),
                    *await desk.recent(("assigned", "released", "closed", "abandoned"), since=now - HISTORY_S)]
        waiting = [c for c in contacts if c.status == "queued"]
        finished = sorted((c for c in contacts if c.status in ("closed", "released")), key=lambda c: c.ended_at or 0)
        out: dict[str, float] = {}
        for queue in self.config.queues:
            wait = self.estimate(queue, waiting, agents, finished, now, contacts)
            if wait is not None:
                out[queue] = wait
        return out

    async def wait_in_line(self, desk: Desk, contact: Contact, now: float | None = None) -> float | None:
        """Seconds `contact`, already queued, still has to wait: only those ahead of it count (a higher
        priority, or the same one queued earlier). None when nobody is signed in for its queue."""
        now = now or time.time()
        contacts = [*await desk.recent(("queued",)),
                    *await desk.recent(("assigned", "released", "closed", "abandoned"), since=now - HISTORY_S)]
        ahead = [c for c in contacts if c.status == "queued" and c.id != contact.id
                 and in_line_order(c) < in_line_order(contact)]
        finished = sorted((c for c in contacts if c.status in ("closed", "released")), key=lambda c: c.ended_at or 0)
        return self.estimate(contact.queue, ahead, await desk.agents(), finished, now, contacts)

    def announcement(self, wait_s: float | None) -> str | None:
        """「ただいま5分ほどでおつなぎできる見込みです」: whole minutes, rounded to fives beyond ten."""
        minutes = wait_minutes(wait_s)
        if minutes is None:
            return None
        if minutes == 0:
            return self.config.announcements.soon
        return self.config.announcements.minutes.format(minutes=minutes)


def wait_minutes(wait_s: float | None) -> int | None:
    """The wait as callers are told it: 0 under a minute ("soon"), whole minutes up to ten, then fives.
    None when unknown or unbounded: the bot then promises nothing."""
    if wait_s is None or math.isinf(wait_s):
        return None
    if wait_s < 60:
        return 0
    minutes = math.ceil(wait_s / 60)
    return 5 * math.ceil(minutes / 5) if minutes > 10 else minutes


def facts_from(queue: str, reason: str | None, priority: int, note: Mapping[str, Any] | None,
               language: str | None = None, repeat_contact: bool = False) -> HandoverFacts:
    note = note or {}
    intents = tuple(str(i) for i in (note.get("intents") or ()))
    return HandoverFacts(queue=queue, reason=reason, priority=priority, rule=note.get("rule"), intents=intents,
                         language=language, vip=bool(note.get("caller_vip")), repeat_contact=repeat_contact)
