"""Answers from the bot's knowledge base (`faq/*.yaml`) for questions the dialogue flows do not cover.

Each entry is one question, its paraphrases and the words callers use for it. `FaqIndex.match` ranks
the entries with BM25 over the views the intent model uses (katakana readings and lemmas of topic
words, and reading trigrams), so 送料, そうりょう and ソウリョウ meet, and hiragana nouns that fugashi
splits apart (そう|りょう, だ|いびき) still match. Three backoffs widen what a caller may say: synonym
groups of the bot's data (faq/synonyms.yaml: 郵送代 is 送料, お金 is 料金), a respelling of an unknown
noun one slip from an FAQ word (ポイトン, クレヂットカード), and a lower weight for the situation a
caller tells before the clause that asks. The best few are re-ranked by how many of the caller's topic
words each entry knows, and the answer is withheld when the best is weak: a wrong answer costs a
caller more than 「お答えできません」 does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from math import log
from pathlib import Path
from typing import NamedTuple

import jaconv
import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, RootModel

from dialogue.api import Channel
from dialogue.faq_english import EnglishEntry, EnglishIndex, english_index
from dialogue.yaml_source import REPO_ROOT, SourceError, at, load
from nlu.features import fold_reading
from nlu.language import mostly_latin
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Token

DEFAULT_FAQ_DIR = REPO_ROOT / "faq"
SYNONYMS_FILE = "synonyms.yaml"  # in a FAQ directory: word groups, not entries (see `Synonyms`)

# Parts of speech that carry no topic. They still feed the reading trigrams, because fugashi glues
# hiragana nouns to them (だいびき -> だ|いびき).
_FUNCTION_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "感動詞", "接続詞", "連体詞"})
# Lemmas every caller uses whatever the topic: as terms they only add noise, and a question is not
# "partly unknown" because it says お聞きしたい or ネットで買った. Plain Japanese, no company facts.
_GENERIC_LEMMAS = frozenset(
    "為る 有る 居る 成る 出来る 言う 思う 聞く 教える 知る 分かる 見る 来る 行く 済む 良い 欲しい "  # noqa: SIM905 (a word list reads best as words)
    "下さる 頂く 貰う 遣る 呉れる 御座る 申す 致す 伺う 存ずる 願う 御 様 "
    "今 今日 前 後 先日 最近 連絡 其れ 此れ 彼れ 何 事 物 時 所 彼 ちょっと 一寸 少し 又 もう やっぱり 矢張り 本当 "
    "すみません 済みません ちゃう 以上 ネット 通販 家 自宅 近く 商品 品物 注文 場合 際 どう どない "
    # discourse nouns (そもそも, 今回, 普段, 実際): how a caller frames the question, no topic
    "抑 今回 普段 実際 一体 実は 大体 全然 結局 "
    # the frame of a polite question (ご対応いただけますか, 可能でしょうか, ご教示ください): the ask, not its topic
    "対応 可能 発生 利用 教示 案内 質問 問い合わせる 問い合わせ 相談 尋ねる 必要 "
    # courtesy and the shop itself (恐れ入りますが, よろしいでしょうか, 御社のサイトで): no topic
    "恐れ入る 宜しい 社 弊社 御社 貴社 サイト ホームページ 入手 取得 "
    # いくつ: a question word (see `_KIND_LEMMAS`), no topic
    "幾 幾つ "
    # how a caller frames the ask (金額に対して, ほかの払い方, 先に知っておきたい, 私のでも大丈夫ですか,
    # このあいだ, 全部で, 初めてなので, 払えたらありがたい): no topic
    "対する 関する 他 外 先 全部 全て 初めて 大丈夫 有り難い 助かる 間 "
    # (このまま頼むと送料って…: as things stand, ordered; 頼む is 注文 said plainly)
    "侭 頼む".split()
)
# verbs that after て only add an aspect (知っておきたい, 切れてしまう), no topic; alone they are words
_AUXILIARY_VERBS = frozenset({"置く", "仕舞う", "上げる", "差し上げる", "見せる"})
# Requests for an action (変える, 取り消す, キャンセル, 再発行, 交換): a question holding one that
# its entry does not know asks a flow to do something (支払い方法を変えたい), not what the FAQ says,
# so that entry does not answer it.
_ACTION_LEMMAS = frozenset(
    "変更 変える 替える 取り消す 取り消し 取消 取り止める キャンセル 止める 辞める 交換 ずらす 再 "  # noqa: SIM905 (as above)
    # to have something given back (切れたポイントを戻して, 送料も返金される): a request, or a fact no entry states
    "戻す 復活 返金".split()
)
# Coverage weights (see FaqIndex._coverage): nouns name the topic; verbs and adverbs are paraphrased
# freely; an unknown noun inside a phrase with a known word (海外|発送) is the thing asked about.
_NOUN, _OTHER, _UNKNOWN_IN_PHRASE = 1.0, 0.5, 1.5
# the last noun of a phrase (Japanese puts the head last: 支払い|期限 is a 期限) that the entry does
# not know while another entry does: the caller asks for that other fact
_HEAD = 3.0
# a noun of the asking clause that another entry's question is about (ポイントで送料を払う: ポイント
# for the shipping entry) and this entry does not know: the caller asks about both things together,
# which neither entry answers; weighs more than a word another entry merely lists (買い物, 別)
_OTHER_TOPIC = 1.5
_UNKNOWN_OTHER = 0.25  # a verb no entry knows: 預ける, 間に合う in order-status questions
_CANDIDATES = 5  # entries re-ranked by coverage after BM25
_MAX_PARTS = 3  # questions read apart in one turn (see `FaqIndex._focus`); more is a list, not a call
# ranking by BM25 x coverage^2: of two entries that both match, the one that knows all of the caller's
# words beats one that shares more terms with the question (返品の送料は無料? is not 送料無料)
_COVERAGE_POWER = 2
# a further question about the entry just answered (FaqIndex.follow_up): the entry is among the best few by
# BM25 alone (coverage says little of a turn that leans on what was said before), near the best, and not a
# word or two in common by chance
_FOLLOW_UP_RANKS, _FOLLOW_UP_NEAR, _FOLLOW_UP_MIN_SCORE = 3, 0.5, 2.0
_K1, _B = 1.2, 0.75  # textbook BM25
_GRAM_WEIGHT = 0.35  # a word yields several trigrams: keep them from outvoting whole-word matches


class FaqAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    voice: str = Field(min_length=1)  # spoken: numbers written as they are read (五千円)
    chat: str = Field(min_length=1)


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    # words one of which the caller must say (送料, 負担): for an entry whose topic alone is a request
    # for a flow (不良品だったから返品で asks to return it, not what the shipping costs)
    # several such lists (a list of lists) must each be met: the entry for defective goods answers
    # only a caller who speaks of the shipping cost AND of a defect; the general entry the rest
    requires: list[str] | list[list[str]] = Field(default_factory=list)
    # other ways callers ask the same question, written by the FAQ's author; indexed like `question`
    paraphrases: list[str] = Field(default_factory=list)
    answer: FaqAnswer
    en: EnglishEntry | None = None  # the entry for callers served in English (dialogue/faq_english.py)
    # the routine request the question belongs to (a receipt: billing_inquiry), which answering it acts on: the
    # call's intents (SPEC 7.2) name it; none for questions of no request (points, gift wrapping)
    intent: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")


class FaqFile(RootModel[list[FaqEntry]]):
    pass


class SynonymFile(BaseModel):
    """`faq/synonyms.yaml`: groups of words callers use for one thing (送料, 郵送代, 送り賃)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    synonyms: list[list[str]] = Field(default_factory=list)


class _Word(NamedTuple):
    reading: str  # folded katakana
    lemma: str
    noun: bool
    verb: bool  # or adjective: conjugates
    links: tuple[int, ...]  # words of the same noun phrase (海外|発送, 領収書 の 宛名), by index
    # a short hiragana piece (しょう of しょう|ひん) is itself no evidence: it must be found joined to a
    # neighbouring token (ショウヒ), or ショウ would match 化粧箱; empty for every other word
    joins: tuple[str, ...] = ()
    group: str = ""  # the synonym group the word belongs to (see `Synonyms`), "" for none
    context: bool = False  # said before the clause that asks (see `_clauses`, `FaqIndex._focus`)
    clause: int = 0  # the clause the word is in (see `_clauses`)
    asks: bool = False  # its clause ends as a question (…使えますか、): never the situation
    pos: str = ""  # UniDic pos1: unknown pronouns and adverbs (そちら, せっかく) are no topic
    kanji: bool = False  # written with kanji: a real word (上限), not a typo to respell (see `_respell`)
    topic: bool = False  # marked by は or って: what the clause is about (返金は いつ)
    # its group comes from a member that names more than the word (違う of 違う商品): it ranks the
    # group's entries, yet meets no `requires` (see `_meets`)
    loose: bool = False


@dataclass(frozen=True, slots=True)
class _Terms:
    features: frozenset[str]  # w: readings and l: lemmas of topic words, g: reading trigrams
    words: tuple[_Word, ...]  # the topic-bearing words, in order
    # of a caller's question, per word (`FaqIndex._focus`): some entry knows it; it tells the situation
    known: tuple[bool, ...] = ()
    context: tuple[bool, ...] = ()
    # (clause, kind) of each question word (いつ: time, いくら: amount, 何回: count, どこ: place, 誰: person)
    kinds: tuple[tuple[int, str], ...] = ()
    negated: frozenset[int] = frozenset()  # clauses that deny (付与されていない), not asking (ないですか)
    # of a caller's question as one reading (`FaqIndex._focus`): the kinds of fact its asking clauses
    # ask for, and whether one of them denies
    asks_for: frozenset[str] = frozenset()
    denies: bool = False
    # every token's folded reading, particles and generic nouns too (チガウ, イロ, ノ, ショウヒン): for
    # the keywords of `requires` that name more than their topic words (see `_Doc.spans`)
    spoken: tuple[str, ...] = ()


def _morae(reading: str) -> int:
    return len(reading) - sum(c in "ャュョァィゥェォヮ" for c in reading)


def _hiragana(text: str) -> bool:
    return all("\u3041" <= c <= "\u309f" for c in text)


def _analyse(text: str, synonyms: Synonyms | None = None, tokens: Sequence[Token] | None = None) -> _Terms:
    """One text (a caller's question, or one keyword) as BM25 terms and its topic-bearing words;
    words of a synonym group also yield the group's term (s:), which every member shares. `tokens`:
    the NLU's tokens of the text, already normalised (`Parse.tokens` of `Parse.normalized`), so a
    turn is tagged once; None tokenises `text` here."""
    if tokens is None:
        tokens = tokenize(normalize(text).text)
    tokens, clauses, questions = _clauses(tokens)
    readings = [fold_reading(t.reading.upper()) for t in tokens]
    feats: set[str] = set()
    words: list[_Word] = []
    links: list[list[int]] = []
    gap: list[str] = ["。"]  # tokens since the previous topic word
    asking: list[int] = []  # the clause of each word
    topics: list[bool] = []
    for k, t in enumerate(tokens):
        if (
            t.pos in _FUNCTION_POS
            or (t.lemma in _AUXILIARY_VERBS and k and tokens[k - 1].surface in ("て", "で"))
            or t.lemma in _GENERIC_LEMMAS
            or (t.pos == "名詞" and t.lemma == "方")  # お詳しい方 (a person); 払い方 (a way) is a suffix
            or t.surface.isdigit()
            or _not_this(tokens, k)
        ):
            gap.append(t.surface)
            continue
        reading = readings[k]
        # both views: the reading joins kanji and kana (送料/そうりょう), the lemma joins
        # conjugations (払わ/払い -> 払う); 支払い is a noun in one sentence and a verb in the next
        feats.add("w:" + reading)
        feats.add("l:" + t.lemma)
        joins: tuple[str, ...] = ()
        if len(reading) <= 4 and _morae(reading) <= 2 and _hiragana(t.surface):  # len: the cheap test first
            before, after = readings[k - 1] if k else "", readings[k + 1] if k + 1 < len(tokens) else ""
            joins = tuple(j for j in (before + reading, reading + after) if len(j) > len(reading))
        links.append([])
        if words and gap in ([], ["の"]):
            links[-1].append(len(words) - 1)
            links[-2].append(len(words))
        noun, verb = t.pos == "名詞", t.pos in ("動詞", "形容詞")
        kanji = any("\u4e00" <= c <= "\u9fff" for c in t.surface)
        words.append(
            _Word(
                reading,
                t.lemma,
                noun,
                verb,
                (),
                joins,
                "",
                False,
                clauses[k],
                clauses[k] in questions,
                t.pos,
                kanji,
            )
        )
        asking.append(clauses[k])
        topics.append(
            k + 1 < len(tokens) and tokens[k + 1].surface in _TOPIC_MARKERS and tokens[k + 1].pos == "助詞"
        )
        gap = []
    chars = "".join(readings)
    # trigrams across token boundaries rescue hiragana nouns that fugashi splits into particles and
    # other words (くれか -> くれ|か, だいびき -> だ|いびき)
    feats.update("g:" + chars[i : i + 3] for i in range(len(chars) - 2))
    # the asking clause: the last one that names a thing (「…領収書をもらいたいんですが、どうすれば
    # いいですか」 asks about 領収書; どうすれば alone is no topic)
    last = max((c for c, w in zip(asking, words, strict=True) if w.noun), default=max(asking, default=0))
    linked = [  # built once more, not `_replace`d: this runs for every question (µs count, see docs/faq.md)
        _Word(
            w.reading,
            w.lemma,
            w.noun,
            w.verb,
            tuple(ln),
            w.joins,
            "",
            c < last,
            c,
            w.asks,
            w.pos,
            w.kanji,
            tp,
        )
        for w, ln, c, tp in zip(words, links, asking, topics, strict=True)
    ]
    if synonyms is not None:
        linked = synonyms.tag(linked)
        feats.update("s:" + w.group for w in linked if w.group)
    kinds, negated = _question_kinds(tokens, clauses, questions)
    return _Terms(frozenset(feats), tuple(linked), kinds=kinds, negated=negated, spoken=tuple(readings))


def _not_this(tokens: Sequence[Token], k: int) -> bool:
    """Whether token k is what the caller says they do not mean (交換じゃなくて返品, カードではなく):
    no topic of the question."""
    after = "".join(t.surface for t in tokens[k + 1 : k + 4])
    return after.startswith(("じゃなく", "ではなく", "じゃのうて"))


# the kind of fact a question word asks for: いつ, 何日, 何年 a time; いくら, なんぼ, 何円 an amount;
# 何回, 何種類 a count; どこ a place; 誰 a person (どちら is left out: "which", "where" or "who")
_KIND_LEMMAS = {
    "何時": "time",
    "何時頃": "time",
    "幾ら": "amount",
    "何ぼ": "amount",
    "何処": "place",
    "誰": "person",
    "幾つ": "count",
}
_KIND_COUNTERS = {
    **dict.fromkeys("日 年 時 時間 箇月 月 週 週間 日間 年間 分".split(), "time"),  # noqa: SIM905 (word lists)
    "円": "amount",
    **dict.fromkeys("回 種類 個 枚 件 ポイント".split(), "count"),  # noqa: SIM905
}
_WHAT_PARTICLES = frozenset({"が", "を", "に", "で"})
_NEGATIONS = frozenset({"ない", "ず", "ぬ", "無い"})  # lemmas: 助動詞 ない/ず (ません), adjective 無い


def _question_kinds(
    tokens: Sequence[Token], clauses: Sequence[int], questions: set[int]
) -> tuple[tuple[tuple[int, str], ...], frozenset[int]]:
    """(clause, kind) of each question word (see `_KIND_LEMMAS`), and whether the turn ends by
    denying: its last clause says something is not so (ポイントが付与されていないんですけど), with no
    question particle after the negation (送料はかからないですか is a polite question). A negation
    in the situation (カードを持ってないんですけど、ほかに…) tells who asks, not what; 知らなくて and
    わからん deny knowing, not a fact; …しか持ってない says "only"."""
    kinds: list[tuple[int, str]] = []
    negated: set[int] = set()
    final = clauses[-1] if clauses else 0
    for k, t in enumerate(tokens):
        kind = _KIND_LEMMAS.get(t.lemma)
        following = tokens[k + 1] if k + 1 < len(tokens) else None
        if kind is None and t.lemma == "何" and following is not None:
            kind = _KIND_COUNTERS.get(following.lemma)
            if kind is None and following.surface in _WHAT_PARTICLES and following.pos == "助詞":
                kind = "what"  # 何が使える, 何で払える, 何に使える: a thing, not a number
            elif kind is not None:
                following = tokens[k + 2] if k + 2 < len(tokens) else None
        if (
            kind is None
            and t.lemma == "どう"
            and following is not None
            and (following.lemma == "為る" or following.surface.startswith("やっ"))
        ):
            kind = "how"
        if kind is not None and following is not None and following.surface == "も":
            kind = None  # いつも, どこも, 誰も, 何回も: no question word
        if kind == "amount" and _spent(tokens, clauses, k):
            kind = "spent"  # いくらかかったか確認したい: what the caller's own order cost, the flows' question
        if kind is not None:
            kinds.append((clauses[k], kind))
            if following is not None and following.surface == "から" and kind in ("amount", "count"):
                kinds.append((clauses[k], "threshold"))  # いくらから, 何ポイントから: from how much
        if clauses[k] == final and final not in questions and _denies(tokens, clauses, k):
            negated.add(final)
        elif _denies(tokens, clauses, k, condition=True):
            negated.add(clauses[k])  # 受け取れなかった場合は: asks about a case the entry must speak of
    return tuple(kinds), frozenset(negated)


def _spent(tokens: Sequence[Token], clauses: Sequence[int], k: int) -> bool:
    """Whether the amount asked at token k is one already paid: a verb in the past follows in its
    clause, asked about (いくらかかったか, いくら払ったのか, いくら取られたんですか); not a condition
    (いくら買ったら) nor a reminder of the rule (いくらだったっけ)."""
    rest = [u for u, c in zip(tokens[k + 1 : k + 6], clauses[k + 1 : k + 6], strict=False) if c == clauses[k]]
    for i, u in enumerate(rest[1:], 1):
        if u.surface == "た" and u.lemma == "た" and rest[i - 1].pos in ("動詞", "助動詞") and rest[i - 1].lemma != "だ":
            after = rest[i + 1].surface if i + 1 < len(rest) else ""
            return after in ("か", "の", "ん")
    return False


def _denies(tokens: Sequence[Token], clauses: Sequence[int], k: int, *, condition: bool = False) -> bool:
    """Whether token k negates a fact of its clause (see `_question_kinds`); with `condition`, a
    negated condition (受け取れなかった場合, 届かないときは, 使えなかったら)."""
    t = tokens[k]
    if t.lemma not in _NEGATIONS or t.pos not in ("助動詞", "形容詞"):
        return False
    before = [u for u, c in zip(tokens[:k], clauses[:k], strict=True) if c == clauses[k]]
    if t.lemma == "ず" and t.surface == "ん" and before and before[-1].surface[-1:] in _U_ROW:
        return False  # 使えるん (= 使えるの): fugashi reads the nominal ん as a negation
    verb = next((u for u in reversed(before) if u.pos in ("動詞", "形容詞") and u.lemma != "居る"), None)
    if (verb is not None and verb.lemma in _KNOWING) or any(u.surface == "しか" for u in before):
        return False
    after = [u for u, c in zip(tokens[k + 1 :], clauses[k + 1 :], strict=True) if c == clauses[k]]
    if condition:
        return any(u.lemma in _CONDITIONS or u.surface in ("たら", "なら") for u in after[:3])
    # 「代引きって手数料かからないんでしたよね」: a belief checked, the negation is what the caller thinks (a question)
    return not any(u.surface in _QUESTION_ENDS for u in after) and not _CONFIRMING.search(
        "".join(u.surface for u in after))


_CONFIRMING = re.compile(r"よね|っけ|でしょう|だろう|よな|やんな|やろ")


_CONDITIONS = frozenset({"場合", "時", "際"})
_U_ROW = frozenset("うくぐすずつづぬふぶぷむゆる")
_KNOWING = frozenset({"知る", "分かる", "判る", "解る", "存ずる"})  # 知らなくて, わからん: no fact denied


# what ends a clause: a sentence end, or a conjunctive particle after a predicate (…んですけど、
# …たので、…ますが、): a long question tells its situation first and asks in its last clause
_SENTENCE_ENDS = frozenset("。？！?!")
_TOPIC_MARKERS = frozenset({"は", "って"})
_QUESTION_ENDS = frozenset({"か", "かな", "かしら"})  # a clause ending so asks (…使えますか、それと…)
_CLAUSE_LINKS = frozenset({"けど", "けれど", "けれども", "ので", "が", "のに", "から"})
_PREDICATE_POS = frozenset({"助動詞", "動詞", "形容詞"})
_NOMINAL = frozenset({"名詞", "代名詞", "接頭辞", "接尾辞", "形状詞"})
_CONTEXT = 0.35  # weight of a situation word in coverage (see `_coverage`)
# a situation word no entry knows (娘, マグカップ, 出張, 海外赴任) says who asks, not what: it
# weighs little, or a long story would bury the question (「…出張が多くて…、送料っていくら」)
_CONTEXT_UNKNOWN = 0.1
# a situation word of another entry counts against an entry less than it counts for the entry
# that knows it: 「注文と違う商品が届いたので…送料は」 tells the defect entry from the general one
_CONTEXT_OTHER = 0.2
_FILLER_POS = frozenset({"代名詞", "副詞"})  # unknown ones are talk (そちら, せっかく), not topics
# nouns that point at something said around them (この前の, そういうやつ; 分 after a verb: 買った分の領収書), or
# only lead into the question (ちなみに: tokenised as the noun 因み): talk, not topics
_VAGUE_NOUNS = frozenset({"こと", "事", "もの", "物", "やつ", "奴", "件", "前", "間", "先日", "感じ", "因み"})
# the state of the caller's own account (ポイントの残高, 何ポイント残ってますか): asked in the clause
# that asks, the flows' (or a person's) question, not one the FAQ answers
_OWN_LEMMAS = frozenset({"残高", "残り", "残る", "残額"})
# people a caller speaks of (母が, そういう人は, 会社の経費): who asks or for whom, not what is asked;
# unknown to every entry, in the situation they are passed over like fillers, and in the clause that
# asks they weigh as any noun (家族に譲る is still a fact no entry states), never as its head
_PEOPLE = frozenset(
    "人 方 私 僕 俺 自分 内 家族 母 父 親 両親 娘 息子 主人 夫 妻 嫁 旦那 家内 子 子供 孫 祖母 祖父 "  # noqa: SIM905 (a word list)
    "兄 姉 弟 妹 友達 友人 知人 上司 部下 同僚 会社 職場 経理 年寄り 高齢 母親 父親 義母 義父".split()
)


def _clauses(tokens: Sequence[Token]) -> tuple[list[Token], list[int], set[int]]:
    """The tokens without punctuation, the number of the clause each is in, and the clauses that
    end as a question (…使えますか、それと…): a two-part question asks in both."""
    kept: list[Token] = []
    clause_of: list[int] = []
    questions: set[int] = set()
    clause = 0
    previous = ("", "")  # pos of the two tokens before
    for t in tokens:
        if t.pos in ("補助記号", "空白"):
            # a sentence end, or a comma after a predicate or particle (…思ってまして、…聞こえなくて、);
            # a comma inside a noun phrase (ポイントの、有効期限) keeps the clause
            ends = t.surface in _SENTENCE_ENDS or (
                t.surface in "、,"
                and kept[-1:]
                and kept[-1].pos not in _NOMINAL
                and kept[-1].surface != "の"
                # a topic told before a comma (ポイントというのは、…どのくらい付く) belongs to the clause after it
                and not (kept[-1].surface in _TOPIC_MARKERS and kept[-1].pos == "助詞")
            )
            if ends and kept and (t.surface in "？?" or kept[-1].surface in _QUESTION_ENDS):
                questions.add(clause)
            clause += bool(ends and kept)
            continue
        kept.append(t)
        clause_of.append(clause)
        if t.surface in _CLAUSE_LINKS and t.pos == "助詞" and previous[1] in _PREDICATE_POS:
            clause += 1
        elif t.surface == "で" and kept[-2:-1] and kept[-2].surface == "の" and previous[0] in _PREDICATE_POS:
            clause += 1  # …たいので: fugashi reads ので as の|で
        previous = (previous[1], t.pos)
    if kept and kept[-1].surface in _QUESTION_ENDS and kept[-1].pos == "助詞":
        questions.add(clause)  # the turn ends asking, unpunctuated (…あるんでしょうか)
    return kept, clause_of, questions


_MIN_READING_KEY = 3  # shorter readings are too often homophones (ダイ: 代, 台, 第): matched by lemma only


@dataclass(frozen=True, slots=True)
class Synonyms:
    """Word groups of the bot's data (faq/synonyms.yaml): a caller's word of a group counts as every
    word of it, so お金 meets an entry that says 料金, and 郵送代 one that says 送料. Members are
    analysed like questions: a one-word member matches by lemma (any spelling or conjugation) and by
    reading (kana transcripts); a member fugashi splits (送り|賃, and ゆうそう|りょう in kana)
    matches the same readings in a row."""

    keys: dict[str, str]  # "l:" lemma or "r:" reading(s) -> group name (its first member)
    longest: int = 1  # most words in one member
    groups: tuple[tuple[str, ...], ...] = ()  # as the designer wrote them
    loose: frozenset[str] = frozenset()  # keys of members that name more than their words (違う商品)

    @classmethod
    def build(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        keys: dict[str, str] = {}
        loose: set[str] = set()
        longest = 1
        groups = [g for g in groups if g]
        for group in groups:
            name = group[0]
            for member in group:
                terms = _analyse(member)
                words = terms.words
                if not words:
                    continue
                more = _names_more(member, terms)  # 違う商品 is no 違う: it names more than its words
                longest = max(longest, len(words))
                joined = "".join(w.reading for w in words)
                found = []
                if len(words) == 1:
                    found.append("l:" + words[0].lemma)
                if len(words) > 1 or len(joined) >= _MIN_READING_KEY:
                    found.append("r:" + joined)
                for key in found:
                    if key not in keys:
                        keys[key] = name
                        if more:
                            loose.add(key)
        return cls(keys, longest, tuple(tuple(g) for g in groups), frozenset(loose))

    def tag(self, words: Sequence[_Word]) -> list[_Word]:
        """`words` with their groups set, the longest run of words that spells a member first."""
        out = list(words)
        i = 0
        while i < len(out):
            for span in range(min(self.longest, len(out) - i), 0, -1):
                run = out[i : i + span]
                if any(i + k + 1 not in w.links for k, w in enumerate(run[:-1])):
                    continue  # a member's words stand together in the question (送り賃, not 送り…の…賃)
                joined = "".join(w.reading for w in run)
                key = "r:" + joined if span > 1 or len(joined) >= _MIN_READING_KEY else ""
                if span == 1 and "l:" + run[0].lemma in self.keys:
                    key = "l:" + run[0].lemma
                name = self.keys.get(key)
                if name:
                    out[i : i + span] = [w._replace(group=name, loose=key in self.loose) for w in run]
                    i += span
                    break
            else:
                i += 1
        return out


ENGLISH_MIN_LETTERS = 4  # fewer Latin letters (「OK」, a brand) say nothing of the question's language


@dataclass(frozen=True, slots=True)
class FaqHit:
    entry: FaqEntry
    score: float  # BM25, comparable only between entries of one index
    coverage: float  # weighted share of the question's topic words the entry knows (0..1)

    english: bool = False  # matched on an English question: answered in English

    def answer(self, channel: Channel) -> str:
        answer = self.entry.en.answer if self.english and self.entry.en is not None else self.entry.answer
        return answer.voice if channel == "voice" else answer.chat


_Posting = tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]  # entry indices, BM25 weights


@dataclass(frozen=True, slots=True)
class _Doc:
    features: frozenset[str]
    words: frozenset[str]  # readings and lemmas of its words, and their parts (see `_parts`)
    nouns: frozenset[str]  # the same, of its nouns only
    whole: frozenset[str]  # readings and lemmas of keywords that are one word (ただ: short, yet a word)
    requires: tuple[_Doc, ...] = ()  # FaqEntry.requires, each list as an entry of its own
    spelt: frozenset[str] = frozenset()  # readings of its words and whole keywords (see `_respell`)
    # the kinds of fact it states (see `_KIND_LEMMAS`): question words of its texts, and its answer's
    # amounts (五百五十円), times (八日以内) and counts (三種類)
    kinds: frozenset[str] = frozenset()
    denies: bool = False  # one of its texts denies (失効しない, 送料がかからなくなる)
    # of a `requires` list: its keywords of several words (違う|商品, 誤|配送, 音|が|出ない) as
    # (reading, lemma) runs, met only by the caller saying them all, in a row (see `_meets`)
    phrases: tuple[tuple[tuple[str, str], ...], ...] = ()
    # of a `requires` list: the tokens' folded readings of its keywords that name more than their
    # topic words (違う商品: 商品 is no topic word, so 違う would be left), met only by all of them
    # said in order, a word or two apart at most (違う色の商品; see `_meets`)
    spans: tuple[tuple[str, ...], ...] = ()


_NUMBER = r"[0-9０-９][0-9０-９,，]*"
_ANSWER_KINDS = (  # facts an answer states (its chat wording: digits)
    (re.compile(_NUMBER + "円"), "amount"),
    (re.compile(_NUMBER + "円(?:以上|から)"), "threshold"),
    (re.compile(_NUMBER + "(?:日|年|か月|ヶ月|カ月|時間|週間|営業日)"), "time"),
    (re.compile(_NUMBER + "(?:回|種類|個|枚|件|ポイント)"), "count"),
    # a way the caller can do it (ダウンロードしていただけます, お選びいただけます, 延長されます)
    (re.compile("(?:いただけます|ください|されます)"), "how"),
)


def _parts(word: str) -> list[str]:
    """A word and every piece of it of two characters or more: a caller's hiragana pieces (ソウ of
    そう|りょう) and parts of compounds (送料 in 返送料) then count as known, by a set lookup."""
    n = len(word)
    return [word[i:j] for i in range(n) for j in range(i + 2, n + 1)] if n <= 12 else [word]


@lru_cache(maxsize=8192)
def _spoken_kana(keyword: str) -> str | None:
    """The keyword as a recogniser writes it in hiragana (代引き -> だいびき, 明細 -> めいさい), or
    None when it has no kanji (katakana loanwords stay katakana in transcripts). Long vowels are
    spelt out as kana spelling does (メーサイ -> めいさい), not as `fold_reading` folds them."""
    if not any("\u4e00" <= c <= "\u9fff" for c in keyword):
        return None
    out: list[str] = []
    for c in "".join(t.reading for t in tokenize(normalize(keyword).text)):
        if c == "ー" and out:
            vowel = unicodedata.name(out[-1], "").rsplit(" ", 1)[-1][-1:]
            c = {"A": "ア", "I": "イ", "U": "ウ", "E": "イ", "O": "ウ"}.get(vowel, "")
        out.append(c)
    return str(jaconv.kata2hira("".join(out)))


def _doc(
    questions: Sequence[str],
    keywords: Sequence[str],
    requires: Sequence[Sequence[str]] = (),
    synonyms: Synonyms | None = None,
    *,
    exact: bool = False,
    phrases: bool = False,
    answer: str = "",
) -> tuple[_Doc, dict[str, int]]:
    """An entry's BM25 term counts and its words. Indexed texts: the question and its paraphrases
    (whole words only: their trigrams span particles, する|と|き, and would match anything), the
    keywords, and each keyword in hiragana, since fugashi splits hiragana nouns differently from
    kanji ones. The synonym groups of its words count as its words too (`Synonyms`).
    `phrases` (a `requires` list): a keyword of several words is a run the caller must say whole
    (違う商品: 違う alone is no defect, 配送 alone no 誤配送), or a member of a synonym group."""
    tf: dict[str, int] = {}
    words: set[str] = set()
    nouns: set[str] = set()
    whole: set[str] = set()
    spoken = [k for k in map(_spoken_kana, keywords) if k and k not in keywords]
    sentences = set(questions)
    spelt: set[str] = set()
    respelt = set(spoken) - set(keywords)
    kinds = {kind for pattern, kind in _ANSWER_KINDS if pattern.search(answer)}
    denies = False
    runs: list[tuple[tuple[str, str], ...]] = []
    spans: list[tuple[str, ...]] = []
    for text in dict.fromkeys([*questions, *keywords, *spoken]):
        # a keyword respelt in kana is split anew (ほう|そうりょう of 包装料): no synonyms from its pieces
        terms = _analyse(text, None if text in respelt else synonyms)
        kinds.update(kind for _, kind in terms.kinds)
        denies = denies or bool(terms.negated)
        keyword = text not in sentences
        for f in terms.features:
            if keyword or not f.startswith("g:"):
                tf[f] = tf.get(f, 0) + 1  # a word in kanji and in kana counts twice; BM25 saturates it
        if phrases and text in keywords and _names_more(text, terms):
            spans.append(terms.spoken)  # 違う商品 is no 違う
            continue
        if phrases and len(terms.words) > 1:
            runs.append(tuple((w.reading, w.lemma) for w in terms.words))
            group = {w.group for w in terms.words}
            if len(group) == 1 and "" not in group:  # the whole keyword is a member (違う商品: 不良品)
                words.add("s:" + group.pop())
                if any(w.noun for w in terms.words):
                    nouns.add("s:" + terms.words[0].group)
            continue
        if keyword and text in keywords and len(terms.words) == 1:
            whole.update(terms.words[0][:2])  # a word the designer listed on its own (ただ, いつまで)
        # exact: whole words only, for `requires` (際 is no part of サイズ there)
        pieces = (lambda word: [word]) if exact else _parts
        if keyword:  # a keyword's pieces across its tokens too: スウリョウ of て|すう|りょう, 手数|料
            words.update(pieces("".join(w.reading for w in terms.words)))
            spelt.add("".join(w.reading for w in terms.words))
        spelt.update(w.reading for w in terms.words)
        for word in terms.words:
            parts = [*pieces(word.reading), *pieces(word.lemma)]
            if word.group:
                parts.append("s:" + word.group)
            words.update(parts)
            if word.noun:
                nouns.update(parts)
    required = tuple(
        _doc([], need, synonyms=synonyms, exact=True, phrases=True)[0] for need in requires if need
    )
    for need in requires:  # words the designer tied to the entry are its words (返品の送料は「有料」?)
        if need:
            doc = _doc([], need, synonyms=synonyms, exact=True)[0]
            words |= doc.words
            nouns |= doc.nouns
    return _Doc(
        frozenset(tf),
        frozenset(words),
        frozenset(nouns),
        frozenset(whole),
        required,
        frozenset(spelt),
        frozenset(kinds),
        denies,
        tuple(dict.fromkeys(runs)),
        tuple(dict.fromkeys(spans)),
    ), tf


@dataclass
class FaqIndex:
    """BM25 over entries (question + keywords); build with `load_faq` or `FaqIndex.build`.

    Contract of `match(text)`: a hit only when the question is about one entry, else None. The best
    few entries by BM25 are re-ranked by score x coverage² (`_coverage`: the caller's topic words the
    entry knows, with the rules that turn requests, replies and near misses away: the kind of fact
    asked, a turn that ends denying, another entry's topic), then two thresholds, tuned on the dev
    questions in tests/dialogue/test_faq.py and benchmarks/data/faq_dev*.jsonl, decide:
    `min_score` (BM25 of this index: more entries raise the scale) and `min_coverage`.
    On the turn path pass the NLU's tokens (`match(parse.normalized, parse.tokens)`): fugashi then
    tags a turn once.
    Routine requests (注文した商品が届かない, キャンセルしたい, 支払い方法を変えたい, 返品したい)
    get None from `match` itself (1 of 864 of the NLU's held-out routine utterances was answered).
    For the caller: the NLU files most FAQ questions under `billing_inquiry` or `return_exchange`,
    often confidently (返品の送料はかかりますか: return_exchange 0.98), so do not gate `match` on
    `out_of_scope`/`low_confidence`; ask it for a top-level free-text turn (no slot question open)
    and answer its hit when the intent is `billing_inquiry`, `return_exchange`, `out_of_scope` or
    low-confidence; let any other confident routine intent run its flow.
    """

    entries: tuple[FaqEntry, ...]
    min_score: float = 7.0
    min_coverage: float = 0.6
    synonyms: Synonyms | None = None
    _docs: tuple[_Doc, ...] = field(init=False, repr=False)
    _vocabulary: _Doc = field(init=False, repr=False)  # every entry's words, to tell unknown ones
    _postings: dict[str, _Posting] = field(init=False, repr=False)
    _spellings: dict[str, frozenset[str]] = field(init=False, repr=False)  # see `_respell`
    _topics: frozenset[str] = field(init=False, repr=False)  # see `_topic`
    _kana: dict[str, str] = field(init=False, repr=False)  # see `_kana_words`
    _kana_longest: int = field(init=False, repr=False)
    _english: EnglishIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_english", english_index([(e.id, e.en) for e in self.entries]))
        built = [
            _doc(
                [e.question, *e.paraphrases],
                e.keywords,
                _requirements(e),
                self.synonyms,
                answer=e.answer.chat,
            )
            for e in self.entries
        ]
        self._docs = tuple(doc for doc, _ in built)
        self._vocabulary = _Doc(
            frozenset(),
            frozenset().union(*(d.words for d in self._docs)),
            frozenset(),
            frozenset().union(*(d.whole for d in self._docs)),
        )
        self._postings = _postings([tf for _, tf in built])
        self._topics = frozenset(
            key
            for e in self.entries
            for w in _analyse(e.question, self.synonyms).words
            if w.noun
            for key in (w.reading, w.lemma, "s:" + w.group if w.group else "")
            if key
        )
        self._spellings = _spellings(frozenset().union(*(d.spelt for d in self._docs)))
        self._kana = _kana_words(
            [w for e in self.entries for w in (*e.keywords, *(x for r in _requirements(e) for x in r))],
            self.synonyms.groups if self.synonyms is not None else (),
        )
        self._kana_longest = max(map(len, self._kana), default=0)

    @classmethod
    def build(
        cls, entries: Iterable[FaqEntry], synonyms: Iterable[Sequence[str]] = (), **thresholds: float
    ) -> FaqIndex:
        groups = [g for g in synonyms if g]
        return cls(tuple(entries), **thresholds, synonyms=Synonyms.build(groups) if groups else None)

    def match(self, text: str, tokens: Sequence[Token] | None = None) -> FaqHit | None:
        """The entry that answers `text`, or None when no entry clearly does (see the class doc).
        On the turn path pass the NLU's `Parse.normalized` and `Parse.tokens`: the question is then
        read from those tokens and not tagged a second time."""
        if mostly_latin(text, min_letters=ENGLISH_MIN_LETTERS):  # an English question (「Where can I get a 領収書?」)
            return self.match_english(text)
        questions = self._questions(text, tokens)
        if not self.entries or not questions[0].words:
            return None
        found: tuple[int, float, float] | None = None
        for query in questions:  # a turn that asks two things gets the answer that fits best
            part = self._best(query)
            if part is not None and (found is None or _value(part) > _value(found)):
                found = part
        if found is None:
            return None
        best, score, coverage = found
        if score < self.min_score or coverage < self.min_coverage:
            return None
        return FaqHit(self.entries[best], score, coverage)

    def match_english(self, text: str) -> FaqHit | None:
        """The entry an English question is about (entries' `en` blocks), answered in English; None as `match`."""
        found = self._english.best(text)
        if found is None:
            return None
        entry_id, hits = found
        entry = next(e for e in self.entries if e.id == entry_id)
        return FaqHit(entry, float(hits), 1.0, english=True)

    def match_loose(self, text: str, tokens: Sequence[Token] | None = None) -> FaqHit | None:
        """The entry a question is about when it says more than the entry knows (「今からでも返品って間に合うのか
        心配で」「領収書の発行方法をご教示ください。紙での郵送は不要です」: the story around it lowers the coverage
        below `min_coverage`): a hit at `LOOSE_COVERAGE` when it is far ahead of every other entry. For the
        caller to use only where the turn asks (a question, a belief checked): a statement that names a
        topic (「返品したいんですが」) is a request."""
        ranked = self._rows(text, tokens, key=_value)
        if not ranked:
            return None
        best, score, coverage = ranked[0]
        runner_up = _value(ranked[1]) if len(ranked) > 1 else 0.0
        if score < self.min_score or coverage < LOOSE_COVERAGE or _value(ranked[0]) < LOOSE_LEAD * runner_up:
            return None
        return FaqHit(self.entries[best], score, coverage)

    def follow_up(self, text: str, entry_id: str, tokens: Sequence[Token] | None = None) -> FaqHit | None:
        """The entry just answered, when `text` reads as more about it: 「じゃあ4,999円だったら？」 after the
        free-shipping answer, 「8日って注文した日からですか？」 after the return deadline. Such a turn names too
        little for `match` (or names a word another entry lists, 円 for points), but the entry ranks among the
        best few, near the best: the conversation's topic decides."""
        ranked = self._rows(text, tokens, key=lambda r: r[1])[:_FOLLOW_UP_RANKS]
        if not ranked:
            return None
        best = ranked[0][1]
        for i, score, coverage in ranked:
            if self.entries[i].id == entry_id and score >= _FOLLOW_UP_MIN_SCORE and score >= _FOLLOW_UP_NEAR * best:
                return FaqHit(self.entries[i], score, coverage)
        return None

    def explain(
        self, text: str, top: int = 3, tokens: Sequence[Token] | None = None
    ) -> list[tuple[str, float, float]]:
        """(id, score, coverage) of the best entries, for tuning keywords; ignores the thresholds."""
        ranked = self._rows(text, tokens, key=_value)
        return [
            (self.entries[i].id, round(score, 2), round(coverage, 2)) for i, score, coverage in ranked[:top]
        ]

    def _rows(
        self, text: str, tokens: Sequence[Token] | None, key: Callable[[tuple[int, float, float]], float]
    ) -> list[tuple[int, float, float]]:
        """Every entry ranked for any part of `text`, its best row by `key`, best first."""
        rows: dict[int, tuple[int, float, float]] = {}
        for query in self._questions(text, tokens):
            for row in self._ranked(query):
                if row[0] not in rows or key(row) > key(rows[row[0]]):
                    rows[row[0]] = row
        return sorted(rows.values(), key=lambda r: -key(r))

    def _query(self, text: str) -> _Terms:
        """The question as `match` reads it first (a two-part question: its last part)."""
        return self._questions(text)[0]

    def _questions(self, text: str, tokens: Sequence[Token] | None = None) -> list[_Terms]:
        spelt = self._in_kanji(text)
        if spelt is not None:  # a kana transcript: tagged once more, as the FAQ spells its words
            # text the NLU normalised (its tokens given) is not normalised twice: its spoken numbers are digits
            # already, and 「なにがつかえますか」 run together would read as 2月 (に|がつ) the second time
            text, tokens = spelt, (tokenize(spelt) if tokens is not None else None)
        if tokens is None:
            tokens = tokenize(normalize(text).text)
        tokens = _kana_nouns(tokens) or tokens
        return self._focus(self._respell(_analyse(text, self.synonyms, tokens)))

    def _in_kanji(self, text: str) -> str | None:
        """`text` with the FAQ's words that a recogniser wrote in hiragana (へんぴん, ぽいんとの
        ゆうこうきげん, なんにち) spelt as the FAQ spells them (返品, ポイントの有効期限, 何日), or None
        when it has none. fugashi splits hiragana nouns into particles and wrong words (へんぴん ->
        辺鄙|ん, そうりょう -> きそう|りょう), so a kana-only question lost its topic words and its
        question word; the respelt text is tagged anew (a kana turn is tagged twice, any other once).
        Longest first, left to right, inside runs of hiragana; a dictionary lookup per position and
        length."""
        if not self._kana:
            return None
        out: list[str] = []
        last = 0
        for run in _HIRAGANA_RUN.finditer(text):
            i, end = run.start(), run.end()
            while i + _MIN_KANA_WORD <= end:
                for j in range(min(end, i + self._kana_longest), i + _MIN_KANA_WORD - 1, -1):
                    word = self._kana.get(text[i:j])
                    if word is not None:
                        out += [text[last:i], word]
                        last = i = j
                        break
                else:
                    i += 1
        return "".join([*out, text[last:]]) if out else None

    def _focus(self, query: _Terms) -> list[_Terms]:
        """The clause that asks: the last one naming a thing the FAQ knows. A long question tells
        its situation first (「娘の誕生日にマグカップを贈るんですが、ラッピングはしてもらえますか、
        そういうのって」); what the caller asks about is the last FAQ topic named, and a tail without
        one (そういうのってやってもらえますか) points back to it. Earlier clauses are the situation.
        An earlier clause that ends as a question and names an FAQ thing is a question of its own
        (「送料はいくらですか、それとポイントの期限は」): one reading per question, the last first,
        each with the other questions as its situation, else each half would dilute the other."""
        # a hiragana noun fugashi splits (ぽい|ん|と) is no noun: its joined pieces count as one
        known = [_knows(self._vocabulary, w) for w in query.words]
        asked = [w.clause for w, k in zip(query.words, known, strict=True) if k and (w.noun or w.joins)]
        # none: the last clause with any word the FAQ knows (…わからんのですが、いくら払えば)
        asked = asked or [w.clause for w, k in zip(query.words, known, strict=True) if k]
        last = max(asked, default=-1)
        # the turn's last clause asks when it has a word the FAQ knows, a noun or not (「…カードの番号を
        # 入れるのが怖くて、…どんな払い方があるんでしょうか」: 払い方 is a verb and a suffix to fugashi)
        final = max((w.clause for w in query.words), default=-1)
        if (
            final > last
            and any(k and w.clause == final for w, k in zip(query.words, known, strict=True))
            and (any(w.asks for w in query.words if w.clause == final) or any(c == final for c, _ in query.kinds))
        ):
            last = final  # …and a statement (「…受け取りそびれたんですわ」) asks nothing
        asking = [w.clause for w in query.words if w.asks]
        if last >= 0 and asking and not any(w.asks for w in query.words if w.clause == last) and not any(
                c == last for c, _ in query.kinds) and max(asking) < last and not any(
                k and w.clause == max(asking) for w, k in zip(query.words, known, strict=True)):
            # 「イヤホンって在庫ある？彼女へのプレゼントにしたくてさ」: the question is the clause that ends as one, and
            # the FAQ knows none of it; the present after it is why, no question of gift wrapping (a question after
            # the FAQ's clause, 「…ラッピングをしてもらえたら…そういうのってやってもらえますか」, points back to it)
            last = max(asking)
        if last < 0:
            return [
                _Terms(
                    query.features,
                    query.words,
                    tuple(known),
                    tuple(w.context for w in query.words),
                    spoken=query.spoken,
                )
            ]
        parts = sorted({c for c in asked if c < last and any(w.asks for w in query.words if w.clause == c)})

        def situation(clause: int, part: int) -> bool:
            return clause != part if clause in parts or clause == last else clause < last

        return [
            _Terms(
                query.features,
                query.words,
                tuple(known),
                tuple(situation(w.clause, part) for w in query.words),
                asks_for=frozenset(kind for c, kind in query.kinds if not situation(c, part)),
                denies=any(not situation(c, part) for c in query.negated),
                spoken=query.spoken,
            )
            for part in [last, *parts[-_MAX_PARTS + 1 :]]
        ]

    def _respell(self, query: _Terms) -> _Terms:
        """Unknown nouns one keystroke or recognition slip away from exactly one word of the FAQ
        (ポイトン, クレジットカート, ラッピンク) read as that word: a backoff for typos whose
        reading differs, where kanji typos with the same reading (送量, 変品) already match."""
        fixed: list[_Word] = []
        features = set(query.features)
        for w in query.words:
            if (
                w.noun
                and not w.group
                and not w.kanji  # 上限 is no slip of 条件: kanji typos with the reading (送量) match as they are
                and len(w.reading) >= _MIN_RESPELL
                and not _knows(self._vocabulary, w)
            ):
                near = {c for v in _deletions(w.reading) for c in self._spellings.get(v, ())}
                near = {c for c in near if abs(len(c) - len(w.reading)) <= 1}
                if len(near) == 1:
                    (reading,) = near
                    w = w._replace(reading=reading)
                    features.add("w:" + reading)
            fixed.append(w)
        if features == query.features:
            return query
        if self.synonyms is not None:  # a respelt word joins its group (ラッピンク -> ラッピング)
            fixed = self.synonyms.tag(fixed)
            features.update("s:" + w.group for w in fixed if w.group)
        return _Terms(
            frozenset(features), tuple(fixed), kinds=query.kinds, negated=query.negated, spoken=query.spoken
        )

    def _ranked(self, query: _Terms) -> list[tuple[int, float, float]]:
        """(entry, BM25, coverage) of the best _CANDIDATES by BM25, best by score x coverage first:
        a general entry (支払いの手数料) that shares many words with the question loses to the
        specific one (コンビニ払いの手数料) that knows all of the caller's nouns."""
        ranked = [(i, score, self._coverage(query, self._docs[i])) for i, score in self._candidates(query)]
        ranked.sort(key=lambda r: -_value(r))
        return ranked

    def _best(self, query: _Terms) -> tuple[int, float, float] | None:
        """`_ranked(query)[0]` without the coverage of candidates that cannot win: coverage is at
        most 1, so one whose BM25 is no more than the best score x coverage² so far is passed over."""
        best: tuple[int, float, float] | None = None
        value = 0.0
        for i, score in self._candidates(query):  # by BM25, best first
            if best is not None and score <= value:
                break
            coverage = self._coverage(query, self._docs[i])
            if best is None or score * coverage**_COVERAGE_POWER > value:
                best, value = (i, score, coverage), score * coverage**_COVERAGE_POWER
        return best

    def _candidates(self, query: _Terms) -> list[tuple[int, float]]:
        """The best _CANDIDATES entries by BM25 (ties in entry order), with their scores."""
        postings = [p for p in map(self._postings.get, query.features) if p is not None]
        if not postings:
            return []
        # one bincount over the query's postings, not one numpy add per term (a few µs each)
        scores = np.bincount(
            np.concatenate([p[0] for p in postings]),
            np.concatenate([p[1] for p in postings]),
            minlength=len(self.entries),
        )
        n = len(scores)
        if n > _CANDIDATES:  # the best few without sorting every entry; ties by entry order
            kth = np.partition(scores, n - _CANDIDATES)[n - _CANDIDATES]
            tied = np.flatnonzero(scores >= kth)
            top = tied[np.argsort(-scores[tied], kind="stable")][:_CANDIDATES]
        else:
            top = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def _topic(self, w: _Word) -> bool:
        """Whether an entry's question is about the word (its nouns, and their synonym groups)."""
        return (
            w.reading in self._topics
            or w.lemma in self._topics
            or bool(w.group and "s:" + w.group in self._topics)
        )

    def _coverage(self, query: _Terms, doc: _Doc) -> float:
        """Weighted share of the question's topic words that the entry knows; 0 unless it knows one
        of its nouns or two of its words (違う, いらない alone are replies, not questions), when it lacks an
        action word the caller used (_ACTION_LEMMAS), or when the caller says none of its `requires`.
        Nouns weigh 1, other words 0.5, one-kana pieces nothing. A noun the entry lacks counts
        against it, at 1.5 when it shares a noun phrase with a word the FAQ knows (海外発送 and
        領収書の宛名 ask what the FAQ does not say); a verb no entry knows is mostly a paraphrase and
        weighs little (_UNKNOWN_OTHER)."""
        if not all(_meets(need, query) for need in doc.requires):
            return 0.0
        if query.asks_for and doc.kinds and not query.asks_for & doc.kinds:
            return 0.0  # asks when (いつ届く), how many (何種類) or where, and the entry states none of it
        if "threshold" in query.asks_for and "threshold" not in doc.kinds:
            return 0.0  # from how much (何ポイントから使える): an entry that states no threshold
        if query.denies and not doc.denies:
            return 0.0  # says something is not so (付与されていないんですけど): a problem, no question of the entry
        covered = total = 0.0
        nouns = 0
        known: set[str] = set()
        for k, w in enumerate(query.words):
            # one-kana pieces weigh nothing; a one-kana kanji noun the entry lacks (送料無料の日) is a fact
            # it does not state, though as evidence for an entry it is too weak (and often a homophone)
            if len(w.reading) < 2 and not w.joins and not (w.kanji and w.noun and not _knows(doc, w)):
                continue
            context = query.context[k]
            weight = (_NOUN if w.noun else _OTHER) * (_CONTEXT if context else 1.0)
            unknown = not query.known[k]
            vague = w.lemma in _VAGUE_NOUNS or (w.lemma == "分" and k > 0 and query.words[k - 1].pos == "動詞")
            if (unknown and (w.pos in _FILLER_POS or (context and w.lemma in _PEOPLE))) or (
                    vague and not _knows(doc, w)):
                continue
            if not context and w.lemma in _OWN_LEMMAS and w.lemma not in doc.words:
                return 0.0  # what is left of the caller's own points or money (残高, 残ってますか): the flows'
            people = w.lemma in _PEOPLE  # in the asking clause: a noun, never the fact asked about  # そちら, せっかく, ちゃんと: how callers talk, not what they ask
            if w.lemma in _ACTION_LEMMAS and w.lemma not in doc.words:
                return 0.0
            if _knows(doc, w):
                covered += weight
                # a hiragana noun may come back as other parts of speech (しはらい as a verb)
                nouns += w.noun or _knows(doc, w, nouns_only=True)
                known.add(w.lemma)
            elif unknown:
                if not w.noun:
                    if not _UNKNOWN_OTHER:
                        continue
                    weight = _UNKNOWN_OTHER
                elif people:
                    pass
                elif w.topic and w.kanji and not context:
                    weight = _HEAD  # the caller asks about it (返金はいつ): no entry does (a kana word may be a slip)
                elif any(query.known[i] for i in w.links):
                    weight = _UNKNOWN_IN_PHRASE
                weight *= _CONTEXT_UNKNOWN if context else 1.0
            elif context:
                weight *= _CONTEXT_OTHER / _CONTEXT  # another entry's word in the situation (注文と違う)
            elif w.noun and any(_knows(doc, query.words[i]) for i in w.links):
                # another entry's noun in a phrase with this entry's word: a different fact about
                # the same thing, most of all as the phrase's head (コンビニ払いの支払い|期限)
                weight = _HEAD if all(i < k for i in w.links) else _UNKNOWN_IN_PHRASE
            elif w.noun and self._topic(w):
                weight = _OTHER_TOPIC  # what another entry is about (代引きでカード払い, ポイントで送料)
            total += weight
        return covered / total if total and (nouns or len(known) >= 2) else 0.0


# `match_loose`: the coverage a question that tells a story around its topic still reaches, and how far ahead of
# the next entry its answer must be
LOOSE_COVERAGE = 0.4
LOOSE_LEAD = 2.0


def _value(row: tuple[int, float, float]) -> float:
    """How well a ranked (entry, BM25, coverage) answers: the ranking key of `FaqIndex._ranked`."""
    return row[1] * row[2] ** _COVERAGE_POWER


def _requirements(entry: FaqEntry) -> list[list[str]]:
    """`requires` as lists each of which the caller must meet (a flat list is one of them)."""
    if all(isinstance(r, str) for r in entry.requires):
        return [[str(r) for r in entry.requires]] if entry.requires else []
    return [list(r) for r in entry.requires if not isinstance(r, str)]


def _names_more(text: str, terms: _Terms) -> bool:
    """Whether a keyword names a noun its topic words leave out (違う商品: 商品 is too generic to be
    one, so 違う would stand for the whole)."""
    kept = {w.lemma for w in terms.words}
    return any(t.pos == "名詞" and t.lemma not in kept for t in tokenize(normalize(text).text))


_SPAN_GAP = 2  # tokens at most between two of a keyword's (違う|色|の|商品 for 違う商品)


def _said(span: Sequence[str], spoken: Sequence[str]) -> bool:
    """Whether the readings of `span` come in `spoken` in order, each within _SPAN_GAP tokens of
    the one before."""
    for start, reading in enumerate(spoken):
        if reading != span[0]:
            continue
        at = start
        for part in span[1:]:
            ahead = spoken[at + 1 : at + 2 + _SPAN_GAP]
            if part not in ahead:
                break
            at += 1 + ahead.index(part)
        else:
            return True
    return False


def _meets(need: _Doc, query: _Terms) -> bool:
    """Whether the caller says a word of a `requires` list: one of its one-word keywords (or their
    synonym groups, see `_knows`), or all the words of a longer one in a row and one clause (違う商品,
    not the 違う of 「思ってたのと違う」)."""
    words = query.words
    if any(_knows(need, w._replace(group="") if w.loose else w) for w in words):
        return True
    if any(_said(span, query.spoken) for span in need.spans):
        return True
    for run in need.phrases:
        n = len(run)
        for i in range(len(words) - n + 1):
            said = words[i : i + n]
            if all(w.clause == said[0].clause for w in said) and all(
                w.lemma == lemma or (not w.verb and w.reading == reading)
                for w, (reading, lemma) in zip(said, run, strict=True)
            ):
                return True
    return False


def _knows(doc: _Doc, w: _Word, *, nouns_only: bool = False) -> bool:
    """Whether the entry has the word or a word containing it (送料 in 返送料); a short hiragana
    piece only as a whole word of the entry or joined to its neighbour (see `_Word.joins`); a verb
    by its lemma, since a conjugated reading is part of too many words (変え in ツカエル)."""
    words = doc.nouns if nouns_only else doc.words
    if w.group and "s:" + w.group in words:
        return True
    if w.joins:
        return (not nouns_only and w.reading in doc.whole) or any(j in words for j in w.joins)
    if w.verb:
        return w.lemma in words or w.reading in doc.whole
    return w.reading in words or w.lemma in words


_NOT_A_NOUN_START = frozenset({"助動詞", "記号", "補助記号", "感動詞", "代名詞"})
_CASE_PARTICLES = frozenset({"を", "が", "は", "って", "に", "も", "で", "と", "の"})


def _kana_nouns(tokens: Sequence[Token]) -> list[Token] | None:
    """`tokens` with each hiragana noun that fugashi broke into auxiliaries and symbols (ポイントの
    ざんだかを -> ざん|だ|か, 領収書のあてなを -> あ|て|な) as one unknown noun, or None when there is
    none: after 名詞+の a noun must follow, and what stands up to the next case particle is one. It
    then counts as the fact asked about (ポイントの残高), which no entry states."""
    out: list[Token] | None = None
    k = 2
    while k < len(tokens):
        t = tokens[k]
        if (
            t.pos in _NOT_A_NOUN_START
            and _hiragana(t.surface)
            and tokens[k - 1].surface == "の"
            and tokens[k - 1].pos == "助詞"
            and tokens[k - 2].pos in ("名詞", "接尾辞")
        ):
            end = k
            while end < len(tokens) and _hiragana(tokens[end].surface) and not (
                tokens[end].surface in _CASE_PARTICLES and tokens[end].pos == "助詞"
            ):
                end += 1
            piece = "".join(u.surface for u in tokens[k:end])
            if end < len(tokens) and len(piece) >= 2:
                if out is None:
                    out = list(tokens[:k])
                out.append(Token(piece, piece, str(jaconv.hira2kata(piece)), "名詞"))
                k = end
                continue
        if out is not None:
            out.append(t)
        k += 1
    return out


_MIN_KANA_WORD = 3  # shorter kana spellings (いろ, きず, かね) are parts of too many other words
_HIRAGANA_RUN = re.compile(f"[\u3041-\u309fー]{{{_MIN_KANA_WORD},}}")


def _kana_words(words: Iterable[str], groups: Iterable[Sequence[str]]) -> dict[str, str]:
    """The hiragana a recogniser writes for each FAQ word spelt with kanji or katakana (返品 ->
    へんぴん, ポイント -> ぽいんと, 何日 -> なんにち) -> the word (see `FaqIndex._in_kanji`). Left out:
    short spellings, spellings that are plain Japanese of no topic (以内 -> いない, which is also
    居ない), and verbs and adjectives (欠ける -> かける, also 掛ける): fugashi reads those as they are."""
    out: dict[str, str] = {}
    for word in dict.fromkeys([*words, *(m for g in groups for m in g)]):
        if all("\u30a0" <= c <= "\u30ff" for c in word):
            kana: str | None = str(jaconv.kata2hira(word))
        else:
            kana = _spoken_kana(word)  # None without kanji: a hiragana word stays as it is
        if kana is None or len(kana) < _MIN_KANA_WORD or kana in out:
            continue
        if all(t.pos in _FUNCTION_POS or t.lemma in _GENERIC_LEMMAS for t in tokenize(kana)):
            continue
        tokens = tokenize(normalize(word).text)
        if not tokens or tokens[-1].pos not in _NOMINAL:
            continue  # a verb (欠ける: かける is also 掛ける): fugashi reads conjugated kana well enough
        out[kana] = word
    return out


_MIN_RESPELL = 4  # shorter readings are one slip away from too many words


def _deletions(reading: str) -> set[str]:
    """The reading and every form of it with one character dropped (SymSpell's neighbourhood: two
    words one substitution, insertion, deletion or swap apart share one of these)."""
    return {reading, *(reading[:i] + reading[i + 1 :] for i in range(len(reading)))}


def _spellings(readings: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each one-deletion form of the FAQ's whole-word readings -> the readings it comes from."""
    out: dict[str, set[str]] = {}
    for reading in readings:
        if len(reading) >= _MIN_RESPELL:
            for form in _deletions(reading):
                out.setdefault(form, set()).add(reading)
    return {form: frozenset(words) for form, words in out.items()}


def _postings(tfs: Sequence[dict[str, int]]) -> dict[str, _Posting]:
    """Per term, the entries holding it and their BM25 weights, precomputed so a query is one numpy
    add per term (a few µs) whatever the number of entries."""
    n = len(tfs)
    lengths = [sum(tf.values()) for tf in tfs]
    avg = sum(lengths) / n if n else 1.0
    by_term: dict[str, list[tuple[int, int]]] = {}
    for i, tf in enumerate(tfs):
        for term, count in tf.items():
            by_term.setdefault(term, []).append((i, count))
    out: dict[str, _Posting] = {}
    for term, rows in by_term.items():
        idf = log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
        kind = _GRAM_WEIGHT if term.startswith("g:") else 1.0
        weights = [kind * idf * c * (_K1 + 1) / (c + _K1 * (1 - _B + _B * lengths[i] / avg)) for i, c in rows]
        out[term] = (np.array([i for i, _ in rows], dtype=np.intp), np.array(weights))
    return out


def load_faq(directory: Path | None = None, known_intents: frozenset[str] | None = None) -> FaqIndex:
    """Every faq/*.yaml in `directory` (default: the sample bot's `faq/`) as one index, with the word
    groups of its synonyms.yaml; no directory gives an empty index. Raises SourceError
    (`file:line:col: message`) for each problem; with `known_intents` (`ivr validate`), an entry's `intent`
    must be one of them."""
    directory = directory or DEFAULT_FAQ_DIR
    entries: list[FaqEntry] = []
    groups: list[list[str]] = []
    seen: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        if path.name == SYNONYMS_FILE:
            try:
                groups.extend(load(path, SynonymFile)[0].synonyms)
            except SourceError as exc:
                problems.extend(exc.problems)
            continue
        try:
            parsed, raw = load(path, FaqFile)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        for i, entry in enumerate(parsed.root):
            where = at(path, raw, [i, "id"], "", value=True).removesuffix(": ")
            if entry.id in seen:
                problems.append(f"{where}: duplicate FAQ id '{entry.id}' (first at {seen[entry.id]})")
                continue
            seen[entry.id] = where
            if known_intents is not None and entry.intent is not None and entry.intent not in known_intents:
                place = at(path, raw, [i, "intent"], "", value=True).removesuffix(": ")
                problems.append(f"{place}: unknown intent '{entry.intent}' (the intents are "
                                f"{', '.join(sorted(known_intents))})")
            entries.append(entry)
    if problems:
        raise SourceError(problems)
    return FaqIndex.build(entries, groups)
