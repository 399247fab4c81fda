"""Harassment: harsh words about a thing are not abuse of the agent; polite, indirect and regional abuse is.

The feature tests need no model. The behaviour tests run the shipped model (models/default), trained on
nlu/data/emotion/train*.yaml; their lines are in no training or test file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlu.data_io import emotion_train_files, read_emotion_examples
from nlu.pipeline import NLU
from nlu.training import _with_kana_variant, featurize

HELDOUT = Path(__file__).resolve().parents[2] / "nlu" / "data" / "test" / "harassment_heldout2.jsonl"
HELDOUT3 = HELDOUT.with_name("harassment_heldout3.jsonl")
KINDS = {"insult", "threat", "sexual", "unreasonable_demand"}


def _hx(text: str) -> set[str]:
    return {f for f in featurize(text) if f.startswith(("hx:", "hxc:"))}


def test_a_harsh_word_beside_a_product_word_is_paired_with_it() -> None:
    feats = _hx("このポンコツの掃除機、すぐ止まるんですけど")
    assert {"hx:insult", "hxc:object", "hxc:obj+insult"} <= feats


def test_the_same_word_aimed_at_the_agent_is_paired_with_the_second_person() -> None:
    feats = _hx("お前ほんとポンコツだな")
    assert {"hx:insult", "hx:2p+insult"} <= feats
    assert "hxc:obj+insult" not in feats


def test_similes_and_intensifiers_are_marked_in_kanji_and_in_kana() -> None:
    assert "hxc:simile" in _hx("ゴミみたいな梱包で届きました")
    assert {"hxc:simile", "hxc:obj+insult"} <= _hx("ごみみたいなしょうひんでした")
    assert "hxc:simile" in _hx("送料がクソ高いんですよ")


def test_context_words_alone_are_no_abuse_word() -> None:
    # the pipeline holds short lines without an `hx:` word to a higher bar; a product word must not lower it
    assert not any(f.startswith("hx:") for f in featurize("商品の箱"))


def test_the_emotion_heads_also_train_on_the_hiragana_reading() -> None:
    plain, kana = _with_kana_variant("お前は本当にバカだな")
    assert "hx:2p+insult" in plain and "hx:2p+insult" in kana
    assert plain != kana


def _key(text: str) -> str:
    return re.sub(r"[\s、。，,.！!？?]", "", text)


def test_the_second_held_out_set_is_balanced_and_apart_from_training() -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    abuse = [r for r in rows if r["harassment"]]
    others = [r for r in rows if r["harassment"] is None]
    assert len(abuse) == 150 and len(others) == 150
    assert {r["harassment"] for r in abuse} == KINDS
    assert {r["tone"] for r in others} == {"calm", "angry"}
    trained = {_key(str(r["text"])) for p in emotion_train_files() for r in read_emotion_examples(p)}
    assert not [r["text"] for r in rows if _key(r["text"]) in trained]


def test_the_third_held_out_set_is_balanced_and_apart_from_training() -> None:
    # a third writer's 360 lines (session nine), written before the twelfth training batch and apart from it
    rows = [json.loads(line) for line in HELDOUT3.read_text(encoding="utf-8").splitlines() if line.strip()]
    abuse = [r for r in rows if r["harassment"]]
    assert len(abuse) == 160 and {r["harassment"] for r in abuse} == KINDS
    assert sum(r["tone"] == "calm" for r in rows if not r["harassment"]) == 100
    assert sum(r["tone"] == "angry" for r in rows if not r["harassment"]) == 100
    trained = {_key(str(r["text"])) for p in emotion_train_files() for r in read_emotion_examples(p)}
    assert not [r["text"] for r in rows if _key(r["text"]) in trained]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("あなたのような方でも務まるお仕事なんですね", "insult"),
        ("こんなことも分からないなんて、お子さんの方がまだ話が通じますね", "insult"),
        ("夜はお一人で帰られるんでしょう、お気をつけて", "threat"),
        ("おみゃあの店、いつか燃やしたるでよ", "threat"),
        ("きさんの家、調べたけんね", "threat"),
        ("ねえ、今度ふたりでどっか行かない？声が好みなんだよね", "sexual"),
        ("今すぐ社長本人をうちに謝りに来させてください", "unreasonable_demand"),
        ("慰謝料として二百万円お支払いください", "unreasonable_demand"),
    ],
)
def test_polite_indirect_and_regional_abuse_is_harassment(nlu: NLU, text: str, kind: str) -> None:
    h = nlu.parse(text).harassment
    assert h.detected and h.kind == kind, h


@pytest.mark.parametrize(
    "text",
    [
        "このケトル、ほんとにポンコツですね、三日で壊れました",
        "ゴミみたいな梱包で、箱が潰れて届いたんですけど",
        "ふざけた商品送ってきやがって、今すぐ返金しろ",
        "クソ高い送料払ったのに、まだ届かないんですけど",
        "家まで回収に来てもらえますか、重くて運べないので",
        "今すぐ代わりを送ってください、今日使うんです",
        "誕生日デートで使うので、土曜までに届けてほしいんです",
    ],
)
def test_anger_at_a_product_and_plain_requests_are_not_harassment(nlu: NLU, text: str) -> None:
    h = nlu.parse(text).harassment
    assert not h.detected, h


# dev16: name-calling at the end of a complaint (「届かねーんだけど、ほんと使えねえなバカ」) read as an angry but
# legitimate complaint as a whole; the clause that calls someone a name is abuse. A thing called ゴミ, an insult
# word as emphasis, or oneself called バカ is not
@pytest.mark.parametrize(("text", "abuse"), [
    ("注文したもん届かねーんだけど、ほんと使えねえなバカ", True),
    ("届かないし、お前ほんとゴミだな", True),
    ("届いた商品、ほんとゴミ", False),
    ("バカ高い送料なんですけど、どうにかなりませんか", False),
    ("このケトル、ゴミみたいな品質ですね、返品したい", False),
    ("私がバカでした、番号間違えてました", False),
])
def test_name_calling_inside_a_complaint(nlu: NLU, text: str, abuse: bool) -> None:
    assert nlu.parse(text).harassment.detected is abuse
