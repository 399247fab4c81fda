"""English callers (issue 14): insults, threats, sexual remarks and absurd demands in English are harassment
like their Japanese equivalents, angry-but-legitimate English complaints are anger and not harassment, and
calm English requests are neutral.

The feature tests need no model; the behaviour tests run the shipped model (models/default). Their lines are
in no training, dev or test file.
"""

from __future__ import annotations

import pytest

from nlu.pipeline import NLU
from nlu.training import featurize


def _hx(text: str) -> set[str]:
    return {f for f in featurize(text) if f.startswith(("hx:", "hxc:"))}


def test_english_lexicon_words_match_in_any_case_and_aimed_at_you() -> None:
    feats = _hx("You IDIOT")
    assert {"hx:english_insult", "hx:english_second_person", "hx:en2p+english_insult"} <= feats
    # English categories are their own features: they never weigh as the Japanese ones
    assert "hx:insult" not in feats and "hx:2p+insult" not in feats


def test_english_lexicon_words_match_whole_words_only() -> None:
    assert _hx("please deliver to my hotel") == set()
    assert _hx("I need some assistance") == set()
    assert "hx:english_sexual" in _hx("you sound hot")


def test_a_harsh_english_word_beside_a_product_is_about_the_thing() -> None:
    feats = _hx("this kettle is garbage")
    assert {"hx:english_insult", "hxc:english_object", "hxc:enobj+english_insult"} <= feats


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("you are a complete idiot, put someone else on", "insult"),
        ("honestly you're the most useless person I have ever called", "insult"),
        ("I'll find out where you live and hurt you", "threat"),
        ("I'm going to burn your store down", "threat"),
        ("what are you wearing, sweetheart", "sexual"),
        ("get down on your knees and apologize to me", "unreasonable_demand"),
    ],
)
def test_english_abuse_is_harassment_of_its_kind(nlu: NLU, text: str, kind: str) -> None:
    parsed = nlu.parse(text)
    assert parsed.language == "en"
    assert parsed.harassment.detected, (text, parsed.harassment.score)
    assert parsed.harassment.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "this is ridiculous, my parcel is ten days late and nobody tells me anything",
        "I'm really angry, the kettle you sent me is broken",
        "I'm fed up with waiting, I want a refund today",
    ],
)
def test_angry_english_complaints_are_anger_not_harassment(nlu: NLU, text: str) -> None:
    parsed = nlu.parse(text)
    assert parsed.emotion.label == "anger", (text, parsed.emotion.scores)
    assert not parsed.harassment.detected, (text, parsed.harassment.score)


@pytest.mark.parametrize(
    "text", ["could you check where my order is", "what time does the Umeda store close", "thank you, goodbye"]
)
def test_calm_english_requests_are_neutral_and_no_harassment(nlu: NLU, text: str) -> None:
    parsed = nlu.parse(text)
    assert parsed.emotion.label == "neutral", (text, parsed.emotion.scores)
    assert not parsed.harassment.detected
