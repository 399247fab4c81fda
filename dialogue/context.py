"""What one turn builds up: the prompts to say, what to wait for, and whether the call leaves the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogue.api import BotReply, Handover, InputSpec, Prompt
from dialogue.bot import Bot
from dialogue.session import SessionState


@dataclass
class TurnContext:
    state: SessionState
    bot: Bot
    now: datetime
    prompts: list[Prompt] = field(default_factory=list)
    expect: InputSpec | None = None
    handover: Handover | None = None

    def values(self) -> dict[str, Any]:
        """What prompt templates and action arguments may name."""
        s = self.state
        return {
            **s.slots,
            "result": s.results,
            **s.results,
            "caller_phone": s.caller_phone or "",
            "callback_reason": s.pending.get("callback_reason") or "",
        }

    def say(self, key: str, interruptible: bool = True, **extra: Any) -> None:
        values = {**self.values(), **extra}
        turn = len(self.state.events)
        prompt = self.bot.prompts.render(key, self.state.channel, values, turn=turn, interruptible=interruptible)
        self.prompts.append(prompt)
        self.state.log("bot", self.now, text=prompt.text, prompt=key)

    def reply(self) -> BotReply:
        s = self.state
        if self.prompts:
            s.last_prompts = [p.text for p in self.prompts]
        expect = self.expect or InputSpec(awaiting="none" if s.ended else s.awaiting)
        return BotReply(
            prompts=tuple(self.prompts),
            expect=expect,
            handover=self.handover,
            ended=s.ended,
            outcome=s.outcome if s.ended else None,  # type: ignore[arg-type]
        )
