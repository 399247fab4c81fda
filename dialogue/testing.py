"""Conversation tests (SPEC 7.2): scripted and goal-based callers run against a real dialogue manager."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogue.api import Alternative, BotReply, CallerInfo, Channel, SessionStart, UserTurn
from dialogue.backends import Backend
from dialogue.backends.demo import DemoBackend
from dialogue.bot import Bot
from dialogue.engine import DialogueManager
from dialogue.escalation.engine import EscalationEngine
from dialogue.interpret import Understander
from dialogue.notes import transcript
from dialogue.state import NUMBER_BEGUN, CallState
from dialogue.store import MemoryStore
from dialogue.yaml_source import SourceError, position, read_yaml, validate
from nlu.normalize import normalize

MAX_GOAL_TURNS = 30
DONE = "以上です"  # what a goal-based caller says to 「ほかにご用件は」 once their own replies are said
# a slot asked that the caller's answers name another way: a delivery window answered as a time (older
# suites); which of the caller's orders, asked when they have no order number, answered as their order number
_ALIASES = {"time_window": "time", "which_order": "order_id"}


class _Lenient(BaseModel):
    # unknown keys are ignored: suites written for later versions still run
    model_config = ConfigDict(extra="ignore", frozen=True)


class Expect(_Lenient):
    intent: str | None = None
    intents: list[str] | None = None
    awaiting: str | None = None
    outcome: str | None = None
    reason: str | None = Field(default=None)
    slots: dict[str, Any] | None = None
    entities: dict[str, Any] | None = None
    emotion: str | None = None
    harassment: bool | str | None = None
    says: str | list[str] | None = None  # substring(s) of what the bot said (this turn / the whole call)
    queue: str | None = None
    has_reason: bool = False  # `reason:` was written (even as null): compare it

    @model_validator(mode="before")
    @classmethod
    def _note_reason(cls, data: Any) -> Any:
        if isinstance(data, dict) and "reason" in data:
            data = {**data, "has_reason": True}
        if isinstance(data, dict) and "say" in data and "says" not in data:
            data = {**data, "says": data["say"]}
        return data


class Turn(_Lenient):
    user: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: Any) -> Any:
        # `user: 12345678` is read by YAML as a number; the caller said digits
        if isinstance(data, dict) and isinstance(data.get("user"), int | float):
            data = {**data, "user": str(data["user"])}
        # `user: {text: ..., alternatives: [...]}`: a recogniser's line as `ivr nlu parse` takes it (SPEC 7.1)
        if isinstance(data, dict) and isinstance(data.get("user"), dict):
            said = data["user"]
            data = {**data, "user": said.get("text"), "alternatives": said.get("alternatives", data.get("alternatives"))}
        # `silence: 5` (seconds of it, as a tester writes a pause): the caller said nothing this turn
        silence = data.get("silence") if isinstance(data, dict) else None
        if isinstance(silence, int | float) and not isinstance(silence, bool):
            data = {**data, "silence": silence > 0}
        return data

    dtmf: str | int | None = None
    alternatives: list[dict[str, Any]] | None = None
    silence: bool = False
    hangup: bool = False
    expect: Expect | None = None


class Case(_Lenient):
    name: str
    channel: str = "chat"
    caller: dict[str, Any] = Field(default_factory=dict)

    @field_validator("caller", mode="before")
    @classmethod
    def _phone_as_digits(cls, caller: Any) -> Any:
        # `phone: 09012345678` unquoted is read by YAML 1.2 as the integer 9012345678: a Japanese number always
        # starts with its trunk 0, which is given back
        if isinstance(caller, dict) and isinstance(caller.get("phone"), int) and not isinstance(caller["phone"], bool):
            return {**caller, "phone": f"0{caller['phone']}"}
        return caller

    now: datetime | None = None
    turns: list[Turn] | None = None
    opening: str | list[str] | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    confirm: str | list[str] = "はい"
    # said to 「ほかにご用件は」 in order, one each time; once all are said the caller is done (以上です): a
    # caller who asked their second question does not ask it again
    anything_else: str | list[str] = "以上です"
    expect: Expect | None = None


class Suite(BaseModel):
    model_config = ConfigDict(frozen=True)
    cases: list[Case]


@dataclass
class CaseResult:
    name: str
    file: str
    passed: bool = True
    failures: list[str] = field(default_factory=list)
    outcome: str | None = None
    reason: str | None = None
    intents: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    transcript: list[dict[str, str]] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (flow, step) visited, for coverage

    def fail(self, message: str) -> None:
        self.passed = False
        self.failures.append(message)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "failures": self.failures,
            "outcome": self.outcome,
            "reason": self.reason,
            "intents": self.intents,
            "slots": self.slots,
            "transcript": self.transcript,
        }


def load_suite(path: Path) -> list[Case]:
    raw = read_yaml(path)
    if isinstance(raw, dict) and "cases" in raw:
        raw = raw["cases"]
    if not isinstance(raw, list):
        raise SourceError([f"{path}:1:1: a conversation test file is a list of cases"])
    cases: list[Case] = []
    problems: list[str] = []
    for i, item in enumerate(raw):
        try:
            cases.append(validate(path, item, Case))
        except SourceError as exc:
            # positions inside one case: re-anchor them on the case's place in the file
            line, col = position(raw, [i])
            problems.extend(p if not p.startswith(f"{path}:1:1:") else p.replace(f"{path}:1:1:", f"{path}:{line}:{col}:", 1)
                            for p in exc.problems)
    if problems:
        raise SourceError(problems)
    return cases


def _same(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is got
    return str(expected) == str(got)


def _user_turn(answer: Any) -> UserTurn:
    if isinstance(answer, dict):
        if "dtmf" in answer:
            return UserTurn(dtmf=str(answer["dtmf"]))
        if answer.get("silence"):
            return UserTurn(no_input=True)
        return UserTurn(text=str(answer.get("text", "")))
    return UserTurn(text=str(answer))


_DIGIT_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9]{3})")


def _spoken(text: str) -> str:
    """A text as the NLU reads it, numbers in digits without commas: 五千円, 5,000円 and 5000円 are one."""
    return _DIGIT_COMMA.sub("", normalize(text).text)


def _said(text: str, said: str) -> bool:
    """`says` matches the words, or the same words with numbers written otherwise (voice prompts spell
    amounts in kanji, 五千円, so that speech engines read them as amounts)."""
    return text in said or _spoken(text) in _spoken(said)


# SPEC 7.2: `reason` is set for `transferred` and `ended`. A callback booked instead of a transfer keeps its
# escalation reason in the case note and the records, but the call's outcome carries none
REASONED_OUTCOMES = frozenset({"transferred", "ended"})


def reported_reason(state: CallState) -> str | None:
    return state.reason if state.outcome in REASONED_OUTCOMES else None


def _turn_intent(events: list[dict[str, Any]]) -> str | None:
    """The intent of the caller's last turn: the NLU's reading of words, or for keys with no reading (a menu
    choice, 3 for the store hours) the request the keys started."""
    at = next((k for k in range(len(events) - 1, -1, -1) if events[k]["type"] == "caller"), None)
    if at is None:
        return None
    said = events[at]
    if said.get("intent") is None and said.get("dtmf"):
        return next((e["intent"] for e in events[at + 1:] if e["type"] == "flow" and e.get("intent")), None)
    intent = said.get("intent")
    return str(intent) if intent is not None else None


class CaseRunner:
    """Runs cases on a fresh manager each (fresh demo backend and store), sharing the loaded bot and NLU."""

    def __init__(self, bot: Bot, nlu: Understander, escalation: EscalationEngine,
                 backend: Callable[[], Backend] = DemoBackend) -> None:
        self.bot, self.nlu, self.escalation = bot, nlu, escalation
        self.backend = backend  # called once per case: a stateful fake starts fresh each time

    async def run(self, case: Case, file: str) -> CaseResult:
        result = CaseResult(case.name, file)
        manager = DialogueManager(self.bot, self.nlu, self.backend(), MemoryStore(), self.escalation)
        caller = CallerInfo(phone=str(case.caller["phone"]) if case.caller.get("phone") else None,
                            vip=bool(case.caller.get("vip", False)))
        channel: Channel = "voice" if case.channel == "voice" else "chat"
        sid, reply = await manager.start(SessionStart(channel=channel, caller=caller, now=case.now))
        if case.turns is not None:
            reply = await self._scripted(manager, sid, case, reply, result)
        elif case.opening is not None:
            reply = await self._goal(manager, sid, case, reply, result)
        else:
            result.fail("a case needs 'turns' (scripted) or 'opening' (goal-based)")
        state = await manager.state(sid)
        if state is not None and not state.ended:
            await manager.hangup(sid)  # the caller's script is over: they hang up
            state = await manager.state(sid)
        events = await manager.events(sid)
        if state is not None:
            self._collect(state, events, result)
        if case.expect is not None:
            self._check_call(case.expect, state, events, result)
        return result

    async def _scripted(self, manager: DialogueManager, sid: str, case: Case, reply: BotReply,
                        result: CaseResult) -> BotReply:
        turns = case.turns or []
        for i, turn in enumerate(turns, 1):
            if reply.ended:
                # a script may run on past the end ("several" failures, a goodbye after the bot's): what the
                # caller never got to say is not said; the case fails only when an unsaid turn expected something
                expecting = [n for n, later in enumerate(turns[i - 1:], i) if later.expect is not None]
                if expecting:
                    result.fail(f"turn {expecting[0]}: the call had already ended ({reply.outcome}) at turn {i}")
                break
            if turn.hangup:
                await manager.hangup(sid)
                break
            if turn.dtmf is not None:
                user = UserTurn(dtmf=str(turn.dtmf))
            elif turn.alternatives:
                alts = tuple(Alternative(str(a.get("text", "")), float(a.get("confidence", 0))) for a in turn.alternatives)
                user = UserTurn(text=turn.user or alts[0].text, alternatives=alts)
            elif turn.silence or turn.user is None:
                user = UserTurn(no_input=True)
            else:
                user = UserTurn(text=turn.user)
            reply = await manager.handle(sid, user)
            if turn.expect is not None:
                state = await manager.state(sid)
                self._check_turn(i, turn.expect, reply, state, await manager.events(sid), result)
        return reply

    async def _goal(self, manager: DialogueManager, sid: str, case: Case, reply: BotReply,
                    result: CaseResult) -> BotReply:
        openings = [case.opening] if isinstance(case.opening, str) else list(case.opening or [])
        used: dict[str, int] = {}
        confirms = [case.confirm] if isinstance(case.confirm, str) else list(case.confirm)
        n_confirm = 0
        more = [case.anything_else] if isinstance(case.anything_else, str) else list(case.anything_else)
        for _ in range(MAX_GOAL_TURNS):
            if reply.ended:
                return reply
            awaiting = reply.expect.awaiting
            if openings:  # SPEC 7.2: the opening lines are said on consecutive turns, whatever the bot asks
                turn = UserTurn(text=openings.pop(0))
            elif awaiting.startswith("slot:"):
                slot = awaiting[5:]
                if slot not in case.answers and slot in _ALIASES and _ALIASES[slot] in case.answers:
                    slot = _ALIASES[slot]
                if slot not in case.answers:
                    result.fail(f"the bot asked for slot '{slot}' but the caller's answers do not cover it")
                    return reply
                answer = case.answers[slot]
                if isinstance(answer, list):  # successive answers to repeated questions
                    k = used.get(slot, 0)
                    used[slot] = k + 1
                    answer = answer[min(k, len(answer) - 1)]
                turn = _user_turn(answer)
            elif awaiting == "confirm":
                turn = UserTurn(text=confirms[min(n_confirm, len(confirms) - 1)])
                n_confirm += 1
            elif awaiting == "anything_else":
                turn = UserTurn(text=more.pop(0) if more else DONE)
            else:
                result.fail(f"the bot is waiting for '{awaiting}' and the caller has nothing more to say")
                return reply
            reply = await manager.handle(sid, turn)
        result.fail(f"the call did not finish within {MAX_GOAL_TURNS} caller turns")
        return reply

    def _collect(self, state: CallState, events: list[dict[str, Any]], result: CaseResult) -> None:
        result.outcome, result.reason = state.outcome, reported_reason(state)
        result.intents = list(state.intents)
        # the value the call settled on for each slot: a later request's flow starts with its own slots cleared
        # (store hours asked after a delivery change clears the delivery's date), which undoes nothing done
        # (the first digits of a number said with the request are the number's, not a value of their own)
        settled = {e["slot"]: e["value"] for e in events if e["type"] == "slot" and e["slot"] != NUMBER_BEGUN}
        result.slots = {**settled, **state.slots}
        result.transcript = [{"speaker": who, "text": text} for who, text in transcript(events)]
        result.steps = [(e["flow"], e["step"]) for e in events if e["type"] == "step"]

    def _check_turn(self, i: int, exp: Expect, reply: BotReply, state: CallState | None,
                    events: list[dict[str, Any]], result: CaseResult) -> None:
        last: dict[str, Any] = next((e for e in reversed(events) if e["type"] == "caller"), {})
        if exp.intent is not None and _turn_intent(events) != exp.intent:
            result.fail(f"turn {i}: intent: expected {exp.intent}, got {_turn_intent(events)}")
        if exp.awaiting is not None and reply.expect.awaiting != exp.awaiting:
            result.fail(f"turn {i}: awaiting: expected {exp.awaiting}, got {reply.expect.awaiting}")
        if exp.entities is not None:
            got = last.get("entities", {})
            for k, v in exp.entities.items():
                if not _same(v, got.get(k)):
                    result.fail(f"turn {i}: entity {k}: expected {v}, got {got.get(k)}")
        if exp.emotion is not None and last.get("emotion") != exp.emotion:
            result.fail(f"turn {i}: emotion: expected {exp.emotion}, got {last.get('emotion')}")
        if exp.harassment is not None:
            got_h = last.get("harassment")
            ok = (bool(got_h) == exp.harassment) if isinstance(exp.harassment, bool) else got_h == exp.harassment
            if not ok:
                result.fail(f"turn {i}: harassment: expected {exp.harassment}, got {got_h}")
        self._check_common(f"turn {i}: ", exp, state, events, result, reply.text)

    def _check_call(self, exp: Expect, state: CallState | None, events: list[dict[str, Any]],
                    result: CaseResult) -> None:
        if exp.intent is not None:
            heard = [e.get("intent") for e in events if e["type"] == "caller"]
            if exp.intent not in result.intents and exp.intent not in heard:
                result.fail(f"intent: expected {exp.intent}, got {result.intents or heard}")
        if exp.intents is not None and result.intents != exp.intents:
            result.fail(f"intents: expected {exp.intents}, got {result.intents}")
        said = "".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
        self._check_common("", exp, state, events, result, said, result.slots)

    def _check_common(self, where: str, exp: Expect, state: CallState | None, events: list[dict[str, Any]],
                      result: CaseResult, said: str, settled: Mapping[str, Any] | None = None) -> None:
        """`settled`: the call's slots at its end (see `_collect`); a turn's are those of the state then."""
        outcome = state.outcome if state else None
        if exp.outcome is not None and outcome != exp.outcome:
            result.fail(f"{where}outcome: expected {exp.outcome}, got {outcome}")
        reason = reported_reason(state) if state else None
        if exp.has_reason and reason != exp.reason:
            result.fail(f"{where}reason: expected {exp.reason}, got {reason}")
        if exp.slots is not None:
            slots = settled if settled is not None else state.slots if state else {}
            for k, v in exp.slots.items():
                if not _same(v, slots.get(k)):
                    result.fail(f"{where}slot {k}: expected {v}, got {slots.get(k)}")
        if exp.says is not None:
            for text in [exp.says] if isinstance(exp.says, str) else exp.says:
                if not _said(text, said):
                    result.fail(f"{where}the bot should have said 「{text}」")
        if exp.queue is not None:
            queue = next((e.get("queue") for e in reversed(events) if e["type"] == "handover"), None)
            if queue != exp.queue:
                result.fail(f"{where}queue: expected {exp.queue}, got {queue}")
