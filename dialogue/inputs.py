"""What a voice channel should listen for, derived from what the bot waits for and the bot's entity types."""

from __future__ import annotations

from dialogue.api import InputSpec
from dialogue.bot import Bot
from dialogue.state import AwaitAnythingElse, AwaitConfirm, Awaiting, AwaitMenu, AwaitOffer, AwaitSlot, Done

YES_NO_HINTS = ("はい", "いいえ")


def input_spec(awaiting: Awaiting, bot: Bot) -> InputSpec:
    if isinstance(awaiting, AwaitSlot):
        spec = bot.entities.spec(awaiting.entity)
        flow = bot.flows.get(awaiting.flow)
        step = flow.find(awaiting.step) if flow is not None else None
        dtmf = step.dtmf if step is not None else None
        digits = dtmf.max_digits if dtmf is not None and dtmf.max_digits else (spec.max_digits if spec else None)
        hints = tuple(spec.hints) if spec is not None else ()
        if spec is not None and spec.windows:
            hints = tuple(dict.fromkeys([*hints, *(w.label for w in spec.windows)]))
        return InputSpec(
            awaiting=awaiting.label,
            entity_type=awaiting.entity,
            hints=hints,
            dtmf_max_digits=digits,
            dtmf_finish_key=dtmf.finish_key if dtmf is not None else "#",
        )
    if isinstance(awaiting, AwaitOffer) and awaiting.offer == "language_callback":
        # asked in the caller's language: no Japanese hints; the number to call, or a key (1 yes, 2 no)
        if awaiting.label == "slot:phone_number":
            return InputSpec(awaiting=awaiting.label, entity_type="phone_number", dtmf_max_digits=11)
        return InputSpec(awaiting="confirm", dtmf_max_digits=1)
    if isinstance(awaiting, AwaitConfirm | AwaitOffer):
        return InputSpec(awaiting="confirm", hints=YES_NO_HINTS, dtmf_max_digits=1)
    if isinstance(awaiting, AwaitAnythingElse):
        return InputSpec(awaiting="anything_else", hints=("以上です", "はい", "いいえ"), dtmf_max_digits=1)
    if isinstance(awaiting, AwaitMenu):
        flow = bot.flows.get(awaiting.flow)
        step = flow.find(awaiting.step) if flow is not None else None
        options = {k: o.label for k, o in step.options.items()} if step is not None else {}
        return InputSpec(awaiting=awaiting.label, dtmf_max_digits=1, menu_options=options)
    if isinstance(awaiting, Done):
        return InputSpec(awaiting="none")
    return InputSpec(awaiting="free")
