"""The FAQ answerer: which entry a caller's question gets, when it abstains, and designer errors.

DEV is the development list the keywords and thresholds were tuned on (with benchmarks/data/
faq_dev.jsonl); the held-out questions in benchmarks/data/faq_heldout2.jsonl are measured by
benchmarks/faq_eval.py and never tuned on. Latency is reported by that benchmark, not asserted here
(timings are noisy on shared CI machines).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogue.faq import FaqAnswer, FaqEntry, FaqIndex, Synonyms, load_faq
from dialogue.yaml_source import SourceError
from nlu.tokenizer import tokenize

# (caller's words, expected entry id or None); keigo, casual, Kansai, elderly, hiragana ASR, fillers
DEV: list[tuple[str, str | None]] = [
    ("送料はおいくらでしょうか", "shipping_fee"),
    ("配達料ってかかるの", "shipping_fee"),
    ("そうりょうなんぼ", "shipping_fee"),
    ("送料が無料になるのはいくら以上ですか", "free_shipping"),
    ("そうりょうってただになる？", "free_shipping"),
    ("なんぼから送料無料なん", "free_shipping"),
    ("返品の期限を教えてください", "return_deadline"),
    ("へんぴんっていつまで", "return_deadline"),
    ("買った物を返すのは何日以内ですか", "return_deadline"),
    ("返品の送料はどちら持ちですか", "return_shipping"),
    ("へんぴんのそうりょうってかかる？", "return_shipping"),
    ("返品するとき送料払わなあかんの", "return_shipping"),
    ("商品が壊れていたので返品します。送料はどうなりますか", "return_shipping_defect"),
    ("初期不良の返送料は負担してもらえますか", "return_shipping_defect"),
    ("こわれてたんですけどへんぴんのそうりょうは", "return_shipping_defect"),
    ("サイズが合わないので返品したい。送料は自分持ち？", "return_shipping_customer"),
    ("気に入らなかった場合の返品送料は", "return_shipping_customer"),
    ("じこつごうのへんぴんはそうりょうかかりますか", "return_shipping_customer"),
    ("ポイントはいくらで1ポイントつきますか", "points_rate"),
    ("ぽいんとってどれくらいたまる", "points_rate"),
    ("ポイント還元率はどのくらい", "points_rate"),
    ("ポイントの期限はいつまで", "points_expiry"),
    ("ぽいんとのゆうこうきげんおしえて", "points_expiry"),
    ("ポイントっていつ失効するんですか", "points_expiry"),
    ("ポイントの期限は延長されますか", "points_extension"),
    ("ぽいんとのきげんってのびるの", "points_extension"),
    ("ポイントが消えないようにする方法は", "points_extension"),
    ("ギフト包装はお願いできますか", "gift_wrapping"),
    ("ぷれぜんとようにらっぴんぐしてほしい", "gift_wrapping"),
    ("ラッピング代はいくらですか", "gift_wrapping"),
    ("支払い方法を教えて", "payment_methods"),
    ("しはらいかたはなにがありますか", "payment_methods"),
    ("どんな決済が選べますか", "payment_methods"),
    ("クレジットカードは使えますか", "payment_credit_card"),
    ("くれかつかえる？", "payment_credit_card"),
    ("JCBで払えますか", "payment_credit_card"),
    ("コンビニ払いはできますか", "convenience_store_fee"),
    ("こんびにばらいのてすうりょうは", "convenience_store_fee"),
    ("ローソンで払えますか", "convenience_store_fee"),
    ("代引きはできますか", "cod_fee"),
    ("だいびきのてすうりょういくら", "cod_fee"),
    ("着払いでお願いしたいんですが手数料は", "cod_fee"),
    ("支払い手数料はいくらですか", "payment_fees"),
    ("決済の手数料ってとられますか", "payment_fees"),
    ("領収書は出せますか", "receipt"),
    ("りょうしゅうしょがほしい", "receipt"),
    ("領収証をダウンロードしたい", "receipt"),
    # longer, roundabout questions (elderly callers, fillers, Kansai) with words the entries lack
    (
        "すみませんねえ、うちまで品物を届けてもらうと、送料というのはおいくらかかるもんなんでしょう",
        "shipping_fee",
    ),
    ("ちょっとお尋ねしますけど、配送料って別にかかるんでしょうか", "shipping_fee"),
    ("ほな何円以上買うたら送料かからへんの", "free_shipping"),
    ("もう少し買い足したら送料が無料になるって聞いたんですけど、いくらからですか", "free_shipping"),
    ("せっかく届いたんですけど、やっぱり返品したくて、何日までなら受け付けてもらえますか", "return_deadline"),
    ("うーん、返品って届いてからどれくらいの期間ならできるんでしょうか", "return_deadline"),
    ("まあその、返品する場合の送料って、こっちで払わなあかんのですか", "return_shipping"),
    ("送り返すときの送料はうちが持つんでしょうかね", "return_shipping"),
    (
        "箱を開けたら中身が割れておりまして、返送の送料はそちらで持っていただけるんでしょうか",
        "return_shipping_defect",
    ),
    ("電源が入らない不良品なんですが、返品の送料はかかりますか", "return_shipping_defect"),
    (
        "主人が使わないと言うもので、返品したいんですけど、その時の送料はこちら持ちですかねえ",
        "return_shipping_customer",
    ),
    ("色が思ってたのと違ったんで返品したいんやけど、送料はこっち持ち？", "return_shipping_customer"),
    ("あのう、お買い物をするとポイントというのは、どのくらいつくものなんでしょう", "points_rate"),
    ("千円買うたら何ポイントもらえるん", "points_rate"),
    ("この前ポイントが貯まってたんですけど、あれはいつまでに使わないといけないんですか", "points_expiry"),
    ("ポイントってほっといたら消えてしまうんでしょうか", "points_expiry"),
    ("ポイントの有効期限って、お買い物をしたらまた一年に戻るんですか", "points_extension"),
    ("ポイント失効せんようにするにはどないしたらええの", "points_extension"),
    ("娘の誕生日に送りたいので、きれいにラッピングしてもらえますか。料金はかかりますか", "gift_wrapping"),
    ("お中元で使いたいんですけど、のしをつけて包装してもらえるんでしょうか", "gift_wrapping"),
    ("あのう、お支払いはどういう方法でできるんでしょう", "payment_methods"),
    ("ほな支払いは何で払えるん", "payment_methods"),
    ("えっと、マスターカードって使えましたっけ", "payment_credit_card"),
    ("ネットで買うときにクレジットでお支払いしても大丈夫なんでしょうか", "payment_credit_card"),
    ("ファミマで払いたいんですけど、手数料はおいくらですか", "convenience_store_fee"),
    ("家の近くのコンビニで代金を払えたら助かるんですけど、できますか", "convenience_store_fee"),
    ("荷物を受け取るときに現金で払いたいんですが、手数料はかかりますか", "cod_fee"),
    ("代引きにしたら別に手数料とられるんやろか", "cod_fee"),
    ("支払いのときにかかる手数料を、方法ごとに教えてもらえますか", "payment_fees"),
    ("会社の経費で落としたいので、領収書が欲しいんですけど", "receipt"),
    ("あのう、領収書というのは郵送していただけるんでしょうか", "receipt"),
    # short questions, and topics carried by a verb (払い方, 返す) rather than a noun
    ("ギフトってできる？", "gift_wrapping"),
    ("領収書って出る？", "receipt"),
    ("了承書って発行してもらえますか", "receipt"),  # the recogniser's way of writing りょうしゅうしょ
    ("りょうしゅうしょ ほしいんですけど", "receipt"),
    ("ポイントってつく？", "points_rate"),
    ("代金の払い方を教えてください", "payment_methods"),
    ("返すのはいつまでに連絡すればいいですか", "return_deadline"),
    ("へんぴんはなんにちまでですか", "return_deadline"),
    ("こんびにでもはらえますか", "convenience_store_fee"),
    # routine requests: the flows handle them
    ("配達の時間を変えてもらいたいんですけど", None),
    ("支払いが済んでいるか確認したいです", None),
    ("先月の請求の内容を確認したいんですが", None),
    ("返品の手続きをお願いします", None),
    ("注文したものを別の商品に交換したい", None),
    ("ポイントの残高を知りたいです", None),
    ("注文した商品が届かない", None),
    ("キャンセルしたい", None),
    ("再配達を頼みたいんですが", None),
    ("配達日を変更してください", None),
    ("注文の状況を知りたい", None),
    ("住所を変えたいです", None),
    ("梅田店の営業時間は", None),
    ("ログインできないんです", None),
    ("担当者と話したい", None),
    # not in the knowledge base, or not about the shop
    ("海外に送ってもらえますか", None),
    ("ポイントを人にあげられますか", None),
    ("今日は雨が降りますか", None),
    ("ユニクロの送料はいくら", None),
    ("離島にも配送してもらえますか", None),
    ("領収書の但し書きを変えてほしい", None),
    ("ポイントでお支払いはできますか", None),
    ("ペイペイは使えますか", None),
    ("配達の日にちは選べますか", None),
    ("保証期間は何年ですか", None),
    ("もしもし", None),
    ("違う違う", None),
    ("いらないです", None),
    ("以上です", None),
    ("支払い方法を変えたい", None),
    ("不良品だったので返品します", None),
    ("はい", None),
]


# entries whose answer states the fact asked of the key entry too (the 送料 answer gives the free
# shipping threshold; the fees answer gives the 代引き fee), as the benchmark's `accept` has them
ACCEPT: dict[str, set[str]] = {
    "shipping_fee": {"free_shipping"},
    "free_shipping": {"shipping_fee"},
    "return_shipping_defect": {"return_shipping"},
    "return_shipping_customer": {"return_shipping"},
    "points_expiry": {"points_extension"},
    "points_extension": {"points_expiry"},
    "payment_methods": {"payment_credit_card"},
    "payment_credit_card": {"payment_methods"},
    "convenience_store_fee": {"payment_fees"},
    "cod_fee": {"payment_fees"},
}


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return load_faq()


@pytest.mark.parametrize(("text", "expected"), DEV)
def test_dev_question(index: FaqIndex, text: str, expected: str | None) -> None:
    hit = index.match(text)
    got = hit.entry.id if hit else None
    assert got == expected or (expected is not None and got in ACCEPT[expected]), index.explain(text)


def test_sample_kb_has_one_question_per_entry(index: FaqIndex) -> None:
    ids = [e.id for e in index.entries]
    assert 15 <= len(ids) <= 25
    assert len(set(ids)) == len(ids)
    assert all(e.keywords and e.answer.voice and e.answer.chat for e in index.entries)


def test_voice_answers_write_numbers_as_read(index: FaqIndex) -> None:
    # to_ssml reads runs of four or more digits one by one (order numbers): 5000円 would be spelt out
    assert [e.id for e in index.entries if re.search(r"[0-9０-９]", e.answer.voice)] == []


def test_hit_gives_the_channel_wording(index: FaqIndex) -> None:
    hit = index.match("ポイントの有効期限は？")
    assert hit is not None and hit.entry.id == "points_expiry"
    assert "一年間" in hit.answer("voice")
    assert "1年間" in hit.answer("chat")
    assert 0 < hit.coverage <= 1 and hit.score > 0


@pytest.mark.parametrize("text", ["", "   ", "えーと", "。。。", "12345678"])
def test_empty_or_contentless_abstains(index: FaqIndex, text: str) -> None:
    assert index.match(text) is None


def test_empty_index_abstains() -> None:
    assert FaqIndex.build([]).match("送料はいくら") is None


def test_thresholds_are_the_callers_to_set() -> None:
    entry = FaqEntry(
        id="a", question="送料はいくら", keywords=["送料"], answer=FaqAnswer(voice="v", chat="c")
    )
    other = FaqEntry(id="b", question="ポイント", keywords=[], answer=FaqAnswer(voice="v", chat="c"))
    strict = FaqIndex.build([entry, other], min_score=1e9)
    assert strict.match("送料はいくら") is None
    lenient = FaqIndex.build([entry, other], min_score=0.0, min_coverage=0.0)
    hit = lenient.match("送料はいくら")
    assert hit is not None and hit.entry.id == "a"


def test_requires_and_action_words_turn_requests_away() -> None:
    answer = FaqAnswer(voice="v", chat="c")
    shipping = FaqEntry(
        id="return_shipping",
        question="返品の送料は",
        keywords=["返品", "送料"],
        requires=["送料"],
        answer=answer,
    )
    methods = FaqEntry(id="payment_methods", question="支払い方法は", keywords=["支払い方法"], answer=answer)
    index = FaqIndex.build([shipping, methods], min_score=0.0)
    assert index.match("返品したい") is None  # the topic alone: a request for the returns flow
    hit = index.match("返品の送料はかかりますか")
    assert hit is not None and hit.entry.id == "return_shipping"
    assert index.match("支払い方法を変更したい") is None  # an action the entry does not know
    hit = index.match("支払い方法は何がありますか")
    assert hit is not None and hit.entry.id == "payment_methods"


def test_no_directory_is_an_empty_index(tmp_path: Path) -> None:
    assert load_faq(tmp_path / "missing").entries == ()


BAD = """\
- id: shipping_fee
  question: 送料はいくらですか
  keywords: [送料]
  answer:
    voice: 五百五十円です。
    chat: 550円です。
- id: receipt
  question: 領収書はもらえますか
  answer:
    voice: ダウンロードできます。
    chatt: ダウンロードできます。
"""


def test_malformed_entry_points_at_file_line_col(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_faq(tmp_path)
    problems = err.value.problems
    assert f"{tmp_path / 'bad.yaml'}:11:5: unknown key 'chatt'" in problems
    assert f"{tmp_path / 'bad.yaml'}:9:3: missing required key 'chat'" in problems


def test_yaml_syntax_error_points_at_file_line_col(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("- id: a\n  question: [送料\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_faq(tmp_path)
    assert err.value.problems[0].startswith(f"{tmp_path / 'bad.yaml'}:3:1: YAML syntax error")


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    one = "- id: receipt\n  question: 領収書\n  answer: {voice: v, chat: c}\n"
    (tmp_path / "a.yaml").write_text(one, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("\n" + one, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_faq(tmp_path)
    assert err.value.problems == [
        f"{tmp_path / 'b.yaml'}:2:7: duplicate FAQ id 'receipt' (first at {tmp_path / 'a.yaml'}:1:7)"
    ]


def _entry(id_: str, question: str, keywords: list[str], **more: object) -> FaqEntry:
    return FaqEntry.model_validate(
        {"id": id_, "question": question, "keywords": keywords, "answer": {"voice": "v", "chat": "c"}, **more}
    )


def test_synonym_group_matches_a_word_no_entry_has() -> None:
    entries = [_entry("fee", "送料はいくら", ["送料"]), _entry("points", "ポイント", ["ポイント"])]
    plain = FaqIndex.build(entries, min_score=0.0)
    assert plain.match("郵送代はいくら") is None  # 郵送代 is a word no entry knows
    groups = [["送料", "郵送代", "送り賃"]]
    with_groups = FaqIndex.build(entries, groups, min_score=0.0)
    for text in ("郵送代はいくら", "送り賃はいくら", "ゆうそうだいはいくら"):
        hit = with_groups.match(text)
        assert hit is not None and hit.entry.id == "fee", (text, with_groups.explain(text))


def test_synonym_member_of_several_words_must_stand_together() -> None:
    synonyms = Synonyms.build([["送料", "送り賃"]])
    from dialogue.faq import _analyse

    together = _analyse("送り賃は", synonyms).words
    assert [w.group for w in together] == ["送料", "送料"]
    apart = _analyse("送りの時の賃金", synonyms).words
    assert all(w.group != "送料" for w in apart)


def test_paraphrases_are_indexed_like_the_question() -> None:
    entries = [
        _entry("receipt", "領収書はもらえますか", ["領収書"], paraphrases=["経費精算の書類が欲しい"]),
        _entry("points", "ポイント", ["ポイント"]),
    ]
    hit = FaqIndex.build(entries, min_score=0.0).match("経費精算に使う書類はありますか")
    assert hit is not None and hit.entry.id == "receipt"
    assert (
        FaqIndex.build(entries[1:] + [_entry("receipt", "領収書", ["領収書"])], min_score=0.0).match(
            "経費精算に使う書類はありますか"
        )
        is None
    )


def test_requires_lists_must_each_be_met() -> None:
    cost = ["送料", "負担"]
    general = _entry("return_shipping", "返品の送料は", ["返品", "送料"], requires=cost)
    defect = _entry(
        "return_shipping_defect",
        "不良品の返品の送料は",
        ["不良品", "壊れる", "返品", "送料"],
        requires=[cost, ["不良品", "壊れる"]],
    )
    index = FaqIndex.build([general, defect], min_score=0.0)
    hit = index.match("返品の送料は誰の負担ですか")
    assert hit is not None and hit.entry.id == "return_shipping"  # no defect said: the general answer
    hit = index.match("壊れていたので返品しますが送料は誰の負担ですか")
    assert hit is not None and hit.entry.id == "return_shipping_defect"
    assert index.match("壊れていたので返品します") is None  # no cost word: a request for the flow


def test_requires_keyword_of_several_words_needs_them_all() -> None:
    # 違う商品 is a synonym of 不良品 and a defect word of `requires`; 商品 is no topic word, so 違う
    # alone (「思ってたのと違う」) stood for it, and 誤配送 was met by 配送 alone
    groups = [["料金", "金額"], ["不良品", "不良", "違う商品"]]
    cost = ["送料", "料金"]
    defect = _entry(
        "defect",
        "不良品を返品するときの送料は",
        ["不良品", "違う商品", "誤配送", "返品", "送料"],
        requires=[cost, ["不良品", "違う商品", "誤配送"]],
    )
    index = FaqIndex.build([defect, _entry("points", "ポイント", ["ポイント"])], groups, min_score=0.0)
    for text in ("違う商品が届いたときの送料は", "頼んだものと違う色の商品が届いたんですが送料は", "誤配送のときの送料は"):
        hit = index.match(text)
        assert hit is not None and hit.entry.id == "defect", (text, index.explain(text))
    for text in ("金額が思ってたのと違うんです", "料金が違うんですが", "配送の料金はいくらですか"):
        assert index.match(text) is None, (text, index.explain(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("請求書が届いたんですけど、金額が思ってたのと違うんです", None),  # the caller's bill: the flows'
        ("金額が違うんですけど", None),
        ("料金が思ってたより高い", None),
        ("届いたものが違う", None),
        ("違う商品が届いたときの返送料は", "return_shipping_defect"),
        ("思ってたのと違う商品が届いたんですが送料は", "return_shipping_defect"),
        ("商品が間違って届いたんですが返送料はかかりますか", "return_shipping_defect"),
    ],
)
def test_a_different_amount_is_no_defect(index: FaqIndex, text: str, expected: str | None) -> None:
    hit = index.match(text)
    assert (hit.entry.id if hit else None) == expected, index.explain(text)


def test_sample_synonyms_are_loaded(index: FaqIndex) -> None:
    assert index.synonyms is not None and len(index.synonyms.groups) >= 10
    hit = index.match("郵送代はいくらですか")
    assert hit is not None and hit.entry.id in {"shipping_fee", "free_shipping"}


def test_malformed_synonyms_file_points_at_file_line_col(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("synonyms:\n  - [送料, 郵送代]\nwords: []\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_faq(tmp_path)
    assert err.value.problems == [f"{tmp_path / 'synonyms.yaml'}:3:1: unknown key 'words'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ポイトンの還元率は", "points_rate"),  # a swap
        ("ラッピソグできますか", "gift_wrapping"),  # ソ for ン, as a keyboard or OCR slip
        ("クレヂットカードは使えますか", "payment_credit_card"),  # one token, against a two-word keyword
    ],
)
def test_unknown_word_one_slip_from_an_faq_word_is_read_as_it(
    index: FaqIndex, text: str, expected: str
) -> None:
    hit = index.match(text)
    assert hit is not None and hit.entry.id == expected, index.explain(text)


def test_respelling_needs_one_nearest_word() -> None:
    entries = [_entry("a", "ラッピング", ["ラッピング"]), _entry("b", "ラッピンゴ", ["ラッピンゴ"])]
    index = FaqIndex.build(entries, min_score=0.0)
    assert index.match("ラッピンクは") is None  # as near to both: no guess


def test_situation_told_first_weighs_less_than_the_question() -> None:
    from dialogue.faq import _analyse

    words = _analyse("確定申告で使いたいので、領収書をもらいたいんですが、どうすればいいですか").words
    assert {w.lemma for w in words if w.context} == {"確定", "申告", "使う"}
    assert not any(w.context for w in _analyse("領収書はもらえますか").words)


def test_a_comma_after_a_predicate_ends_a_clause() -> None:
    from dialogue.faq import _analyse

    words = _analyse("店舗でしか買ったことがなくて、ネットで買うとポイントはどのくらい貯まりますか").words
    assert [w.lemma for w in words if w.context] == ["店舗", "買う", "無い"]
    assert not any(w.context for w in _analyse("ポイントの、有効期限は").words)  # inside a noun phrase


# Long, situational, elderly and two-part questions (benchmarks/data/faq_dev2.jsonl has more): the
# caller's story comes first and the question last, often pointing back (そういうのって).
LONG: list[tuple[str, set[str] | None]] = [
    (
        "姉の結婚祝いにグラスを贈るつもりでして、せっかくなので、きちんとしたラッピングをお願いしたいんですが、"
        "そういうことってやってもらえますか",
        {"gift_wrapping"},
    ),
    (
        "単身赴任で家にいないことが多いんですが、そもそも送料っていくらかかるんですか",
        {"shipping_fee", "free_shipping"},
    ),
    (
        "年寄りなもんで、ようわからんのですけど、品物を届けてもらうのにいくら払うんでしょうか",
        {"shipping_fee", "free_shipping"},
    ),
    (
        "在宅で仕事をするようになってよく買い物するので、ポイントの貯まり方を知っておきたいんです",
        {"points_rate"},
    ),
    (
        "クレジットカードは使えますか、それとコンビニでも払えますか",
        {"payment_credit_card", "payment_methods", "convenience_store_fee"},
    ),
    # near misses: the topic is the FAQ's, the fact asked is not
    ("コンビニ払いの支払い期限はいつまでですか", None),
    ("転勤で引っ越すので、登録している住所を変えたいんですけど", None),
]


@pytest.mark.parametrize(("text", "expected"), LONG)
def test_long_and_situational_questions(index: FaqIndex, text: str, expected: set[str] | None) -> None:
    hit = index.match(text)
    got = hit.entry.id if hit else None
    assert (got is None) if expected is None else (got in expected), (text, index.explain(text))


def _situation(index: FaqIndex, text: str) -> list[str]:
    """The lemmas of the words `index` reads as the caller's situation, not the question."""
    query = index._query(text)
    return [w.lemma for w, context in zip(query.words, query.context, strict=True) if context]


def test_the_clause_that_asks_is_the_last_one_naming_an_faq_topic(index: FaqIndex) -> None:
    text = "娘にマグカップを贈るんですが、ラッピングをしてもらえたらうれしいんですけど、そういうのってやってもらえますか"
    assert set(_situation(index, text)) == {"娘", "マグ", "カップ", "贈る"}  # the tail points back
    # no FAQ noun in the question: the last clause with any word the FAQ knows asks
    assert _situation(index, "年寄りなもんでわからんのですが、いくら払えばよろしいですか") == ["年寄り"]


def test_each_question_of_a_two_part_turn_is_read_apart(index: FaqIndex) -> None:
    questions = index._questions("クレジットカードは使えますか、それとコンビニでも払えますか")
    told = [{w.lemma for w, c in zip(q.words, q.context, strict=True) if c} for q in questions]
    assert told == [{"クレジット", "カード", "使う"}, {"コンビニ", "払う"}]  # the last question first
    # a clause that tells, not asks, is one question's situation
    assert len(index._questions("クレジットカードを使っているんですけど、コンビニでも払えますか")) == 1


@pytest.mark.parametrize(
    ("text", "either"),
    [
        (
            "送料はいくらですか、それとポイントの有効期限はいつまでですか",
            {"shipping_fee", "free_shipping", "points_expiry", "points_extension"},
        ),
        (
            "代引きの手数料はいくらですか、それから返品は何日以内ならできますか",
            {"cod_fee", "payment_fees", "return_deadline"},
        ),
        ("領収書はもらえますか、あとギフト包装もお願いできますか", {"receipt", "gift_wrapping"}),
    ],
)
def test_two_questions_on_two_topics_get_one_answer(index: FaqIndex, text: str, either: set[str]) -> None:
    hit = index.match(text)  # each half alone covers half the words: read together, neither would answer
    assert hit is not None and hit.entry.id in either, index.explain(text)


def test_unknown_situation_words_weigh_little() -> None:
    entries = [
        _entry("fee", "送料はいくらですか", ["送料", "いくら"]),
        _entry("points", "ポイント", ["ポイント"]),
    ]
    index = FaqIndex.build(entries, min_score=0.0)
    story = "出張が多くて留守がちで、荷物は宅配ボックスで受け取っているんですが、送料はいくらですか"
    hit = index.match(story)
    assert hit is not None and hit.entry.id == "fee" and hit.coverage >= 0.6, index.explain(story)
    # the same unknown words in the clause that asks are what is asked: no answer
    assert index.match("宅配ボックスで受け取るときの送料の割引はいくらですか") is None


def test_unknown_pronouns_and_adverbs_are_no_topic() -> None:
    entries = [_entry("fee", "送料はいくらですか", ["送料", "いくら"])]
    index = FaqIndex.build(entries, min_score=0.0)
    hit = index.match("せっかくなので、ちゃんとそちらの送料がいくらか聞いておきたい")
    assert hit is not None and hit.coverage == 1.0


def test_verbs_that_only_add_an_aspect_are_no_topic() -> None:
    from dialogue.faq import _analyse

    assert "置く" not in {w.lemma for w in _analyse("ポイントの貯まり方を知っておきたい").words}
    assert "置く" in {w.lemma for w in _analyse("玄関に置いてもらえますか").words}  # a verb of its own


def test_kanji_words_are_not_respelt(index: FaqIndex) -> None:
    from dialogue.faq import _analyse

    # 上限 (ジョウゲン) is one slip from 条件 (ジョウケン) of the free-shipping entry, yet a word
    words = index._respell(_analyse("上限の金額", index.synonyms)).words
    assert words[0].reading == "ジョウゲン"
    hit = index.match("ラッピソグできますか")  # a katakana slip still is
    assert hit is not None and hit.entry.id == "gift_wrapping"


def test_another_entrys_noun_heading_the_phrase_turns_the_entry_away(index: FaqIndex) -> None:
    hit = index.match("コンビニ払いの手数料はいくらですか")
    assert hit is not None and hit.entry.id == "convenience_store_fee"
    assert index.match("コンビニ払いの支払い期限はいつまでですか") is None  # 期限 is another entry's


def test_candidates_are_the_best_by_bm25_with_ties_in_entry_order() -> None:
    """The partial sort in `_ranked` picks what a full stable sort of every entry's score picks."""
    import numpy as np

    entries = [_entry(f"e{i}", f"送料{'の返品' * (i % 3)}", ["送料", "返品"][: 1 + i % 2]) for i in range(12)]
    index = FaqIndex.build(entries, min_score=0.0)
    for text in ("送料は", "返品の送料は", "送料の返品の返品"):
        query = index._query(text)
        scores = np.zeros(len(entries))
        for feature in query.features:
            if feature in index._postings:
                rows, weights = index._postings[feature]
                scores[rows] += weights
        expected = [int(i) for i in np.argsort(-scores, kind="stable")[:5] if scores[i] > 0]
        ranked = index._ranked(query)
        assert sorted(i for i, _, _ in ranked) == sorted(expected)
        assert index._best(query) == ranked[0]  # the pruned search finds the full ranking's best


def test_best_skips_no_winner(index: FaqIndex) -> None:
    for text, _ in [*DEV, *LONG]:
        query = index._query(text)
        ranked = index._ranked(query)
        assert index._best(query) == (ranked[0] if ranked else None), text


def test_benchmark_will_not_list_held_out_misses() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            str(root / "benchmarks" / "faq_eval.py"),
            "--data",
            "faq_heldout3.jsonl",
            "--errors",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert done.returncode == 2 and "held-out set" in done.stderr


def test_an_unknown_kanji_topic_is_what_is_asked(index: FaqIndex) -> None:
    # 返金 (no entry knows it) is what the clause is about: the return-deadline entry does not answer
    assert index.match("返品した品物の返金はいつ頃になりますか") is None
    hit = index.match("返品はいつまでできますか")
    assert hit is not None and hit.entry.id == "return_deadline"


def test_the_frame_of_a_polite_question_is_no_topic() -> None:
    entries = [
        _entry("wrap", "ギフト包装はできますか", ["ギフト", "包装"]),
        _entry("points", "ポイント", ["ポイント"]),
    ]
    index = FaqIndex.build(entries, min_score=0.0)
    for text in ("ギフト包装にはご対応いただけますでしょうか", "ギフト包装は可能でしょうか、ご教示ください"):
        hit = index.match(text)
        assert hit is not None and hit.entry.id == "wrap" and hit.coverage == 1.0, index.explain(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kana transcripts: fugashi splits the FAQ's words (へんぴ|ん, なん|に|ちい, きそう|りょう)
        ("へんぴんってなんにちいないならうけつけてもらえますか", "return_deadline"),
        ("ぽいんとはなんえんでいちぽいんとつくんですか", "points_rate"),
        ("ぽいんとのゆうこうきげんってどのくらいあるの", "points_expiry"),
        # a fact no entry states stays unanswered in kana too
        ("ぽいんとをげんきんにかえられますか", None),
    ],
)
def test_kana_transcripts_are_read_as_the_faq_spells_its_words(
    index: FaqIndex, text: str, expected: str | None
) -> None:
    hit = index.match(text)
    assert (hit and hit.entry.id) == expected


def test_kana_respelling_keeps_plain_words_and_verbs(index: FaqIndex) -> None:
    assert index._in_kanji("へんぴんはなんにちいない") == "返品は何日いない"  # いない: also 居ない, kept
    assert index._in_kanji("でんわをかけるんですが") is None  # 欠ける is a keyword, but a verb: kept
    assert index._in_kanji("送料はいくらですか") is None


def test_what_the_caller_does_not_mean_is_no_topic(index: FaqIndex) -> None:
    text = "交換じゃなくて返品にしたいんですけど、届いてから何日以内なら返品できますか"
    hit = index.match(text)
    assert hit is not None and hit.entry.id == "return_deadline"
    assert index.match("交換の受付はいつまでですか") is None  # 交換 asked for: the flows'


def test_people_in_the_situation_are_not_facts_asked_about(index: FaqIndex) -> None:
    text = "母に頼まれて電話したんですが、母はカードを持っていないので、どんな払い方がありますか"
    hit = index.match(text)
    assert hit is not None and hit.entry.id == "payment_methods"
    assert index.match("ポイントを友達に譲れますか") is None  # a person in the asking clause still counts


@pytest.mark.parametrize(
    "text",
    ["ポイントは今いくつ残っていますか", "ポイントの残高はいくらですか", "先月の注文で送料がいくらかかったのか知りたい"],
)
def test_the_callers_own_account_is_the_flows_question(index: FaqIndex, text: str) -> None:
    assert index.match(text) is None


def test_an_amount_asked_as_a_condition_is_still_a_rule(index: FaqIndex) -> None:
    hit = index.match("いくら買ったら送料が無料になりますか")
    assert hit is not None and hit.entry.id == "free_shipping"


def test_the_last_clause_asks_when_it_is_a_question_with_an_faq_word(index: FaqIndex) -> None:
    # 払い方 is a verb and a suffix to fugashi: the clause that asks names no FAQ noun, yet it asks
    text = "カード番号を入力するのが怖くて、ほかの方法で払えたら助かるんですけど、どんな払い方があるんでしょうか"
    hit = index.match(text)
    assert hit is not None and hit.entry.id == "payment_methods"
    assert index._questions(text)[0].context[0]  # カード: told before, the situation
    # a statement asks nothing: its last clause is no question
    assert index.match("玄関に出るのに時間がかかってね、受け取りそびれたんですわ") is None


def test_a_topic_before_a_comma_belongs_to_the_clause_after_it() -> None:
    from dialogue.faq import _analyse

    words = _analyse("年金暮らしなもので、そちらのポイントというのは、買い物でどのくらい付くんでしょうか").words
    assert [w.lemma for w in words if w.context] == ["年金", "暮らし"]
    assert [w.lemma for w in _analyse("先日届いたんですが、ポイントは付きますか").words if w.context] == ["届く"]


@pytest.mark.parametrize(
    "text",
    [
        "期限切れになったポイントを戻してほしいんですが",  # to have it given back: a request
        "返品したら送料も返金してもらえますか",  # a refund: no entry states it
        "送料が無料の日ってあるんですか",  # 日: one kana long, still a fact no entry states
        "りょうしゅうしょのあてなをかえられますか",  # kana: あ|て|な is one noun, 宛名
    ],
)
def test_near_misses_of_the_faq_topics(index: FaqIndex, text: str) -> None:
    assert index.match(text) is None


def test_a_kana_noun_fugashi_breaks_after_no_is_one_unknown_noun() -> None:
    from dialogue.faq import _kana_nouns

    merged = _kana_nouns(tokenize("ポイントのざんだかをしりたい"))
    assert merged is not None
    assert [t.surface for t in merged][:4] == ["ポイント", "の", "ざんだか", "を"]
    assert merged[2].pos == "名詞"
    assert _kana_nouns(tokenize("送料のことなんですけど")) is None  # こと is a noun already


def test_the_return_shipping_entry_needs_a_return(index: FaqIndex) -> None:
    # a cost borne (こちら持ち, and 前もって reads as 持つ too), yet no return is spoken of
    for text in ["送料はこちら持ちになりますか", "お米を送るので、送料がいくらか前もって知っておきたくて"]:
        rows = {entry: coverage for entry, _, coverage in index.explain(text, top=5)}
        assert rows.get("return_shipping", 0.0) == 0.0
    hit = index.match("送り返すときの送料はどちら持ちですか")
    assert hit is not None and hit.entry.id == "return_shipping"
