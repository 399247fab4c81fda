"""Every conversation ends with a case note (call centers document every contact)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from dialogue.bot import Bot
from dialogue.escalation.case_note import ConversationRecord, HarassmentEvent, build_case_note
from dialogue.payments import payment_note
from dialogue.signals import trajectory
from dialogue.state import CallState
from dialogue.store import SessionStore

Log = Sequence[Mapping[str, Any]]


def transcript(events: Log) -> list[tuple[str, str]]:
    return [(str(e["type"]), str(e.get("text", ""))) for e in events if e["type"] in ("caller", "bot") and e.get("text")]


def record_of(state: CallState, events: Log, *, history: Mapping[str, Any] | None = None,
              flagged: bool = False) -> ConversationRecord:
    return ConversationRecord(
        session_id=state.id,
        channel=state.channel,
        caller_phone=state.caller_phone,
        started_at=datetime.fromisoformat(state.started_at),
        # a request said in the same breath and not reached yet is the agent's to serve too
        intents=[*state.intents, *(str(r["intent"]) for r in state.later if r.get("intent") not in (None, *state.intents))],
        slots={**state.slots, **payment_note(state)},  # a payment in words, never the card (docs/payments.md)
        trajectory=trajectory(_readings(events)),
        outcome=state.outcome or "abandoned",
        reason=state.reason,
        rule=state.rule,
        decision_why=state.decision_why,
        transcript=[("caller" if who == "caller" else "bot", text) for who, text in transcript(events)],
        harassment_events=_harassment_events(events),
        problem=problem_of(events),
        history=history,
        flagged=flagged,
    )


_NOT_PROBLEMS = frozenset({"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope",
                           "operator_request", "callback_request"})
_MIN_PROBLEM_CHARS = 6  # 「配送の件」 names a topic; a problem takes a few more words


def problem_of(events: Log) -> str | None:
    """The caller's words that made the request (「買ったケトルから水が漏れるんです」): the first turn the bot
    acted on as a request, typed or said at some length (a slot answer or a key press is no problem)."""
    for e in events:
        if e["type"] != "caller" or e.get("dtmf") or e.get("intent") in _NOT_PROBLEMS or not e.get("intent"):
            continue
        text = str(e.get("text") or "").strip()
        if len(text) >= _MIN_PROBLEM_CHARS:
            return text
    return None


def _readings(events: Log) -> list[Mapping[str, Any]]:
    """Every emotion reading of the call, marked failed where the bot did not understand that turn."""
    out: list[Mapping[str, Any]] = []
    for e in events:
        if e["type"] == "emotion":
            out.append(dict(e["reading"]))
        elif e["type"] == "no_match" and out:
            out[-1] = {**out[-1], "failed": True}
    return out


def _harassment_events(events: Log) -> list[HarassmentEvent]:
    out: list[HarassmentEvent] = []
    turn = 0
    for i, e in enumerate(events):
        if e["type"] != "caller":
            continue
        turn += 1
        if e.get("harassment"):
            # what the bot did is the escalation event logged right after this caller turn
            action = next((x.get("action") for x in events[i + 1 : i + 4] if x["type"] == "escalation"), None)
            out.append(HarassmentEvent(turn, e["harassment"], 1.0, str(e.get("text", "")), action))
    return out


TOPIC_PREFIX = "summary_topic_"


def wording(bot: Bot) -> tuple[dict[str, str], dict[str, str]]:
    """From the bot's data: display names of ids (entities/*.yaml) and the summary's word for each request
    (prompts `summary_topic_<intent>`)."""
    # raw templates, not rendered: their placeholders ({order}, {store}) are the summary's, not a prompt's
    topics = {key[len(TOPIC_PREFIX):]: _raw(bot, key) for key in bot.prompts.templates if key.startswith(TOPIC_PREFIX)}
    return bot.entities.names(), topics


def intent_labels(bot: Bot) -> dict[str, str]:
    """Each request in an agent's words (prompts `label_<intent>`: 「ご注文の配送状況」)."""
    return dict(bot.labels)


def _raw(bot: Bot, key: str) -> str:
    variants = bot.prompts.templates[key]
    texts = variants.get("any") or variants.get("chat") or next(iter(variants.values()))
    return texts[0]


async def save_case_note(store: SessionStore, state: CallState, events: Log, bot: Bot | None = None, *,
                         history: Mapping[str, Any] | None = None, flagged: bool = False) -> None:
    """The call's case note; `history` (dialogue.crm.Repeat.to_json) and `flagged` come from the contact
    history when the dialogue manager has one."""
    names, topics = wording(bot) if bot is not None else ({}, {})
    labels = intent_labels(bot) if bot is not None else {}
    note = build_case_note(record_of(state, events, history=history, flagged=flagged), names=names, topics=topics,
                           labels=labels).to_json()
    note["case_id"] = state.case_id
    await store.save_case(state.case_id or state.id, note)
