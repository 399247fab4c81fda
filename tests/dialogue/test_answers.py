"""Callers' answers at each kind of open question, and the action each must give (tables in answers/).

The tables were written by an outside writer from SPEC.md and the notes on Japanese answers alone
(answers/README.md); each row runs the real NLU and the pure interpretation with the question the sample
bot would have open, built from the bot's own flows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dialogue.bot import Bot, load_bot
from dialogue.interpret import (
    Action,
    Correct,
    Fill,
    Heard,
    MenuChoice,
    No,
    Request,
    Simple,
    Yes,
    interpret,
    rest_of,
)
from dialogue.question import question_for
from dialogue.state import (
    AwaitAnythingElse,
    AwaitConfirm,
    AwaitFree,
    Awaiting,
    AwaitMenu,
    AwaitOffer,
    AwaitSlot,
    CallState,
    Position,
    frozen,
)
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

TABLES = Path(__file__).parent / "answers"
DEFAULT_NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TOKYO)
# the sample bot's step that asks each slot: (flow, step), and the flow that calls it, if any
ASKED_AT: dict[str, tuple[str, str, str | None]] = {
    "order_id": ("verify_order", "ask_order", "delivery_change"),
    "phone_number": ("verify_order", "ask_phone", "delivery_change"),
    "date": ("delivery_change", "ask_date", None),
    "time_window": ("delivery_change", "ask_time", None),
    "time": ("callback_request", "ask_time", None),
    "postal_code": ("address_change", "ask_postal", None),
    "address": ("address_change", "ask_address", None),
    "store": ("store_hours", "ask_store", None),
    "product": ("product_availability", "ask_product", None),
    "name": ("callback_request", "ask_name", None),
}
CONFIRMED_AT: dict[str, tuple[str, str]] = {
    "order_id": ("verify_order", "ask_order"),
    "phone_number": ("verify_order", "ask_phone"),
    "date": ("delivery_change", "confirm_change"),
    "time_window": ("delivery_change", "confirm_change"),
}


def _rows() -> list[Any]:
    yaml = YAML(typ="safe")
    rows = []
    for path in sorted(TABLES.glob("*.yaml")):
        for i, row in enumerate(yaml.load(path.read_text(encoding="utf-8"))):
            said = row.get("say", row.get("dtmf"))
            rows.append(pytest.param(row, id=f"{path.stem}-{i}-{said}"))
    return rows


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


def _step_id(bot: Bot, flow: str, wanted: str, slot: str) -> str:
    steps = bot.flows[flow].steps
    found = next((s.id for s in steps if s.id == wanted), None)
    # a slot no sample flow asks (a caller's name) is asked at a step of that name
    return found or next((s.id for s in steps if s.ask == slot), wanted)


def _awaiting(bot: Bot, q: dict[str, Any]) -> tuple[Awaiting, tuple[Position, ...], dict[str, Any]]:
    kind = q["kind"]
    if kind == "slot":
        flow, step, caller = ASKED_AT[q["slot"]]
        entity = bot.flows[flow].slot_types().get(q["slot"], q["slot"])
        stack = (Position(caller, "after_verification", call=True),) if caller else ()
        return AwaitSlot(flow, _step_id(bot, flow, step, q["slot"]), q["slot"], entity), stack, {}
    if kind == "confirm":
        flow, step = CONFIRMED_AT[q["slot"]]
        return AwaitConfirm(flow, step, q["slot"]), (), {q["slot"]: q["value"]}
    if kind == "offer" and q["offer"] == "cancel":
        return AwaitConfirm("cancel_order", "confirm_cancel"), (), {"order_id": "23456789"}
    if kind == "offer":
        return AwaitOffer(q["offer"], intent=q.get("intent"), reason="human_request"), (), {}
    if kind == "anything_else":
        return AwaitAnythingElse(), (), {}
    if kind == "menu":
        return AwaitMenu("main_menu", "welcome"), (), {}
    return AwaitFree(), (), {}


def _matches(expect: dict[str, Any], got: Action) -> bool:
    action, values = expect["action"], expect.get("values") or {}

    def has(found: Any) -> bool:
        return all(str(found.get(k)) == str(v) for k, v in values.items())

    match action:
        case "fill" if "menu" in values:
            return isinstance(got, MenuChoice) and got.key == str(values["menu"])
        case "fill":
            return isinstance(got, Fill) and has(got.values)
        case "yes":
            return isinstance(got, Yes) and has(got.values)
        case "no":
            intent = expect.get("intent")
            return isinstance(got, No) and has(got.values) and (intent is None or got.intent == intent)
        case "correct":
            return isinstance(got, Correct) and has(got.values)
        case "request" if expect["intent"] == "out_of_scope":
            return got == Simple("unclear", out_of_scope=True)  # understood, and told it is not for this line
        case "request":
            return isinstance(got, Request) and got.intent == expect["intent"] and has(got.prefill)
        case "operator":
            return (isinstance(got, Request) and got.intent == "operator_request") or got == MenuChoice("0")
    return isinstance(got, Simple) and got.kind == action


@pytest.mark.parametrize("row", _rows())
def test_answer_means_what_the_caller_meant(row: dict[str, Any], bot: Bot, nlu: NLU) -> None:
    awaiting, stack, known = _awaiting(bot, row["question"])
    state = CallState(id="table", channel="voice", started_at=DEFAULT_NOW.isoformat(), awaiting=awaiting,
                      stack=stack, slots=frozen(known))
    now = datetime.fromisoformat(row["now"]) if row.get("now") else DEFAULT_NOW
    if "dtmf" in row:
        heard = Heard(digits=str(row["dtmf"]))
    else:
        parse = nlu.parse(str(row["say"]), now)
        heard = Heard(parse=parse, rest=rest_of(nlu, parse, now))
    got = interpret(question_for(replace(state), bot), heard, bot.entities)
    assert _matches(row["expect"], got), f"{row['say'] if 'say' in row else row['dtmf']!r}: expected {row['expect']}, got {got}"


def test_every_table_has_at_least_twenty_rows() -> None:
    yaml = YAML(typ="safe")
    for path in TABLES.glob("*.yaml"):
        assert len(yaml.load(path.read_text(encoding="utf-8"))) >= 20, path.name
