"""What channels exchange with the dialogue manager: caller turns in, bot replies out.

Channels (ivr/) build `UserTurn`s from their wire format and render `BotReply`s back to it; they know
nothing of flows or NLU internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Channel = Literal["voice", "chat"]
Outcome = Literal["resolved", "transferred", "callback_scheduled", "ended", "abandoned"]
OUTCOMES: tuple[Outcome, ...] = ("resolved", "transferred", "callback_scheduled", "ended", "abandoned")


@dataclass(frozen=True, slots=True)
class Alternative:
    text: str
    confidence: float


# cancelled: the caller pressed * (Twilio ends <Pay> on it); hung_up: the caller hung up during it
PayStatus = Literal["approved", "declined", "error", "abandoned", "cancelled", "hung_up"]


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """A card payment the phone provider took itself (Twilio `<Pay>`, docs/payments.md): how it ended, and
    never more of the card than its last four digits."""

    status: PayStatus
    last4: str | None = None
    approval_code: str | None = None


@dataclass(frozen=True, slots=True)
class UserTurn:
    """One thing the caller did. Exactly one of text / dtmf / payment is set, or `no_input` is True."""

    text: str | None = None
    dtmf: str | None = None
    # ASR n-best; `text` is the top alternative when these are given
    alternatives: tuple[Alternative, ...] = ()
    asr_confidence: float | None = None
    no_input: bool = False  # the caller stayed silent until the timeout
    interrupted: bool = False  # the caller barged in over the previous prompt
    payment: PaymentResult | None = None  # the provider's result of a `pay:` step it collected

    @staticmethod
    def say(text: str) -> UserTurn:
        return UserTurn(text=text)

    @staticmethod
    def keys(digits: str) -> UserTurn:
        return UserTurn(dtmf=digits)


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str  # plain text (chat, and TTS engines without SSML)
    ssml: str | None = None  # voice channel only
    interruptible: bool = True  # False for a notice the caller must hear in full


@dataclass(frozen=True, slots=True)
class InputSpec:
    """What the bot is waiting for, so a voice channel can tune its recogniser and keypad."""

    awaiting: str  # slot:<name> | confirm | anything_else | menu | free | none
    entity_type: str | None = None  # for slot:<name>
    hints: tuple[str, ...] = ()  # speech hints (words the caller is likely to say)
    dtmf_max_digits: int | None = None
    dtmf_finish_key: str = "#"
    menu_options: dict[str, str] = field(default_factory=dict)  # key -> label
    language: str = "ja"  # ISO 639-1: the caller's language, for the recogniser (Gather language="en-US")


@dataclass(frozen=True, slots=True)
class Handover:
    """The conversation leaves the bot: transfer, callback or hang-up."""

    kind: Literal["transfer", "callback", "end"]
    reason: str | None = None
    queue: str | None = None
    priority: int = 0
    case_id: str | None = None


@dataclass(frozen=True, slots=True)
class BotReply:
    prompts: tuple[Prompt, ...]
    expect: InputSpec
    handover: Handover | None = None
    ended: bool = False  # no more turns: the channel closes the call/chat after playing prompts
    outcome: Outcome | None = None
    language: str = "ja"  # ISO 639-1: the language of the prompts (speech synthesis voice, issue 14)
    slow: bool = False  # speak slower with longer pauses: the caller asked, or struggles (kept for the call)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.prompts)


@dataclass(frozen=True, slots=True)
class CallerInfo:
    phone: str | None = None  # caller id (ANI), digits only
    vip: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionStart:
    channel: Channel
    caller: CallerInfo = field(default_factory=CallerInfo)
    now: datetime | None = None  # fixed clock for tests; None = real clock (Asia/Tokyo)
    session_id: str | None = None  # channel-chosen id (e.g. Twilio CallSid); generated when None


@dataclass(frozen=True, slots=True)
class CallView:
    """What a channel or the console may see of a call in progress (not its state)."""

    id: str
    channel: Channel
    started_at: str
    ended: bool
    outcome: str | None
    reason: str | None
    awaiting: str
    intents: tuple[str, ...] = ()
    slots: dict[str, Any] = field(default_factory=dict)
    emotion: str | None = None
    harassment_warnings: int = 0
    case_id: str | None = None
    last_heard: str | None = None


class SessionNotFound(KeyError):
    """A turn for a conversation the manager does not know (expired, or never started)."""


class Conversations(Protocol):
    """The one seam between channels and the dialogue manager (Rasa hands channels one callback)."""

    async def start(self, start: SessionStart) -> tuple[str, BotReply]: ...
    async def handle(self, session_id: str, turn: UserTurn) -> BotReply: ...
    async def hangup(self, session_id: str) -> None: ...
    async def view(self, session_id: str) -> CallView | None: ...
    async def live(self) -> list[CallView]: ...
    async def events(self, session_id: str) -> list[dict[str, Any]]: ...
    async def case_note(self, case_id: str) -> dict[str, Any] | None: ...
    async def case_notes(self, limit: int = 100) -> list[dict[str, Any]]: ...
