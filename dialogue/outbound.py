"""Outbound work the bot promised: callbacks at the agreed time and proactive notices (a late delivery).

What a job is, when it may go out (quiet hours, holidays, retries) and what a finished call promised. Jobs
are kept beside the conversations (dialogue/outbox_sql.py), so they survive a restart and each is claimed
by one worker; the dialer itself is a channel (ivr/outbound_channel.py).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, Protocol

import jpholiday

from dialogue.bot import Bot
from dialogue.clock import TOKYO
from dialogue.state import CallState

Kind = Literal["callback", "notice_voice", "notice_sms"]
Status = Literal["due", "dialing", "done", "failed", "cancelled"]
CALL_FROM = time(9, 0)  # quiet hours: never before 9:00 ...
CALL_UNTIL = time(20, 0)  # ... nor from 20:00, Japan time
RETRY_AFTER = timedelta(minutes=30)  # a number that did not answer is tried again this much later
MAX_ATTEMPTS = 3
STALE_CLAIM = timedelta(minutes=10)
ON_TIME = timedelta(minutes=15)  # a caller's chosen time still counts as "asked" this long after it  # a claim with no call placed (the worker died): claimable again
NO_REQUEST = frozenset({"callback_request", "greet", "thanks", "goodbye", "affirm", "deny", "repeat",
                        "out_of_scope", "operator_request"})


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: Kind
    to: str  # E.164: +819012345678
    due_at: datetime  # aware
    topic: str = ""  # 先日お問い合わせいただいた{topic}の件で
    queue: str = "general"
    message: str = ""  # a notice's text (SMS body, or what a notice call says)
    conversation_id: str | None = None
    asked: bool = False  # the caller chose this time: quiet hours and holidays do not move it
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    status: Status = "due"
    outcome: str | None = None  # connected | voicemail | sent | no-answer | busy | failed | unreachable
    call_sid: str | None = None
    claimed_at: datetime | None = None
    updated_at: datetime | None = None


def new_job(kind: Kind, to: str, due_at: datetime, **more: Any) -> Job:
    if due_at.tzinfo is None:
        raise ValueError("due_at needs a timezone")
    number = e164(to)
    if number is None:
        raise ValueError(f"{to!r} is not a phone number")
    return Job(id=uuid.uuid4().hex, kind=kind, to=number, due_at=due_at, **more)


def e164(phone: str | None) -> str | None:
    """A Japanese number as Twilio dials it: 090-1234-5678 -> +819012345678; +E.164 kept."""
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    if digits.startswith("0") and len(digits) in (10, 11):
        return "+81" + digits[1:]
    return None


def is_holiday(day: date) -> bool:
    return bool(jpholiday.is_holiday(day))


def callable_at(moment: datetime, *, asked: bool = False) -> datetime:
    """The first moment at or after `moment` when a call may be placed: 9:00-20:00 Japan time, not on a
    national holiday, unless the caller asked for that very time."""
    if asked:
        return moment
    local = moment.astimezone(TOKYO)
    for _ in range(40):  # Golden Week and the new year are the longest runs of holidays
        if is_holiday(local.date()) or local.time() >= CALL_UNTIL:
            local = datetime.combine(local.date() + timedelta(days=1), CALL_FROM, TOKYO)
            continue
        if local.time() < CALL_FROM:
            local = datetime.combine(local.date(), CALL_FROM, TOKYO)
            continue
        return local
    return local


def topic_of(state: CallState, bot: Bot) -> str:
    """What the caller had asked about, in the words of the bot's prompts (`outbound_topic_<intent>`)."""
    for intent in state.intents:
        key = f"outbound_topic_{intent}"
        if intent not in NO_REQUEST and bot.prompts.has(key):
            return bot.prompts.render(key, "chat", {}).text
    return bot.prompts.render("outbound_topic_default", "chat", {}).text if bot.prompts.has(
        "outbound_topic_default") else "お問い合わせ"


def callback_job(state: CallState, bot: Bot, now: datetime, queue: str = "general") -> Job | None:
    """The call a finished conversation promised (`callback_request` flow: phone_number, date, time)."""
    # the callback as agreed, not the slots at the end of the call: a later request may have its own date
    agreed = state.callback if state.callback is not None else {
        k: state.slots.get(slot) for k, slot in (("phone", "phone_number"), ("date", "date"), ("time", "time"))}
    number = e164(str(agreed.get("phone") or state.caller_phone or ""))
    if number is None:
        return None
    asked = False
    due = now
    try:
        day, hour = agreed.get("date"), agreed.get("time")
        if day:
            due = datetime.fromisoformat(f"{day}T{hour or '10:00'}").replace(tzinfo=TOKYO)
            asked = bool(hour)
    except ValueError:
        due = now
    return Job(id=f"cb-{state.id}", kind="callback", to=number, due_at=callable_at(due, asked=asked),
               topic=topic_of(state, bot), queue=queue, conversation_id=state.id, asked=asked)


def delivery_delay_notice(bot: Bot, phone: str, order_id: str, new_date: str, now: datetime, *,
                          by: Literal["sms", "voice"] = "sms") -> Job:
    """A proactive notice that an order will arrive late (prompt `notice_delivery_delay`), by SMS or a call,
    sent at the first moment outside quiet hours."""
    company = bot.prompts.render("company_name", "chat", {}).text if bot.prompts.has("company_name") else ""
    text = bot.prompts.render("notice_delivery_delay", "chat",
                              {"company": company, "order_id": order_id, "date": new_date}).text
    if by == "voice":
        text = re.sub(r"^【[^】]*】", "", text)  # a text message's sender tag is not read out
    return new_job("notice_sms" if by == "sms" else "notice_voice", phone, callable_at(now), message=text,
                   topic="ご注文のお届け")


class Outbox(Protocol):
    async def add(self, job: Job) -> bool:
        """Keep a job; False when one with its id is already kept (a promise is booked once)."""
    async def claim_due(self, now: datetime, limit: int = 10) -> list[Job]:
        """Due jobs (and stale claims), marked `dialing` with one more attempt, each to one caller only."""
    async def update(self, job_id: str, **changes: Any) -> Job | None: ...
    async def get(self, job_id: str) -> Job | None: ...
    async def jobs(self, status: Status | None = None) -> list[Job]: ...
    async def close(self) -> None: ...


def postponed(job: Job, now: datetime) -> datetime | None:
    """When a claimed job may not go out now (quiet hours, a holiday, the caller's chosen time long past
    because no worker ran): the first moment it may; None when it may go now."""
    asked = job.asked and job.attempts <= 1 and now - job.due_at <= ON_TIME
    allowed = callable_at(now, asked=asked)
    return None if allowed <= now else allowed


async def settle_attempt(outbox: Outbox, job: Job, outcome: str, now: datetime) -> Job | None:
    """A call ended without reaching anyone (no-answer, busy, failed): later within quiet hours, or given
    up as `unreachable` after the last attempt."""
    if job.attempts >= job.max_attempts:
        return await outbox.update(job.id, status="failed", outcome="unreachable", call_sid=None)
    return await outbox.update(job.id, status="due", outcome=outcome, call_sid=None,
                               due_at=callable_at(now + RETRY_AFTER))
