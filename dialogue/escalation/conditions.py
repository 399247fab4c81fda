"""Compile a rule's `when:` into plain predicates over one turn's Signals.

Each condition becomes a (test, explain) pair: `test` runs on every turn and must be cheap; `explain`
runs only for the rule that won, and says which value matched (the Decision's `why`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import jaconv

from dialogue.escalation.schema import When
from dialogue.escalation.signals import Signals
from nlu.signals import found_from_word_start

# long vowels and small kana are where ASR and speakers vary most (センター / センタア, ウッタエル / ウタエル)
_FOLD: dict[str, str | int | None] = {"ー": "ウ", "ッ": "", "ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ"}
# jaconv.hira2kata applied once per hiragana character at import, then folded: one str.translate per
# utterance instead of jaconv's per-character Python loop (decide() runs every turn)
_KANA = str.maketrans(
    {
        **{chr(c): str(jaconv.hira2kata(chr(c))).translate(str.maketrans(_FOLD)) for c in range(0x3041, 0x30A0)},
        **_FOLD,
    }
)


def kana(text: str) -> str:
    """Folded katakana, so that うったえる and ウッタエル compare equal."""
    return text.translate(_KANA)


class Turn:
    """Signals plus derived values computed at most once per decide() call."""

    __slots__ = ("_kana_text", "_kana_reading", "s")

    def __init__(self, s: Signals) -> None:
        self.s = s
        self._kana_text: str | None = None
        self._kana_reading: str | None = None

    @property
    def kana_text(self) -> str:
        if self._kana_text is None:
            self._kana_text = kana(self.s.text)
        return self._kana_text

    @property
    def kana_reading(self) -> str:
        if self._kana_reading is None:
            self._kana_reading = kana(self.s.reading)
        return self._kana_reading


Test = Callable[[Turn], bool]
Explain = Callable[[Turn], str]


@dataclass(frozen=True, slots=True)
class Matcher:
    """All-of: every check must hold."""

    checks: tuple[tuple[Test, Explain], ...]
    tests: tuple[Test, ...]

    def matches(self, t: Turn) -> bool:
        # runs for every rule every turn; all(<genexpr>) costs about twice this plain loop
        for test in self.tests:  # noqa: SIM110 - hot path, see above
            if not test(t):
                return False
        return True

    def explain(self, t: Turn) -> str:
        return ", ".join(explain(t) for _, explain in self.checks)


def _emotion_score(t: Turn, label: str) -> float:
    e = t.s.emotion
    if e is None:
        return 0.0
    return e.scores.get(label, e.score if e.label == label else 0.0)


def _keyword_hit(t: Turn, words: tuple[tuple[str, str], ...]) -> str | None:
    starts = t.s.word_starts
    for word, folded in words:
        if starts is not None and not _KANJI.search(word):
            # a keyword in kana, and the turn's words known: from a word's start in the reading only
            if t.s.reading and found_from_word_start(t.kana_reading, folded, starts):
                return word
            continue
        if word in t.s.text or folded in t.kana_text or (t.s.reading and folded in t.kana_reading):
            return word
    return None


_KANJI = re.compile(r"[\u4e00-\u9fff]")



def _pattern_hit(t: Turn, regexes: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]) -> str | None:
    for plain, folded in regexes:
        m = plain.search(t.s.text) or folded.search(t.kana_text)
        if m:
            return m.group(0)
    return None


def _harassment_kind(t: Turn) -> str:
    h = t.s.harassment
    return f"{h.kind or 'unspecified'} ({h.score:.2f})" if h else "none"


def compile_when(w: When) -> Matcher:
    checks: list[tuple[Test, Explain]] = []
    add = checks.append
    if w.intent is not None:
        intents = frozenset(w.intent)
        add((lambda t: t.s.intent in intents, lambda t: f"intent={t.s.intent} ({t.s.intent_confidence:.2f})"))
    if (lo := w.intent_confidence_below) is not None:
        add((lambda t: t.s.intent_confidence < lo, lambda t: f"intent_confidence={t.s.intent_confidence:.2f}<{lo}"))
    if (hi := w.intent_confidence_at_least) is not None:
        add((lambda t: t.s.intent_confidence >= hi, lambda t: f"intent_confidence={t.s.intent_confidence:.2f}≥{hi}"))
    if w.emotion is not None:
        labels = tuple(w.emotion)
        if (ms := w.min_score) is not None:
            add(
                (
                    lambda t: any(_emotion_score(t, lb) >= ms for lb in labels),
                    lambda t: ", ".join(f"{lb}={_emotion_score(t, lb):.2f}≥{ms}" for lb in labels if _emotion_score(t, lb) >= ms),
                )
            )
        else:
            add(
                (
                    lambda t: t.s.emotion is not None and t.s.emotion.label in labels,
                    lambda t: f"emotion={t.s.emotion.label if t.s.emotion else None}",
                )
            )
    if (al := w.anger_level_at_least) is not None:
        add((lambda t: t.s.trajectory.anger_level >= al, lambda t: f"anger_level={t.s.trajectory.anger_level:.2f}≥{al}"))
    if (dl := w.distress_level_at_least) is not None:
        add(
            (
                lambda t: t.s.trajectory.distress_level >= dl,
                lambda t: f"distress_level={t.s.trajectory.distress_level:.2f}≥{dl}",
            )
        )
    if w.trend is not None:
        trends = frozenset(w.trend)
        add((lambda t: t.s.trajectory.trend in trends, lambda t: f"trend={t.s.trajectory.trend}"))
    if w.language is not None:
        spoken = frozenset(w.language)
        add((lambda t: t.s.language in spoken, lambda t: f"language={t.s.language}"))
    if w.language_not is not None:
        known = frozenset(w.language_not)
        add((lambda t: t.s.language not in known, lambda t: f"language={t.s.language}"))
    if (hv := w.harassment) is not None:
        add(
            (
                lambda t: (t.s.harassment is not None and t.s.harassment.detected) == hv,
                lambda t: f"harassment={_harassment_kind(t)}" if hv else "no harassment",
            )
        )
    if w.harassment_kind is not None:
        kinds = frozenset(w.harassment_kind)
        add(
            (
                lambda t: t.s.harassment is not None and t.s.harassment.detected and t.s.harassment.kind in kinds,
                lambda t: f"harassment_kind={_harassment_kind(t)}",
            )
        )
    if (hs := w.harassment_score_at_least) is not None:
        add(
            (
                # the head's score, also on a line its gates set aside (kana with no listed word): after a warning
                # a second veiled threat in kana is read at a lower bar than a first one
                lambda t: t.s.harassment is not None and t.s.harassment.score >= hs,
                lambda t: f"harassment_score={t.s.harassment.score if t.s.harassment else 0:.2f}≥{hs}",
            )
        )
    if (hw := w.harassment_warnings_at_least) is not None:
        add((lambda t: t.s.harassment_warnings >= hw, lambda t: f"harassment_warnings={t.s.harassment_warnings}≥{hw}"))
    if (ft := w.failed_turns_at_least) is not None:
        add((lambda t: t.s.failed_turns >= ft, lambda t: f"failed_turns={t.s.failed_turns}≥{ft}"))
    if (cf := w.consecutive_failures_at_least) is not None:
        add(
            (
                lambda t: t.s.consecutive_failures >= cf,
                lambda t: f"consecutive_failures={t.s.consecutive_failures}≥{cf}",
            )
        )
    if w.flags is not None:
        flags = frozenset(w.flags)
        add((lambda t: not flags.isdisjoint(t.s.flags), lambda t: f"flags={sorted(flags & t.s.flags)}"))
    if w.keywords is not None:
        words = tuple((k, kana(k)) for k in w.keywords)
        add((lambda t: _keyword_hit(t, words) is not None, lambda t: f"keyword「{_keyword_hit(t, words)}」"))
    if w.patterns is not None:
        regexes = tuple((re.compile(p), re.compile(kana(p))) for p in w.patterns)
        add((lambda t: _pattern_hit(t, regexes) is not None, lambda t: f"pattern「{_pattern_hit(t, regexes)}」"))
    if (vip := w.caller_vip) is not None:
        add((lambda t: t.s.caller_vip == vip, lambda t: f"caller_vip={t.s.caller_vip}"))
    if (be := w.backend_error) is not None:
        add((lambda t: t.s.backend_error == be, lambda t: f"backend_error={t.s.backend_error}"))
    if (ch := w.channel) is not None:
        add((lambda t: t.s.channel == ch, lambda t: f"channel={t.s.channel}"))
    if w.any_ is not None:
        branches = tuple(compile_when(b) for b in w.any_)

        def any_branch(t: Turn) -> bool:
            for b in branches:  # noqa: SIM110 - hot path, as Matcher.matches
                if b.matches(t):
                    return True
            return False

        add(
            (
                any_branch,
                lambda t: next(b.explain(t) for b in branches if b.matches(t)),
            )
        )
    return Matcher(tuple(checks), tuple(test for test, _ in checks))
