"""Call-level emotion: mild irritation plus failures adds up; calm turns let it go."""

from __future__ import annotations

import statistics
import time

from dialogue.escalation import EscalationEngine, Trajectory
from tests.escalation.factories import emo, sig

MILD = emo("anger", 0.4, neutral=0.3, anxiety=0.2, sadness=0.1)


def test_mild_irritation_with_failures_rises_and_escalates(engine: EscalationEngine) -> None:
    traj = Trajectory()
    levels, decisions = [], []
    for turn in range(3):
        traj = traj.update(MILD, failed=True)
        levels.append(traj.anger_level)
        # failures spread over the call (a slot filled in between), so repeated_failure does not fire first
        decisions.append(engine.decide(sig(emotion=MILD, trajectory=traj, failed_turns=turn + 1, consecutive_failures=1)))
    assert levels == sorted(levels) and levels[-1] >= 0.7 > levels[1]
    assert traj.trend == "rising"
    assert decisions[:2] == [None, None]
    assert decisions[2] is not None and decisions[2].reason == "emotion" and "anger_level" in decisions[2].why
    assert traj.summary() == ["anger", "anger", "anger"] and traj.failures == 3


def test_mild_irritation_alone_stays_below_threshold() -> None:
    traj = Trajectory()
    for _ in range(10):
        traj = traj.update(MILD)
    assert 0.4 < traj.anger_level < 0.7


def test_repetition_complaint_in_calm_words_raises_anger() -> None:
    calm = emo("neutral", 0.8, anger=0.1)
    plain = Trajectory().update(calm).update(calm)
    repeated = Trajectory().update(calm, repetition=True).update(calm, repetition=True)
    assert repeated.anger_level > plain.anger_level + 0.4 and repeated.repetitions == 2


def test_interruptions_and_low_asr_add_pressure() -> None:
    base = Trajectory().update(MILD)
    pushed = Trajectory().update(MILD, interrupted=True, asr_confidence=0.3)
    assert pushed.anger_level > base.anger_level and pushed.interruptions == 1 and pushed.low_asr_turns == 1


def test_calm_turns_bring_it_down_and_trend_falls() -> None:
    traj = Trajectory()
    for _ in range(3):
        traj = traj.update(emo("anger", 0.9))
    peak = traj.anger_level
    for _ in range(3):
        traj = traj.update(emo("neutral", 0.95))
    assert traj.anger_level < peak / 2 and traj.trend == "falling" and traj.peak == "anger"


def test_dtmf_turn_does_not_calm_the_caller() -> None:
    traj = Trajectory().update(emo("anger", 0.9))
    assert traj.update(None).anger_level == traj.anger_level
    assert traj.update(None, failed=True).anger_level > traj.anger_level
    assert traj.update(None).summary() == ["anger"]


def test_distress_and_peak() -> None:
    traj = Trajectory()
    for _ in range(3):
        traj = traj.update(emo("sadness", 0.7, anxiety=0.2))
    assert traj.distress_level >= 0.7 and traj.peak == "sadness" and traj.anger_level == 0.0


def test_update_is_cheap() -> None:
    samples = []
    traj = Trajectory()
    for i in range(2000):
        t0 = time.perf_counter()
        traj = traj.update(MILD, failed=i % 3 == 0, asr_confidence=0.9)
        samples.append(time.perf_counter() - t0)
    assert statistics.median(samples) < 50e-6  # SPEC budget: < 0.05 ms per update
