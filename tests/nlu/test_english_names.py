"""Stores and products said in English are the company's data (issue 12): the lexicon's English names
(nlu/data/lexicon_en.yaml next to lexicon.yaml), not words in Python. A second bot's lexicon gives its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, load_lexicon
from nlu.entities.english import english_entities
from nlu.entities.lexicon import Lexicon
from nlu.normalize import normalize
from nlu.pipeline import NLU

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))

SECOND_LEXICON = """\
stores:
  kobe: {name: 神戸元町店, variants: [元町]}
  nagoya: {name: 名古屋栄店, variants: [栄]}
products:
  fan: {name: サーキュレーター}
  rice_cooker: {name: 炊飯器}
"""
SECOND_ENGLISH = """\
stores:
  kobe: [Kobe, Motomachi]
  nagoya: [Nagoya, Sakae]
products:
  fan: [circulator, electric fan]
  rice_cooker: [rice cooker]
"""


def names(text: str, lexicon: Lexicon | None = None) -> set[tuple[str, str]]:
    return {(e.type, str(e.value)) for e in english_entities(normalize(text), MONDAY, lexicon)
            if e.type in ("store", "product")}


def second_lexicon(tmp_path: Path, english: str = SECOND_ENGLISH) -> Path:
    (tmp_path / "lexicon.yaml").write_text(SECOND_LEXICON, encoding="utf-8")
    (tmp_path / "lexicon_en.yaml").write_text(english, encoding="utf-8")
    return tmp_path / "lexicon.yaml"


@pytest.mark.parametrize(("text", "expected"), [
    ("is the kettle in stock at Shibuya", {("product", "kettle"), ("store", "shibuya")}),
    ("do you have coffee makers in Umeda", {("product", "coffee_maker"), ("store", "umeda")}),
    ("Electric Kettles at the Osaka store?", {("product", "kettle"), ("store", "umeda")}),
    ("wireless earbuds, Sapporo", {("product", "earphones"), ("store", "sapporo")}),
    ("ear-phones or a coffeemachine", {("product", "earphones"), ("product", "coffee_maker")}),
    ("headphones", {("product", "earphones")}),
    ("a kettlebell in Shibuyaku", set()),  # whole words only
])
def test_the_sample_bots_names(text: str, expected: set[tuple[str, str]]) -> None:
    assert names(text) == expected


def test_a_name_spans_its_words_in_the_original_text() -> None:
    text = "I want the Wireless  Ear Phones please"
    (entity,) = english_entities(normalize(text), MONDAY)
    assert (entity.type, entity.value) == ("product", "earphones")
    assert text[entity.start:entity.end].split() == ["Wireless", "Ear", "Phones"]


def test_a_second_bot_gets_its_own_names(tmp_path: Path) -> None:
    lexicon = load_lexicon(second_lexicon(tmp_path))
    assert names("do you have a rice cooker at Motomachi", lexicon) == {("product", "rice_cooker"), ("store", "kobe")}
    assert names("electric fans in Sakae", lexicon) == {("product", "fan"), ("store", "nagoya")}
    assert names("is the kettle in stock at Shibuya", lexicon) == set()  # the sample bot's names are not its
    assert names("a circulator at Kobe") == set()  # nor its names the sample bot's


def test_the_pipeline_reads_the_bots_own_english_names(tmp_path: Path, nlu: NLU) -> None:
    own = NLU(nlu.model, load_lexicon(second_lexicon(tmp_path)))
    parse = own.parse("Do you have a rice cooker at the Nagoya store?", MONDAY)
    assert {(e.type, e.value) for e in parse.entities} == {("product", "rice_cooker"), ("store", "nagoya")}
    sample = nlu.parse("Do you have a rice cooker at the Nagoya store?", MONDAY)
    assert not {e.type for e in sample.entities} & {"store", "product"}


def test_a_name_of_two_entries_is_ambiguous(tmp_path: Path) -> None:
    lexicon = load_lexicon(second_lexicon(tmp_path, SECOND_ENGLISH.replace("[Nagoya, Sakae]", "[Nagoya, Kobe]")))
    (store,) = english_entities(normalize("the Kobe store"), MONDAY, lexicon)
    assert store.value == "kobe" and store.alternatives == ("nagoya",)


def test_a_lexicon_without_english_names_finds_none(tmp_path: Path) -> None:
    path = second_lexicon(tmp_path)
    (tmp_path / "lexicon_en.yaml").unlink()
    assert names("a rice cooker at Kobe", load_lexicon(path)) == set()


@pytest.mark.parametrize(("english", "message"), [
    (SECOND_ENGLISH.replace("  kobe:", "  osaka:"), "lexicon_en.yaml:2:3: stores: 'osaka' is not in the lexicon"),
    (SECOND_ENGLISH.replace("[rice cooker]", "rice cooker"), "lexicon_en.yaml:6:3: products: rice_cooker: a list"),
    (SECOND_ENGLISH.replace("products:", "goods:"), "lexicon_en.yaml:4:1: unknown key 'goods'"),
    (SECOND_ENGLISH.replace("[Kobe, Motomachi]", "[Kobe, Motomachi"), "lexicon_en.yaml:3:9: YAML syntax error"),
])
def test_a_bad_english_names_file_is_refused_at_its_place(tmp_path: Path, english: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        load_lexicon(second_lexicon(tmp_path, english))


def test_the_sample_lexicon_has_english_names_for_every_store_and_product() -> None:
    lexicon = default_lexicon()
    for etype, entries in lexicon.entries.items():
        assert {e.id for e in entries} == set(lexicon.english[etype])
