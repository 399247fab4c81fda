"""A designer's mistake is reported as `file:line:column: message`, pointing at the mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogue.escalation import EscalationEngine, EscalationError, RuleError, validate_rules
from dialogue.escalation.rules import DEFAULT_DIR
from tests.escalation.factories import sig

GOOD_RULE = """\
rules:
  - id: ok
    when: {intent: complaint}
    then:
      transfer: {queue: complaints, reason: complex}
"""

# (case, rules file text, expected "line:col: fragment")
BROKEN: list[tuple[str, str, str]] = [
    (
        "bad indentation",
        "rules:\n  - id: a\n    when:\n      intent: complaint\n     then:\n      warn: {}\n",
        "5:6: YAML syntax error",
    ),
    ("tab indentation", "rules:\n  - id: a\n\twhen: {}\n", "3:1: YAML syntax error"),
    ("duplicate key", "rules:\n  - id: a\n    id: b\n    when: {harassment: true}\n    then: {warn: {}}\n", "3:5: YAML syntax error"),
    (
        "unknown condition",
        "rules:\n  - id: a\n    when:\n      emotoin: anger\n    then: {warn: {}}\n",
        "4:7: unknown condition 'emotoin' (did you mean 'emotion'?)",
    ),
    (
        "unknown action",
        "rules:\n  - id: a\n    when: {harassment: true}\n    then:\n      hangup: {}\n",
        "5:7: unknown action 'hangup'",
    ),
    (
        "unknown condition inside any",
        "rules:\n  - id: a\n    when:\n      any:\n        - intent: complaint\n        - moood: x\n    then: {warn: {}}\n",
        "6:11: unknown condition 'moood'",
    ),
    (
        "bad type",
        "rules:\n  - id: a\n    when:\n      consecutive_failures_at_least: three\n    then: {warn: {}}\n",
        "4:38: rules[0].when.consecutive_failures_at_least: Input should be a valid integer",
    ),
    (
        "score out of range",
        "rules:\n  - id: a\n    when: {anger_level_at_least: 7}\n    then: {warn: {}}\n",
        "3:34: rules[0].when.anger_level_at_least: Input should be less than or equal to 1",
    ),
    (
        "bad reason",
        "rules:\n  - id: a\n    when: {intent: complaint}\n    then:\n      transfer: {queue: general, reason: angry}\n",
        "5:42: rules[0].then.transfer.reason: Input should be 'human_request'",
    ),
    (
        "two actions",
        "rules:\n  - id: a\n    when: {harassment: true}\n    then:\n      warn: {}\n      end: {}\n",
        "4:5: rules[0].then: 'then' needs exactly one action",
    ),
    ("missing id", "rules:\n  - when: {harassment: true}\n    then: {warn: {}}\n", "2:5: rules[0]: missing 'id'"),
    (
        "empty when",
        "rules:\n  - id: a\n    when: {}\n    then: {warn: {}}\n",
        "3:5: rules[0].when: 'when' has no conditions",
    ),
    (
        "unknown queue",
        "rules:\n  - id: a\n    when: {intent: complaint}\n    then:\n      transfer: {queue: warehouse, reason: complex}\n",
        "5:25: unknown queue 'warehouse'",
    ),
    (
        "harassment to an ordinary agent",
        "rules:\n  - id: a\n    when: {harassment: true}\n    then:\n      transfer: {queue: general, reason: harassment}\n",
        "5:7: harassment must not reach an ordinary agent",
    ),
    (
        "duplicate rule id across files",
        "rules:\n  - id: ok\n    when: {harassment: true}\n    then: {warn: {}}\n",
        "2:9: duplicate rule id 'ok' (first at",
    ),
    ("empty file", "", "1:1: empty file"),
]


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    shutil.copy(DEFAULT_DIR / "queues.yaml", tmp_path / "queues.yaml")
    (tmp_path / "a_good.yaml").write_text(GOOD_RULE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("case", "text", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_file_points_at_the_mistake(rules_dir: Path, case: str, text: str, expected: str) -> None:
    bad = rules_dir / "b_broken.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = validate_rules(rules_dir)
    assert any(p.startswith(f"{bad}:{expected}") for p in problems), (case, problems)
    with pytest.raises(RuleError) as err:
        EscalationEngine.load(rules_dir)
    assert f"{bad}:{expected}" in str(err.value)
    assert isinstance(err.value, EscalationError)


def test_every_problem_is_reported(rules_dir: Path) -> None:
    (rules_dir / "b.yaml").write_text("rules:\n  - id: a\n    when: {moood: x}\n    then: {hangup: {}}\n", encoding="utf-8")
    (rules_dir / "c.yaml").write_text("rules: [\n", encoding="utf-8")
    problems = validate_rules(rules_dir)
    assert len(problems) == 3
    assert all(p.split(":")[1].isdigit() and p.split(":")[2].isdigit() for p in problems)


def test_missing_queues_file(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(GOOD_RULE, encoding="utf-8")
    assert any("queues.yaml:1:1: missing" in p for p in validate_rules(tmp_path))


def test_broken_queues_file(rules_dir: Path) -> None:
    (rules_dir / "queues.yaml").write_text(
        "hours: {weekdays: '9-18'}\nqueues:\n  general: {max_wait_s: -1}\n", encoding="utf-8"
    )
    problems = validate_rules(rules_dir)
    assert any(":1:19: hours.weekdays: '9-18' is not a time window" in p for p in problems), problems
    assert any(":3:25: queues.general.max_wait_s" in p for p in problems), problems
    assert any("queue 'supervisor' is required" in p for p in problems), problems


def test_shipped_rules_are_valid() -> None:
    assert validate_rules() == []
    assert "harassment_warn" in EscalationEngine.load().rule_ids


def test_earlier_file_overrides_default(tmp_path: Path) -> None:
    for f in DEFAULT_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "00-local.yaml").write_text(
        "rules:\n  - id: vip_first\n    when: {caller_vip: true, intent: [order_status]}\n"
        "    then:\n      transfer: {queue: general, priority: 5, reason: human_request}\n",
        encoding="utf-8",
    )
    d = EscalationEngine.load(tmp_path).decide(sig(caller_vip=True, intent="order_status"))
    assert d is not None and d.rule == "vip_first" and d.priority == 7


def test_disabled_rule_is_skipped(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_DIR / "queues.yaml", tmp_path / "queues.yaml")
    (tmp_path / "r.yaml").write_text(GOOD_RULE.replace("  - id: ok\n", "  - id: ok\n    enabled: false\n"), encoding="utf-8")
    assert EscalationEngine.load(tmp_path).rule_ids == ()
