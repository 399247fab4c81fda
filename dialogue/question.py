"""What interpretation is told about the open question, read off the call state and the bot."""

from __future__ import annotations

import re

from dialogue.bot import Bot
from dialogue.interpret import Question
from dialogue.state import AwaitConfirm, AwaitMenu, AwaitSlot, CallState, callers


def question_for(state: CallState, bot: Bot) -> Question:
    """The open question and the slots of the request it belongs to (a called flow's caller included)."""
    aw = state.awaiting
    position = state.position
    flow = bot.flows.get(position.flow) if position is not None else None
    routable = frozenset(bot.by_intent)
    if flow is None or isinstance(aw, AwaitMenu):
        # no request yet: any entity the bot knows is kept for the request to come
        menu_keys: frozenset[str] = frozenset()
        if isinstance(aw, AwaitMenu) and flow is not None:
            step = flow.find(aw.step)
            menu_keys = frozenset(step.options) if step is not None else frozenset()
        slot_types = {etype: etype for etype in bot.entities.specs}
        last_intent, last_types = _last_served(state, bot)
        return Question(aw, slot_types, state.slots, frozenset(), routable, menu_keys, bot.operator_keys,
                        bot.entities.suggestions(), bot.labels, caller_phone=state.caller_phone, served=state.resolved > 0,
                        spoken=state.channel == "voice", last_intent=last_intent, last_types=last_types)
    # a slot the flow keeps but never asks, named as an entity (callback_request's time_window: 「明日の午前中」 at
    # 「ご希望の日にちは」 says the part of the day too) is taken when said
    slot_types = {**{s: s for s in flow.slots if s in bot.entities.specs}, **flow.slot_types()}
    intents = set(flow.intents)
    for below in callers(state.stack):
        # verification fills the slots of the flow that called it too (a date said at the phone step)
        caller = bot.flows.get(below.flow)
        if caller is None:
            break
        slot_types = {**caller.slot_types(), **slot_types}
        intents |= set(caller.intents)
    last_intent, last_types = _last_served(state, bot)
    step = flow.find(aw.step) if isinstance(aw, AwaitSlot) else None
    confirm = flow.find(aw.step) if isinstance(aw, AwaitConfirm) else None
    after_no = flow.find(confirm.no) if confirm is not None and confirm.no else None
    return Question(aw, slot_types, state.slots, frozenset(intents), routable, operator_keys=bot.operator_keys,
                    labels=bot.labels,
                    caller_phone=state.caller_phone, served=state.resolved > 0, spoken=state.channel == "voice",
                    last_intent=last_intent, last_types=last_types,
                    open_choice=step is not None and step.no_preference is not None,
                    no_mends=after_no is not None and after_no.ask is not None)


_SLOT_ARG = re.compile(r"\{(\w+)\}")


def _last_served(state: CallState, bot: Bot) -> tuple[str | None, frozenset[str]]:
    """The request served last in this call and the entity types its flow asks for."""
    if state.resolved == 0 or not state.intents:
        return None, frozenset()
    intent = state.intents[-1]
    name = bot.by_intent.get(intent)
    flow = bot.flows.get(name) if name is not None else None
    if flow is None:
        return None, frozenset()
    # what it asks, and what it takes when said: its own slots (store_hours `slots: [date]`: 「土曜日は？」 after the
    # hours) and the slots its actions are told (product_stock's "{store}": 「じゃあ梅田店は？」 after the stock)
    types = set(flow.slot_types().values()) | set(flow.slots)
    types |= {m.group(1) for step in flow.steps for arg in step.args.values() for m in _SLOT_ARG.finditer(arg)}
    for step in flow.steps:  # the order number is asked by the verification flow it calls
        called = bot.flows.get(step.call) if step.call else None
        if called is not None:
            types |= set(called.slot_types().values())
    return intent, frozenset(types)
