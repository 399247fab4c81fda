"""The YAML flow language, as pydantic models (see docs/flows.md for the designer's guide)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

STEP_KINDS = (
    "say", "ask", "confirm", "action", "switch", "menu", "set", "handover", "call", "goto_flow", "end", "pay",
)
ENTITY_TYPES = (
    "order_id", "phone_number", "postal_code", "date", "time", "time_window", "store", "product", "amount",
)
FREE_TEXT = ("name", "address", "text")
_TEMPLATE = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_.]*)\}$")


def template_name(value: str) -> str | None:
    """The value an argument reads (`{slot}` or `{result.key}`: "slot", "result.key"); None for a plain string."""
    m = _TEMPLATE.match(value)
    return m.group(1) if m else None
END_OUTCOMES = ("resolved", "ended", "abandoned", "callback_scheduled", "return")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DtmfSpec(_Strict):
    max_digits: int | None = Field(default=None, ge=1, le=32)
    finish_key: str = Field(default="#", pattern=r"^[#*0-9]$")


class MenuOption(_Strict):
    label: str
    intent: str | None = None  # start the flow of this intent
    goto: str | None = None  # or jump to a step of this flow

    @model_validator(mode="after")
    def _one_target(self) -> MenuOption:
        if (self.intent is None) == (self.goto is None):
            raise ValueError("a menu option needs exactly one of 'intent' or 'goto'")
        return self


class HandoverSpec(_Strict):
    reason: Literal["human_request", "emotion", "complex", "repeated_failure", "backend_error", "harassment"]
    queue: str = "general"
    priority: int = 0
    prompt: str | None = None


class PaySpec(_Strict):
    """A card payment by keypad (docs/payments.md): the step's `cases` branch on approved / declined."""

    amount: str  # yen: a number, or a template such as "{balance.amount}"
    currency: str = Field(default="JPY", pattern=r"^[A-Z]{3}$")
    description: str = ""  # what the caller pays for, sent to the gateway with the call's id
    chat: Literal["never", "typed"] = "never"  # typed: chat users may type the digits
    queue: str = "billing"  # where a declined or failed payment is handed over
    max_tries: int = Field(default=3, ge=1, le=5)  # per field, silence included

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: str) -> str:
        if not re.fullmatch(r"[1-9][0-9]{0,8}|\{[A-Za-z_][A-Za-z0-9_.]*\}", v.strip()):
            raise ValueError("a whole number of yen or a template such as '{balance.amount}'")
        return v.strip()


class Step(_Strict):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # exactly one of the kinds below
    say: str | None = None  # prompt key
    ask: str | None = None  # slot name
    confirm: str | None = None  # prompt key of the yes/no question
    action: str | None = None  # backend action name
    switch: str | None = None  # a slot name or `result.key` to branch on
    menu: str | None = None  # prompt key of the DTMF/speech menu
    set: dict[str, str] | None = None  # slot -> value template, e.g. {phone_number: "{caller_phone}"}
    handover: HandoverSpec | None = None
    call: str | None = None  # run another flow, then come back to the next step (e.g. verification)
    goto_flow: str | None = None  # leave this flow for another
    # resolved: request done; return: back to the calling flow; ended/abandoned/callback_scheduled: call over
    end: Literal["resolved", "ended", "abandoned", "callback_scheduled", "return"] | None = None
    pay: PaySpec | None = None  # take a card payment; `cases: {approved: ..., declined: ...}`

    # ask
    entity: str | None = None  # entity type; default: the slot name when it is one
    prompt: str | None = None
    reprompt: str | None = None  # after a no-match
    no_input: str | None = None  # after silence
    max_tries: int = Field(default=3, ge=1, le=10)
    always_ask: bool = False  # ask even when the slot is already filled
    dtmf: DtmfSpec | None = None
    on_fail: str | None = None  # step after max_tries; default: hand over (repeated_failure)
    # the step to go to when the caller leaves the choice to us (「いつでもいいです」「一番早い時間で」「お任せします」)
    no_preference: str | None = None
    # the step to go to when the caller does not know the answer (「郵便番号はちょっとわからないです」); without it
    # the caller is told a person will look it up and handed over
    dont_know: str | None = None
    # confirm
    slot: str | None = None  # the slot a 「いいえ、12345679です」 correction refills
    offer: bool = False  # the question offers something (「SMSでお送りしましょうか」): 大丈夫です declines it
    yes: str | None = None
    no: str | None = None
    # action
    args: dict[str, str] = Field(default_factory=dict)
    save_as: str | None = None
    on_error: str | None = None
    # switch / action results
    cases: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    # menu
    options: dict[str, MenuOption] = Field(default_factory=dict)
    # end
    reason: str | None = None
    anything_else: bool = True  # after `end: resolved`, ask whether there is anything else
    # every step
    next: str | None = None
    interruptible: bool = True  # False: the caller must hear this prompt in full (legal notice)

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        kinds = [k for k in STEP_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(f"step '{self.id}' needs exactly one of {', '.join(STEP_KINDS)} (found {found})")
        if self.switch is not None and not self.cases:
            raise ValueError(f"switch step '{self.id}' needs 'cases'")
        if self.menu is not None and not self.options:
            raise ValueError(f"menu step '{self.id}' needs 'options'")
        if self.pay is not None and set(self.cases) - {"approved", "declined"}:
            raise ValueError(f"pay step '{self.id}': cases are 'approved' and 'declined'")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in STEP_KINDS if getattr(self, k) is not None)

    @property
    def entity_type(self) -> str | None:
        if self.ask is None:
            return None
        return self.entity or (self.ask if self.ask in ENTITY_TYPES else "text")

    def targets(self) -> list[str]:
        """Step ids this step can move to (for validation and graphs)."""
        out = [t for t in (self.next, self.yes, self.no, self.on_error, self.default, self.on_fail,
                                self.no_preference, self.dont_know) if t]
        out.extend(self.cases.values())
        out.extend(o.goto for o in self.options.values() if o.goto)
        return out


class Flow(_Strict):
    flow: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    description: str = ""
    intents: list[str] = Field(default_factory=list)  # intents that start this flow
    slots: list[str] = Field(default_factory=list)  # slots this flow fills (cleared when it starts)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Flow:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"duplicate step id '{step.id}'")
            seen.add(step.id)
        return self

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def find(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def slot_types(self) -> dict[str, str]:
        """Every slot this flow asks, with its entity type."""
        return {s.ask: s.entity_type or "text" for s in self.steps if s.ask is not None}

    def after(self, step: Step) -> str | None:
        """The step that follows `step` when it names no `next`."""
        if step.next:
            return step.next
        idx = self.steps.index(step)
        return self.steps[idx + 1].id if idx + 1 < len(self.steps) else None


def dump_json(flow: Flow) -> dict[str, Any]:
    return flow.model_dump(exclude_defaults=True)
