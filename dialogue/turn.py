"""One turn in progress: the state so far, the events it added, the prompts to say, the reply to send."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dialogue.answer_words import BEREAVED
from dialogue.api import BotReply, Handover, Prompt
from dialogue.bot import Bot
from dialogue.events import BotSaid, Event, Replied, apply
from dialogue.inputs import input_spec
from dialogue.state import CallState


@dataclass
class Turn:
    """Emitting an event is the only way to change `state`; the manager appends `events` to the log."""

    state: CallState
    bot: Bot
    now: datetime
    events: list[Event] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    handover: Handover | None = None
    card_payments: bool = False  # a payment gateway is configured: flows may offer `pay:` steps
    agents_open: bool = True  # the general queue takes calls now: flows may offer a person (`switch: agents`)

    def emit(self, *events: Event) -> None:
        for event in events:
            self.state = apply(self.state, event)
            self.events.append(event)

    def values(self) -> dict[str, Any]:
        """What prompt templates and action arguments may name."""
        s = self.state
        return {
            **s.slots,
            "result": dict(s.results),
            **s.results,
            "caller_phone": s.caller_phone or "",
            "callback_reason": s.callback_reason or "",
            "channel": s.channel,  # `switch: channel`: voice and chat may take different paths
            "card_payments": self.card_payments,
            "agents": "open" if self.agents_open else "closed",
            "heard": s.last_heard or "",  # the caller's last words (「ケトルの方です」: the order they mean)
        }

    def say(self, key: str, interruptible: bool = True, **extra: Any) -> None:
        key = self.localized(key)
        values = {**self.values(), **extra}
        rotation = self.state.caller_turns + len(self.prompts)  # vary the wording, reproducibly
        prompt = self.bot.prompts.render(key, self.state.channel, values, turn=rotation,
                                         interruptible=interruptible)
        self.prompts.append(prompt)
        self.emit(BotSaid(prompt.text, key))

    def say_condolence(self) -> None:
        """Sympathy before anything else (see `for_grief`)."""
        self.say(self.for_grief("distress_condolence", "grief_condolence"))

    def for_grief(self, key: str, grief_key: str) -> str:
        """`grief_key` (「ご愁傷様でございます」) for a caller who has just told of a death in the family, where the
        bot has that line in the caller's language; else `key` (「大変でございましたね」, said to any distress)."""
        if BEREAVED.search(self.state.last_heard or "") is None:
            return key
        localized = self.localized(grief_key)
        has = self.bot.prompts.has(localized) and (localized != grief_key or self.state.language == "ja")
        return grief_key if has else key

    def localized(self, key: str) -> str:
        """`<key>_<language>` where the designers wrote the prompt in the caller's language."""
        language = self.state.language
        if language != "ja" and self.bot.prompts.has(f"{key}_{language}"):
            return f"{key}_{language}"
        return key

    def say_text(self, prompt: Prompt, key: str) -> None:
        self.prompts.append(prompt)
        self.emit(BotSaid(prompt.text, key))

    def reply(self) -> BotReply:
        self.emit(Replied(tuple(p.text for p in self.prompts)))
        s = self.state
        return BotReply(
            prompts=tuple(self.prompts),
            expect=replace(input_spec(s.awaiting, self.bot), language=s.language),
            handover=self.handover,
            ended=s.ended,
            outcome=s.outcome if s.ended else None,  # type: ignore[arg-type]
            language=s.language,
            slow=s.slow,
        )
