"""The caller's own bill is the billing flow's, not the FAQ's (issue 15 vs issue 11): 「いくら払えばいいのか」
without a word for delivery is no question about the shipping fee, and 「支払う金額」 without a convenience
store none about the konbini fee (`requires` in faq/sakura.yaml). General policy questions about the same
fees are still answered. Tuned on the dev sets only (benchmarks/data/faq_dev*.jsonl).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from dialogue.faq import FaqIndex, load_faq
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _call


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return load_faq()


def _id(index: FaqIndex, text: str) -> str | None:
    hit = index.match(text)
    return hit.entry.id if hit else None


@pytest.mark.parametrize(
    "text",
    [
        "なんぼ払たらええのか教えてほしいねんけど",
        "いくら払えばいいのか教えてください",
        "今月の請求額っていくらですか",
        "支払う金額を知りたいんですが",
        "うちの注文っていくらでしたっけ",
        "いくらはらえばいいのかおしえてください",
    ],
)
def test_what_the_caller_owes_is_left_to_the_billing_flow(index: FaqIndex, text: str) -> None:
    assert _id(index, text) is None


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("送料はいくらですか", "shipping_fee"),
        ("送料っていくら払えばいいの", "shipping_fee"),
        ("配達してもらう料金を知りたい", "shipping_fee"),
        ("配送料金はおいくらかかりますか", "shipping_fee"),
        ("返品の送料はかかりますか", "return_shipping"),
        ("コンビニ払いの手数料はいくらですか", "convenience_store_fee"),
        ("ローソンで支払えますか", "convenience_store_fee"),
        ("代引きの手数料はいくらですか", "cod_fee"),
    ],
)
def test_policy_questions_about_fees_are_still_answered(index: FaqIndex, text: str, entry: str) -> None:
    assert _id(index, text) == entry


@pytest.mark.parametrize(
    "text",
    ["いくら払えばいいのか教えてください", "今月の請求額っていくらですか", "支払う金額を知りたいんですが"],
)
async def test_a_call_about_what_the_caller_owes_runs_the_billing_flow(
    tmp_path: Path, bot: Bot, nlu: NLU, text: str
) -> None:
    result = await _call(
        tmp_path,
        bot,
        nlu,
        f"""
- name: own bill
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:30:00+09:00"
  opening: {text}
  answers: {{order_id: "12345678"}}
  confirm: はい、わかりました
  expect: {{intent: billing_inquiry, outcome: resolved, slots: {{order_id: "12345678"}}}}
""",
    )
    assert result.passed, result.failures


@pytest.mark.parametrize(
    ("text", "says"), [("送料はいくらですか", "五百五十円"), ("返品の送料はかかりますか", "負担")]
)
async def test_a_policy_question_about_a_fee_is_answered_from_the_faq(
    tmp_path: Path, bot: Bot, nlu: NLU, text: str, says: str
) -> None:
    result = await _call(
        tmp_path,
        bot,
        nlu,
        f"""
- name: policy question
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-24T10:30:00+09:00"
  turns:
    - user: {text}
      expect: {{says: {says}}}
""",
    )
    assert result.passed, result.failures
