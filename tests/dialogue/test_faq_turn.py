"""The FAQ on the turn path: it reads the question from the NLU's tokens (fugashi tags a turn once),
and the bot still answers in the channel's wording, asks whether that solved it and hands over when not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import dialogue.faq as faq_module
from dialogue.bot import Bot
from dialogue.faq import FaqIndex, load_faq
from nlu.pipeline import NLU
from nlu.tokenizer import tokenize
from nlu.types import Token
from tests.dialogue.cases import run_case as _run
from tests.dialogue.test_faq import DEV


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return load_faq()


@pytest.fixture
def tagged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the FAQ module hands to fugashi from now on."""
    calls: list[str] = []
    real: Callable[[str], tuple[Token, ...]] = tokenize  # what dialogue.faq imports

    def counting(text: str) -> tuple[Token, ...]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(faq_module, "tokenize", counting)
    return calls


def test_match_with_the_nlus_tokens_tags_nothing_and_answers_alike(
    nlu: NLU, index: FaqIndex, tagged: list[str]
) -> None:
    parses = [nlu.parse(text) for text, _ in DEV]
    tagged.clear()  # the NLU's own tagging goes through nlu.tokenizer, not through the FAQ
    given = [index.match(p.normalized, p.tokens) for p in parses]
    # only kana transcripts in which the FAQ respells its words (そうりょう -> 送料) are tagged again
    respelt = [index._in_kanji(p.normalized) for p in parses]
    assert tagged == [text for text in respelt if text is not None]
    assert any(text is not None for text in respelt)  # DEV has kana transcripts
    tagged.clear()
    alone = [index.match(text) for text, _ in DEV]
    assert len(tagged) == len(DEV)  # without tokens, match tags the text itself, once
    assert [h and h.entry.id for h in given] == [h and h.entry.id for h in alone]


async def test_a_turn_is_not_tagged_again_for_the_faq(
    tmp_path: Path, bot: Bot, nlu: NLU, tagged: list[str]
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: points validity by voice, the answer did not help, a person
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: ポイントの有効期限っていつまでなんですか
      expect: {says: 一年}
    - user: いや、ちょっと違うんですよね
  expect: {outcome: transferred, reason: complex}
""",
    )
    assert result.passed, result.failures
    assert tagged == [], tagged  # the engine passed Parse.tokens: fugashi ran for the NLU only
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"]
    assert any("最後にお買い物をされた日から一年間" in t for t in said), said  # the voice wording
    assert any("解消されましたでしょうか" in t for t in said), said


async def test_chat_answer_in_chat_wording_and_solved(
    tmp_path: Path, bot: Bot, nlu: NLU, tagged: list[str]
) -> None:
    result = await _run(
        tmp_path,
        bot,
        nlu,
        """
- name: konbini fee by chat, solved
  channel: chat
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: コンビニ払いの手数料はいくらですか
      expect: {says: 220円}
    - user: はい、わかりました
      expect: {awaiting: anything_else}
    - user: 以上です
  expect: {outcome: resolved}
""",
    )
    assert result.passed, result.failures
    assert tagged == [], tagged
