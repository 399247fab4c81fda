"""One SPEC 7.2 case, written inline as YAML, run on a bot with the real NLU: what the caller-class tests share."""

from __future__ import annotations

from pathlib import Path

from dialogue.bot import Bot, load_bot
from dialogue.escalation.engine import EscalationEngine
from dialogue.testing import CaseResult, CaseRunner, load_suite
from nlu.pipeline import NLU

# the shipped conversation suite (tests/conversations)
SHIPPED_SUITE = Path(__file__).parent.parent / "conversations"


async def shipped_suite_results(nlu: object, only: set[str] | None = None) -> dict[str, bool]:
    """Each case of the shipped suite (or those named in `only`), passed or not, on the sample bot with `nlu`."""
    runner = CaseRunner(load_bot(), nlu, EscalationEngine.load())  # type: ignore[arg-type]
    out: dict[str, bool] = {}
    for path in sorted(SHIPPED_SUITE.rglob("*.yaml")):
        for case in load_suite(path):
            name = f"{path.name}: {case.name}"
            if only is None or name in only:
                out[name] = (await runner.run(case, path.name)).passed
    return out


async def run_case(tmp_path: Path, bot: Bot, nlu: NLU, case_yaml: str) -> CaseResult:
    path = tmp_path / "case.yaml"
    path.write_text(case_yaml, encoding="utf-8")
    (case,) = load_suite(path)
    return await CaseRunner(bot, nlu, EscalationEngine.load()).run(case, path.name)


def scripted_case(turns: list[str | tuple[str, str]], expect: str, *, now: str, phone: str | None = None,
                  channel: str = "voice") -> str:
    """One scripted case as YAML; a turn given as (words, expect) asserts what follows it."""
    lines = []
    for t in turns:
        said, after = (t, None) if isinstance(t, str) else t
        lines.append(f"    - user: \"{said}\"")
        if after:
            lines.append(f"      expect: {after}")
    caller = f"{{phone: \"{phone}\"}}" if phone else "{}"
    body = "\n".join(lines)
    return f"""
- name: caller
  channel: {channel}
  caller: {caller}
  now: "{now}"
  turns:
{body}
  expect: {expect}
"""


async def assert_scripted(tmp_path: Path, bot: Bot, nlu: NLU, turns: list[str | tuple[str, str]], expect: str, *,
                          now: str, phone: str | None = None, channel: str = "voice", never: str | None = None) -> None:
    """A scripted case passes; `never`: words the bot must not say after the welcome (SPEC 7.2 has no negative
    check, so it is read off the transcript)."""
    result = await run_case(tmp_path, bot, nlu, scripted_case(turns, expect, now=now, phone=phone, channel=channel))
    assert result.passed, result.failures
    if never is not None:
        said = [t["text"] for t in result.transcript[1:] if t["speaker"] == "bot"]
        assert not any(never in line for line in said), said


async def assert_turns(tmp_path: Path, bot: Bot, nlu: NLU, turns: str, expect: str, *, now: str,
                       phone: str = "09012345678", channel: str = "voice") -> None:
    """A case whose turns are written as SPEC 7.2 YAML (keypad turns too, which `scripted_case` does not write)."""
    result = await run_case(tmp_path, bot, nlu, f"""
- name: caller
  channel: {channel}
  caller: {{phone: "{phone}"}}
  now: "{now}"
  turns:
{turns}
  expect: {expect}
""")
    assert result.passed, result.failures
