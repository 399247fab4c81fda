"""Quality checks on every contact (issue 16): a record in, a score with its evidence out.

Pure functions over records in the shared schema (dialogue.records): nothing here reads a store. Each
rule of the protocol (dialogue.qa_rules) is one small function that returns the turns that broke it;
a rule that does not apply to a contact (no disclosure, no complaint, no timestamps) returns None and
is not counted. Score = 100 minus the penalty of every rule broken (once per rule), floored at 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue.qa_rules import Protocol, any_of, load_protocol
from dialogue.qa_turns import Turn, caller_signals, label_of, slots_of, turns_of

BOT_SIDE = frozenset({"bot", "agent"})
_JAPANESE = re.compile(r"[\u3041-\u30ff]")  # kana: Chinese and English turns are no Japanese register
_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_ASIDE = re.compile(r"[（(][^）)]*[）)]|「[^」]*」|『[^』]*』")  # quoted examples, not the speaker's own ending
_TRAILING = re.compile(r"[\s、,.．…〜~♪☆★・!！?？」』）)\]]+$")


@dataclass(frozen=True, slots=True)
class Evidence:
    rule: str
    turn: int | None
    speaker: str | None
    text: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "turn": self.turn, "speaker": self.speaker, "text": self.text, "why": self.why}


@dataclass(frozen=True, slots=True)
class ContactScore:
    conversation_id: str
    started_at: str | None
    channel: str | None
    agent: str | None
    flow: str | None
    score: int
    passed: bool
    checked: tuple[str, ...]  # the rules that applied to this contact
    failed: tuple[Evidence, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "started_at": self.started_at, "channel": self.channel,
                "agent": self.agent, "flow": self.flow, "score": self.score, "passed": self.passed,
                "checked": list(self.checked), "failed": [e.to_json() for e in self.failed]}


Found = list[Evidence] | None  # None: the rule did not apply to this contact
Rule = Callable[[Mapping[str, Any], list[Turn]], Found]


class Checker:
    """A protocol compiled once; `check` scores one record."""

    def __init__(self, protocol: Protocol | None = None) -> None:
        self.protocol = protocol or load_protocol()
        p = self.protocol
        self.rules: list[tuple[str, int, Rule]] = []
        if p.greeting:
            self._greet = {who: any_of(ph) for who, ph in p.greeting.phrases.items()}
            self.rules.append(("greeting", p.greeting.penalty, self._greeting))
        if p.closing:
            self._close = any_of(p.closing.phrases + p.closing.handover_phrases)
            self._close_exempt = any_of(p.closing.not_needed_after)
            self.rules.append(("closing", p.closing.penalty, self._closing))
        if p.identity:
            self._disclose = any_of(p.identity.disclosure)
            self._id_request = any_of(p.identity.request)
            self._id_failed = any_of(p.identity.failed)
            self.rules.append(("identity", p.identity.penalty, self._identity))
        if p.apology:
            self._sorry = any_of(p.apology.phrases)
            self._complaint = any_of(p.apology.complaint_cues)
            self._abuse_reply = any_of(p.apology.abuse_replies)
            self.rules.append(("apology", p.apology.penalty, self._apology))
        if p.bare_refusal:
            self._refusal = any_of(p.bare_refusal.refusals)
            self._alternative = any_of(p.bare_refusal.alternatives)
            self.rules.append(("bare_refusal", p.bare_refusal.penalty, self._bare_refusal))
        if p.plain_speech:
            polite = "|".join(f"(?:{e})" for e in p.plain_speech.polite_endings)
            self._polite = re.compile(f"(?:{polite})$")
            self._set_phrases = frozenset(p.plain_speech.set_phrases)
            self.rules.append(("plain_speech", p.plain_speech.penalty, self._plain_speech))
        if p.blame:
            self._blame = any_of(p.blame.expressions)
            self.rules.append(("blame", p.blame.penalty, self._blame_rule))
        if p.hold:
            self._hold_phrase = any_of(p.hold.phrases)
            self.rules.append(("hold", p.hold.penalty, self._hold))
        if p.silence:
            self.rules.append(("silence", p.silence.penalty, self._silence))

    # -- scoring ---------------------------------------------------------------------------------
    def check(self, record: Mapping[str, Any]) -> ContactScore:
        turns = turns_of(record)
        score, checked, failed = 100, [], []
        for name, penalty, rule in self.rules:
            found = rule(record, turns)
            if found is None:
                continue
            checked.append(name)
            if found:
                score -= penalty
                failed.extend(found)
        score = max(0, score)
        intents = record.get("intents") or []
        return ContactScore(
            conversation_id=str(record.get("conversation_id") or ""), started_at=record.get("started_at"),
            channel=record.get("channel"), agent=record.get("agent"), flow=intents[0] if intents else None,
            score=score, passed=score >= self.protocol.pass_score, checked=tuple(checked), failed=tuple(failed))

    def check_all(self, records: Iterable[Mapping[str, Any]]) -> list[ContactScore]:
        return [self.check(r) for r in records]

    # -- rules -----------------------------------------------------------------------------------
    def _greeting(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        out: list[Evidence] = []
        seen: set[str] = set()
        for t in turns:
            if t.speaker in seen or t.speaker not in self._greet:
                continue
            seen.add(t.speaker)
            pattern = self._greet[t.speaker]
            if pattern is not None and not pattern.search(t.text):
                out.append(Evidence("greeting", t.index, t.speaker, t.text, "first words lack the company greeting"))
        return out if seen else None

    def _closing(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        assert self.protocol.closing is not None
        ours = [t for t in turns if t.speaker in BOT_SIDE]
        if not ours or record.get("outcome") in self.protocol.closing.not_needed_outcomes:
            return None
        last = ours[-1]
        if turns[-1].speaker not in BOT_SIDE or (self._close_exempt and self._close_exempt.search(last.text)):
            return None  # the caller left while spoken to: nobody could close
        if self._close and self._close.search(last.text):
            return []
        return [Evidence("closing", last.index, last.speaker, last.text, "last words lack a closing phrase")]

    def _identity(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        spec = self.protocol.identity
        assert spec is not None
        if spec.channels is not None and record.get("channel") not in spec.channels:
            return None
        slots = slots_of(record)
        verified = str(slots.get(spec.verified_slot, "")).lower() in ("true", "1", "yes")
        verified = verified and slots.get(spec.verified_by_slot) in (*spec.verified_at_start, None)
        disclosed, out = False, []
        asked = answered = False
        # a caller who gave the registered number before it was asked (「12345678、電話は090…」) verified too
        phone = re.sub(r"\D", "", str(slots.get("phone_number") or ""))
        for t in turns:
            if t.speaker == "caller":
                answered = answered or asked or (_verified_by_what_was_said(spec, slots) and len(phone) >= 10
                                                 and phone in re.sub(r"\D", "", unicodedata.normalize("NFKC", t.text)))
                asked = False
                continue
            if t.speaker not in BOT_SIDE:
                continue
            if self._id_failed and self._id_failed.search(t.text):
                answered = False
            if self._id_request and self._id_request.search(t.text):
                asked = True
            if self._disclose and self._disclose.search(t.text):
                disclosed = True
                if not (verified or answered):
                    out.append(Evidence("identity", t.index, t.speaker, t.text,
                                        "order details disclosed before the caller was verified"))
        return out if disclosed else None

    def _complained(self, t: Turn, raw: Mapping[str, Any]) -> bool:
        spec = self.protocol.apology
        assert spec is not None
        if raw.get("harassment"):
            return False
        if raw.get("intent") in spec.complaint_intents or label_of(raw.get("emotion")) in spec.complaint_emotions:
            return True
        return bool(self._complaint and self._complaint.search(t.text))

    def _apology(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        spec = self.protocol.apology
        assert spec is not None
        signals = caller_signals(record, turns)
        complaints, out = 0, []
        for k, t in enumerate(turns):
            if t.speaker != "caller" or not self._complained(t, signals[t.index]):
                continue
            replies = [r for r in turns[k + 1:] if r.speaker in BOT_SIDE][: spec.within_replies]
            if replies and self._abuse_reply and self._abuse_reply.search(replies[0].text):
                continue  # abuse is warned, not apologised for
            complaints += 1
            if replies and not any(self._sorry and self._sorry.search(r.text) for r in replies):
                out.append(Evidence("apology", t.index, t.speaker, t.text,
                                    f"no apology in the next {len(replies)} replies to a complaint"))
        return out if complaints else None

    def _bare_refusal(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        refused, out = False, []
        for k, t in enumerate(turns):
            if t.speaker not in BOT_SIDE or not (self._refusal and self._refusal.search(t.text)):
                continue
            refused = True
            after = turns[k + 1] if k + 1 < len(turns) else None
            offered = [t] + ([after] if after is not None and after.speaker == t.speaker else [])
            if not any(self._alternative and self._alternative.search(x.text) for x in offered):
                out.append(Evidence("bare_refusal", t.index, t.speaker, t.text, "「できません」 with no alternative offered"))
        return out if refused else None

    def plain_sentences(self, text: str) -> list[str]:
        """The sentences of a turn that end in plain form (タメ口)."""
        out = []
        for sentence in _SENTENCE_END.split(_ASIDE.sub("", text)):
            s = _TRAILING.sub("", sentence.strip())
            if not _JAPANESE.search(s):
                continue  # タメ口 is a Japanese register: an English turn (served in English) has none
            if s and s not in self._set_phrases and not self._polite.search(s):
                out.append(s)
        return out

    def _plain_speech(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        ours = [t for t in turns if t.speaker in BOT_SIDE]
        out = []
        for t in ours:
            plain = self.plain_sentences(t.text)
            if plain:
                out.append(Evidence("plain_speech", t.index, t.speaker, t.text, f"plain-form ending: 「{plain[0]}」"))
        return out if ours else None

    def _blame_rule(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        ours = [t for t in turns if t.speaker in BOT_SIDE]
        found = [Evidence("blame", t.index, t.speaker, t.text, "blames the customer")
                 for t in ours if self._blame and self._blame.search(t.text)]
        return found if ours else None

    def _hold(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        spec = self.protocol.hold
        assert spec is not None
        measured, out = False, []
        for k, t in enumerate(turns):
            if t.speaker not in BOT_SIDE or t.at is None or not (self._hold_phrase and self._hold_phrase.search(t.text)):
                continue
            back = next((n for n in turns[k + 1:] if n.speaker in BOT_SIDE), None)
            if back is None or back.speaker != t.speaker or back.at is None:
                continue  # handed over (queue wait is not hold) or never back
            measured = True
            held = (back.at - t.at).total_seconds()
            if held > spec.limit_seconds:
                out.append(Evidence("hold", t.index, t.speaker, t.text,
                                    f"hold of {held:.0f} s (limit {spec.limit_seconds:.0f} s)"))
        return out if measured else None

    def _silence(self, record: Mapping[str, Any], turns: list[Turn]) -> Found:
        spec = self.protocol.silence
        assert spec is not None
        limit = spec.limit_seconds.get(str(record.get("channel")))
        if limit is None:
            return None
        measured, out = False, []
        last_ours: Turn | None = None
        for k, t in enumerate(turns):
            if t.speaker in BOT_SIDE:
                last_ours = t
                continue
            reply = turns[k + 1] if k + 1 < len(turns) else None
            if reply is None or reply.speaker not in BOT_SIDE:
                continue  # the caller went on speaking, or left
            if t.at is None or reply.at is None or (last_ours and last_ours.speaker != reply.speaker):
                continue  # no clock, no reply, or a hand-over (the queue wait is measured elsewhere)
            if last_ours and self.protocol.hold and self._hold_phrase and self._hold_phrase.search(last_ours.text):
                continue  # on hold: the hold rule measures it
            measured = True
            gap = (reply.at - t.at).total_seconds()
            if gap > limit:
                out.append(Evidence("silence", reply.index, reply.speaker, reply.text,
                                    f"{gap:.0f} s of silence before this reply (limit {limit:.0f} s)"))
        return out if measured else None


def rules_checked(scores: Sequence[ContactScore]) -> int:
    return sum(len(s.checked) for s in scores)


def _verified_by_what_was_said(spec: Any, slots: Mapping[str, Any]) -> bool:
    """The call was verified by what the caller said (not by caller id)."""
    return str(slots.get(spec.verified_slot, "")).lower() in ("true", "1", "yes") and \
        slots.get(spec.verified_by_slot) not in (*spec.verified_at_start, None)
