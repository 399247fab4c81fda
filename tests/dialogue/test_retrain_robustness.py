"""A retrained classifier cannot turn an answer into something else (issue: a designer added one intent,
retrained, and a digits-only answer at the order-number prompt came back as `repeat`).

What an answer means at an open question is decided by the question first and the classifier second, so
the shipped conversation suite must give the same results when the classifier is wrong about every
answer made of digits, dates and times, whatever wrong intent it picks (and with a really retrained model
that has one more intent: test_retrain_new_intent.py, a module of its own so that the two share the workers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pytest

from dialogue.bot import load_bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.testing import CaseRunner, load_suite
from nlu.pipeline import NLU
from nlu.types import IntentScore, Parse
from tests.dialogue.cases import SHIPPED_SUITE, shipped_suite_results

# an answer made only of what a slot question asks for: digits, dates, times, windows, with a polite ending
_ANSWER_ONLY = re.compile(r"^[\d\s、。,.\-ー・…:：/年月日時分半午前後中からまでのです]+$")


class MisreadingNLU:
    """The real NLU, except that answers made of digits and dates come back as `wrong`, confidently (with
    `wrong=None` it only counts them)."""

    def __init__(self, nlu: NLU, wrong: str | None) -> None:
        self.nlu, self.wrong = nlu, wrong
        self.misread = 0

    def _misread(self, parse: Parse) -> Parse:
        if not _ANSWER_ONLY.match(parse.normalized) or not parse.entities:
            return parse
        self.misread += 1
        if self.wrong is None:
            return parse
        top = IntentScore(self.wrong, 0.97)
        rest = tuple(r for r in parse.ranking if r.name != self.wrong)
        return replace(parse, intent=top, ranking=(top, *rest), low_confidence=False, ambiguous=False)

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        return self._misread(self.nlu.parse(text, now))

    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse:
        return self._misread(self.nlu.parse_nbest(alternatives, now))


class Honest:
    """The suite with the real model, run once per model object (it is the same for every misreading), and
    the cases with an answer a misreading NLU would change: the others run as they did, turn for turn, until
    their first such answer, so only these can change."""

    def __init__(self, results: dict[str, bool], misreadable: set[str]) -> None:
        self.results, self.misreadable = results, misreadable


_HONEST: dict[int, Honest] = {}


async def _honest_results(nlu: NLU) -> Honest:
    if id(nlu) not in _HONEST:
        spy = MisreadingNLU(nlu, None)
        runner = CaseRunner(load_bot(), spy, EscalationEngine.load())  # type: ignore[arg-type]
        results: dict[str, bool] = {}
        misreadable: set[str] = set()
        for path in sorted(SHIPPED_SUITE.rglob("*.yaml")):
            for case in load_suite(path):
                name, before = f"{path.name}: {case.name}", spy.misread
                results[name] = (await runner.run(case, path.name)).passed
                if spy.misread > before:
                    misreadable.add(name)
        _HONEST[id(nlu)] = Honest(results, misreadable)
    return _HONEST[id(nlu)]


@pytest.mark.parametrize("wrong", ["repeat", "goodbye", "deny", "out_of_scope", "store_hours", "complaint"])
async def test_a_misread_answer_changes_no_conversation(nlu: NLU, wrong: str) -> None:
    honest = await _honest_results(nlu)
    liar = MisreadingNLU(nlu, wrong)
    misread = await shipped_suite_results(liar, only=honest.misreadable)
    assert all(honest.results.values())
    assert len(honest.misreadable) >= 50  # the suite answers many questions with bare numbers and dates
    assert liar.misread >= len(honest.misreadable)  # each of them was misread this time
    flipped = [name for name, ok in misread.items() if ok != honest.results[name]]
    assert not flipped, f"misreading answers as {wrong!r} changed: {flipped}"
