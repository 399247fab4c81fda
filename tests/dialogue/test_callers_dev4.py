"""Failure classes found by the dev4 callers (tests/conversations/outside/dev4.yaml, issue 11), one test each.

Each runs the real NLU, or a goal-based case through the SPEC 7.2 runner on the sample bot.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogue.bot import Bot, load_bot
from dialogue.engine import condolence_first
from dialogue.escalation.engine import Decision, EscalationEngine
from dialogue.interpret import Request, Simple
from dialogue.testing import CaseResult, CaseRunner, load_suite
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()


async def _run(tmp_path: Path, bot: Bot, nlu: NLU, case_yaml: str) -> CaseResult:
    path = tmp_path / "case.yaml"
    path.write_text(case_yaml, encoding="utf-8")
    (case,) = load_suite(path)
    return await CaseRunner(bot, nlu, EscalationEngine.load()).run(case, path.name)


@pytest.mark.parametrize(("said", "order_id"), [
    ("いちにいさんよん ごおろくななはち じゃけえ", "12345678"),  # D4-014: Hiroshima, lengthened 2 and 5
    ("ごおろくななはち いちにいさんよん", "56781234"),
    ("いちにーさんよん ごーろくななはち", "12345678"),
])
def test_a_lengthened_digit_written_with_its_vowel_is_the_digit(nlu: NLU, said: str, order_id: str) -> None:
    got = [(e.type, e.value) for e in nlu.parse(said, NOW).entities]
    assert ("order_id", order_id) in got, got


def test_ごお_outside_a_digit_run_is_no_digit(nlu: NLU) -> None:
    assert nlu.parse("ごおんは忘れません", NOW).entities == ()


async def test_a_callback_number_said_with_the_request_is_the_one_called(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # D4-080: 「携帯の090…にかけてほしい」 was confirmed as the caller id 03-1234-5678 and booked there
    result = await _run(tmp_path, bot, nlu, """
- name: callback to the mobile said in the opening
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 折り返しをお願いしたいんですけど、携帯の ぜろきゅうぜろ いちにさんよん ごろくななはち にかけてください
  answers: {date: 明日, time: 十時半}
  expect: {intent: callback_request, outcome: callback_scheduled, slots: {phone_number: "09012345678"}}
""")
    assert result.passed, result.failures
    bot_lines = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "03-1234-5678" not in bot_lines


async def test_without_a_number_said_the_caller_id_is_still_offered(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: callback to the caller id
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 折り返しのお電話をお願いできますか
  answers: {date: 明日, time: 十時半}
  expect: {outcome: callback_scheduled, slots: {phone_number: "0312345678"}, says: 03-1234-5678におかけして}
""")
    assert result.passed, result.failures


def _decision(action: str, prompt: str | None) -> Decision:
    return Decision(action, "complex", "general", 3, "rule", "why", prompt)  # type: ignore[arg-type]


def test_condolence_first_only_for_grief_handed_over_by_a_rule() -> None:
    grief = Request("account_closure", condolence=True)
    assert condolence_first(grief, _decision("transfer", "transfer_account_closure"))
    assert condolence_first(grief, _decision("offer_callback", None))
    assert not condolence_first(Request("account_closure"), _decision("transfer", "transfer_account_closure"))
    assert not condolence_first(grief, _decision("transfer", "transfer_distress"))  # its words console already
    assert not condolence_first(grief, _decision("warn", "harassment_warning"))  # the request says it when served
    assert not condolence_first(Simple("distress"), _decision("transfer", None))


async def test_grief_before_an_account_closure_hears_condolence_then_the_transfer(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # D4-096: 「母が亡くなりまして…、母の会員登録を解約したい」 went straight to 「退会のお手続きは担当者が承ります」
    result = await _run(tmp_path, bot, nlu, """
- name: grief then closure
  channel: voice
  caller: {phone: "0312345678"}
  now: "2026-11-25T10:00:00+09:00"
  opening: 実は先月母が亡くなりまして…、母の会員登録を解約したいのですが
  expect: {outcome: transferred, reason: complex}
""")
    assert result.passed, result.failures
    lines = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    condolence = next(i for i, line in enumerate(lines) if "大変でございました" in line)
    transfer = next(i for i, line in enumerate(lines) if "退会のお手続き" in line)
    assert condolence < transfer, lines
