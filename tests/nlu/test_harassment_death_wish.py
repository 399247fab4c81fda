"""Harassment rules found with the third blind harassment dev set (benchmarks/data/harassment_dev3.jsonl):
「死ね」 told to the agent is caught wherever it stands, a caller's own despair is not; a figure posed like
土下座 demands nothing; a routine request the intent head is sure of is not harassment on a weak score.

The lines here are in no training, dev or test file.
"""

from __future__ import annotations

import pytest

from nlu.harassment_lexicon import categories
from nlu.pipeline import NLU
from nlu.training import featurize


@pytest.fixture(scope="module")
def nlu() -> NLU:
    return NLU.load()


def test_a_final_particle_fused_onto_the_imperative_still_ends_the_word() -> None:
    # fugashi reads 死ねよ as one verb token (シネヨ): the two-kana entry シネ must still count
    assert "insult" in categories(["シネヨ", "ホント"])
    assert "hx:insult" in featurize("死ねよ本当に")
    # ...but a longer word that merely starts with the entry does not
    assert "insult" not in categories(["シネマ"])


@pytest.mark.parametrize("text", [
    "ほんとクソみたいな担当だな、しねよ",
    "返事遅すぎ、死ねよマジで",
    "あんたなんかもう死んじまえ",
    "もう死んでくれよ、頼むから",
])
def test_a_death_wish_at_the_agent_is_an_insult(nlu: NLU, text: str) -> None:
    h = nlu.parse(text).harassment
    assert h.detected and h.kind == "insult", (text, h)


@pytest.mark.parametrize("text", [
    "もう死ねば楽になるのかなって思うくらい、毎日しんどくて",
    "全然電話しねえじゃねえか、どうなってんだよ",
    "死ぬほど待ったけど、まだ届かないんです",
    "主人が先月死にまして、会員を解約したいんです",
])
def test_despair_dialect_and_idiom_are_not_a_death_wish(nlu: NLU, text: str) -> None:
    assert not nlu.parse(text).harassment.detected, text


def test_a_figure_posed_like_dogeza_is_a_product_not_a_demand(nlu: NLU) -> None:
    assert not nlu.parse("土下座してる格好のキーホルダーって売ってますか").harassment.detected
    assert nlu.parse("土下座して謝れって言ってんだよ").harassment.kind == "unreasonable_demand"
    assert nlu.parse("責任者が土下座している写真を送っていただけますか").harassment.detected


@pytest.mark.parametrize("text", [
    "今夜って何時までお店やってる？",
    "家まで運んでくれるの？ありがたいわ",
])
def test_a_routine_request_is_not_harassment_on_shared_words(nlu: NLU, text: str) -> None:
    parsed = nlu.parse(text)
    assert not parsed.harassment.detected, (text, parsed.harassment, parsed.intent)


@pytest.mark.parametrize("text", ["今夜ひま？お姉さん", "今すぐ家まで持ってこいよ、お前が"])
def test_harassment_sharing_those_words_is_still_caught(nlu: NLU, text: str) -> None:
    assert nlu.parse(text).harassment.detected, text
