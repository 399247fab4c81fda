"""Regional wish endings (nlu/dialect.py): the request is read in standard form (dev14's Tohoku 「再配達さ、頼みてえ
んだけども」 was order status, dev17's Kyushu 「ざいこば しりたかとですけど」 was not understood); words that only
look alike are left as they are."""

from __future__ import annotations

import pytest

from nlu.dialect import standard_form
from nlu.pipeline import NLU


@pytest.mark.parametrize(("said", "standard"), [
    ("しょうひんの ざいこば しりたかとですけど", "しょうひんの ざいこば しりたいとですけど"),
    ("荷物の再配達さ、頼みてえんだけども", "荷物の再配達さ、頼みたいんだけども"),
    ("キャンセルしたかとです", "キャンセルしたいとです"),
    ("高かったです", "高かったです"),
    ("値段が高か", "値段が高か"),
    ("まってえな", "まってえな"),
    ("聞いてえらい目にあった", "聞いてえらい目にあった"),
    ("にもづ の さいはいたづ たのみでえ", "にもつ の さいはいたつ たのみたい"),  # Tohoku, as a recogniser writes it
    # the polite past asked is no Kyushu wish (「いくらでしたか」 read as でしたい matched the fees FAQ)
    ("注文番号45678901の支払い金額はいくらでしたか?", "注文番号45678901の支払い金額はいくらでしたか?"),
    ("もう届きましたか", "もう届きましたか"),
    # Kansai words of a question (the knowledge base reads the standard form when the turn has no match)
    ("ポイントってどんくらいで切れてまうん？", "ポイントってどのくらいで切れてしまうん？"),
    ("ポイント消えてもうたんやけど", "ポイント消えてしまったんやけど"),
    ("もうええわ", "もうええわ"),
    # Tohoku words of a question (found in ivr chat: 「おらほの近くさ…店あっぺか」 was a greeting)
    ("おらほの近くさサクラマートの店あっぺか", "うちの近くにサクラマートの店ありますか"),
    ("近くさん", "近くさん"),
    # the wish in business keigo (dev116: 「…お願いしたく、ご連絡いたしました」 was not understood)
    ("配送日時の変更をお願いしたく、ご連絡いたしました。", "配送日時の変更をお願いしたいです。"),
    ("ご連絡いたしました", "ご連絡いたしました"),
])
def test_standard_form(said: str, standard: str) -> None:
    assert standard_form(said) == standard


@pytest.mark.parametrize(("said", "intent"), [
    ("荷物の再配達さ、頼みてえんだけども", "delivery_change"),
    ("しょうひんの ざいこば しりたかとですけど", "product_availability"),
    ("にもづ の さいはいたづ たのみでえ んだども", "delivery_change"),
])
def test_a_regional_request_is_read_as_the_request(nlu: NLU, said: str, intent: str) -> None:
    assert nlu.parse(said).intent.name == intent
