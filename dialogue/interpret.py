"""What a caller's turn means at the open question: a pure function from (question, what was heard) to an action.

The question decides first and the classifier second: digits at an order-number prompt are an order
number whatever a retrained model thinks of them, a yes word is read as yes at a yes/no question, and a
global command (「もう一度」) counts only when it is what the whole utterance means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from dialogue import answer_words as words
from dialogue.address_text import address_as_written, looks_like_address
from dialogue.entity_types import EntityTypes
from dialogue.faq import FaqHit
from dialogue.state import (
    NUMBER_BEGUN,
    AwaitAnythingElse,
    AwaitConfirm,
    AwaitFree,
    Awaiting,
    AwaitMenu,
    AwaitOffer,
    AwaitSlot,
)
from nlu.language import mostly_latin
from nlu.normalize import normalize
from nlu.numbers import SPOKEN_DIGITS, spoken_digits_at
from nlu.types import Parse

CONFIDENT = 0.55  # below this an intent may not interrupt a question in progress
CLARIFY_FLOOR = 0.3  # above this, a close call between two requests is asked about, not guessed
TOPIC_FLOOR = 0.2  # a topic named before 「確認したいことが」: its first reading is asked about from here
CONVERSATION = frozenset({"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope"})
YES_KEYS, NO_KEYS = frozenset({"1"}), frozenset({"2", "9"})
FREE_TEXT = frozenset({"name", "address", "text"})
CALLBACK_INTENT = "callback_request"  # the flow a callback offer starts (SPEC 4)
DISTRESS_EMOTION = 0.6  # a sad or anxious reading that, with distress words and no request, is distress
# a no at a confirmation of the request's own details (「いいえ、携帯の方にお願いします」) is about those details;
# only a reading this sure of another request changes the topic there
TOPIC_SWITCH = 0.8


class Understander(Protocol):
    def parse(self, text: str, now: datetime | None = None) -> Parse: ...
    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse: ...


@dataclass(frozen=True, slots=True)
class Heard:
    """A caller turn: words with their parse, or keys."""

    parse: Parse | None = None
    digits: str | None = None
    # the words after a leading yes/no or aside (「ちがいます、請求のことで電話したんです」), parsed on their own
    rest: Parse | None = None
    faq: FaqHit | None = None  # the knowledge base's answer to the turn as a question, if it has one
    # a turn that joins a second request to the first (「届かないのと、あとポイントも」): its two parts, each
    # parsed alone, and the knowledge base's answer to the second part
    parts: tuple[Parse, Parse] | None = None
    # the first part a list of two (「配送状況の確認と、お届け日の変更と、あと渋谷店の営業時間を」): those two, parsed alone
    listed: tuple[Parse, Parse] | None = None
    second_faq: FaqHit | None = None
    first_faq: FaqHit | None = None  # and to the first part alone: two questions in one turn get both answers
    # 「イヤホンを注文してる者なんですけど、明日は家に誰もいないんです」: the clause after けど, parsed alone, when the
    # whole turn is no sure reading (the point comes last in Japanese; what comes before sets the scene)
    point: Parse | None = None
    # after an answer from the knowledge base: that entry, when the turn reads as more about it (FaqIndex.follow_up)
    follow_up: FaqHit | None = None
    # the entry a question is about when it tells more than the entry knows (FaqIndex.match_loose): answered only
    # when the turn asks
    loose_faq: FaqHit | None = None
    # at a question for a value or a yes/no, an answer with a second request joined to it (「12345678です。あ、あと
    #渋谷店って今日は何時まで開いてますか」): its two parts, each parsed alone, and the knowledge base's answer to
    # the second
    aside: tuple[Parse, Parse] | None = None
    aside_faq: FaqHit | None = None
    # the caller's own words, where the parse read others: the week said before a pause at the date question
    # read with them (「らいしゅうの」, then 「かようびで」), a chat user's struck-out word (「×明日 ○明後日です」)
    said_as: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """What interpretation needs to know about the open question, and nothing else."""

    awaiting: Awaiting
    slot_types: Mapping[str, str] = field(default_factory=dict)  # the request's slots -> entity type
    slots: Mapping[str, Any] = field(default_factory=dict)  # values already known
    flow_intents: frozenset[str] = frozenset()  # intents of the flow in progress
    routable: frozenset[str] = frozenset()  # intents the bot has a flow for
    menu_keys: frozenset[str] = frozenset()
    operator_keys: frozenset[str] = frozenset()  # the bot's menu keys for a person, pressed anywhere
    suggests: Mapping[str, str] = field(default_factory=dict)  # entity type -> the request it hints at
    # the bot's names for its requests (prompts label_<intent>: 店舗の場所, ご請求やお支払い): a caller who
    # says no to a guess often just names the right one (「いや、場所のほうやねん」)
    labels: Mapping[str, str] = field(default_factory=dict)
    caller_phone: str | None = None  # the number the call comes from (caller id), national digits; None on chat
    served: bool = False  # a request of this call was served already: a bare yes at 「ご用件は」 is no new one
    spoken: bool = False  # a phone call: turns end where the caller pauses, not where they press enter
    # the request served last and the entity types its flow asks: 「渋谷店は？」 after 梅田店's hours asks the same
    # of another store
    last_intent: str | None = None
    last_types: frozenset[str] = frozenset()
    # the open question's step says where to go when the caller leaves the choice to us (`no_preference`)
    open_choice: bool = False
    # the open read-back's no asks for the details again (「いいえ」 to a delivery change is a wrong date): a
    # caller who gives the request up (「やっぱり再配達はやめときます」) is not asked them again
    no_mends: bool = False


_CLAUSE_BREAK = re.compile(r"[、。,!?]|けど|けれど")
_INSTEAD_OF = re.compile(r"じゃなくて|ではなくて|じゃなく|やなくて|ちゃうくて|やのうて|やのーて|じゃのうて|でねくて|でねぐて")
_NOT_THIS = re.compile(
    rf"({_INSTEAD_OF.pattern})[、,\s]*|"
    # a change of mind after a clause: 「キャンセル…いや、やっぱり日にち変えてほしい」「返品、あ、違う、交換で」
    r"(?<=[…、,。.\s])((いや|いえ|あ|あっ)[、,\s]*){0,2}(やっぱり|やっぱ|やはり)[、,\s]*|"  # (あ いや やっぱり)
    r"(?<=[…、,。.\s])(いや|いえ|あ|あっ)[、,\s]*(ちがう|違う|ちゃう|ちがった|違った|間違えた|まちがえた)[、,]\s*"
)


def takes_requests(awaiting: Awaiting) -> bool:
    """A question a new request answers (the menu, 「ご用件は」, 「ほかにご用件は」): only there are a turn's parts
    read on their own (`parts_of`, `point_of`); at a slot or a yes/no they would be parsed for nothing."""
    return isinstance(awaiting, AwaitFree | AwaitMenu | AwaitAnythingElse)


def parts_of(nlu: Understander, parse: Parse, now: datetime | None,
             answer: bool = False) -> tuple[Parse, Parse] | None:
    """The two parts of a turn that asks two things in one breath, each parsed alone (see `words.split_also`);
    None for the other turns, which are not parsed again. `answer`: the turn answers a question first."""
    if _NOT_THIS.search(parse.normalized):
        return None  # 「キャンセル…あ、違う、やっぱり」: a correction replaces the request, it adds none
    split = words.split_also(parse.normalized, answer)
    if split is None and " " in parse.text.strip() and (answer or _SAID_ALSO.search(parse.text)):
        # a recogniser's pauses, which the normaliser drops between kana: 「…ななはちきゅう です あと でんきけとるって」;
        # in a request, only with a word that adds one (「えっと ちゅうもんの きゃんせると あと りょうしゅうしょって…」:
        # a pause after ちゃんと is no 「と」 joining two requests)
        split = words.split_also(parse.text, answer)
    if split is None:
        return None
    return nlu.parse(split[0], now), nlu.parse(split[1], now)


def listed_in(nlu: Understander, head: Parse, now: datetime | None) -> tuple[Parse, Parse] | None:
    """The first part of a turn of three requests, when it lists two (see `words.split_listed`), each parsed alone."""
    split = words.split_listed(head.normalized)
    return None if split is None else (nlu.parse(split[0], now), nlu.parse(split[1], now))


_SAID_ALSO = re.compile(r"(^|\s)(あと|それと|それから|ついでに)(ね|ねえ|さ)?(\s|、|$)")
_EN_CLAUSE = re.compile(r"[.!?;]\s+|,\s+(?=(?:i|i'm|i'd|i've|but|and|so|because|it|my|can|could|please)\b)", re.IGNORECASE)
# an English request said as a wish ("I'd like to send it back"), or asked politely ("Can I send back…?")
_EN_WISH_WORDS = r"i'd like to|i would like to|i want to|i need to|i wanna|i'd like you to"
_EN_POLITE_WORDS = r"can i|could i|can you|could you"
_EN_WISH = re.compile(rf"\b({_EN_WISH_WORDS}|{_EN_POLITE_WORDS}|please)\b", re.IGNORECASE)
# fed up with what was tried first (「パスワード再設定しようと思ったけど、もういいや、めんどくさいから退会したいです」,
# login 0.98 for the words it names): what is said after it is the request, however sure the whole reads
# 「日曜日はお休みなんですね。それなら結構です。注文の状況だけ教えてください」 (to the callback offered): what was
# offered declined, then what the caller wants instead
_DECLINED_THEN = (r"(それなら|それやったら|ほんなら|ほなら|でしたら|だったら)[、\s]*(結構|けっこう|いい|ええ|大丈夫|だいじょうぶ)"
                  r"(です|や|だ)?(わ|よ)?[。、!！]\s*(?=\S)")
_DECLINED_THEN_RE = re.compile(_DECLINED_THEN)
_FED_UP = re.compile(rf"(もういい|もうええ|もう結構|もうけっこう)(わ|や|です|よ)?[、,。\s]|もう(面倒|めんどう|めんどくさ|めんどい)|{_DECLINED_THEN}")
_SCENE_BREAK = re.compile(
    r"(んです|のです|んだ|んや|んやけど|ですけど|ですが|ますけど|ますが)?(けど|けれど|けれども|が)(ね|ねえ|さ|な|よ)?[、,]\s*"
    # 「…どういうこと もういいわ キャンセルして」: had enough of it, then what the caller wants instead
    r"|(もういい|もうええ|もう結構|もうけっこう)(わ|です|や|よ|から)?[、,。\s]*(?=\S)"
    rf"|{_DECLINED_THEN}"
    # 「ログインもできないし、もう面倒なので退会したいんです」: fed up with the first, the wish after it
    r"|(もう)?(面倒|めんどう|めんどくさい|めんどくさ|めんどい)(なので|なんで|だから|やから|から|で|くて)[、,\s]*(?=\S)"
    # a sentence ended, and a 「それでね、」 leads to what the caller wants: 「…忘れておってね。それでね、返したいんですよ」
    r"|[。!?！？]\s*(それで|だから|なので|ほんで|そんで|ほいで)(ね|ねえ|さ|な)?[、,]\s*"
)


_SENTENCE_END = re.compile(r"[。!?！？]\s*")
_SENTENCES = re.compile(r"[。!?！？…]+\s*")
# a line of a pasted notice: 「ご注文番号：12345678」「【発送のお知らせ】」「----」
_WISH_LINE = re.compile(r"(たい|たく)(です|存じ|思い|のです|んです|のですが|んですが)|お願い(します|いたします|したく)|(して|て)(ください|下さい|ほしい)")
_LABELLED_LINE = re.compile(r"^([^：:。、]{1,14}[：:]|【|[-=＝─━*＊]{3,}|[0-9０-９\-\s]+$)")
# a polite clause ended with が/けど and a pause (a space in a voice transcript)
_SPOKEN_BREAK = re.compile(r"(です|ます|でございます|んです|のです)(が|けど|けれど|けれども)\s+")


def point_of(nlu: Understander, parse: Parse, now: datetime | None) -> Parse | None:
    """The words after the last 「…けど、」 parsed alone, when the whole turn is no sure reading; else None."""
    lines = [line.strip() for line in parse.text.splitlines() if line.strip()]
    typed = [line for line in lines if not _LABELLED_LINE.match(line) and len(words.bare(line)) >= 4]
    # the caller's own words stand at the edges of what was pasted, under it or above it; the mail's own lines
    # (「ご確認ください。」) ask nothing of the shop
    edges = list(dict.fromkeys((typed[-1], typed[0]))) if typed else []
    if len(typed) < len(lines) and (wish := next((line for line in edges if _WISH_LINE.search(line)), None)):
        # a wish typed above a forwarded mail (「…キャンセルをお願いしたく存じます。」, then 「-----Original Message
        # -----」 and its labelled lines) or under it: the wish is the point, however sure the mail reads (billing)
        return nlu.parse(wish, now)
    if (parse.intent.confidence >= TOPIC_SWITCH and not _FED_UP.search(parse.normalized)) or _NOT_THIS.search(
            parse.normalized):
        return None
    if len(lines) > 1:
        # a pasted e-mail (「【発送のお知らせ】…ご注文番号：12345678…」) and the wish typed under it: the wish is the point
        said = typed[-1] if typed else None
        if said is not None and said != lines[0]:
            return nlu.parse(said, now)
    if mostly_latin(parse.text):
        # "Hi, I need to change the delivery date for my earphones, I'm travelling this week." (order status
        # 0.34): the clause that says what the caller wants, read alone
        clauses = [c.strip() for c in _EN_CLAUSE.split(parse.text) if c.strip()]
        wish = next((c for c in clauses if _EN_WISH.search(c)), None)
        return nlu.parse(wish, now) if wish is not None and len(clauses) > 1 else None
    text = parse.normalized
    breaks = [b.end() for b in _SCENE_BREAK.finditer(text)]
    # a grumble about getting through, then a full stop, then the request: 「なんべん電話したらつながんねん。荷物まだ
    # 来えへんのやけど」 (any full stop would do too much: two sentences are more often one request told in two)
    breaks += [b.end() for b in _SENTENCE_END.finditer(text) if words.KEPT_WAITING.search(text, 0, b.start())]
    if not breaks and " " in parse.text.strip():
        # the recogniser's pause after the introduction, which the normaliser drops between kana and kanji:
        # 「お世話になっております たなか商事 総務の者ですが 会社で注文した備品の 領収書を…」
        text = parse.text
        breaks = [b.end() for b in _SPOKEN_BREAK.finditer(text)]
    tails = [text[end:].strip(" 、。") for end in sorted(breaks)]
    tail = next((t for t in reversed(tails) if len(words.bare(t)) >= 4), None)
    return nlu.parse(tail, now) if tail is not None else None


# a first sentence that gives the request up (「やっぱりやめておきます。キャンセルはしないで、いつ届くかだけ…」): the
# whole turn reads as the request given up, the sentences after it say what the caller wants instead
_GIVEN_UP_FIRST = re.compile(
    r"^[^。!?]{0,12}(やめ(て)?(おき|とき|とく|ます|る|よう|や)|やめとこ|やめにし|いいです|結構です|けっこうです|"
    r"大丈夫です|だいじょうぶです)[^。!?]{0,6}[。!?]")


# the same, unpunctuated, as a recogniser writes it: 「あーいややっぱりキャンセルはやめていつとどくかだけおしえてください」
_GIVEN_UP_THEN = re.compile(r"^[^。!?]{0,16}?((は|を)(やめて|しないで|せずに|やめにして)|(きゃんせる|キャンセル|へんぴん|返品)(しないで|せずに|やめて))"
                            r"[、,\s]*(?=[^、。,\s]{4,})")


# a hello at the head of a turn (「もしもし」「こんにちは」「お世話になっております」), with what the caller rang about after it
_GREETING_FIRST = re.compile(r"^(?:(?:もしもし|こんにちは|こんにちわ|こんばんは|こんばんわ|おはようございます|おはよう|"
                             r"お世話になっております|おせわになっております|お世話になります|おせわになります|お疲れ様です)"
                             r"[ー〜~ぁ-ぉっ]*[、,。.!！\s]*)+")
_NOT_DOING = re.compile(r"^[^、。,]{0,10}(しないで|せんで|せずに|なしで|いらないので|いいので|やめて)[、,\s]*")


# the order number said not to be at hand, with the request (flows read `number_unknown`)
_NUMBER_UNKNOWN = re.compile(r"(注文番号|ちゅうもんばんごう|注文の番号|番号|ばんごう)(が|は|を|も)?[、\s]*(ちょっと|今|いま)?[、\s]*"
                             r"(わから|分から|わかん|分かん|わかりませ|分かりませ|手元にな|てもとにな|見当たら|みあたら|"
                             r"控えて(い)?な|ひかえて(い)?な|忘れ|わすれ)")
# 「もう一個だけ」「あとひとつ」 and what is asked after it
_ONE_MORE_THING = re.compile(r"(あと|もう)(ひと|一|1|いっ)(つ|こ|個|点)(だけ)?(いいですか|よろしいですか)?[、,。\s]+")
ONE_MORE_THING_CHARS = 4
# 「あ、番号言う前に、札幌店ってどこさあんだっけ」「その前に」: another question first, then the one asked
_BEFORE_THAT = re.compile(r"(その|番号(を)?(言う|いう|言い|いい)(ます)?)(前|まえ)に[、,\s]+")


# 「聞こえなかった」「聞ごえねがった」 (Tohoku voices its か and こ), 「聞き取れませんでした」: what the bot just said was
# lost (past: one answer missed, not 「機械の声はどうもよく聞き取れなくて」, a caller who needs a person)
_NOT_HEARD = re.compile(r"((聞|き)[こご]え|(聞き|きき)(取|と)れ)(なかった|ねがった|ねかった|んかった|へんかった|ませんでした)")
_HARD_OF_HEARING = re.compile(r"機械|きかい|ロボット|自動|耳が遠|みみがとお|耳が悪|みみがわる")


def corrects_itself(text: str) -> bool:
    """「変えたくて、あ、いや、変えるんじゃなくて、…」: the turn takes back what it began with."""
    return _NOT_THIS.search(text) is not None


def rest_of(nlu: Understander, parse: Parse, now: datetime | None) -> Parse | None:
    """The words after a leading yes/no or aside, parsed alone when the whole turn names no request."""
    text = parse.normalized
    given_up = _GIVEN_UP_FIRST.match(text) or _GIVEN_UP_THEN.match(text)
    if given_up is not None and words.bare(text[given_up.end():]):
        # 「キャンセルはしないで、」 says the no again: what follows it is the request
        return nlu.parse(_NOT_DOING.sub("", text[given_up.end():]), now)
    declined = next(reversed(list(_DECLINED_THEN_RE.finditer(text))), None)
    if declined is not None and len(words.bare(text[declined.end():])) >= ONE_MORE_THING_CHARS:
        return nlu.parse(text[declined.end():], now)
    corrected = _NOT_THIS.search(text) is not None
    if (not corrected and parse.intent.name not in CONVERSATION and not parse.low_confidence
            and parse.intent.confidence >= CONFIDENT):
        return None
    more = _ONE_MORE_THING.search(text) or _BEFORE_THAT.search(text)
    if more is not None and len(words.bare(text[more.end():])) >= ONE_MORE_THING_CHARS:
        # 「なかです、どうも。…あ、すんまっせん、もう一個だけ、札幌店は駐車場あっとですか」: the thing asked after
        return nlu.parse(text[more.end():], now)
    if parse.intent.name == "repeat" and not words.only_repeat(text):
        # 「もう一度配達をお願いしたいです」「もう一回持ってきて」: again, what? The words without the 「もう一度」
        # 「もう一度だけ言いますけど、荷物が…」: the aside about saying it again ends at the clause break after
        # it; said last (「梅田店って何時まででしたっけ、もう一回教えてください」), the question is before it
        again = words.REPEAT_WORD.search(text)
        aside_end = _CLAUSE_BREAK.search(text, again.end()) if again is not None else None
        if aside_end is not None and text[aside_end.end():].strip(" 、。"):
            text = text[aside_end.end():]
        remains = words.without_repeat_words(text)
        return nlu.parse(remains, now) if remains and remains != parse.normalized else None
    greeting = _GREETING_FIRST.match(text)
    # (also where the hello drags an unsure reading down: 「もしもし おみせって なんじまで…」, hours 0.48)
    if ((parse.intent.name == "greet" or parse.intent.confidence < CONFIDENT) and greeting is not None
            and len(words.bare(text[greeting.end():])) >= 4):
        # 「もしもし 梅田のお店って きょう やってはります」 (greet 0.78): the hello read as the whole turn; the words
        # after it are what the caller rang about, where they are a sure reading (「これ きかいの こえかね」 is not)
        after = nlu.parse(text[greeting.end():], now)
        if after.intent.confidence >= TOPIC_SWITCH and not after.low_confidence:
            return after
    if parse.intent.name == "greet" and len(sentences := _SENTENCES.split(text)) > 1:
        # 「これ本当にサクラマートさんですか？ 最近ほら、詐欺の電話が多いもんだから…。えーと、札幌のお店は今日やって
        # ますかね」: who answers asked first (a hello, greet 0.77), then what the caller rang about, said last
        last = next((s for s in reversed(sentences) if len(words.bare(s)) >= ONE_MORE_THING_CHARS), None)
        if last is not None:
            after = nlu.parse(last, now)
            if after.intent.confidence >= TOPIC_SWITCH and not after.low_confidence and after.intent.name != "greet":
                return after
    # 「在庫じゃなくて、店の営業時間が知りたい」: what comes after the correction is the request
    matches = list(_NOT_THIS.finditer(text)) or list(_CLAUSE_BREAK.finditer(text))[:1]
    if not matches or not text[matches[-1].end():].strip(" 、。"):
        return None
    rest = nlu.parse(text[matches[-1].end():], now)
    sentences = [t for t in re.split(r"[。.!?！？]", rest.normalized) if words.bare(t)]
    if corrected and len(sentences) > 1:
        # 「…やっぱり自分でやります。再配達をお願いしたいんです」: the last sentence may be the request itself
        last = nlu.parse(sentences[-1], now)
        first = nlu.parse(sentences[0], now)
        if (_INSTEAD_OF.search(text) and first.intent.name not in CONVERSATION and first.intent.confidence >= TOPIC_SWITCH
                and first.intent.confidence >= last.intent.confidence - 0.2 and last.intent.name not in _PERSON_INTENTS):
            # 「返品じゃなくてキャンセルで。まだ届いてないやつ、23456789」: what replaces the request comes right after
            # じゃなくて; the sentence after it tells about the order (a person asked for after it is the request:
            # 「ダウンロードではなくて、紙の領収書を…郵送してほしいんです。担当の方とお話しできますか」)
            return first
        if last.intent.name not in CONVERSATION and last.intent.confidence > rest.intent.confidence:
            return last
    return rest


# -- actions -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fill:
    values: Mapping[str, Any]
    later: Request | Answer | None = None  # a second request said after the answer, served when this one is done


@dataclass(frozen=True, slots=True)
class Yes:
    values: Mapping[str, Any] = field(default_factory=dict)
    later: Request | Answer | None = None  # as in Fill: 「はい、お願いします。ところで今その荷物ってどこに…」


@dataclass(frozen=True, slots=True)
class No:
    values: Mapping[str, Any] = field(default_factory=dict)
    intent: str | None = None  # 「ちがいます、請求のことで」: the real topic


@dataclass(frozen=True, slots=True)
class Correct:
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Request:
    intent: str
    prefill: Mapping[str, Any] = field(default_factory=dict)
    clarify: bool = False  # unsure: ask 「〇〇のお問い合わせでしょうか」 first
    instead: bool = False  # 「ちがいます、請求のことで」: replaces the request in progress, which is not resumed
    condolence: bool = False  # 「母が亡くなりまして、注文を取り消したい」: sympathy first, then the request
    apology: bool = False  # 「届いたケトルが壊れておりまして、返品を」: an apology for the trouble first, then the request
    kept_waiting: bool = False  # 「なんべん電話したらつながんねん。荷物まだ…」: sorry for the wait first
    hinted: bool = False  # guessed from the values alone (「12345678」): the classifier's intent triggers no rule
    # a second request said in the same breath, served when this one is done (「届かないのと、あとポイントも」)
    later: Request | Answer | None = None
    # slots of an earlier request that do not hold for this one (「じゃあ なんばてんは」: not the store asked before)
    forget: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Partial:
    """The first digits of a number, the rest to come after the caller's pause: 「はい」 and wait for them."""

    digits: str


@dataclass(frozen=True, slots=True)
class WeekFirst:
    """At the date question, the week or month the day is in said alone (「らいしゅうの」), then a pause: which day
    of it is asked, and the next turn's words are read with it (kept in the question's `so_far`)."""

    week: str


@dataclass(frozen=True, slots=True)
class MenuChoice:
    key: str


@dataclass(frozen=True, slots=True)
class Answer:
    """A question the flows do not cover, answered from the bot's knowledge base (faq/)."""

    hit: FaqHit
    then: Request | None = None  # 「返品したいんですけど、送料は？」: answered, then the request's flow runs
    # 「代引きの手数料っていくらですか？あと領収書ってもらえます？」: a second question answered after the first
    also: FaqHit | None = None
    again: bool = False  # the answer just given, said again for a question about it (「じゃあ4,999円だったら？」)


@dataclass(frozen=True, slots=True)
class Simple:
    """repeat | slow_down | start_over | end | confirm_end | dont_know | hesitate | distress | unclear | greet | thanks |
    where (where the thing asked for is written) | keypad_ok (may the keypad be used) |
    machine (「これ機械の声？AIなの？」: is a person speaking) | drop (the request given up at its read-back) |
    invalid (an answer of the wrong shape: not understood, but an answer, not a request) |
    rekey (* pressed at a number: what was keyed is dropped, the number asked again) |
    callback_hours (when the callback may come, asked inside the callback's questions) |
    kept_waiting (the wait to get through, and nothing else, complained of: sorry, and the request asked)"""

    kind: str
    out_of_scope: bool = False  # unclear, but understood as something this line does not handle


Action = Fill | Yes | No | Correct | Partial | WeekFirst | Request | MenuChoice | Answer | Simple


def answers_question(action: Action) -> bool:
    """The turn answers what was asked: its intent must not trigger escalation rules meant for requests."""
    # a closing answers 「ほかにご用件は」 too: 「なんもねえです」 read as a complaint must not hand the caller over
    return (isinstance(action, Fill | Yes | No | Correct | Partial | WeekFirst | MenuChoice) or action in _ANSWERS
            or (isinstance(action, Request) and action.hinted))


_ANSWERS = (Simple("invalid"), Simple("end"), Simple("confirm_end"), Simple("rekey"), Simple("callback_hours"))


# -- reading the turn ----------------------------------------------------------------------------------


# a request named beside the words of an answer (「じゃあ返品お願いします」: return 0.56, goodbye 0.33 for じゃあ and
# affirm for お願いします): among the requests alone it is plain, whatever share the answer words took
NAMED_BESIDE_ANSWER = 0.45
NAMED_BESIDE_ANSWER_LEAD = 4.0


def _request_beside_answer_words(said: _Said, q: Question) -> Request | None:
    requests = [r for r in said.parse.ranking if r.name not in CONVERSATION]
    if not requests or requests[0].name not in q.routable or requests[0].confidence < NAMED_BESIDE_ANSWER:
        return None
    runner_up = requests[1].confidence if len(requests) > 1 else 0.0
    if requests[0].confidence < NAMED_BESIDE_ANSWER_LEAD * runner_up:
        return None
    return Request(requests[0].name, said.prefill)


def _confident(parse: Parse) -> str | None:
    if parse.low_confidence or parse.intent.confidence < CONFIDENT:
        return None
    return parse.intent.name


# hours typed as a range at a question of delivery windows: 「19-21」「14〜16で」 (a chat user's 19時から21時)
_TYPED_RANGE = re.compile(r"^(\d{1,2})\s*[-~〜～ー−]\s*(\d{1,2})\s*(時|じ)?(で|です|でお願いします|でおねがいします|がいい(です)?)?[。.!！]*$")


def _typed_window(text: str, aw: AwaitSlot, entity_types: EntityTypes) -> str | None:
    spec = entity_types.spec(aw.entity)
    m = _TYPED_RANGE.match(text.strip())
    if spec is None or not spec.windows or m is None:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    if start < 8 and end <= 9:  # 「2-4」: in the afternoon, as a delivery window is said
        start, end = start + 12, end + 12
    if not 0 <= start < end <= 24:
        return None
    return f"{start:02d}:00-{end:02d}:00"


def heard_by_type(parse: Parse) -> dict[str, Any]:
    """Entities heard, by type: the last value of each type counts (the NLU drops self-corrected ones)."""
    return {e.type: e.value for e in parse.entities if not e.alternatives}


def _by_then(parse: Parse) -> bool:
    """The turn's last date is followed by まで (「クリスマスまでに」「年内までには」): a deadline, or a day the caller
    is away until (「二十五日まで留守で」), never the day a delivery is wanted on."""
    dates = [e for e in parse.entities if e.type == "date" and not e.alternatives]
    # (the offsets are the text's: read in the normalised text, a kana turn whose pauses were dropped put まで
    # after 「…あさっては何時まで」's day)
    return bool(dates) and parse.text[dates[-1].end:].lstrip(" 、").startswith("まで")


# the caller out, or unable to take the parcel, on the day just named (「明日はその、仕事で朝から晩まで家にいないんですよ」)
_AWAY = re.compile(r"(いない|いません|居ない|居りません|おりません|おらん|おらへん|おれへん|いてへん|留守|るす|不在|ふざい|"
                   r"出かけ|でかけ|出掛け|受け取れ(ない|ません|へん)|うけとれ(ない|ません|へん)|都合が(悪|わる)|つごうが(悪|わる)|"
                   r"(無理|むり|だめ|ダメ)(なん|です|や|だ))")
# the day a parcel is due on as it stands (「明日配達予定の荷物なんですけど、日にち変えられます？」): changed from, when
# the day is what is to change (「明日届く予定の荷物、夜の時間帯に変えてください」 keeps it)
_DAY_CHANGED_ASKED = re.compile(r"日にち|ひにち|日付|ひづけ|日程|にってい|(別|べつ|ほか|他|違う|ちがう)の日|日を(変え|かえ|ずら)")
_SCHEDULED = re.compile(r"(に|の)?(配達|はいたつ|お届け|おとどけ|届く|とどく|到着|とうちゃく|着く|つく)(の)?(予定|よてい|はず)")
# the day the caller was told the parcel comes on, and that day the caller is out
_TOLD_DUE = re.compile(r"(の[^、。\s]{1,4})?(に|が)?[、\s]*(届く|とどく|来る|くる|着く|つく|配達さ|はいたつさ|届け|とどけ)[^、。]{0,6}"
                       r"(って|と|という)[、\s]*(聞い|きい|言われ|いわれ|連絡|れんらく|メール|めーる|通知|書い|かい|なって)")
_THAT_DAY_AWAY = re.compile(r"(その日|そのひ|当日|とうじつ)(は|も|って)[^。?？]{0,30}?" + _AWAY.pattern)
_NEXT_CLAUSE = re.compile(r"[。!?！？]|(ので|から|けど|けれど|が)[、,]?\s*(?=[^、。]*(に|で)(して|お願い|おねがい|変え|かえ))")


def _away_on(parse: Parse) -> bool:
    """Every day the turn names is one the caller says they are out on (「明日は家にいないんです」, in the words up to
    the end of its sentence) or the one it is due on (「明日配達予定の荷物」), the day it was due on said too
    (「明日荷物が届くってメールが来てたんですけど、明日はその、仕事で…いないんですよ」): the day to change from, not to."""
    dates = [e for e in parse.entities if e.type == "date"]
    away = set()
    for date in dates:
        after = parse.text[date.end:]
        stop = _NEXT_CLAUSE.search(after)
        clause = after[: stop.start()] if stop is not None else after
        if (clause.lstrip(" 、").startswith(("は", "も", "って", "やと", "だと")) and _AWAY.search(clause)
                or _SCHEDULED.match(after) and _DAY_CHANGED_ASKED.search(parse.text)
                # 「二十三日の土曜に届くって聞いてたんですけど、その日はちょうど法事で一日出かけてしまうんです」
                or _TOLD_DUE.match(after) and _THAT_DAY_AWAY.search(after)):
            away.add(date.value)
    return bool(away) and all(d.value in away for d in dates)


def values_heard(by_type: Mapping[str, Any], slot_types: Mapping[str, str], entity_types: EntityTypes) -> dict[str, Any]:
    """Every slot of the request this turn gives a value for."""
    out: dict[str, Any] = {}
    for slot, etype in slot_types.items():
        value = entity_types.value_from(etype, by_type)
        if value is not None:
            out[slot] = value
    if "time" in by_type and "time" not in slot_types and "time_window" in slot_types.values():
        out["time"] = by_type["time"]  # a window chosen by a point in time keeps the time the caller said
    for slot, etype in slot_types.items():
        if etype == "time" and slot not in out and isinstance(by_type.get("time_window"), str):
            # a time asked, a part of the day said (午前中, 夕方 for a callback): from the start of it; the flow's
            # own check moves a time outside its hours to the first one open
            out[slot] = by_type["time_window"].split("-")[0]
    return out


@dataclass(frozen=True, slots=True)
class _Said:
    """One turn as interpretation reads it: the parse, the request's slot values, every entity heard."""

    parse: Parse
    values: dict[str, Any]
    prefill: dict[str, Any]
    rest: Parse | None = None
    faq: FaqHit | None = None
    parts: tuple[Parse, Parse] | None = None  # as in Heard
    second_faq: FaqHit | None = None
    point: Parse | None = None
    follow_up: FaqHit | None = None  # as in Heard
    first_faq: FaqHit | None = None  # as in Heard
    loose_faq: FaqHit | None = None  # as in Heard


# words that name a request of their own (a turn with them is no mere answer, whatever values it holds)
_NAMES_A_REQUEST = re.compile(r"配達|はいたつ|配送|はいそう|届け|とどけ|キャンセル|きゃんせる|返品|へんぴん|交換|こうかん|住所|じゅうしょ|"
                              r"在庫|ざいこ|営業|えいぎょう|請求|せいきゅう|支払|しはらい|ログイン|パスワード|退会|オペレーター|担当")


# the request itself given up, said in so many words (not 「もういいです」, which may be impatience)
_GIVES_UP_HERE = re.compile(
    # (「やっぱり折り返しはなしで、今ここで注文のキャンセルってできますか」)
    r"(キャンセル|返品|交換|変更|再配達|手続き|お手続き|折り返し|おりかえし)(は|も)?(やめて?(おき|とき|とく|ます)|やめとこ|やめにし|しないで(おき|おく)|なしで)"
    # 「じゃあやっぱりキャンセルはいいです」「やっぱり変更はいいです。そのまま受け取ります」 (not 「キャンセルでいいです」, a yes)
    r"|(キャンセル|返品|交換|変更|再配達|手続き|お手続き|折り返し|おりかえし)は[、\s]*(いい|ええ|結構|けっこう)(です|わ|や|っす)?(?![かの])"
    # 「キャンセルしないでそのままにしといてください」
    r"|(キャンセル|返品|交換|変更|再配達)(は)?(しないで|せんと|せずに)[、\s]*(その?まま|いい|ええ|結構|けっこう)"
    # the request given up without naming it: 「あ、やっぱいいや。引っ越しまだ先だったわ」「本日はやめておきます」
    r"|(やっぱ|やっぱり|やはり)[、,\s]*(いい|ええ|結構|けっこう)(や|わ|です|っす|よ)?(?![かの])"
    r"|(今日|本日|きょう|今回|こんかい)は(やめ|見送|みおく|結構|けっこう|ええ|いい)(て|と|ま|に|わ|や|です|で)")


# what a caller without the thing asked for says as they let the request go: for now (もうええわ), for another day
# (また今度にします, 後日), to look it up themselves later (後で調べます; 「探してきます」 is looking now), not today
_LETS_IT_GO = re.compile(
    r"(もう|もお)[、,\s]*(いい|ええ|よか|結構|けっこう)(わ|や|です|っす|よ)?(?![かの])"
    r"|(また|改めて|あらためて)?(今度|こんど|後日|ごじつ)に(し|させ)"
    r"|(後|あと)で(自分で)?(調べ|しらべ|確認|かくにん|探し|さがし|見てみ|みてみ)"
    r"|(今日|きょう|本日)は(ちょっと)?(無理|むり|やめ)")


def _let_go(text: str) -> Simple:
    """A request given up: the call ends when the caller closes with it (以上です, ありがとうございました), else the
    request is dropped and 「ほかにご用件は」 follows."""
    return Simple("end") if _THAT_IS_ALL.search(text) or _THANKED_LAST.search(text) else Simple("drop")


def gives_up(text: str) -> bool:
    """The request in hand given up in so many words (「やっぱりいいわ」「本日はやめておきます」)."""
    return _GIVES_UP_HERE.search(text) is not None


# thanks said last, after giving the request up (「…本日はやめておきます。ありがとうございました」): leaving
_THANKED_LAST = re.compile(r"(ありがとう|有難う|おおきに|どうも)(ございました|ございます|ね|な)?[。!！…\s]*$")


_FREE_SUFFIXES = ("と申します", "といいます", "と言います", "いいます", "でございます", "なんですけど", "ですけど", "です",
                  "やけん", "やけど", "やで", "やねん", "だべ", "だよ", "だ", "や")


_AFTER_CODE = re.compile(r"^(?:です|でございます)?[、,。\s]*(?:で|の|、)?[、,\s]*(?:(?:新しい|あたらしい)?(?:住所|じゅうしょ)(?:は|が)?[、,\s]*)?")


_ADDRESS_PARTS = frozenset({"store", "digits", "amount"})  # what an address's words may read as


def _address_after_postal_code(parse: Parse) -> str | None:
    """「…郵便番号が150-0002で、渋谷区渋谷二丁目3の4、サクラハイツの201です」 said with the request: the address after
    the code, as written down, for the flow that asks it (a caller who said it all is not asked again)."""
    code = next((e for e in parse.entities if e.type == "postal_code"), None)
    if code is None:
        return None
    rest = parse.text[code.end:]
    lead = _AFTER_CODE.match(rest)
    rest = rest[lead.end():] if lead is not None else rest
    rest = re.split(r"[。!?！？]", rest, maxsplit=1)[0]
    if not looks_like_address(rest):
        return None
    return _strip_copula(address_as_written(rest)) or None


def _strip_copula(text: str) -> str:
    text = text.strip(" 、。")
    for suffix in _FREE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


def _free_text(parse: Parse, slot: str) -> str | None:
    """A name or an address as given, without 「です」 or 「と申します」; 「佐藤です、佐藤花子」 is 佐藤花子."""
    if slot == "name":
        parts = [_strip_copula(p) for p in re.split(r"[、,。\s]+", parse.normalized) if p.strip()]
        parts = [p for p in parts if p]
        return max(parts, key=len) if parts else None
    if slot == "address":
        return _strip_copula(address_as_written(parse.text)) or None
    # 「けとるやのうて はぶらしのほうや」: the words after the correction replace those before it (answers notes)
    text = parse.normalized
    marks = list(_INSTEAD_OF.finditer(text))
    if marks and text[marks[-1].end():].strip(" 、。"):
        text = text[marks[-1].end():]
    return _strip_copula(text) or None


def _request(said: _Said, q: Question) -> Request | None:
    """A confident request for something the bot has a flow for, in the whole turn or in its second part."""
    found = _request_in(said.parse, said, q)
    if found is None and said.parts is not None and takes_requests(q.awaiting):
        # 「キャンセルしたいんです。それと、ポイントの有効期限も」: two things in one breath share the whole turn's
        # reading (cancel 0.50); the first said, read alone, is plain (1.00) and is served first
        found = _request_in(said.parts[0], said, q)
    if said.point is not None and (not _sure(said.parse) or _FED_UP.search(said.parse.normalized)) and takes_requests(
            q.awaiting) and (
            _sure(said.point) or found is None):
        # the scene first, the point last: a sure reading of the last clause beats an unsure one of the whole, and
        # a confident one stands where the whole has none (「…総務の者ですが 会社で注文した備品の 領収書を
        # いただきたくて…」: the company's introduction drowned the request)
        point = _request_in(said.point, said, q) if not _number_named(said.point) else None
        if point is not None and (found is None or point.intent != found.intent):
            found = point
    if said.rest is not None and (found is None or _NOT_THIS.search(said.parse.normalized)):
        # 「キャンセルしたいんですけど…あ、いや、キャンセルじゃなくて、届く日をずらして」: the request after the
        # correction replaces the one before it, as a value after 「あ、ちがう」 does
        instead = _request_in(said.rest, said, q)
        if instead is not None and (found is None or not _elliptic_rest(said.rest, said.parse)
                                    or _support(said.parse, instead.intent) >= REST_SUPPORT):
            found = instead
    if found is not None and words.GRIEF.search(said.parse.normalized):
        found = replace(found, condolence=True)
    elif found is not None and words.TROUBLE.search(said.parse.normalized):
        found = replace(found, apology=True)
    return found


# how much of the whole turn's reading a request after a correction needs (see _request)
REST_SUPPORT = 0.05


def _elliptic_rest(rest: Parse, whole: Parse) -> bool:
    """「ケトルを頼んだんだけど、やっぱりやめたいのよ」: 「やめたいのよ」 alone reads as leaving the membership, a
    reading the whole turn gives next to nothing. A few words after やっぱり with no 「…じゃなくて」 lean on what
    came before; 「キャンセルじゃなくて、届け先を変えてほしい」 names its own request."""
    return len(rest.normalized) <= ELLIPTIC_REST_CHARS and not _INSTEAD_OF.search(whole.normalized)


ELLIPTIC_REST_CHARS = 8


def _support(parse: Parse, intent: str) -> float:
    return next((r.confidence for r in parse.ranking if r.name == intent), 0.0)


def _request_in(parse: Parse, said: _Said, q: Question) -> Request | None:
    intent = _confident(parse)
    top = parse.ranking[0] if parse.ranking else None
    if ((intent == "order_status" or intent is None and top is not None and top.name == "order_status"
         and top.confidence >= CLARIFY_FLOOR) and _DAY_CHANGED.search(parse.normalized)
            and "delivery_change" in q.routable):
        # 「いま配送中の荷物、届く日を変えてほしいんですけど」 (order status 0.69), 「にもつの ひにち かえたいです
        # ちゅうもんばんごうは…」 (0.50): the day of delivery changed is asked for
        intent = "delivery_change"
    if ((intent == "order_status" or intent is None and top is not None and top.name == "order_status"
         and top.confidence >= CLARIFY_FLOOR) and _CANCEL_ASKED.search(parse.normalized) and "cancel_order" in q.routable):
        # 「発送済みになってますけど、今からでも取り消しできますか？」 (order status 0.53-0.56, cancel 0.33): the status
        # is what the caller saw, the cancellation what they ask for
        intent = "cancel_order"
    if (intent is None and top is not None and top.name == "order_status" and top.confidence >= CLARIFY_FLOOR
            and _DELIVER_AGAIN.search(parse.normalized) and "delivery_change" in q.routable):
        # 「注文番号12345678、明日に配達し直してほしいんですが」「荷物ば届け直してほしいんだげんど」 (order status
        # 0.38): the order number and 荷物 pull to the status; a delivery made again is asked for
        intent = "delivery_change"
    if ((intent == "order_status" or intent is None and top is not None and top.name == "order_status"
         and top.confidence >= CLARIFY_FLOOR) and "delivery_change" in q.routable
            and words.AWAY_FROM_HOME.search(parse.normalized) and _DUE_TOLD.search(parse.normalized)
            and not _WHEN_WHERE.search(parse.normalized)):
        # 「明日は家に誰もいないんですよ。注文したイヤホンが明日届くってメールが来てたんですけど」 (order status 0.52):
        # out on the day it is due; the delivery is to be changed, the status needs no asking
        intent = "delivery_change"
    if ((intent == "order_status" or intent is None) and _OWN_AMOUNT_RECALLED.search(parse.normalized)
            and "billing_inquiry" in q.routable):
        # 「こないだ頼んだケトルの代金、なんぼだったべか」「この前注文したイヤホンの代金っていくらだったか確認したい」
        # (order status 0.48-0.55): the amount of the caller's own order, which the billing flow reads out
        intent = "billing_inquiry"
    if (intent is None and top is not None and top.name in ("repeat", "callback_request")
            and "callback_request" in q.routable and _CANNOT_TALK_NOW.search(parse.normalized)):
        # 「いま子どもを保育園に迎えに行くところで、ゆっくりお話しできないんです」 (repeat 0.40: its ゆっくり): a call
        # back later is what a caller who cannot talk now needs
        intent = "callback_request"
    if (intent is None and top is not None and top.name in ("cancel_order", "order_status")
            and "cancel_order" in q.routable and _ORDERED.search(parse.normalized)
            and _CALLED_OFF.search(parse.normalized)):
        # 「お歳暮に電気ケトルを頼んだんだけど、年内に届かないんだったら、もうやめようと思って」 (cancel 0.21): an
        # order placed, and the caller calling it off
        intent = "cancel_order"
    if (intent is None and top is not None and top.confidence >= CLARIFY_FLOOR and top.name in q.routable
            and _ASKS_ABOUT_TOPIC.search(parse.normalized)
            and (named := _named_topic(parse, q)) is not None and named.intent == top.name):
        # 「先月の請求のことでちょっと聞きたいんですが」 (billing 0.52): the topic named in so many words (its label's
        # word, ご請求) and a question about it announced: the classifier's lean, confirmed by the words
        intent = top.name
    if (intent is None and top is not None and top.name in q.routable
            and (called := _CALLED_ABOUT.search(parse.normalized)) is not None
            and (named := _named_topic(replace(parse, normalized=parse.normalized[:called.start()]), q)) is not None
            and named.intent == top.name):
        # 「あ、すみません、返品のことで電話しました」 (return 0.28): the topic the call is about (its 電話 no topic),
        # named; asked about
        return Request(top.name, said.prefill, clarify=True)
    if (intent is None and "order_status" in q.routable and _ORDER_CHECKED.search(parse.normalized)
            and not _CHANGE_WORDS.search(parse.normalized) and not _DAY_CHANGED.search(parse.normalized)):
        # 「私の注文と 娘の注文と 両方確認したいんだけど」 (cancel 0.27): orders to be looked at, nothing to change
        return Request("order_status", said.prefill, clarify=top is None or top.name != "order_status")
    if intent in (None, "order_status") and "return_exchange" in q.routable and _UNOPENED.search(parse.normalized):
        # 「…渡す前に向こうが自分で買うてもうてん。箱もまだ開けてへんねんけど」 (order status, unsure): a thing had and
        # not opened is told of to send it back; asked about
        return Request("return_exchange", said.prefill, clarify=True)
    if (intent in (None, "order_status") and "product_availability" in q.routable and _GOODS_THERE.search(parse.normalized)
            and not _ORDERED.search(parse.normalized)):
        # 「しなものが あるかどうか ききたいんですけど」 (order status 0.54): whether the shop has a thing is its stock
        intent = "product_availability"
    if (intent in (None, "product_availability") and top is not None and top.name == "product_availability"
            and top.confidence >= UNKNOWN_PRODUCT_FLOOR and "product_availability" in q.routable
            and "product" not in said.prefill and (thing := _thing_asked(parse)) is not None):
        # 「冷蔵庫って売ってますか？」「炊飯器って置いてはります？」 (stock 0.25-0.37): something the shop does not know
        # by name, asked for in so many words: the flow says so, rather than 「どちらの商品の…」 about what was said
        return Request("product_availability", {**said.prefill, "product_named": thing})
    if intent is not None and intent not in CONVERSATION and intent in q.routable:
        if _TOPIC_ONLY.fullmatch(parse.normalized.strip()):
            # 「梅田店のことなんやけど」: a topic and nothing asked of it (its hours? where it is?): asked about
            return Request(intent, said.prefill, clarify=True)
        return Request(intent, said.prefill)
    ranking = parse.ranking
    if ranking and ranking[0].name == "repeat" and ranking[0].confidence >= CONFIDENT and len(ranking) > 1:
        # 「もう一度だけ言いますけど、荷物が来てないんです」: not a repeat (see _commands), so the next reading counts
        second = ranking[1]
        if second.name in q.routable and second.name not in CONVERSATION and second.confidence >= CLARIFY_FLOOR:
            return Request(second.name, said.prefill, clarify=second.confidence < CONFIDENT)
    return None


# the call said to be about a topic: 「返品のことで電話しました」「請求の件でお電話したんですが」
_CALLED_ABOUT = re.compile(r"(のこと|の件|について)(で)?[、\s]*(お)?(電話|でんわ)(しました|した|いたしました|させていただきました|させてもらいました)")
# the order just served, named again (「さっきの配達の件ですけど」「先ほどの注文ですが」)
_EARLIER_ORDER = re.compile(r"(さっき|先ほど|さきほど|先程)の[、\s]*(配達|はいたつ|注文|ちゅうもん|荷物|にもつ|お届け|おとどけ|件)")
# the day left as it was (「日にちはそのままで」「日付は同じで」)
_DAY_KEPT = re.compile(r"(日にち|ひにち|日付|ひづけ|日|ひ)(は|を)?[、\s]*(そのまま|同じ|おなじ|変えず|かえず|変えない|かえない)")
# an order to be looked at: 「注文を確認したい」「両方の注文、見てもらえますか」
# (not 「先日の注文の件で確認したいことがあるんですけど」: something about an order, not yet said)
_ORDER_CHECKED = re.compile(r"(注文|ちゅうもん|荷物|にもつ)(?!の件|のこと)[^。?？]{0,12}"
                            r"(確認|かくにん|調べて|しらべて|見て(ほし|もら|いただ|くだ))(?!したいこと|したい事|したいことが)")
# the thing not yet opened: 「箱もまだ開けてへん」「未開封です」「まだ封も切ってない」
_UNOPENED = re.compile(r"未開封|みかいふう|(箱|はこ|封|ふう|包装|ほうそう)(も|は|を)?(まだ)?[、\s]*(開け|あけ|切っ|きっ|開封し)"
                       r"(て)?(ない|ません|へん|ねえ|とらん|てない|ていない|ておらん)")
# an order said not to have come yet (「まだ届いてないんですよね」「まだ来てへんのやけど」「発送されてなくて」)
_NOT_HERE_YET = re.compile(r"まだ[、\s]*(届|とど|来|き|こ|着|つ)(い)?て(は)?(い|お)?(ない|なく|ません|へん|ねえ|ねぇ|ねー|らん|りません)|"
                           r"まだ[、\s]*(届|とど)(かな|かへん|きません)|まだ[、\s]*(来|こ)(な|ん|へん|ーへん)|(発送|はっそう)(されて|して)(い)?(ない|なく|ません)")
# a move to come (「来週引っ越すことになりまして」「娘のとこで一緒に住むことになってなあ」「らいしゅう ひっこしなんですけど」),
# not one made (「ひっこして でんわも かわった」) nor one to be in time for (「その前に届かないと困る」)
_MOVING_SOON = re.compile(r"(引っ越|ひっこ|引越|転居|てんきょ)(す|し(?!て)|しなん|しで|しが|しの|しに)|(越す|こす|住む|すむ|暮らす|くらす|移る|うつる)(こと|事)に")
_IN_TIME = re.compile(r"(前|まえ)に|までに|間に合|まにあ|受け取れ|うけとれ")
# what the caller has no more need for: bought elsewhere, had already, not wanted (「嫁はんがもう店で買うてきてしもてん」
# 「息子がもう要らないって言うんですよ」)
_NO_LONGER_NEEDED = re.compile(r"(要ら|(?<![はば])いら)(ない|ん|へん|なく|ねえ|ねぇ|ねー)|不要|必要(が|は)?なくな|"
                               r"(もう|すでに|先に|さきに)[^。?？]{0,8}(買っ|買う|こう|かっ|かう|もろ|もらっ|持って|もって)")
# the same thing had already, found once it came (「同じのがもううちにあったのよ。届いちゃってから気がついてねえ」)
_HAD_ONE = re.compile(r"(同じ|おなじ)(の|もの|物|やつ)?(が|を)[^。?？]{0,8}(あった|ある|あり|持って|もって)")
_CAME = re.compile(r"(届|とど|来|き)(い)?(た|ちゃ|ちゃっ|てしま|てもう|とる|ている|ておる)")


# the parcel's coming reported (「届くってメールが来てた」「荷物来るって」「着く予定」)
_DUE_TOLD = re.compile(r"(届く|とどく|来る|くる|着く|つく|届きます|着きます)[^、。]{0,4}(って|と(連絡|れんらく|聞|き|メール|めーる)|予定|よてい|はず|ごたる|みたい|らしい)")
# when or where it is, asked (「いつ届くの」「今どこ」): the status is asked after all
_WHEN_WHERE = re.compile(r"いつ|何時|なんじ|どこ|何処|まだ(届|とど|来|こ|着|つ)")


def _what_the_situation_asks(text: str, q: Question) -> str | None:
    """A situation told instead of a request, about an order: the request it asks for, or None."""
    if _NOT_HERE_YET.search(text):
        if "address_change" in q.routable and _MOVING_SOON.search(text) and not _IN_TIME.search(text):
            return "address_change"
        if "cancel_order" in q.routable and _NO_LONGER_NEEDED.search(text):
            return "cancel_order"
        return None
    if "return_exchange" in q.routable and _HAD_ONE.search(text) and _CAME.search(text):
        return "return_exchange"
    return None


# goods asked to be there (「しなものが あるかどうか」「商品ってありますか」)
_GOODS_THERE = re.compile(r"(品物|しなもの|商品|しょうひん)(が|って|は|の)?[、\s]*(ある|あり|おいて|置いて)(ます)?(か|かどうか|んか)")
# a delivery asked to be made again (再配達 in the caller's words)
_DELIVER_AGAIN = re.compile(r"(届け|とどけ|配達し|はいたつし|持ってき|もってき|運び|はこび)(直し|なおし|直す|なおす)|"
                            # 「わしが おらんかってのう もういっぺん もってきてもらいたいんじゃ」
                            r"(もう一度|もういちど|もう一回|もういっかい|もういっぺん|もっかい|再度|さいど)[、\s]*"
                            r"(持ってき|もってき|届け|とどけ|配達し|はいたつし|運ん|はこん)|"
                            r"(配達|はいたつ)(を)?(やり直|やりなお)")
# the day or time of a delivery asked to be changed: 「届く日を変えて」「配達の日にちをずらしてほしい」「お届け時間を変更したい」
_DAY_CHANGED = re.compile(
    r"(届く|とどく|届け|とどけ|配達|はいたつ|配送|はいそう|荷物|にもつ)(の)?(日|ひ|び|日にち|ひにち|日時|にちじ|時間|じかん|時間帯|じかんたい)"
    # (Kyushu ば is を: 「届く日ば変えたいっちゃけど」)
    r"(ぃ|ー)?(を|は|が|も|ば)?[、\s]*(変え|かえ|変更|へんこう|ずらし|ずらせ|ずらして|遅らせ|おくらせ|早め|はやめ|指定|してい)"
    # 「クリスマスイブに届くようにできますか」「二十五日に着くようにしてほしい」: a day asked for
    r"|(に|までに)[、\s]*((届く|とどく|着く|つく)よう(に)?[、\s]*(でき|して|し(て)?(ほし|もら|いただ|くだ)|お願い|おねがい)"
    r"|(届け|とどけ)て(ほし|もら|いただ|くだ))")

# a topic announced with a question to come: 「請求のことで聞きたいんですが」「返品の件でご相談が」
_ASKS_ABOUT_TOPIC = re.compile(
    r"(のこと|の件|について)(で|なんですが|なんですけど)?[、\s]*(ちょっと|少し|すこし)?[、\s]*"
    r"(聞きたい|ききたい|お聞きしたい|おききしたい|伺いたい|うかがいたい|お尋ねしたい|質問|しつもん|相談|そうだん|問い合わせ|といあわせ)")
# a topic and nothing said of it: 「梅田店のことなんやけど」「ポイントの件なんですが」
_TOPIC_ONLY = re.compile(
    r"(えっと|あの|あのー|ええと|もしもし)?[、\s]*[^、。\s]{1,12}?(のこと|の件)(なん|なの)?(ですけど|ですが|やけど|だけど|じゃけど"
    r"|やねんけど|なんやけど|ですけれども|で)[。…\s]*")
UNKNOWN_PRODUCT_FLOOR = 0.2
# a thing asked about in a shop: 「冷蔵庫って売ってますか」「炊飯器って置いてはります」「自転車を買いたい」
_THING_ASKED = re.compile(
    r"([^\s、。,!?！？のにでとがはをも]{2,12}?)(って|は|を|が|も|の)?[、\s]*(売って|うって|置いて|おいて|扱って|あつかって|取り扱|とりあつか|"
    r"在庫|ざいこ|買い|かい|買う|かう|買え|かえ|欲し|ほし)")
# what names no thing: the shop, its goods in general, a pointing word
_NO_THING = re.compile(r"^(お?店|お?みせ|店舗|商品|しょうひん|品物|しなもの|もの|物|それ|これ|あれ|どれ|やつ|なに|何|"
                       r"在庫|ざいこ|ネット|オンライン|通販|ここ|そちら|こちら|そっち|こっち|そこ|梅田|渋谷|札幌|孫|息子|娘|"
                       r"領収書|レシート|ポイント|クーポン|カタログ|ギフト券|商品券)$")


def _thing_asked(parse: Parse) -> str | None:
    """The name of what the caller asks the shop for (「冷蔵庫」), when it is one word the tokenizer calls a noun and
    names no place, person or the goods in general; None otherwise."""
    m = _THING_ASKED.search(parse.normalized)
    if m is None or _NO_THING.match(m.group(1)):
        return None
    thing = m.group(1)
    nouns = [t for t in parse.tokens if t.surface and t.surface in thing]
    if (not nouns or "".join(t.surface for t in nouns) != thing or nouns[0].pos != "名詞"
            or any(t.pos not in ("名詞", "接尾辞") for t in nouns)):
        return None  # (炊飯 + 器: a noun and its suffix)
    return thing


# an order called off in the caller's words (not the membership: an order placed is said too, see _ORDERED)
_CALLED_OFF = re.compile(r"(やめ|止め|取りやめ|とりやめ)(よう|たい|ます|とき|とこ|にし|させ)|(いら|要ら)(なくな|んくな|へんくな|ない)"
                         # 「もう使う人がおらんのよ」「もう使いませんから」: no one left to use it
                         r"|もう[^。]{0,4}(使う人|つかう人|つかうひと)が(おら|いな|おりませ|いませ)|もう(使|つか)(わない|いません|わん|わへん)")
# the caller cannot talk now (driving, on the way somewhere): 「ゆっくりお話しできない」「いま話せない」
_CANNOT_TALK_NOW = re.compile(r"(話|はな)(せない|せません|せへん|せん|しできない|しできません|してられない)|"
                              r"手が(離|はな)せな|運転中|うんてんちゅう")
_CANCEL_ASKED = re.compile(
    r"(取り消し|取消し|取消|とりけし|キャンセル|きゃんせる)(って|は|を|も)?[、\s]*(でき|出来|したい|して(ほし|もら|いただ|くだ)|お願い|おねがい|可能|かのう)")


def _stock_of_a_product(said: _Said, leaning: str) -> bool:
    """「うちのケトル、とうとう壊れちゃって…そちらで電気ケトルって今すぐ買えたりします？」「孫が…イヤホン…欲しいって
    言うんだけども、そちらにあるのかねえ」: a product the shop sells, named, and whether it can be had asked in so many
    words, where the classifier leans to its stock: served, not asked about."""
    return (leaning == "product_availability" and "product" in said.prefill
            and words.STOCK_ASKED.search(said.parse.normalized) is not None)


# where a place is, asked (「札幌店の住所もお願いします」), and a change of the caller's own address (住所変更)
_PLACE_ASKED = re.compile(r"住所|じゅうしょ|場所|ばしょ|どこ|何処|行き方|いきかた|アクセス|最寄り|もより|地図|ちず|道順|みちじゅん")
_ADDRESS_CHANGED = re.compile(r"変更|へんこう|変え|変わ|引っ越|引越|ひっこ|転居|てんきょ")


_RETURNS = frozenset({"return_exchange"})
# why a thing goes back: it does not fit, is not what was expected, or does not work (words.TROUBLE)
_RETURN_REASON = re.compile(
    r"(サイズ|さいず|大きさ|おおきさ|色|いろ|寸法|すんぽう)(が|も)?[、\s]*(合わ|あわ|違|ちが|ちゃう|小さ|ちいさ|大き|おおき|きつ|ゆる)"
    r"|(イメージ|いめーじ|思って(い)?た|おもって(い)?た|写真|しゃしん)(の)?(と|とは)[、\s]*(違|ちが|ちゃう)"
    r"|(気に入ら|きにいら|好みじゃ|このみじゃ|使わな|つかわな|要らなく|いらなく)" + "|" + words.TROUBLE.pattern)
_STATUS = "order_status"
# where the parcel is now (「そもそも今どこにあるか分かります？」), not where a number is written: another request
_WHEREABOUTS = re.compile(r"^(?!.*(番号|ばんごう|書い|かい|メール|めーる|伝票|でんぴょう)).*(どこ|何処)(に|へん|ら)?(ある|あん|いる|おる)")


def _place_of_a_store(said: _Said, leaning: str) -> bool:
    """「あ、それと、札幌店の住所もお願いします」 (store location 0.32, the caller's address change beside it): a
    store named and where it is asked, no change of address said: served, not asked about."""
    text = said.parse.normalized
    return (leaning == "store_location" and "store" in said.prefill and _PLACE_ASKED.search(text) is not None
            and _ADDRESS_CHANGED.search(text) is None)


def _unsure_request(said: _Said, q: Question) -> Request | None:
    """A request the classifier leans to without being sure: asked about, never guessed."""
    top = said.parse.ranking[0] if said.parse.ranking else None
    stock = (top is not None and top.name == "product_availability" and top.confidence >= CLARIFY_FLOOR
             and words.STOCK_ASKED.search(said.parse.normalized) is not None)
    if (words.TROUBLE.search(said.parse.normalized) and _FOR_TROUBLE in q.routable and not stock
            and (top is None or top.name not in _TROUBLE_REQUESTS or top.confidence < CLARIFY_FLOOR)):
        # 「ケトルの電源が入りません」 read as a question about stock, 「冷蔵庫が冷えないんです」 a faint complaint:
        # a product that does not work is a return or an exchange to ask about, with an apology first
        return Request(_FOR_TROUBLE, said.prefill, clarify=True, apology=True)
    if stock and top is not None and top.name in q.routable and _stock_of_a_product(said, top.name):
        return Request(top.name, said.prefill)  # (no apology: the kettle that broke is not one of ours)
    if top is not None and top.name in q.routable and _place_of_a_store(said, top.name):
        return Request(top.name, said.prefill)
    if top is not None and top.confidence >= CLARIFY_FLOOR and top.name in q.routable and top.name not in CONVERSATION:
        return Request(top.name, said.prefill, clarify=True, apology=bool(words.TROUBLE.search(said.parse.normalized)))
    if (top is not None and top.name == _WHEN_AWAY and top.name in q.routable and top.confidence >= AWAY_FLOOR
            and words.AWAY_FROM_HOME.search(said.parse.normalized)):
        return Request(top.name, said.prefill, clarify=True)  # 「明日な、うち誰もおらへんねん」: asked about
    return None


# what a caller not at home to take a parcel wants, and how faint a reading of it is still asked about
_WHEN_AWAY = "delivery_change"
AWAY_FLOOR = 0.2


# what a caller whose product does not work most likely wants, and the readings that already fit it
_FOR_TROUBLE = "return_exchange"
_TROUBLE_REQUESTS = frozenset({"return_exchange", "complaint", "cancel_order", "operator_request", "account_closure"})


_CONTENT = re.compile(r"[\u4e00-\u9fff]{2,}|[ァ-ヺー]{3,}")


def _named_topic(parse: Parse, q: Question) -> Request | None:
    """The one request whose label shares a content word with the words (場所 -> 店舗の場所)."""
    said = set(_CONTENT.findall(parse.normalized))
    if not said:
        return None
    named = [intent for intent, label in q.labels.items()
             if intent in q.routable and said & set(_CONTENT.findall(label))]
    return Request(named[0]) if len(named) == 1 else None


# what a how-question asks to get or do (「どないしたら もらえるん」「どうしたら返品できますか」): a how-to, not a caller at a loss
_HOW_TO_GET = re.compile(r"[、\s]*[^、。?？\s]{0,8}?(もらえ|貰え|いただけ|頂け|でき|出来|手に入|買え|届け|とどけ|返せ|かえせ|返品でき|"
                         r"取れ|とれ|使え|つかえ|見れ|みれ|見られ|ログインでき|入れ|はいれ)")


def _distress(parse: Parse) -> bool:
    """Grief, panic or confusion in the words; the emotion reading alone is not enough (「死ぬほど忙しい」)."""
    text = parse.normalized
    matches = list(words.DISTRESS.finditer(text))
    found = [m.group(0) for m in matches]
    how_only = bool(found) and all(f.startswith(("どうしたら", "どうすれば", "どないしたら")) for f in found)
    if how_only and words.CALM_HOW.search(text):
        return False  # 「では、どうしたらいいでしょうか」: the next step asked for, no other distress word
    if how_only and all(_HOW_TO_GET.match(text, m.end()) for m in matches):
        return False  # 「りょうしゅうしょ ほしいねんけど どないしたら もらえるん」: how to get a thing, asked
    return bool(found)


def _closing(parse: Parse) -> Simple | None:
    """A goodbye at a question that is not "anything else?": certain words end, unsure ones are asked about."""
    text = parse.normalized
    if words.QUESTION.search(text) or words.MORE_TO_ASK.search(text):
        return None
    if words.CLEAR_GOODBYE.search(text):
        return Simple("end")
    if _confident(parse) == "goodbye" or words.only_closing(text):
        if _NOTHING_MORE.search(text) and words.only_closing(text):
            # 「いえいえ もう ありません ほかは だいじょうぶ ありがとうね」: nothing more, in so many words
            return Simple("end")
        # 「いえ、もう大丈夫です、ありがとう」 where a request was asked for: the caller seems done; asked, not assumed
        return Simple("confirm_end")
    return None


# nothing more to ask, said plainly (not 大丈夫, which may be about the answer just given)
_NOTHING_MORE = re.compile(r"(もう|ほかは|他は|ほかに(は)?|他に(は)?)[、\s]*(ありません|ないです|ございません|ない(わ|よ|で)?[。、\s]*$|なにも|何も)"
                           r"|(以上|いじょう)(です|でございます)")


def _calls_again(parse: Parse) -> bool:
    """「番号が手元になくて…また後でかけ直します」: the caller will call again themselves; asked whether to end,
    never handed to a person for the number they do not have, nor booked a callback they did not ask for."""
    text = parse.normalized
    return (words.CALL_AGAIN.search(text) is not None and not words.QUESTION.search(text)
            and _confident(parse) in (None, "goodbye", CALLBACK_INTENT))


# a turn that opens asking for time (「ちょっと待ってね」「少々お待ちを」「えっと待ってください」)
_WAIT_FIRST = re.compile(r"^(あ|えっと|えーと|ええと|あの|あのー)?[、\s]*(ちょっと|ちょ|少し|すこし|少々|しょうしょう)?[、\s]*"
                         r"(待って|まって|お待ち|おまち|待っと|まっと)")


def _dont_know(parse: Parse) -> bool:
    """「わからない」 about the answer, not about the bot's pace (「はやくて わからない」 asks it to slow down)."""
    return words.DONT_KNOW.search(parse.normalized) is not None and not words.only_slower(parse.normalized)


SURE_REPEAT = 0.9  # 「もう一度注文したいんですが」 is 0.85
# "once more" (not 聞こえ: 「かえるのうたが きこえて」 hears something, asks nothing)
_ONCE_MORE = re.compile(r"もう(一度|いちど|一回|いっかい|1回|1度|いっぺん|一遍)|もっかい")


# a value echoed back in surprise (「え？ やすみ？ すいようが？ もういっぺん いうてくれるか」): no answer
_ECHOED = re.compile(r"(が|は|って|に|の)?(です)?[?？]")


def _commands(parse: Parse) -> Simple | None:
    """Global commands, only as the meaning of the whole utterance."""
    text = parse.normalized
    if words.only_start_over(text):
        return Simple("start_over")
    if words.only_slower(text):
        return Simple("slow_down")
    if words.only_repeat(text):
        return Simple("repeat")
    if (parse.intent.name == "repeat" and parse.intent.confidence >= SURE_REPEAT and words.REPEAT_WORD.search(text)
            and not words.SAYS_IT_AGAIN.search(text) and not heard_by_type(parse)):
        # 「恐れ入りますが もう一度おっしゃっていただけますでしょうか」「電車の中で よく聞こえなくて もう一度お願いします」
        # 「え なんて もういっぺん言うてくれはる」: asked in more words than the patterns know, and sure (0.94-1.00)
        return Simple("repeat")
    asked = _ONCE_MORE.search(text)
    if (parse.intent.name == "repeat" and asked is not None and words.only_repeat(text[asked.start():])
            and (not heard_by_type(parse) or all(_ECHOED.match(parse.text, e.end) for e in parse.entities))):
        # 「え？ すみません いま スピーカー で くるま うんてん してて もういっかい おねがいします」 (0.72): the reason
        # first, and the turn ends asking to hear it again
        return Simple("repeat")
    if (_NOT_HEARD.search(text) and not _HARD_OF_HEARING.search(text) and not heard_by_type(parse)
            and (parse.intent.name in CONVERSATION or parse.intent.confidence < CONFIDENT)):
        # 「わりい、外さいて風の音で聞ごえねがった」 (complaint 0.15): the answer was not heard; said again
        return Simple("repeat")
    if words.asks_if_machine(text):
        return Simple("machine")
    return None


# how sure a reading of "not this line's business" must be to be told so (「アルバイトって募集してますか」 0.74); the
# prompt also names what the line handles, so a request misread as one is asked again all the same
OUT_OF_SCOPE_FLOOR = 0.6


def _unclear(parse: Parse) -> Simple:
    # 「＃＄％＆＠」: nothing said at all is not a question the line does not handle
    out_of_scope = (parse.intent.name == "out_of_scope" and parse.intent.confidence >= OUT_OF_SCOPE_FLOOR
                    and any(ch.isalnum() for ch in parse.normalized))
    return Simple("unclear", out_of_scope=out_of_scope)


def _common(said: _Said, q: Question) -> Action:
    """What a turn means when it is not the answer the question wanted."""
    parse = said.parse
    command = _commands(parse)
    if command is not None:
        return command
    request = _request(said, q)
    if request is not None and request.intent == "complaint" and not request.prefill and _distress(parse):
        # 「もう、なんでこんなことに…どうしたらいいか…」: the classifier hears a complaint in a caller at a loss;
        # what they need is an empathetic line and a person (SPEC 6: distress is `emotion`)
        return Simple("distress")
    if request is not None and (request.intent not in q.flow_intents or isinstance(q.awaiting, AwaitAnythingElse)):
        if words.NO.match(words.LEAD_IN.sub("", parse.normalized)):
            return replace(request, instead=True)  # 「ちがいます、請求のことで電話したんです」
        if words.DROP_CURRENT.search(parse.normalized) and not isinstance(q.awaiting, AwaitAnythingElse):
            # 「やっぱり日にち変えるのはいいです。それより、渋谷店って何時まで」: the request in progress is given up,
            # not put on hold to come back to after the new one
            return replace(request, instead=True)
        return request
    if _distress(parse):
        return Simple("distress")
    if words.only_hesitation(parse.normalized):
        return Simple("hesitate")
    closing = _closing(parse)
    if closing is not None:
        return closing
    return _unclear(parse)


# -- per question ----------------------------------------------------------------------------------------


def interpret(q: Question, heard: Heard, entity_types: EntityTypes) -> Action:
    """The action a turn asks for at the open question. Never raises; unknown input is `unclear`."""
    action = _interpret(q, heard, entity_types)
    if (heard.parse is not None and takes_requests(q.awaiting) and "operator_request" in q.routable
            and not (isinstance(action, Request) and action.intent in _PERSON_INTENTS and not action.clarify)
            and _PERSON_NAMED.search(heard.rest.normalized if heard.rest is not None
                                     else _last_clause(heard.parse.normalized))):
        # 「べつの ことで そうだんが あるので かかりの かたを おねがいします」: a person named and asked for in the main
        # clause, which the classifier half reads as a goodbye (おねがいします); not one taken back (「オペレーターさんに
        # つないでもらえます？あ、いや、やっぱええわ、自分で聞くわ。梅田店って…」: what follows the change of mind)
        return Request("operator_request")
    if (heard.parse is not None and "complaint" in q.routable
            and (takes_requests(q.awaiting) or _NOT_THIS.search(heard.parse.normalized))
            # (「…の件で苦情です。責任者から連絡をください」: a complaint, whose desk calls back when it is closed)
            and not (isinstance(action, Request) and action.intent in _PERSON_INTENTS - {CALLBACK_INTENT}
                     and not action.clarify)
            and _COMPLAINT_NAMED.search(heard.parse.normalized)):
        # (at a question, only with a change of mind: 「いえ、やはり返品ではなく、苦情として正式に申し入れをしたい」)
        return (replace(action, intent="complaint", clarify=False, later=None) if isinstance(action, Request)
                else Request("complaint"))
    if (isinstance(action, Request) and isinstance(q.awaiting, AwaitAnythingElse) and heard.parse is not None
            and _EARLIER_ORDER.search(heard.parse.normalized)):
        # 「さっきの配達の件ですけど 日にちはそのままで 時間を十四時から十六時に変えられますか」: the order served before,
        # and the day it was given if the caller keeps it
        kept = _same_order(q)
        if q.slots.get("date") and "date" not in action.prefill and _DAY_KEPT.search(heard.parse.normalized):
            kept["date"] = q.slots["date"]
        action = replace(action, prefill={**kept, **action.prefill})
    if isinstance(action, Request) and heard.parts is not None and takes_requests(q.awaiting):
        action = _with_second(action, heard, q)
    if (isinstance(q.awaiting, AwaitAnythingElse) and heard.parts is not None
            and (action in (Simple("confirm_end"), Simple("end"), Simple("unclear")) or isinstance(action, Yes))
            and words.QUESTION.search(heard.parts[1].normalized) and (asked := heard.parts[1].intent).name in q.routable
            and asked.name not in CONVERSATION and asked.confidence >= CLARIFY_FLOOR):
        # 「…まあ仕方ないので今日は家でゴロゴロします。あ、ところでネットで頼んだものの配達日って変えられます?」: a sigh or
        # a story, then the question that is the point (it was heard as a goodbye, or as "yes, there is more"); asked
        # about unless sure
        second = heard_by_type(heard.parts[1])  # (「…あ それとね しぶやの おみせは なんじまで」: its store)
        action = Request(asked.name, values_heard(second, {t: t for t in entity_types.specs}, entity_types),
                         clarify=asked.confidence < TOPIC_SWITCH)
    if isinstance(action, Fill | Yes) and heard.aside is not None:
        action = _with_aside(action, heard, q, entity_types)
    aw = q.awaiting
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and isinstance(action, Request) and aw.prefill:
        # 「注文番号12345678、明日に配達し直してほしいんですが」 guessed as order status, then 「やっぱり明後日にします。
        # 午前中で」: the request said now keeps the order number said before (what it says now wins)
        action = replace(action, prefill={**aw.prefill, **action.prefill})
    if (isinstance(action, Request) and action.intent == "complaint" and heard.parse is not None
            and takes_requests(q.awaiting) and _only_kept_waiting(heard.parse)):
        # 「さっきから電話ぜんぜんつながらへんし、どないなってんねん」: the grievance is the wait itself, which an agent
        # answers with 「大変お待たせいたしました」 and a question for the request, not a complaints desk
        return Simple("kept_waiting")
    if (isinstance(action, Request) and not action.clarify and heard.parse is not None and takes_requests(q.awaiting)
            and _NUMBER_UNKNOWN.search(heard.parse.normalized) and ORDER_ID not in action.prefill):
        # 「ちゅうもんばんごう わからないんですけど、いやほんのほうの はいたつびを かえたいんです」: the number is not
        # asked for; the flow reads `number_unknown` (verify_order: the caller id's orders, picked by the words)
        action = replace(action, prefill={**action.prefill, "number_unknown": "yes"})
    if (isinstance(action, Request) and not action.clarify and heard.parse is not None and takes_requests(q.awaiting)
            and (begun := _number_begun(heard.parse.normalized, action.intent, entity_types)) is not None):
        # 「まだ届かないんですけど、番号が、いちにさんよん」: the caller paused inside the number; its first digits are
        # no amount or postal code, and the flow's question for it goes on from them (a callback's number said so is
        # another than the one calling)
        kept = {k: v for k, v in action.prefill.items() if k not in _ADDRESS_PARTS | {"postal_code"} or str(v) != begun}
        other = {"other_phone": "yes"} if action.intent == CALLBACK_INTENT and begun.startswith("0") else {}
        action = replace(action, prefill={**kept, **other, NUMBER_BEGUN: begun})
    if (isinstance(action, Request) and action.intent == "order_status" and heard.parse is not None
            and takes_requests(q.awaiting)
            and (told := _what_the_situation_asks(heard.parse.normalized, q)) is not None):
        # 「来週引っ越すことになりまして、…まだ届いてないんですよね」 (order status 0.39): a move with the order not
        # yet there is where it should go; 「嫁はんがもう店で買うてきてしもてん。まだ届いてへん」 an order no longer
        # needed; 「同じのがもううちにあったのよ。届いちゃってから気がついて」 a thing to send back: asked about
        action = replace(action, intent=told, clarify=True, later=None)
    if (isinstance(action, Answer) and heard.parse is not None and takes_requests(q.awaiting)
            and not words.QUESTION.search(heard.parse.normalized) and not _WANTS_TO_KNOW.search(heard.parse.normalized)
            and (told := _what_the_situation_asks(heard.parse.normalized, q)) is not None):
        # 「息子が同じの送ってよこしたもんで、二つもいらねぇのよ。まだ来てねぇんだけども」: nothing asked, so no answer
        # (the return shipping fee) but the request the situation asks for, asked about
        action = Request(told, values_heard(heard_by_type(heard.parse), {t: t for t in entity_types.specs}, entity_types),
                         clarify=True)
    if (isinstance(action, Yes) and isinstance(q.awaiting, AwaitOffer) and q.awaiting.offer == "clarify"
            and q.awaiting.intent in _ORDER_REQUESTS and heard.parse is not None
            and (first := _ONLY_DIGITS.fullmatch(heard.parse.normalized)) is not None
            and entity_types.continues(ORDER_ID, digits := re.sub(r"\D", "", first.group("digits")))):
        # 「さんよんごろく」 to 「配送状況についてのお問い合わせでよろしいでしょうか」: the order number begun, as good as
        # a yes; its question goes on from those digits (they are no amount)
        kept = {k: v for k, v in action.values.items() if str(v) != digits}
        action = replace(action, values={**kept, NUMBER_BEGUN: digits})
    if (isinstance(action, Request) and not action.condolence and heard.parse is not None
            and words.KEPT_WAITING.search(heard.parse.normalized)):
        # 「なんべん電話したらつながんねん」 with the request, sure or asked about: sorry for the wait first
        action = replace(action, kept_waiting=True)
    if (isinstance(action, Request) and action.intent not in _PERSON_INTENTS and heard.parse is not None
            and takes_requests(q.awaiting) and _last_sentence_asks_for_person(heard.parse.normalized)):
        # 「届いたケトルが初日から壊れていて…担当の方と話したいです」: the person asked for, the request heard goes
        # with the caller in the case note
        action = replace(action, intent="operator_request", clarify=False, later=None)
    if (isinstance(action, Request) and action.intent == "complaint" and heard.parse is not None
            and heard.parse.intent.confidence < _UNSURE_COMPLAINT and takes_requests(q.awaiting)
            and _last_sentence_asks_for_person(heard.parse.normalized)):
        # 「…失礼しました。でも本当に困ってるんです、担当者と話させてください」: a trouble the classifier half reads as
        # a complaint, and a person asked for in so many words: what the caller asked for is the person
        action = replace(action, intent="operator_request", clarify=False, later=None)
    if (isinstance(action, Request) and action.intent not in _PERSON_INTENTS and heard.parse is not None
            and takes_requests(q.awaiting) and "callback_request" in q.routable
            and _CALLBACK_ASKED.search(_last_clause(heard.parse.normalized))):
        # 「返品のことで相談したいので、折り返し電話をお願いしたいんですけど」: what is asked for is the callback;
        # the topic goes to the agent who calls back with the case note
        action = replace(action, intent="callback_request", clarify=False, later=None)
    if (action == Simple("unclear") and heard.parse is not None and takes_requests(q.awaiting)
            and "callback_request" in q.routable and _CALLBACK_ASKED.search(_last_clause(heard.parse.normalized))):
        # 「今ちょっとバタバタしてて、コールバックお願いできます？」: asked in so many words, whatever the classifier
        # made of the loanword
        action = Request("callback_request")
    if (isinstance(action, Request) and action.clarify and action.intent in _CHANGES_ASKED and heard.parse is not None
            and takes_requests(q.awaiting) and "order_status" in q.routable
            and (_HOW_IS_IT.search(heard.parse.normalized) or _ORDER_TOPIC.search(heard.parse.normalized))
            and not _CHANGE_WORDS.search(heard.parse.normalized)):
        # 「にーさんよんごー ろくななはちきゅうの ちゅうもん どないなってます」 (cancel 0.44): how an order is doing is
        # its status, asked about first; nothing is to be cancelled, returned or sent elsewhere. So is an order
        # only named as the topic (「母の注文のことで聞きたいんですけど」, cancel 0.49)
        action = replace(action, intent="order_status")
    if (isinstance(action, Request) and action.intent == "product_availability" and heard.parse is not None
            and takes_requests(q.awaiting) and "return_exchange" in q.routable
            and _SENT_BACK.search(heard.parse.normalized) and not words.STOCK_ASKED.search(heard.parse.normalized)):
        # 「あの ケトル をね かえしたい んですけども」 (stock, the product named): a product to send back is a return
        action = replace(action, intent="return_exchange")
    if (isinstance(action, Request) and action.intent in ("delivery_change", "address_change") and heard.parse is not None
            and takes_requests(q.awaiting) and "return_exchange" in q.routable
            and any(e.type == "product" for e in heard.parse.entities)
            and not any(e.type in ("date", "time", "time_window", "postal_code") for e in heard.parse.entities)
            and _SENT_BACK.search(heard.parse.normalized) and _CAME.search(heard.parse.normalized)):
        # 「せんしゅう とどいた でんきケトル を かえしたいの」 (かえしたい read as 変えたい, the delivery): a thing that came,
        # to be sent back, is a return
        action = replace(action, intent="return_exchange")
    if (isinstance(action, Request) and action.intent == "product_availability" and heard.parse is not None
            and takes_requests(q.awaiting) and "order_status" in q.routable
            and _ORDERED.search(heard.parse.normalized) and _ON_ITS_WAY.search(heard.parse.normalized)
            and not words.STOCK_ASKED.search(heard.parse.normalized)):
        # 「先日お願いいたしました電気ケトルは もう送っていただけましたでしょうか」「家内が頼んだ電気ケトル まだかって
        # 言うとるんだが」 (stock 0.2-0.3, the product named): a product already ordered, on its way, is the order's
        # status, said in so many words: not asked about
        action = replace(action, intent="order_status", clarify=False)
    if (isinstance(action, Request) and action.intent == CALLBACK_INTENT and heard.parse is not None
            and takes_requests(q.awaiting) and _CALLING_FROM.search(heard.parse.normalized) and not _CALLBACK_ASKED.search(heard.parse.normalized)):
        # 「いえの でんわから かけてるんですけど ちゅうもんの けん で」: where the call comes from, no callback asked
        # for; the request is the classifier's next guess, asked about first, or the caller is asked what it is
        # (only where a request is asked for: at a later question the words may say where to call back)
        action = _next_guess(heard.parse, q)
    if (isinstance(action, Request) and action.intent == CALLBACK_INTENT and "phone_number" not in action.prefill
            and heard.parse is not None and (_SOMEONE_ELSES_PHONE.search(heard.parse.normalized)
                                             or _another_kind_of_phone(heard.parse.normalized, q.caller_phone))):
        # 「明日の午後二時ごろに 母の携帯へ折り返しのお電話を」: not the number calling; the flow asks for it instead of
        # reading the caller id back (a goal-based caller's はい would have booked the wrong phone)
        action = replace(action, prefill={**action.prefill, "other_phone": "yes"})
    if (isinstance(action, Request) and not action.instead and not takes_requests(q.awaiting) and q.flow_intents
            and action.intent not in q.flow_intents and heard.parse is not None
            and _GIVES_UP_HERE.search(heard.parse.normalized)):
        # 「あー やっぱ ええわ 家族に受け取ってもらうし それより 梅田店って 何時までやってるん」 at the order number: the
        # request in hand given up for the new one, not come back to after it
        action = replace(action, instead=True)
    if (isinstance(action, Request) and action.clarify and heard.parse is not None and takes_requests(q.awaiting)
            and "address_change" in q.routable and action.intent in _ORDER_REQUESTS
            and _STAYING_ELSEWHERE.search(heard.parse.normalized)):
        # 「母が入院してしまって、しばらく実家の方で暮らすことになったんです」 (cancel 0.54): where things should go
        # now, asked about
        action = replace(action, intent="address_change", later=None)
    if (isinstance(action, Request) and action.clarify and not action.condolence and heard.parse is not None
            and _hospital_told_calmly(heard.parse)):
        action = replace(action, condolence=True)  # sympathy first, as with a request the bot is sure of
    if isinstance(action, Request) and action.condolence:
        if heard.parse is not None and (_hospital_told_calmly(heard.parse)
                                        or _loss_in_the_background(heard.parse, action.intent)):
            # 「先月母が入院しまして、…こちらの電気ケトルを買おうと思っています。在庫ってありますか」: a stay in
            # hospital told calmly as the background of a routine request; sympathy first, then it is served
            return action
        # 「母が亡くなりまして、母の注文を取り消したい」: grief or an emergency told with a request is an emotional
        # call (SPEC 1, 6: grief is a reason to hand over); a person takes it, condolence first, and the request
        # heard goes to them in the case note
        return Simple("distress")
    return action


# a caller at a loss, beside a stay in hospital (「夫が急に入院して…もうどうしたらいいか」): distress, for a person
_AT_A_LOSS = re.compile(
    r"どうしたら|どうすれば|どないしたら|どうしよう|困り果て|途方に|頭が真っ白|何が何だか|なにがなんだか|何がなんだか|パニック|"
    r"助けて|たすけて|倒れ|たおれ|救急|きゅうきゅう|事故|じこ|急に|きゅうに|危篤|きとく|重体|意識")
_HOSPITAL = re.compile(r"入院|にゅういん")
CALM_HARDSHIP = 0.7  # anger or anxiety read below this in a turn that tells of a hospital stay: told calmly


# a stay elsewhere for a while, told (not a day away from home): 「しばらく実家の方で暮らすことになった」
_STAYING_ELSEWHERE = re.compile(
    r"(しばらく|当分|とうぶん)[^。?？]{0,16}?(暮ら|くら|住む|住み|すむ|すみ|生活|せいかつ)"
    r"|(実家|じっか|親元|おやもと)(の方|のほう)?(で|に)[、\s]*(暮ら|くら|住む|住み|すむ|すみ|生活|せいかつ|戻る|もどる|帰る|かえる)"
    r"(こと|ん|の)")


def _hospital_told_calmly(parse: Parse) -> bool:
    """A stay in hospital (no death, nobody at a loss) told calmly: a hardship, not distress (SPEC 6). The
    sadness its words carry (0.7-0.75 for 「母が入院しまして」) is the hardship's, not the caller's state."""
    text = parse.normalized
    return (_HOSPITAL.search(text) is not None and not words.BEREAVED.search(text) and not _AT_A_LOSS.search(text)
            and _told_calmly(parse))


def _told_calmly(parse: Parse) -> bool:
    """No anger or anxiety above CALM_HARDSHIP: the sadness a hardship's words carry is the hardship's."""
    return parse.emotion.label in ("neutral", "sadness") or parse.emotion.score < CALM_HARDSHIP


# requests about the caller's own errands: a loss told beside one is its background (「主人が亡くなってから、一人で
# 買い物に出るようになりまして…札幌のお店はどこに」), not a call about the deceased's affairs
_OWN_ERRANDS = frozenset({"store_hours", "store_location", "product_availability", "return_exchange"})
# what the deceased left to be settled: their orders, their membership (「母が頼んでいた」「父の名前で」「主人の会員」)
_THEIR_AFFAIRS = re.compile(
    r"(頼んで|たのんで|注文して|ちゅうもんして|買って|かって|使って|つかって)(い)?た|生前|"
    r"(の|が)(名前|なまえ|名義|めいぎ|会員|かいいん|アカウント|登録|とうろく)")


def _loss_in_the_background(parse: Parse, intent: str) -> bool:
    """A death told as the background of the caller's own errand (a store's hours, a product, returning what
    they bought), calmly and without being at a loss: condolence, then the errand is served (the answers
    notes: condolence, then help or a person). A call about the deceased's orders or membership, or a caller
    at a loss, still goes to a person (SPEC 6)."""
    text = parse.normalized
    return (intent in _OWN_ERRANDS and words.BEREAVED.search(text) is not None and not _AT_A_LOSS.search(text)
            and not _THEIR_AFFAIRS.search(text) and _told_calmly(parse))


def serves_routine(action: Action, asked_about: bool = False) -> bool:
    """A sure request of a kind the bot serves itself (SPEC 4's routine ones, not those handed to people);
    `asked_about`: one the bot asks about counts too (「プレゼント用に買ったんですけど、渡す相手がもう同じケトルを
    持っていたみたいで…」, sadness 0.85: a gift gone wrong, told ruefully, not a caller in distress)."""
    return (isinstance(action, Request) and (asked_about or not action.clarify) and action.intent not in _HANDED_OVER
            and action.intent not in CONVERSATION)


_PERSON_INTENTS = frozenset({"operator_request", "callback_request", "complaint"})
_HANDED_OVER = frozenset({"operator_request", "complaint", "account_closure"})  # SPEC 4: handed to humans
# a person named and asked for: 「係の方をお願いします」「たんとうしゃ よんで」「オペレーターに代わって」
_PERSON_NAMED = re.compile(
    r"(担当|たんとう|係|かかり|オペレーター|おぺれーたー|人間|にんげん|責任者|せきにんしゃ)(の|する)?(者|しゃ|方|かた|人|ひと)?(さん)?"
    r"(を|に|と)?[、\s]*(お願い|おねがい|呼んで|よんで|出して|だして|代わって|かわって|替わって|つないで|繋いで|"
    # 「ちょっと せつめい しにくい ことが あるので たんとうの かたと はなしたいんですが」 (not 話した, a call before)
    r"(?<=と)(話|はな)し(たい|たく)|(?<=と)(話|はな)させて)"
    # 「有人対応に切り替えてください」: a chat user's words for a person
    r"|有人(対応|たいおう|チャット|窓口|サポート)?(に|へ|で|を)?[、\s]*(切り替え|切替|きりかえ|お願い|おねがい|代わ|かわ|つない|繋い|希望|きぼう)"
    # 「有人対応希望です」「オペレーター希望」
    r"|(オペレーター|おぺれーたー|担当者|たんとうしゃ)(さん)?(の)?[、\s]*(希望|きぼう)")
# a caller who names the call a complaint (「ちょっと苦情なんですけど！」「苦情として上の方に伝えてほしい」): a complaint,
# whatever the broken item in it reads as (a return, the order's status)
_COMPLAINT_NAMED = re.compile(
    r"(苦情|くじょう|クレーム)(なんです|なんだ|なんや|なんじゃ|です|や(けど|ねん)|だけど|があ|を(言|い|申|もう|伝|つた|入れ|いれ)"
    r"|として|で(お?電話|でんわ|連絡))")
_UNSURE_COMPLAINT = 0.5
_PLEASE_WORDS = re.compile(r"お願い|おねがい|頼み|たのみ|頼む|たのむ")


def _only_kept_waiting(parse: Parse) -> bool:
    """The caller complains of the wait to get through and of nothing else: no order, item or fault named."""
    text = parse.normalized
    return bool(words.KEPT_WAITING.search(text) and not parse.entities and not words.TROUBLE.search(text)
                and not _ORDERED.search(text) and not _COMPLAINT_NAMED.search(text)
                and not _ORDER_TOPIC.search(text) and not _MORE_GRIEVANCE.search(text))


# what else a caller holds against the shop (「そちらの対応がひどすぎます」「最悪」「二度と頼まない」): a complaint
_MORE_GRIEVANCE = re.compile(r"ひど|酷|最悪|さいあく|ふざけ|対応|たいおう|態度|たいど|いい加減|いいかげん|責任|せきにん|"
                             r"二度と|にどと|許せ|ゆるせ|信じられ|しんじられ|不愉快|ふゆかい|誠意|せいい|謝罪|しゃざい|三回目|3回目|何回目")
# a turn that ends asking (not 「…ってことですね」 said back)
_ASKED = re.compile(r"[?？]|(ですか|ますか|でしょうか|ませんか|かな|かね|っけ)[。\s]*$")
# a callback asked for in the turn's main clause: 「…ので、折り返し電話をお願いしたい」「おりかえし でんわ ください」
# a phone that is not the one calling: a relative's, the office's, another number (not 家の電話: from a landline it is)
_SOMEONE_ELSES_PHONE = re.compile(
    r"(母|父|祖母|祖父|妻|夫|主人|家内|嫁|娘|息子|親|両親|兄|姉|弟|妹|家族|会社|職場|お?ばあちゃん|お?じいちゃん|おかあさん|"
    r"おとうさん|お母さん|お父さん|はは|ちち|むすめ|むすこ)の[、\s]*(携帯|けいたい|ケータイ|スマホ|電話|でんわ|番号|ばんごう)|"
    r"(別|べつ|違う|ちがう|他|ほか)の[、\s]*(番号|ばんごう|電話|でんわ|携帯|けいたい)|"
    # "Can someone call me back on my mobile instead?" from a hotel's line
    r"(?i:\b(on|to|at) my (mobile|cell|cellphone|cell phone)\b|\b(another|a different|other|my other) (number|phone)\b"
    r"|\binstead\b)")
# how something is doing (どうなってますか, どないなってんの): a status asked for, no change
_HOW_IS_IT = re.compile(r"(どう|どない|どげん|どがい|どんげ)[、\s]*(なって|なっと|なっちょ|なっとる|なってん)")
# a product to be sent back (「かえしたい」 in kana is 返したい beside a product, not 変えたい: that is a day or an address)
_SENT_BACK = re.compile(r"(返し|かえし|返品|へんぴん|返却|へんきゃく|送り返|おくりかえ)(たい|て(ほし|もら|くだ|いただ))")
# a product the caller has ordered (「頼んだ」「お願いいたしました」), and it coming to them (「まだ」「届く」「送って」)
_ORDERED = re.compile(r"(頼ん|たのん|注文し|ちゅうもんし|お願いし|おねがいし|お願いいたし|おねがいいたし|買っ|かっ|購入し|こうにゅうし)"
                      # (「むすめが たのんでけだ やかん」, Tohoku 頼んでくれた: ordered for the caller)
                      r"(た|だ|まし|とい|てお|(で|て)(くれ|け|もろ|もら)(た|だ|っ))")
_ON_ITS_WAY = re.compile(r"まだ|届|とど|送っ|おくっ|送られ|おくられ|来な|こな|来ん|こん|来ませ|きませ|発送|はっそう|着い|つい")
# 「母の注文のことで」「ちゅうもんした しなものの ことで」: an order named as the topic
_ORDER_TOPIC = re.compile(r"(注文|ちゅうもん|荷物|にもつ)(の)?[、\s]*(こと|件|けん)|"
                          r"(注文|ちゅうもん|頼ん|たのん)(した|だ)[、\s]*(品物|しなもの|商品|しょうひん|もの|物)(の)?[、\s]*(こと|件|けん)")
_CHANGES_ASKED = frozenset({"cancel_order", "return_exchange", "address_change"})
_CHANGE_WORDS = re.compile(r"取り?消|とりけし|キャンセル|きゃんせる|やめ|止め|返品|へんぴん|返し|かえし|交換|こうかん|住所|じゅうしょ|"
                           r"届け先|とどけさき|送り先|おくりさき")
# where the call comes from (「家の電話からかけてます」「公衆電話からなんですけど」), said before the request
_CALLING_FROM = re.compile(r"(電話|でんわ|携帯|けいたい|スマホ|すまほ)から[、\s]*(かけて|かけと|お?電話して|お?でんわして|なんです|なんや)")
NEXT_GUESS_FLOOR = 0.05  # the classifier's second guess, below which it is no guess at all


def _next_guess(parse: Parse, q: Question) -> Request | Simple:
    nxt = next((r for r in parse.ranking if r.name != CALLBACK_INTENT), None)
    if nxt is None or nxt.name in CONVERSATION or nxt.name not in q.routable or nxt.confidence < NEXT_GUESS_FLOOR:
        return Simple("greet")  # 「携帯からかけてます」: 「どのようなご用件でしょうか」
    return Request(nxt.name, clarify=True)


# the kind of phone the callback should go to, named (「けいたいの ほうに おねがいします」「かいしゃの でんわに」)
# (Tohoku さ is へ: 「あさって携帯さ電話かけでけねが」)
_MOBILE_NAMED = re.compile(r"(携帯|けいたい|ケータイ|ケイタイ|スマホ|すまほ)(の(ほう|方)|に|へ|さ(?=[、\s]*(電話|でんわ|かけ|掛け|連絡|れんらく)))")
_LANDLINE_NAMED = re.compile(r"(会社|かいしゃ|職場|しょくば|自宅|じたく|家|いえ|固定|こてい)の[、\s]*"
                             r"((電話|でんわ)(の(ほう|方))?|ほう|方)(に|へ|さ)")


def _another_kind_of_phone(text: str, caller_phone: str | None) -> bool:
    """A mobile asked for from a landline, or a home or office phone from a mobile: not the number calling."""
    if not caller_phone:
        return False
    mobile = caller_phone.startswith(_MOBILE_PREFIXES)
    return bool(_LANDLINE_NAMED.search(text) if mobile else _MOBILE_NAMED.search(text))


_CALLBACK_ASKED = re.compile(
    r"(折り返し|おりかえし|折返し|コールバック|こーるばっく)(の)?(お)?(電話|でんわ|連絡|れんらく|ご連絡)?(を|が|で)?[、,\s]*"
    r"(お願い|おねがい|ください|下さい|ほしい|欲しい|もらえ|もらい|いただけ|頂け|いただき|頂き|してほし|してもら|して(くれ|ください))")


def _last_clause(text: str) -> str:
    """The turn from its last …ので/から/けど clause on (the main clause, where Japanese puts what is asked)."""
    cut = max((m.end() for m in re.finditer(r"(ので|んで|から|けど|けれど)[、,\s]*", text)), default=0)
    return text[cut:] if text[cut:].strip(" 、。") else text


def _last_sentence_asks_for_person(text: str) -> bool:
    sentences = [s for s in re.split(r"[。!?！？]", text) if s.strip()]
    return bool(sentences) and words.ASKS_FOR_PERSON.search(sentences[-1]) is not None


def _with_second(first: Request, heard: Heard, q: Question) -> Request:
    """A request with the second one said in the same breath: both parts must be requests of their own, or the
    second a question the knowledge base answers; the first said is served first."""
    if first.instead or first.hinted or heard.parts is None:
        return first
    head, tail = heard.parts
    said = _Said(head, {}, dict(first.prefill))
    head_request, tail_request = _request_in(head, said, q), _request_in(tail, said, q)
    if head_request is None or head_request.intent != first.intent and (
            tail_request is None or tail_request.intent != first.intent):
        return first  # the parts alone do not say what the whole turn says: one request after all
    if tail_request is not None and tail_request.intent == first.intent and first.intent in _HANDED_OVER:
        # 「届いたイヤホンが壊れていまして、それに…対応もひどかったので、正式に苦情を申し上げたい」: the complaint the
        # whole turn is, said last; a person takes it with the broken item in the case note (no return flow first)
        return first
    if tail_request is not None and tail_request.intent != head_request.intent:
        # two requests the whole turn was torn between (a clarify question) are each sure on their own. A value
        # said only in the second part is the second request's (「配達日を変えたいです。あと、梅田店って水曜休み
        # でしたっけ？」: 水曜 is no delivery date)
        tail_only = {e.type for e in tail.entities} - {e.type for e in head.entities}
        mine = {k: v for k, v in first.prefill.items() if k not in tail_only and q.slot_types.get(k) not in tail_only}
        later = replace(tail_request, prefill=dict(first.prefill))
        if heard.listed is not None:
            # three in one breath: the list's two, then the last; each the request its own words say
            one, two = (_request_in(part, _Said(part, {}, dict(mine)), q) for part in heard.listed)
            if (one is not None and two is not None and not one.clarify and not two.clarify
                    and len({one.intent, two.intent, tail_request.intent}) == 3):
                return replace(first, intent=one.intent, clarify=False, prefill=mine,
                               later=replace(two, prefill=dict(mine), later=later))
        return replace(first, intent=head_request.intent, clarify=False, prefill=mine, later=later)
    if first.clarify:
        return first
    if (tail_request is None and heard.second_faq is not None and head_request.intent == first.intent
            and (words.QUESTION.search(tail.normalized) or _WANTS_TO_KNOW.search(tail.normalized))):
        return replace(first, later=Answer(heard.second_faq))
    return first


ASIDE_ASKED = 0.4  # a question joined to an answer with ところで/あと, read this surely, is a request of its own


def _with_aside(action: Fill | Yes, heard: Heard, q: Question, entity_types: EntityTypes) -> Fill | Yes:
    """An answer with another request said after it: the answer taken (without values only the second part
    said), the other request kept for when this one is done, with what is known of the call."""
    assert heard.aside is not None
    head, tail = heard.aside
    tail_values = values_heard(heard_by_type(tail), {t: t for t in entity_types.specs}, entity_types)
    known = {k: v for k, v in q.slots.items() if q.slot_types.get(k, k) not in tail_values}
    request = _request_in(tail, _Said(tail, {}, {**known, **tail_values}), q)
    top = tail.ranking[0] if tail.ranking else None
    if (request is None and top is not None and top.confidence >= ASIDE_ASKED and top.name in q.routable
            and top.name not in CONVERSATION and words.QUESTION.search(tail.normalized) and heard.aside_faq is None):
        # 「ところで今その荷物ってどこにあるんですか」 (order status 0.47): a question after a joint asks for something
        request = Request(top.name, {**known, **tail_values})
    later: Request | Answer | None = None
    if request is not None and not request.clarify and request.intent not in q.flow_intents | _PERSON_INTENTS:
        later = request
    elif (request is None and heard.aside_faq is not None
          and (words.QUESTION.search(tail.normalized) or _WANTS_TO_KNOW.search(tail.normalized))):
        later = Answer(heard.aside_faq)
    if later is None:
        return action
    tail_only = tail_values.keys() - {e.type for e in head.entities}
    mine = {k: v for k, v in action.values.items() if q.slot_types.get(k, k) not in tail_only}
    return replace(action, values=mine, later=later)


_WANTS_TO_KNOW = re.compile(r"(知りたい|しりたい|聞きたい|ききたい|教えて|おしえて|確認したい|かくにんしたい|ご教示)")


def _interpret(q: Question, heard: Heard, entity_types: EntityTypes) -> Action:
    aw = q.awaiting
    if heard.digits is not None:
        return _keys(q, heard.digits, entity_types)
    parse = heard.parse
    if parse is None:
        return Simple("unclear")
    closing_word = q.served and takes_requests(aw) and words.only_closing(parse.normalized)  # 「ねえ」 (Tohoku: none)
    if not closing_word and (not parse.normalized.strip(" 、。….")
                             or words.FILLER_TAIL.fullmatch(parse.normalized.strip(" 、。…."))):
        # the normaliser removes fillers: 「えーっと…」「あのー」 said alone is a caller collecting themselves
        return Simple("hesitate") if parse.text.strip(" 、。…") else Simple("unclear")
    by_type = heard_by_type(parse)
    if takes_requests(aw) and "date" in by_type and (_by_then(parse) or _away_on(parse)):
        # 「クリスマスまでに欲しいねん」: a day it must come by; 「明日は仕事で家にいないんですよ」: the day the caller is
        # out: not the day asked for, which is asked
        by_type.pop("date")
    if words.ASIDE.search(parse.normalized) and not by_type and len(parse.normalized) <= ASIDE_CHARS:
        return Simple("hesitate")  # 「ちょっと待って…はいはい、今電話してるから」: said to someone else
    if isinstance(aw, AwaitSlot) and "time_window" not in by_type:
        typed = _typed_window(parse.normalized, aw, entity_types)
        if typed is not None:
            by_type = {**by_type, "time_window": typed}
            by_type.pop("digits", None)
    written = _address_after_postal_code(parse) if takes_requests(aw) else None
    if written is not None:
        # 「〒150-0002 東京都渋谷区渋谷2-21-1です」: its ward and house number are the address's, no store or amount
        code_end = min(e.end for e in parse.entities if e.type == "postal_code")
        inside = {e.type for e in parse.entities if e.start >= code_end} & _ADDRESS_PARTS
        by_type = {k: v for k, v in by_type.items() if k not in inside}
    everything = values_heard(by_type, {t: t for t in entity_types.specs}, entity_types)
    if written is not None:
        everything["address"] = written
    values = values_heard(by_type, q.slot_types, entity_types)
    if mended := _digits_instead(parse.normalized, values, ""):
        # 「れいきゅうれいの、しちしちいちいちの、にーにーさんさん。あ、すみません、真ん中は7711じゃなくて7811です」:
        # a part of the number just said, mended in the same breath
        values = {**values, **mended}
    said = _Said(parse, values, {**everything, **values}, heard.rest, heard.faq, heard.parts, heard.second_faq,
                 heard.point, heard.follow_up, heard.first_faq, heard.loose_faq)
    if (about := _asks_about_the_question(aw, said, q)) is not None:
        return about
    if isinstance(aw, AwaitSlot):
        if mended := _digits_instead(parse.normalized, q.slots, aw.slot):
            return Fill(mended)  # 「承知しました」, and the question again (the flow goes on from the mended answer)
        if aw.slot not in values and (read := _read_in_parts(aw, parse, entity_types)) is not None:
            return read
        if aw.entity == "date" and aw.slot not in values and (week := _WEEK_ONLY.fullmatch(parse.normalized)):
            # 「らいしゅうの」, then a pause: the week or month, the day to come (「かようびで」 is next week's)
            return WeekFirst(_WEEK_WORDS.get(week.group("week"), week.group("week")))
        spoken = _spoken_key(aw, parse, entity_types) if aw.slot not in values else None
        return Fill({**values, aw.slot: spoken}) if spoken is not None else _at_slot(aw, said, q)
    if isinstance(aw, AwaitConfirm) and _window_end_said(parse, q):
        return Yes()  # 「じゅうよじから」, read back as 14時から16時, then 「じゅうろくじのあいだで」: the same window, finished
    if isinstance(aw, AwaitConfirm | AwaitOffer):
        action = _at_yes_no(aw, said, q)
        if isinstance(aw, AwaitOffer) and aw.offer == "goodbye" and (
                action == Simple("confirm_end") or (action == No({}) and words.only_closing(parse.normalized))):
            # a closing to 「終了してもよろしいでしょうか」 is its yes (「もうええわ」 too, which declines an offer): never
            # the same question again
            return Yes()
        if isinstance(aw, AwaitConfirm) and aw.offer and action == Simple("confirm_end"):
            # 「あ、はい、わかりました」 to 「再設定用のSMSをお送りしましょうか」 after the steps were told: understood, no
            # extra wanted; the request was served (its flow's no), then 「ほかにご用件は」
            return No({})
        if isinstance(action, Yes) and "postal_code" in action.values and (address := _address_with_code(parse, q)):
            # 「〒150-0002 東京都渋谷区渋谷2-1-1」 to 「ご登録のご住所を変更なさいますか」: the yes is the new address
            return replace(action, values={**action.values, **address})
        return action
    if isinstance(aw, AwaitAnythingElse):
        return _at_anything_else(said, q)
    return _at_free(said, q)


# a turn that ends asking (「…なんじまで ですか」「おやすみ なの？」), not one with a 何 in it (「なんじでも いいです」)
ENDS_ASKING = re.compile(r"([?？]|か|の|っけ|かな|かね)[。.\s]*$")
# requests about a store: an hours question inside them is the store's
_STORE_REQUESTS = frozenset({"store_hours", "store_location", "product_availability"})


def _asks_about_the_question(aw: Awaiting, said: _Said, q: Question) -> Action | None:
    """「それって なんじまで ですか」 at the callback's read-back, 「じかんたいって いちばん おそいので なんじまで ですか」 at the
    delivery window, 「きょうって おやすみ なんですか」 at the callback offer: a question about what is being asked,
    which the classifier reads as a store's hours (no store named). The callback's hours are told, or the
    question (which lists its choices) said again; it stays open."""
    parse = said.parse
    if (not isinstance(aw, AwaitSlot | AwaitConfirm | AwaitOffer) or parse.intent.name != "store_hours"
            or any(q.slot_types.get(k, k) != "date" for k in said.values) or q.flow_intents & _STORE_REQUESTS
            or not ENDS_ASKING.search(parse.normalized) or words.ANY_TIME.search(parse.normalized)
            or any(e.type == "store" for e in parse.entities) or _ALSO_ASKED.match(words.LEAD_IN.sub("", parse.normalized))
            or isinstance(aw, AwaitOffer) and aw.offer in ("faq", "clarify", "goodbye")):
        return None
    end = len(parse.text.rstrip(" 、。.!！"))
    if any(e.type == "date" and e.end >= end for e in parse.entities):
        return None  # 「れんきゅうあけの むいか」: the か is the day's (6日), nothing asked
    if "callback_request" in q.flow_intents and not isinstance(aw, AwaitOffer):
        return Simple("callback_hours")
    return Simple("repeat")


ASIDE_CHARS = 30  # an aside to someone in the room is short; a longer turn tells the bot something
_DIGIT_RUN = re.compile(r"[0-9]+")
# what may stand between the digits of a number read out (「1234の」「090と」) besides fillers; an answer that
# ends in です (「1234です」) is a whole one, if a wrong one
_DIGIT_JOIN = re.compile(
    r"^(の|と|で|ね|な|えー|ええと|えっと|はい|ええ|うん|あ|"
    # the caller repeating what was asked before reading it: 「ちゅうもんばんごう？」「電話番号は、」
    # 「登録の電話番号は、〇八〇の九八七六の」: which number, named first
    r"((ご)?(登録|とうろく)(の|している|してる|してある)|携帯の|けいたいの)?"
    r"((ご|お)?(注文|ちゅうもん|電話|でんわ|郵便|ゆうびん))?(番号|ばんごう)(は|ね|か|ですか|ですね|やね|やな|だね)?)?$"
)
_WHOLE_ANSWER = re.compile(r"(です|でした|ですね|でございます|だよ|だ|や)[。.!！\s]*$")
# a clause after the digits that says they are all (「ろく なな はち。これで ぜんぶ」) or whose number it is
# (「ごーよんさんにー。むすこの けいたいです」): the number's end, not another answer
_NUMBER_TRAILER = re.compile(
    r"^((これで|それで)?(ぜんぶ|全部|おわり|終わり|以上|いじょう)|"
    r"((息子|むすこ|娘|むすめ|母|はは|父|ちち|主人|しゅじん|家内|嫁|家|いえ|自宅|じたく|会社|かいしゃ)の)?"
    r"(携帯|けいたい|ケータイ|電話|でんわ|番号|ばんごう))(です|や|だ|ね|よ)*$")
_HYPHENS = re.compile(r"(?<=[0-9])[-‐‑–—－ー―]+(?=[0-9])")
MIN_PART = 2  # one digit alone is a key or a slip, not the start of a number
# a number the caller names as another kind than the one asked is not the first part of the asked one
_NAMED_NUMBERS = {"order_id": ("注文", "ちゅうもん"), "phone_number": ("電話", "でんわ", "携帯", "けいたい"),
                  "postal_code": ("郵便", "ゆうびん", "〒")}


# the rest of a number begun, in a sentence of its own, then more (「5678です。電話番号は…」)
_REST_THEN_MORE = re.compile(r"^(?P<digits>[0-9]{1,8})(です|で|ね)?[。.!！\s]+(?=\S)")
_READ_WITH_IT = frozenset({"phone_number"})  # the answer a verified order asks next


def _read_in_parts(aw: AwaitSlot, parse: Parse, entity_types: EntityTypes) -> Action | None:
    """A number read in two breaths: the first digits (Partial), or the rest that completes them (Fill).

    Only a turn that is nothing but digits, particles and hesitation counts: 「1234の」, 「ちょっと待ってな、
    いちにさんよん」. Fewer digits than the type needs, said alone, are kept and the caller is let go on; what
    the next turn adds is joined to them. Digits that make a whole number on their own are that number
    (the caller started again), and anything else leaves the question to the usual reading. On chat too: a
    user on a phone sends 「1234」 and 「5678」 as two messages.
    """
    spec = entity_types.spec(aw.entity)
    if spec is None or spec.digits is None or spec.windows or aw.entity == "amount":
        return None
    if aw.so_far and (first := _REST_THEN_MORE.match(parse.normalized)) is not None and entity_types.valid_digits(
            aw.entity, joined := aw.so_far + first["digits"]):
        # 「1234」, then 「5678です。電話番号は09012345678」: the rest of the number, and the next answer with it
        more = {e.type: e.value for e in parse.entities if e.start >= first.end() and e.type != aw.entity
                and e.type in _READ_WITH_IT}
        return Fill({aw.slot: joined, **more})
    if any(kind != aw.entity and any(w in parse.normalized for w in named)
           for kind, named in _NAMED_NUMBERS.items()):
        return None  # 「ゆうびんばんごうは いちごーぜろ…」 at the order number: another number, said before it is asked
    text = _HYPHENS.sub("", parse.normalized)  # 「080-9876」 typed, then 「5432」: the hyphen only groups the digits
    runs = _DIGIT_RUN.findall(text)
    if not runs:
        # 「えーとね いち に」: two kana digits, which the reader leaves as words unless it knows a number is
        # said; here one is asked for
        text = _short_kana_digits(text)
        runs = _DIGIT_RUN.findall(text)
        if not runs:
            return None
    rest = _DIGIT_RUN.sub("、", text)
    # a clause that is only politeness (です, お願いします) ends an answer: the rest of one, not a first part
    if not all(_DIGIT_JOIN.match(c) or _NUMBER_TRAILER.match(c) or words.only_hesitation(c) and (words.bare(c) or aw.so_far)
               for c in words.clauses(rest)):
        return None
    digits = "".join(runs)
    if entity_types.valid_digits(aw.entity, digits):
        return Fill({aw.slot: digits})
    joined = aw.so_far + digits
    if aw.so_far and entity_types.valid_digits(aw.entity, joined):
        return Fill({aw.slot: joined})
    longest = spec.max_digits or 0
    if len(digits) < MIN_PART and not aw.so_far or _WHOLE_ANSWER.search(parse.normalized):
        return None
    starts = spec.starts_with or ""
    if len(joined) < longest and (joined.startswith(starts) or starts.startswith(joined)):
        return Partial(joined)
    return None


# what ends a window given by its last hour: 「16時のあいだで」「4時までで」
_UNTIL = re.compile(r"(まで|の間|のあいだ|までの間|までのあいだ)(で|に|の)?(お願いします|おねがいします|頼みます|たのみます|です)?[。、!！\s]*")


def _window_end_said(parse: Parse, q: Question) -> bool:
    """A window read back from its first hour (「14時から」: 14時から16時) and, at its confirmation, its last hour
    said as where it ends (「16時のあいだで」): the caller finishing the window, not asking for the one after."""
    window = str(q.slots.get("time_window") or "")
    times = [e for e in parse.entities if e.type == "time"]
    if "-" not in window or len(times) != 1 or times[0].value != window.split("-", 1)[1]:
        return False
    return not words.bare(parse.text[:times[0].start]) and _UNTIL.fullmatch(parse.text[times[0].end:]) is not None


# a week or a month said alone at the date question, the day to follow after a pause
_WEEK_ONLY = re.compile(r"(?P<week>来週|らいしゅう|再来週|さらいしゅう|今週|こんしゅう|来月|らいげつ|再来月|さらいげつ|今月|こんげつ)"
                        r"(の|は|ね|なら|だと)?(ね|えー|ええと|えっと|そうですね|です|ですね)?[ー、。…\s]*")
_WEEK_WORDS = {"らいしゅう": "来週", "さらいしゅう": "再来週", "こんしゅう": "今週", "らいげつ": "来月", "さらいげつ": "再来月",
               "こんげつ": "今月"}
# nothing but digits (and a particle or pause after them): 「3456」「3456の」
_ONLY_DIGITS = re.compile(r"[、,\s]*(?P<digits>[0-9][0-9、,\s]*?)(の|と|ね|で)?[、,。…\s]*")
# the number named, then its first digits and a pause at the end of the turn: 「番号が、1234」「ばんごうは、0809876の」
_NUMBER_LEFT_OFF = re.compile(r"(番号|ばんごう)(は|が|も)?[、,\s]*(?P<digits>[0-9][0-9、,\s]*?)(の|と|ね|で)?[、,。…\s]*$")


def _number_begun(text: str, intent: str, entity_types: EntityTypes) -> str | None:
    """The first digits of the request's number, left off at the end of the request turn; None when there are
    none, or they make a whole number (the flow takes that as it is)."""
    left = _NUMBER_LEFT_OFF.search(text)
    if left is None or any(w in text[max(0, left.start() - 4):left.start()] for w in _NAMED_NUMBERS["postal_code"]):
        return None  # 「郵便番号は ぜろろくぜろの ぜろぜろぜろご」: a postal code, whole
    digits = re.sub(r"\D", "", left.group("digits"))
    if len(digits) < MIN_PART:
        return None
    phone = intent == CALLBACK_INTENT or any(w in text for w in _NAMED_NUMBERS["phone_number"])
    kind = "phone_number" if phone else ORDER_ID
    if entity_types.valid_digits(kind, digits) or not entity_types.continues(kind, digits):
        return None
    return digits


def _short_kana_digits(text: str) -> str:
    """The first kana digits of a turn as digits, where only a lead-in (ね, えっと) stands before them."""
    for at in range(min(len(text), 6)):
        if not (_DIGIT_JOIN.match(text[:at]) or words.only_hesitation(text[:at])):
            continue
        read = spoken_digits_at(text, at)
        if read is not None and len(read[0]) >= MIN_PART:
            return text[:at] + read[0] + text[read[1]:]
    return text


# a choice of the list read out, by its place: 「二番目の時間帯でお願いいたします」「3番目ので」
_NTH_CHOICE = re.compile(r"(?P<n>[1-9一二三四五六七八九])番目(の)?(時間帯|じかんたい|時間|じかん|やつ|方|ほう)?(で|に|が)?"
                         r"(お願い(いた)?します|おねがい(いた)?します|お願い|おねがい|いいです|ええ|頼みます|です)?")


def _spoken_key(aw: AwaitSlot, parse: Parse, entity_types: EntityTypes) -> Any:
    """「2番で」 at a question whose prompt offers keys (the delivery windows): the key said, not pressed."""
    spec = entity_types.specs.get(aw.entity)
    if spec is None or not spec.windows:
        return None
    nth = _NTH_CHOICE.fullmatch(parse.normalized.strip(" 、。"))
    if nth is not None:  # 「二番目の時間帯でお願いいたします」: the choice read out second
        place = int(nth["n"]) if nth["n"].isdigit() else "一二三四五六七八九".index(nth["n"]) + 1
        return entity_types.from_keys(aw.entity, str(place))
    if len(words.bare(parse.normalized)) > 4:  # the key and a particle (2番で), not 一番遅いのに届かない
        return None
    key = words.menu_key(parse.normalized)
    return entity_types.from_keys(aw.entity, key) if key is not None else None


_KEYED_NUMBERS = frozenset({"order_id", "phone_number"})  # numbers a read-back may be answered with on the keypad


def _keys(q: Question, digits: str, entity_types: EntityTypes) -> Action:
    aw = q.awaiting
    if (isinstance(aw, AwaitSlot) and not aw.so_far and (key := digits.rstrip("#")) in q.operator_keys
            and "operator_request" in q.routable and (spec := entity_types.spec(aw.entity)) is not None
            and not (spec.starts_with or "").startswith(key)):
        # 0 alone at the order number's question (no order number starts so; a phone number does): the key the
        # welcome gave for an operator, pressed mid-flow
        return Request("operator_request")
    if isinstance(aw, AwaitSlot):
        return _keyed_slot(aw, digits, entity_types)
    if "*" in digits:
        return Simple("start_over")  # the keypad's 「最初から」, whatever else was pressed
    key = digits[:1]
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and len(digits) > 1:
        # 「ご注文の配送状況についてのお問い合わせでしょうか」 answered with the order number on the keypad: a yes,
        # with the number the request asks first
        for etype in q.slot_types.values():
            spec = entity_types.specs.get(etype)
            if spec is None or spec.windows or (spec.digits is None and spec.pattern is None) or etype == "amount":
                continue  # numbers of a fixed shape only (not a window's key, an amount or free text)
            value = entity_types.from_keys(etype, digits)
            if value is not None:
                return Yes({etype: value})
    if isinstance(aw, AwaitConfirm) and len(digits.rstrip("#")) > 1:
        # 「ありました…ボタンでおします」, then the order number keyed to 「こちらのご注文についてでよろしいでしょうか」:
        # the number the read-back holds is a yes (as it is said aloud), not its first key's 2 for no
        keyed = {k: v for k, etype in q.slot_types.items() if etype in _KEYED_NUMBERS
                 and (v := entity_types.from_keys(etype, digits)) is not None}
        if len(keyed) == 1 and all(str(q.slots.get(k, v)) == str(v) for k, v in keyed.items()):
            return Yes(keyed)
        if len(keyed) == 1 and all(k in q.slots for k in keyed):
            # 「いいえ、番号が違います。ボタンで入れますね」, then another number of that shape keyed to the
            # read-back: the right one, a correction
            return Correct(keyed)
    if isinstance(aw, AwaitConfirm | AwaitOffer):
        return Yes() if key in YES_KEYS else No() if key in NO_KEYS else Simple("unclear")
    if isinstance(aw, AwaitAnythingElse):
        return Simple("end") if key in NO_KEYS else Yes() if key in YES_KEYS else Simple("unclear")
    if isinstance(aw, AwaitMenu) and key in q.menu_keys:
        return MenuChoice(key)
    return Simple("unclear")


def _keyed_slot(aw: AwaitSlot, digits: str, entity_types: EntityTypes) -> Action:
    """Keys pressed at a question for a value. * is the keypad's 「訂正」 (a wrong key: what was keyed before it
    is dropped, 「1243*」 asks for the number again, 「1243*12345678#」 is 12345678); keys without # that are
    only the start of the number (「2345」, 「090」) are kept, as a pause inside a spoken number is, and the next
    turn (keyed or spoken) completes them."""
    so_far = aw.so_far
    if "*" in digits:
        digits, so_far = digits.rsplit("*", 1)[1], ""
        if not digits.rstrip("#"):
            return Simple("rekey")
    value = entity_types.from_keys(aw.entity, digits)
    if value is not None:
        return Fill({aw.slot: value})
    keyed = digits.rstrip("#")
    spec = entity_types.spec(aw.entity)
    if not keyed.isdigit() or spec is None or spec.digits is None or spec.windows or aw.entity == "amount":
        return Simple("unclear")
    joined = so_far + keyed
    if so_far and entity_types.valid_digits(aw.entity, joined):
        return Fill({aw.slot: joined})
    starts = spec.starts_with or ""
    if (not digits.endswith("#") and len(joined) < (spec.max_digits or 0)
            and (joined.startswith(starts) or starts.startswith(joined))):
        return Partial(joined)
    return Simple("unclear")


# thanks and nothing else (「ありがとうね」「はいはい、どうもね」「すみませんねえ」)
_BARE_THANKS = re.compile(
    r"(はい|ええ|うん|あ|あら|まあ)?[、,\s]*(はい)?[、,\s]*"
    r"(どうも|ありがと|ありがとう|ありがとうね|ありがとうございます|おおきに|すみませんね|すみませんねえ|悪いわね|わるいね)"
    r"(ね|ねえ|ねー|さん)?[。!！、\s]*")


def _asks_of_another_thing(said: _Said, q: Question) -> bool:
    """「あ、すみません、その前にひとつだけ。渋谷店は今日何時まで開いていますか」 at the delivery day: a question about a
    store the request does not ask about; its 今日 is the store's day, not the answer (the question is asked after)."""
    others = {k for k in said.prefill if k not in q.slot_types and k not in q.slot_types.values()}
    if not (others & {"store", "product"}) or words.QUESTION.search(said.parse.normalized) is None:
        return False
    # 「7月4日の午前中で。ついでに聞きたいんですけど、梅田店って最寄り駅どこですか?」「にさんよんご…です あと
    # でんきけとるって いつごろ」: the answer first, then the other question (an aside, kept for later): it stands
    asked_types = set(q.slot_types.values())
    other_starts = [e.start for e in said.parse.entities if e.type in ("store", "product")]
    if other_starts and any(e.start < min(other_starts) for e in said.parse.entities if e.type in asked_types):
        return False
    request = _request(said, q)
    return request is not None and request.intent not in q.flow_intents


def _another_request_with_answer(said: _Said, q: Question) -> Request | None:
    """「キャンセルってまだできますか？番号は23456789です」 at the order number a fragment (「注文の」) was guessed to
    ask for: the answer, and another request named in so many words, at the flow's first question; that request
    is served instead, with the answer."""
    # (a product or store named with the first request is no answer yet: 「注文した電気ケトルがいつ届くか…」, then
    # 「やっぱり届く日を…」, then 「やっぱりキャンセルにします。注文番号は23456789です」)
    answered = [k for k in q.slots if q.slot_types.get(k, k) not in ("product", "store")]
    corrected = said.rest is not None and _INSTEAD_OF.search(said.parse.normalized) is not None
    if (answered and not corrected) or not _CHANGE_WORDS.search(said.parse.normalized):
        return None
    if said.rest is not None and corrected:
        # 「あ、やっぱ返品じゃなくてキャンセルで。まだ届いてないやつ、23456789」: the request after the correction, at
        # any question of the flow
        said = _Said(said.rest, said.values, said.prefill)
    request = _request(said, q)
    if (request is None or request.clarify or request.intent in q.flow_intents or request.intent in CONVERSATION
            or request.intent not in q.routable or _confident(said.parse) != request.intent):
        return None
    return replace(request, prefill={**request.prefill, **said.values}, instead=True)


ORDER_ID = "order_id"  # SPEC 5's entity type of an order's number, and the sample bot's slot for it
# an order picked by its product or by where it is (「ケトルの方」「イヤホンのやつ」「届いた方」「まだ来てない方」)
_WHICH_ONE = re.compile(r"(の|た|い|ん)(方|ほう|やつ|ヤツ|分|ぶん)|(ない|ません|へん)(方|ほう)|っていうのかね|ね[、\s]*それ")
_ORDER_BY_STATE = re.compile(r"(届|とど|来|き|こ|着|つ)(いた|た|いて|て)(い)?(ない)?(方|ほう|やつ)")
_ORDER_ENTITIES = frozenset({ORDER_ID, "phone_number", "digits", "postal_code"})


def _picks_an_order(said: _Said, q: Question) -> bool:
    """No number at the order number's question, and the order named by its product or where it is."""
    parse = said.parse
    if (any(e.type in _ORDER_ENTITIES for e in parse.entities) or words.STOCK_ASKED.search(parse.normalized)
            or words.GOING_TO_FIND.search(parse.normalized)):
        return False  # (「…電気ケトルのほうです。番号はいまメール探してます」: the number is to come)
    named = any(e.type == "product" for e in parse.entities) and _WHICH_ONE.search(parse.normalized) is not None
    if not (named or _ORDER_BY_STATE.search(parse.normalized)):
        return False
    request = _request(said, q)
    return (request is None or request.intent in q.flow_intents or request.intent in _ABOUT_AN_ORDER
            or _confident(parse) is None)


_ABOUT_AN_ORDER = frozenset({"product_availability", "order_status"})
# the requests an order number answers (SPEC 4's routine requests about an order)
_ORDER_REQUESTS = frozenset({"order_status", "delivery_change", "cancel_order", "return_exchange", "address_change",
                             "billing_inquiry"})


# the request in hand dropped in so many words (「キャンセルはやめて」「きゃんせるしないで」「変更ではなくて」)
_LET_GO_FIRST = re.compile(r"(やっぱ(り)?|やはり|もう)[、\s]*(ええ|いい|結構|けっこう)(わ|です|や|よ|っす)?(?=[、。,!！\s])")
_SWITCHED_TO = re.compile(r"それより|それよか|代わりに|かわりに|そのかわり|その代わり|それはそうと|ところで")
_DROPPED = re.compile(rf"(やめて|止めて|しないで|せずに|せんで|なしで|しなくて(いい|ええ)|{_INSTEAD_OF.pattern})")


# the thing in hand left as it is: 「キャンセルしないでそのままにしといて」「変更せずにそのままで」
_KEPT_AS_IT_IS = re.compile(r"(しないで|せずに|せんと|せんで)[、\s]*(その?まま|今の?まま|いま(の)?まま)")


def _another_instead(said: _Said, q: Question) -> Request | None:
    """A change of mind (「やっぱり」「…じゃなくて」) that drops the request in hand and names another one."""
    text = said.parse.normalized
    # 「あー、やっぱりええわ、自分でヤマトに電話するわ。それより梅田店って今日何時まで？」: the one in hand let go in so
    # many words, then another asked (its values are the new request's own)
    let_go = _LET_GO_FIRST.search(text) is not None and _SWITCHED_TO.search(text) is not None
    if not let_go and (not (_MIND_CHANGED.search(text) or _NOT_THIS.search(text)) or not _DROPPED.search(text)
                       or said.values or said.prefill or not _NAMES_A_REQUEST.search(text)):
        return None  # (「いや、10時じゃなくて11時にして」: the value mended, no other request)
    if _KEPT_AS_IT_IS.search(text):
        # 「やっぱりやめときます。キャンセルしないでそのままにしといてください」: the order left as it is (its
        # 「そのままにしといて」 reads as a delivery change); no other request
        return None
    for parse in (said.rest, said.parse):
        if parse is None:
            continue
        request = _request_in(parse, said, q)
        if (request is not None and not request.clarify and request.intent not in q.flow_intents
                and request.intent not in CONVERSATION and request.intent in q.routable):
            return request
    return None


def _same_order(q: Question) -> dict[str, Any]:
    return {ORDER_ID: q.slots[ORDER_ID]} if q.slots.get(ORDER_ID) else {}


def _at_slot(aw: AwaitSlot, said: _Said, q: Question) -> Action:
    parse, values = said.parse, said.values
    if aw.entity == "phone_number" and q.caller_phone and aw.slot not in values and words.THIS_NUMBER.match(parse.normalized):
        return Fill({aw.slot: q.caller_phone})  # 「この電話です」: the number the caller is calling from
    if aw.entity in FREE_TEXT:
        # a name or an address is whatever the caller says, unless it is clearly something else
        intent = _confident(parse)
        # 「番号は控えていないです。電気ケトルのほうです」 to 「どちらの商品のご注文でしょうか」: the order named, whatever
        # its 控えていない and its stock reading say
        picked = _picks_an_order(said, q)
        if (
            _commands(parse) is None
            and not words.only_hesitation(parse.normalized)
            and not _distress(parse)
            # 「以上で」「それだけです」 is no address (the caller thought the address was done)
            and (not words.only_closing(parse.normalized) or picked)
            and (not words.DONT_KNOW.search(parse.normalized) or picked)
            and (intent is None or intent in CONVERSATION or intent in q.flow_intents or len(parse.normalized) <= 12
                 or picked)
        ):
            text = _free_text(parse, aw.slot)
            if text is not None:
                return Fill({**values, aw.slot: text})
    elif aw.slot in values and (switched := _another_request_with_answer(said, q)) is not None:
        return switched
    elif aw.slot in values and (mended := _tail_instead(parse.normalized, {**q.slots, aw.slot: values[aw.slot]},
                                                        q.slot_types, aw.slot)):
        # 「いちにさんよん ごーろくなな きゅう、あ、最後は9じゃなくて8です」: the number said, mended in the same breath
        return Fill({**values, **mended})
    elif aw.slot in values and not _asks_of_another_thing(said, q):
        return Fill({**values, **_address_after(parse, aw, q)})
    elif (values and set(said.prefill) <= set(q.slot_types) and not _NAMES_A_REQUEST.search(parse.normalized)
          and not (q.open_choice and words.NO_PREFERENCE.search(parse.normalized))):
        # (not 「その前に、梅田店って水曜休みやったっけ？」: a store the request does not ask is another question;
        # not 「いちばん早い時間で」 at the day question: the choice left to us)
        # 「来週の火曜日の3時から4時の間でお願いできますか」 at the callback's number question: the request's own later
        # answers, early (the classifier hears a delivery window in them); kept, and the number asked again
        return Fill(values)
    elif corrected := _tail_instead(parse.normalized, q.slots, q.slot_types, aw.slot):
        # asked again after 「見つかりませんでした」: 「さっきの番号、最後は9じゃなくて8でした」 mends the number said
        return Fill(corrected)
    elif _only_values(parse) and not values:
        return Simple("invalid")  # 「1234567です」 at an 8-digit question: a wrong answer, asked again, never a request
    if (not values and (gave := _GIVES_UP_HERE.search(parse.normalized))
            # (a question before it was the caller's own, answered: 「そうなんですね…じゃあやっぱりキャンセルはいいです」)
            and not words.QUESTION.search(parse.normalized, gave.start())
            and ((request := _request(said, q)) is None or request.intent in q.flow_intents)):
        # 「それなら待ちます。キャンセルはやめておきます。今日はそれだけです」 at 「ご注文番号を」: the request given up
        # (and the caller done); not asked for the number again
        return _let_go(parse.normalized)
    if _distress(parse):
        return Simple("distress")
    if _calls_again(parse):
        return Simple("confirm_end")
    if words.KEYPAD_OK.search(parse.normalized):
        return Simple("keypad_ok")
    if q.open_choice and words.NO_PREFERENCE.search(parse.normalized):
        return Simple("no_preference")  # 「いつでもいいです」 at 「ご希望の日にちを」: the first time that can be offered
    if (address_slot := _address_still_open(aw, q)) is not None and looks_like_address(parse.text):
        # the new address read out at the postal-code question, without the code: kept, and the code asked again
        return Fill({address_slot: address_as_written(parse.text)})
    if (not said.values and q.flow_intents & _RETURNS and _RETURN_REASON.search(parse.normalized)
            and not words.QUESTION.search(parse.normalized)
            and ((request := _request(said, q)) is None or request.intent in q.flow_intents)):
        # 「さいずが あわなくて」 at a return's order number: why, told before the number; taken in, and the number
        # asked again (not 「確認できませんでした」)
        return Simple("trouble_told" if words.TROUBLE.search(parse.normalized) else "reason_told")
    whereabouts = _WHEREABOUTS.search(parse.normalized) is not None
    if words.WHERE_TO_FIND.search(parse.normalized) and not whereabouts:
        return Simple("where")
    if (whereabouts and _STATUS in q.routable and not q.flow_intents & {_STATUS, *_STORE_REQUESTS}
            and not any(e.type == "store" for e in parse.entities) and words.QUESTION.search(parse.normalized)):
        # 「あ、先に聞きたいんですけど、そもそも今どこにあるか分かります？」 at a redelivery's order number: where the
        # parcel is now, asked first (the flow waits, see conduct)
        return Request(_STATUS, said.prefill)
    if (instead := _another_instead(said, q)) is not None:
        # 「うーん、やっぱり変更ではなくてキャンセルにしてください」 at the new delivery day: the change given up for the
        # cancellation, of the same order (it was served, then the change asked for again)
        return replace(instead, prefill={**_same_order(q), **instead.prefill}, instead=True)
    if aw.entity == ORDER_ID and _picks_an_order(said, q):
        # 「イヤホンの方です」「番号は控えていないです。電気ケトルのほうです」「届いた方」 at the order number: no number,
        # the order named another way; the flow's way without the number looks it up (the caller id, the phone)
        return Simple("dont_know")
    mid = _faq_mid_flow(said, q)
    if mid is not None:
        return mid  # 「ちなみに送料はいくらですか」 in the middle: answered, then asked again
    if _dont_know(parse) and _LETS_IT_GO.search(parse.normalized) and (
            (request := _request(said, q)) is None or request.intent in q.flow_intents):
        # 「ばんごう いま わからへんわ もう ええわ」「注文番号が見つからないので、キャンセルはまた今度にします」「…それは
        # 後で調べます」: without the number the caller lets the request go; not handed to a person for it
        return _let_go(parse.normalized)
    if _dont_know(parse) and (words.GOING_TO_FIND.search(parse.normalized) or _WAIT_FIRST.match(parse.normalized)):
        # 「今ちょっと見当たらなくて…探してきますね」: the number is to come; 「ちょっと待ってね 携帯の番号でしょ えーと
        # 自分の番号って覚えてないのよね」: the caller asked for time first and is still looking, given it
        return Simple("hesitate")
    if _dont_know(parse) and ((request := _request(said, q)) is None or request.intent in q.flow_intents):
        # (「I don't have my order number」 is read as the order's status itself, 0.57: the request in hand, no other)
        return Simple("dont_know")
    if not q.served and _BARE_THANKS.fullmatch(parse.normalized.strip()):
        # 「ありがとうね」 to 「ご注文番号を…」 from an elderly caller thanking the bot at every step: no goodbye
        # before anything was done, the question is asked again gently
        return Simple("hesitate")
    action = _common(said, q)
    if isinstance(action, Simple) and action.kind == "unclear" and values:
        # another slot of the request, said early (a date at the phone-number step): keep it, ask again
        return Fill(values)
    return action


_ADDRESS_MARK = re.compile(r"(都|道|府|県|市|区|町|村|郡|丁目|番地|ちょうめ|ばんち|[0-9]+ ?[-ー−] ?[0-9]+)")
# what joins the postal code to the address: 「150-0001で、東京都…」「〒150-0001、住所は東京都…」
_ADDRESS_LEAD = re.compile(r"^(?:(で|、|,|\s)*((ご)?住所|じゅうしょ)(は|が|って)?|(で|、|,|\s)+)[、,\s]*")


def _address_still_open(aw: AwaitSlot, q: Question) -> str | None:
    """The request's address slot, when the postal code is asked and the address not yet given."""
    address_slot = next((s for s, t in q.slot_types.items() if t in ("address", "text") and s == "address"), None)
    if aw.entity != "postal_code" or address_slot is None or address_slot in q.slots:
        return None
    return address_slot


def _address_after(parse: Parse, aw: AwaitSlot, q: Question) -> dict[str, Any]:
    """「〒150-0001 東京都渋谷区神宮前1-2-3です」 at the postal-code question: the address said with it is kept,
    not asked for again (free text has no entity, so it is the words after the postal code)."""
    return _address_with_code(parse, q) if _address_still_open(aw, q) is not None else {}


def _address_with_code(parse: Parse, q: Question) -> dict[str, Any]:
    """The address said after a postal code, for a request whose address is still to be given."""
    address_slot = next((s for s, t in q.slot_types.items() if t in ("address", "text") and s == "address"), None)
    if address_slot is None or address_slot in q.slots:
        return {}
    postal = next((e for e in parse.entities if e.type == "postal_code"), None)
    if postal is None:
        return {}
    rest = _strip_copula(_ADDRESS_LEAD.sub("", parse.text[postal.end :].strip(" 、。,")).strip(" 、。,"))
    if len(rest) < 5 or not _ADDRESS_MARK.search(rest):
        return {}
    return {address_slot: rest}


_KYUSHU_FINE = re.compile(r"よか(です|よ|ばい|たい|ですよ)?[。!！\s]*")


def _offering(aw: AwaitConfirm | AwaitOffer) -> bool:
    """Does the question offer something? Then 大丈夫です / 結構です decline it (a confirmation accepts)."""
    return (isinstance(aw, AwaitOffer) and aw.offer == "callback") or (isinstance(aw, AwaitConfirm) and aw.offer)


# a yes word first, in any region's words (「んだ、それでいいです」 Tohoku, 「せや、頼むわ」 Kansai): the rest may only
# take it back
_YES_WORD_FIRST = re.compile(r"(はい|ええ|うん)|(んだんだ|んだ|せや|そや|そうそう)(?=[、,。\s])")


def _yes_no_cue(aw: AwaitConfirm | AwaitOffer, parse: Parse) -> str | None:
    """yes / no from the words (the first word decides; 大丈夫 and friends by the kind of question)."""
    text = words.LEAD_IN.sub("", parse.normalized.lstrip(" 、。!?"))
    if (said_yes := _YES_WORD_FIRST.match(text)) is not None:
        rest = words.bare(text[said_yes.end():])
        if rest and (words.NO.match(rest) or (_offering(aw) and words.REFUSAL.search(rest))):
            return "no"  # 「はい、いや、やっぱりいいです」
        return "yes"
    if words.NO.match(text):
        return "no"
    if words.ACCEPT_AS_SAID.match(text):
        return "yes"  # 「それで大丈夫です」「その日でいいです」
    if words.DONT_KNOW.search(text):
        return None  # 「合ってるかどうか、わからない」 is not a yes
    if words.CONTEXT_YES_NO.match(text):
        if _offering(aw) and (_PLEASE_TOO.search(text) or _KYUSHU_FINE.fullmatch(text)):
            # 「いいですよ、おねがいします」 to 「折り返しましょうか」: the offer taken; so is a Kyushu 「よかです」 said alone
            # (a plain yes there; 「もうよかです」「よかです、以上です」 decline)
            return "yes"
        return "no" if _offering(aw) else "yes"
    if words.REFUSAL.search(text):
        return "no"
    if _WRONG_AT_END.search(text):
        return "no"  # 「日にちは合ってるけど、時間が違います」: what is wrong comes last
    if not _offering(aw) and _THANKS.search(text) and not words.NOT_SOLVED.search(text):
        return "yes"  # 「わかったわ、おおきに」 to 「解消されましたでしょうか」「よろしいでしょうか」
    if words.YES.match(text) or words.ASKS.search(text) or re.search(r"[、,\s](はい|ええ|うん)$", text):
        return "yes"
    return None


# the offer asked for after a context word (いいですよ、お願いします): a yes, not the decline いいです alone is
_PLEASE_TOO = re.compile(r"^[^、,。\s]{0,8}(よ|わ|で)?[、,。\s]*(ぜひ|是非)?[、,\s]*(お願い|おねがい|頼み|たのみ|頼む|たのむ|よろしく)")


def _sure(parse: Parse | None) -> bool:
    return parse is not None and not parse.low_confidence and parse.intent.confidence >= TOPIC_SWITCH


def _classifier_cue(parse: Parse) -> str | None:
    """The classifier's yes or no: asked last, after the words and the values said (a retrained model must
    not turn 「12345678です」 into a no)."""
    intent = _confident(parse)
    return "yes" if intent == "affirm" else "no" if intent == "deny" else None


_TAIL = re.compile(r"(最後|末尾|下|後ろ|うしろ|おしり|下の|最後の)(の)?([0-9０-９一二三四五]桁)?(が|は|を|だけ)?[、\s]*([0-9]{1,6})(?![0-9])")


# a single digit as said or recognised (7, 七, なな): the NLU's spoken digits (nlu/numbers.py), and kanji
_KANJI_DIGITS = "〇一二三四五六七八九"
_DIGIT_SAID = "[0-9]{1,6}|[" + _KANJI_DIGITS + "]|" + "|".join(sorted(SPOKEN_DIGITS, key=len, reverse=True))
# 「さっきの郵便番号、最後は7じゃなくて1でした」: the last digits, the wrong ones, then the right ones
_TAIL_INSTEAD = re.compile(
    r"(最後|末尾|下|後ろ|うしろ|おしり)(の数字|の桁|の[0-9一二三]桁)?(が|は|を|の方は|のほうは)?[、\s]*"
    rf"(?P<old>{_DIGIT_SAID})[、\s]*(じゃなくて|ではなくて|ではなく|じゃなく|やなくて|やのうて|でなくて)[、\s]*"
    rf"(?P<new>{_DIGIT_SAID})")


def _digits(said: str) -> str:
    if said in SPOKEN_DIGITS:
        return SPOKEN_DIGITS[said][0]
    return str(_KANJI_DIGITS.index(said)) if said in _KANJI_DIGITS else said


def _named_number(text: str, slots: Mapping[str, Any], slot_types: Mapping[str, str]) -> str | None:
    """The slot a correction of a number means: the one named (「さっきの郵便番号、…」), else the only number
    the read-back holds."""
    numbers = [k for k, v in slots.items() if str(v).isdigit() and len(str(v)) >= 7]
    for etype, names in _NAMED_NUMBERS.items():
        if any(name in text for name in names):
            named = [k for k in numbers if slot_types.get(k) == etype]
            if named:
                return named[0]
    return numbers[0] if len(numbers) == 1 else None


def _tail_instead(text: str, slots: Mapping[str, Any], slot_types: Mapping[str, str],
                  slot: str | None) -> dict[str, Any]:
    """「最後は7じゃなくて1でした」 at a read-back of one number or several: the named number with its last
    digits replaced, when it did end in the wrong ones said."""
    match = _TAIL_INSTEAD.search(text)
    if not match:
        return {}
    target = slot if slot and str(slots.get(slot, "")).isdigit() else _named_number(text, slots, slot_types)
    if target is None:
        return {}
    current = str(slots[target])
    old, new = _digits(match.group("old")), _digits(match.group("new"))
    if not current.endswith(old) or len(new) != len(old):
        return {}
    return {target: current[: -len(old)] + new}


# 「あ、すみません、ぜろぜろぜろごじゃなくて、ぜろぜろぜろよんでした」 (0005 -> 0004): digits said wrong and right
_DIGITS_INSTEAD = re.compile(r"(?P<old>[0-9]{2,8})[、\s]*(?:じゃなくて|ではなくて|ではなく|じゃなく|やなくて|やのうて|でなくて)[、\s]*"
                             r"(?P<new>[0-9]{2,8})(?![0-9])")


def _digits_instead(text: str, slots: Mapping[str, Any], asked: str) -> dict[str, Any]:
    """At the next question, a number given before mended: the digits said wrong are a part of one number
    given (and of one only), and the right ones as many."""
    match = _DIGITS_INSTEAD.search(text)
    if not match or len(match["old"]) != len(match["new"]):
        return {}
    old, new = match["old"], match["new"]
    hits = [k for k, v in slots.items() if k != asked and str(v).isdigit() and len(str(v)) >= 7
            and str(v).count(old) == 1]
    if len(hits) != 1:
        return {}
    value = str(slots[hits[0]])
    return {hits[0]: value.replace(old, new)}


_WORDS_INSTEAD = re.compile(r"(?P<old>[^、。,.!?！？\s]{1,12}?)(?:じゃなくて|ではなくて|やなくて|じゃのうて|やのうて)[、\s]*"
                            r"(?P<new>[^、。,.!?！？\s]{1,16}?)(?:です|でした|で|でお願いします|に|や)?[。.!！\s]*$")


def _words_instead(text: str, slots: Mapping[str, Any], slot_types: Mapping[str, str]) -> dict[str, Any]:
    """「二〇一じゃなくて二〇二号室です」 at the read-back of an address: the words said wrong, in a free-text value
    (an address, a name), replaced by the words said instead; the rest of it is kept."""
    match = _WORDS_INSTEAD.search(text)
    if not match:
        return {}
    old, new = match["old"], match["new"]
    for slot, value in slots.items():
        if slot_types.get(slot) not in _FREE_TYPES or not isinstance(value, str) or value.count(old) != 1:
            continue
        after = value[value.index(old) + len(old):]
        kept = next((after[:n] for n in range(len(after), 0, -1) if new.endswith(after[:n]) and len(new) > n), "")
        return {slot: value.replace(old, new[: len(new) - len(kept)] if kept else new)}
    return {}


_FREE_TYPES = frozenset({"text", "address", "name"})


def _tail_correction(text: str, slots: Mapping[str, Any], slot: str | None) -> dict[str, Any]:
    """「いえ、最後が5679です」: the confirmed number with its last digits replaced."""
    current = str(slots.get(slot or "", ""))
    match = _TAIL.search(text)
    if not match or not current.isdigit() or len(match.group(5)) >= len(current):
        return {}
    tail = match.group(5)
    return {slot or "": current[: -len(tail)] + tail}


# what a caller says to the answer before asking on (「はいはい、わかりました。それじゃあ…」「かしこまりました。では…」)
# (possessive: 「はいはいはい…」 must not be tried every way it splits)
_ACKNOWLEDGED = (r"(?:(?:あら|まあ|ああ)?(?:そうですか|そうなんですね|そうなんや|そうか|そう|そっか|なるほど|わかりました|"
                 r"分かりました|かしこまりました|承知しました|了解(?:です|しました)?|はい(?:はい)?|ええ|うん|"
                 r"ありがとう(?:ございます)?|どうも)[、,。!！\s]*)*+")
# the same question of another thing, the thing only and a topic (「渋谷店は？」「ほな、渋谷のは？」「なんば店だと
# どうですか」): what is left of the turn once its values are taken out
_ELLIPTIC = re.compile(
    rf"^{_ACKNOWLEDGED}"
    r"(じゃあ|じゃ|ほな|ほんなら|では|それじゃあ?|それでは|あと|ちなみに|それで|それと|それから|ほんで)?[、,\s]*"
    # a place said before the store (「とうきょうの しぶやの ほうは」)
    r"([ぁ-んァ-ヶ一-龥ー]{1,5}の)?(の|の方|のほう)?(お?店|お?みせ)?"  # (「うめだの みせは どない」)
    r"(は|も|だと|なら|やったら|だったら|って|で)(どう|どうですか|どうでしょう|どうでしょうか|どない|どうなん|どうなっ?てます|"
    r"いかが|いかがですか|いかがでしょうか)?"
    r"(か|ですか|でしょうか|やろ|かな|かね|ね)?[?？。、\s]*$"
    # in English: 「what about Umeda?」「and the Sapporo store?」「how about tomorrow」
    r"|^(?i:(ok(ay)?|and|so|then|well)?[,\s]*((what|how) about|and)(\s+the)?(\s+(store|shop|one))?[?.\s]*)$")


# the other one of two, or the one meant instead: 「もうひとつが」「べつの注文の」「ケトルのほうでした」「じゃなくて」
# the caller's other order (「もう一つの注文は？」「もう一個の方」「ほかの注文」), and the slot that says which was served
_THE_OTHER_ORDER = re.compile(r"(もう(ひと|一|1)つ|もう(一|いっ|1)件|もう(一|いっ|1)個|もう(いっ)?こ|別|べつ|ほか|他)の?[、\s]*"
                              r"(注文|ちゅうもん|荷物|にもつ|品物|しなもの|商品|しょうひん|方|ほう)")
OTHER_THAN = "other_than"  # the slot that names the order just served
_ANOTHER_ONE = re.compile(
    r"もう(ひと|一|1)つ|もう(一|いっ|1)件|もう(一|いっ|1)個|もう(いっ)?こ|別の|べつの|ほか(の|に)(注文|ちゅうもん)|"
    r"(ほう|方)(でした|だった|です|やった|やねん|なんじゃ|なんや|なんです|なんだ|なんよ|だ(?![っろ]))|"
    r"の(ほう|方)(も|は)|"
    # 「あと、妻が頼んだ23456789もお願いします」: the number, too
    r"[0-9]も[、\s]*(お願い|おねがい|頼|たの|確認|かくにん|調べ|しらべ|教え|おしえ|見て|みて)|"
    # the number said wrong before (「ばんごう まちごうとったかのう… あ、さんよんごーろく…じゃった」)
    r"じゃなくて|ではなくて|やなくて|間違え|まちがえ|間違っ|まちがっ|まちご|間違う|違う番号|ちがう番号|ちゃう番号")


# a mind changed about what was just done (「やっぱり」), and a change asked of it (「11時に変えて」「18時からにして」)
_MIND_CHANGED = re.compile(r"やっぱり|やっぱ|やはり|すみません[、\s]*(そう|やっぱ)|だとちょっと|だと(難し|むずかし|無理|むり)"
                           # 「あ、すみません、梅田店のことでした」: the one meant was another
                           r"|(のこと|の方|のほう|の話|のはなし)(でした|だった|やった|じゃった|やってん|なんです)[。！!、\s]*$")
_CHANGE_IT = re.compile(r"(変え|かえ|変更|へんこう|ずらし|ずらせ)|(に|へ)して(ください|もらえ|いただけ|ほしい|くれ)")


_ANOTHER_ORDER = re.compile(r"注文|ちゅうもん|荷物|にもつ|品物|しなもの|商品|しょうひん")


# the number said before was the wrong one: 「ごめん、それイヤホンの方の番号だわ」「さっきの番号、間違えてました」
_WRONG_ORDER_GIVEN = re.compile(
    r"(ごめん|すみません|すいません|失礼|間違|まちが|違|ちが|ちゃう)[^。?？]{0,20}?(番号|ばんごう)"
    r"|(番号|ばんごう)[^。?？]{0,12}?(間違|まちが|違|ちが|ちゃう)"
    r"|(の方|のほう)の(番号|ばんごう)(だ|や|でし|です)")


def _request_named_none(parse: Parse) -> bool:
    """The classifier names no sure request of its own (it was unsure, or heard a conversation word)."""
    return parse.intent.name in CONVERSATION or parse.intent.confidence < CLARIFY_FLOOR


# another thing asked of the store just talked about, its name left out: 「あと場所も教えてください」「定休日は？」
_STORE_TOPIC_ASKED = re.compile(
    r"(?:(?:あ|あっ|あと|それと|それから|じゃあ|では|ほな|ほんなら|ついでに|ちなみに|すみません)[、,\s]*)*"
    r"(?:そこ|その(?:お)?店|そのお?みせ)?(?:の|って|は)?[、,\s]*"
    r"(?:(?P<where>場所|ばしょ|住所|じゅうしょ|行き方|いきかた|アクセス)|(?P<when>営業時間|えいぎょうじかん|定休日|ていきゅうび))"
    r"(?:も|は|って|を|が)?[、,\s]*(?:教えて|おしえて|知りたい|しりたい|聞きたい|ききたい|お願い|おねがい)?"
    r"(?:ください|下さい|くれ|もらえますか|いただけますか|ほしい|欲しい|んですけど|です|ますか|か)?[?？!！。]*")
# the next order of a few, named by whose it is or what comes next: 「それから娘の方が…」「あと主人のは…」
_NEXT_ORDER = re.compile(r"^(それから|それと|あと|次に|つぎに|次は|つぎは)|の(方|ほう)(が|は|も)")


def _follow_up(said: _Said, q: Question) -> Request | None:
    """「梅田店って何時まで？」 answered, then 「渋谷店は？」: the request just served, of the new thing."""
    parse = said.parse
    if q.last_intent is None or q.last_intent not in q.routable:
        return None
    text = parse.normalized
    # (not 「じゃあ別の荷物かな…わかりました、以上です」: the other parcel wondered about, and the call closed)
    other = (not parse.entities and ORDER_ID in q.last_types and _THE_OTHER_ORDER.search(text) is not None
             and not _THAT_IS_ALL.search(text))
    served = {OTHER_THAN: q.slots[ORDER_ID]} if q.slots.get(ORDER_ID) else {}
    orders = tuple(slot for slot, etype in q.slot_types.items() if etype == "order_id") or ("order_id",)
    if other and (parse.intent.name == q.last_intent or _request_named_none(parse)):
        # 「それと、もう一個の注文も確認したいんですけど」「もう一つの注文は？」 after an order's status: the same request,
        # of the caller's other order (looked up by the caller id, `other_than`; else its number is asked)
        return Request(q.last_intent, served, forget=orders)
    if other and (request := _request(said, q)) is not None and not request.clarify and request.intent in q.routable:
        # 「あとさ、もう一個の方、返品したいんだけど」: another request, of the other order
        return replace(request, prefill={**request.prefill, **served}, forget=orders)
    if (ORDER_ID in said.prefill and ORDER_ID in q.last_types and q.last_intent in _ORDER_REQUESTS
            and said.prefill[ORDER_ID] != q.slots.get(ORDER_ID) and _request_named_none(parse)
            and (_ANOTHER_ONE.search(text) or _NEXT_ORDER.search(text))):
        # 「それから娘の方が にさんよん… 娘の電話は ぜろはちぜろの…」 after the caller's own order's status: the same
        # request of the order named, with what was said of it (callback 0.27: not understood)
        return Request(q.last_intent, said.prefill, forget=orders)
    if other and _HOW_IS_IT.search(text) and "order_status" in q.routable:
        # 「あと、もう一つの注文はどうなっていますか」 after a delivery change: how the other order is doing (the
        # knowledge base heard 一つ as gift wrapping's 一点)
        return Request("order_status", served, forget=orders)
    asked = _STORE_TOPIC_ASKED.fullmatch(text.strip(" 、。")) if not parse.entities and q.slots.get("store") else None
    if asked is not None and "store" in q.last_types:
        # 「あ、あと場所も教えてください」 after 梅田店's hours: the other thing asked of the same store
        intent = "store_location" if asked["where"] else "store_hours"
        if intent in q.routable:
            return Request(intent, {"store": q.slots["store"]})
    if not parse.entities:
        # a store the bot does not have (「じゃあ なんばてんは」): the request again, whose flow asks which store
        # and names the ones there are
        if "store" not in q.last_types or not _STORE_ASKED.match(text.strip()):
            return None
        stores = tuple(slot for slot, etype in q.slot_types.items() if etype == "store") or ("store",)
        return Request(q.last_intent, said.prefill, forget=stores)
    heard_types = {e.type for e in parse.entities if e.type in q.slot_types.values()}  # (not time_end, a range's)
    # what the last request was about and this turn leaves as it was: 「渋谷店は？」 after 「梅田店って明日開いてますか」
    # asks about tomorrow too (the flow clears its day when it starts, for a new request)
    carried = {k: v for k, v in q.slots.items() if k in q.last_types and k not in said.prefill}
    if ((words.CORRECTION.search(text) or _MIND_CHANGED.search(text)) and heard_types <= q.last_types
            and "order_id" not in heard_types and (_request_named_none(parse) or parse.intent.name == q.last_intent
                                                   or _CHANGE_IT.search(text))):
        # 「あ ちがうちがう しぶやじゃなくて うめだてんです」 after Shibuya's hours, 「やっぱり午前中じゃなくて十八時から
        # 二十時にしてもらえますか」 after the change was made, 「十時だとちょっと難しいので、十一時に変えてもらえますか」
        # after the callback was booked: the request just served, done again with the value mended (the last said)
        # and the rest as it was (another order's number is another request: below)
        return Request(q.last_intent, {**carried, **said.prefill})
    if ("order_id" in heard_types and "order_id" in q.last_types and _WRONG_ORDER_GIVEN.search(text)
            and parse.intent.name not in _HANDED_OVER):
        # 「あ、ごめん、それイヤホンの方の番号だわ。ケトルのは34567890」 after 「配送中でございます…」: the number given
        # was another order's; the request just served, of the order meant
        return Request(q.last_intent, said.prefill)
    if _ANOTHER_ONE.search(text) and any(k in q.last_types for k in said.prefill) and any(
            e.type in q.last_types and e.type not in ("product", "store") for e in parse.entities):
        # 「それと、もうひとつが さんよんごろく…」「あ、イヤホンじゃなくてケトルのほうでした。34567890です」 after the
        # answer: the same request, of the other order (its number said)
        return Request(q.last_intent, said.prefill)
    if not all(e.type in q.last_types for e in parse.entities):
        return None
    rest = _without_entities(parse).strip()
    head, last = _last_sentence(rest)
    if head and (words.CORRECTION.search(head) or not re.search(r"[?？]", head) and _ASKED_AGAIN.match(last)):
        # 「あ、ちゃうちゃう、梅田店やった。梅田店にある？」: the store mended, then the question; 「あ、さっき渋谷って
        # 言いましたけど、梅田店でも行けます。梅田ならありますか？」: a word of context, then the question again
        rest = last
    if _ELLIPTIC.match(rest) or head and not re.search(r"[?？]", head) and _ELLIPTIC.match(last):
        # (「あ、休みなんですね。じゃあ渋谷店の方で」: the answer taken in, then the other store)
        return Request(q.last_intent, {**carried, **said.prefill})
    if _ASKED_AGAIN.match(rest) and q.last_intent in {r.name for r in parse.ranking[:FOLLOW_UP_RANK]}:
        # 「土曜日は開いてるのかしら」「渋谷店にはあらへんの？」: the question said again of the new thing, its verb
        # and all; the classifier must still see that request among its first guesses
        return Request(q.last_intent, {**carried, **said.prefill})
    return None


def _last_sentence(text: str) -> tuple[str, str]:
    """(what comes before the last sentence, the last sentence)."""
    parts = [p for p in re.split(r"(?<=[。!！?？])", text) if p.strip()]
    if len(parts) < 2:
        return "", text
    return "".join(parts[:-1]), parts[-1]


# the question asked again of another day or store, with a verb of its own (開いてる, ある, 置いてる, やってる)
_ASKED_AGAIN = re.compile(
    rf"^{_ACKNOWLEDGED}"
    r"(?:じゃあ|じゃ|ほな|ほんなら|では|それじゃあ?|それでは|あと|ちなみに|それで)?[、,\s]*(?:の|の方|のほう)?"
    r"(?:には|では|にも|でも|は|も|に|で|って|だと|なら)?[、,\s]*"
    r"(?:ある|あります|あらへん|あれへん|あるん|ない|無い|置いて(?:る|ある|ます|はる)|置いとる|おいて(?:る|ある|ます)|"
    r"売って(?:る|ます|はる)|うって(?:る|ます)|開いて(?:る|ます)|空いて(?:る|ます)|あいて(?:る|ます)|"
    r"やって(?:る|ます|はる|ん)|営業して(?:る|ます)|入って(?:る|ます)|買え(?:る|ます)|"
    r"ございます|ございません|お(?:置き|いて)ですか)"  # 「では、梅田店にはございますか」: in keigo
    r"(?:の|ん|のか|んか|んです|んですか|のですか|ですか|か|かな|かね|かしら|のかしら|やろか|んやろ|やろ|ね|よね|で|でしょうか)?"
    r"[?？。、\s]*$")
FOLLOW_UP_RANK = 3  # 「渋谷店にはあらへんの？」 after the stock: store_location first, the stock question third


def _without_entities(parse: Parse) -> str:
    """The normalised turn less the words of its values (「じゃあ うめだてんは」 -> 「じゃあは」). Entity offsets are
    into the text as said, which the normaliser shortens (spaces, fillers): its offsets map each character back."""
    spans = [(e.start, e.end) for e in parse.entities]
    said = normalize(parse.text)
    if said.text != parse.normalized:
        return parse.normalized  # not the same normal form (never expected): nothing is cut, nothing misread
    return "".join(ch for ch, at in zip(said.text, said.offsets, strict=False)
                   if not any(start <= at < end for start, end in spans))


# the same question of a store named by a word of its own (難波店, なんばてん), known to the bot or not
_STORE_ASKED = re.compile(
    rf"^{_ACKNOWLEDGED}"
    r"(じゃあ|じゃ|ほな|ほんなら|では|それじゃあ?|それでは|あと|ちなみに|それで)?[、,\s]*"
    r"[ぁ-んァ-ヶ一-龥ー]{1,6}(店|てん)(の|の方|のほう)?(は|も|だと|なら|やったら|だったら|って)"
    r"(どう|どうですか|どうでしょう|どうでしょうか|どない)?(か|ですか|でしょうか|かな|かね)?[?？。、\s]*$")


def _said_around_values(parse: Parse) -> str:
    """The words as said, less the words of its values."""
    text = parse.text
    for e in sorted(parse.entities, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + text[e.end :]
    return text


def _only_values(parse: Parse) -> bool:
    """The turn is nothing but values (「12345678です」): an answer, whatever the classifier makes of it."""
    if not parse.entities:
        return False
    rest = _strip_copula(words.bare(_said_around_values(parse)))
    # a short rest is an ending (です, 番), unless it is a word of its own: 「ケトル返品」 asks for a return
    return len(rest) <= 2 and not _CONTENT.search(rest)


_NUMBER_LABEL = re.compile(r"(ご)?(注文|ちゅうもん|電話|でんわ|郵便|ゆうびん)?(番号|ばんごう)(は|が|を)?")


def _number_named(parse: Parse) -> bool:
    """「ちゅうもんばんごう いちにさんよん…」: a number and its label, no request (after 「…したいんですけど」, not the
    point of the turn)."""
    if not parse.entities:
        return False
    return len(_strip_copula(words.bare(_NUMBER_LABEL.sub("", _said_around_values(parse))))) <= 2


# the caller about to key the number in: 「ボタンで おします」「プッシュで入れますね」
_WILL_KEY_IT = re.compile(r"(ボタン|ぼたん|プッシュ|ぷっしゅ)[でを]?[、\s]*(押|お|入れ|いれ|打|う)(します|しますね|すね|ちます|ます)")
# a yes taken back in the same breath: でも / やっぱり, then a wish to wait or think (「はい…あ、でもちょっと待って」)
_YES_BUT_WAIT = re.compile(r"(でも|やっぱり|やっぱ|いや)[、,\s…]*(ちょっと|ちょ|少し|すこし|少々|一旦|いったん)?[、,\s…]*"
                           r"(待って|まって|待っと|まっと|考えさせ|かんがえさせ|確認させ|かくにんさせ)[^。?？]{0,12}$")


def _at_yes_no(aw: AwaitConfirm | AwaitOffer, said: _Said, q: Question) -> Action:
    parse, values = said.parse, said.values
    command = _commands(parse)
    if command is not None:
        return command
    lead = words.LEAD_IN.sub("", parse.normalized)
    if (isinstance(aw, AwaitConfirm) and aw.offer and "operator_request" in q.routable
            and words.ASKS_FOR_PERSON.search(parse.normalized) and not words.NO.match(lead)):
        # 「じゃあ、人と話したほうが早そうなので、お願いします」 to a flow's offer (a person to look the order up): the
        # person is what the caller asks for
        return Request("operator_request")
    if isinstance(aw, AwaitConfirm) and not aw.offer and (instead := _another_instead(said, q)) is not None:
        # 「すみません、やっぱりキャンセルはやめて、お届け日の変更にしてください」 to 「キャンセルいたします。よろしいで
        # しょうか」: its してください was a yes, and the order was cancelled; the read-back declined, the other request
        # served instead, of the same order
        return No(_same_order(q), instead.intent)
    if isinstance(aw, AwaitConfirm) and not values and _WILL_KEY_IT.search(lead):
        # 「ありました めがねも ありました ボタンで おします」 to 「こちらのご注文についてでよろしいでしょうか」: the
        # number is about to be keyed; given time, not asked for a yes or a no
        return Simple("hesitate")
    if _YES_BUT_WAIT.search(lead) and not values:
        # 「はい… あ、でも ちょっと まって ください」 to 「キャンセルいたします。よろしいでしょうか」: the yes taken back
        # before it was done; nothing is done, the caller given time and asked again
        return Simple("hesitate")
    if isinstance(aw, AwaitConfirm) and not words.YES.match(lead) and (also := _ALSO_ASKED.match(lead)) and also.end():
        if said.faq is not None and words.QUESTION.search(lead[also.end():]):
            return Answer(said.faq)  # 「あ、あと代引きの手数料っていくらでしたっけ」: answered, the read-back asked again
        asked = _request(said, q)
        if (asked is not None and not asked.clarify and asked.intent not in q.flow_intents
                and asked.intent not in CONVERSATION and words.QUESTION.search(lead[also.end():])):
            # 「あ、それと、札幌店って明日やってますか」 at the callback's read-back: another question first, whose
            # answer comes before the read-back is asked again (明日 in it is no yes to the day read back)
            return asked
    if (isinstance(aw, AwaitOffer) and aw.offer == "callback" and not words.NO.match(lead)
            and not _NEGATED.search(_last_clause(lead)) and not words.QUESTION.search(_last_clause(lead))
            and not words.CALL_AGAIN.search(lead) and not _DECLINED.search(lead)
            and (_CALLBACK_TAKEN.search(_last_clause(lead)) or values.keys() & _CALLBACK_VALUES)):
        # 「四日まで お休み なんですね わかりました 折り返しで」「四日の 午後三時 で」 to the callback offered: taken,
        # with the day and time said (a remark before it is no answer to be asked again)
        return Yes(values)
    if (isinstance(aw, AwaitOffer) and aw.offer == "callback" and not values
            and words.QUESTION.search(lead) and _WHEN_OPEN.search(lead)):
        return Simple("repeat")  # 「何時からならつながりますか」: the offer holds the hours; said again
    if (isinstance(aw, AwaitConfirm) and not aw.offer and q.caller_phone and not values
            and ((words.THIS_NUMBER.match(lead) and not words.NO.match(lead))
                 # 「いえの でんわで いいです」 from a landline (いえ here is 家, no no): the home phone is the one calling
                 or (_HOME_PHONE.match(lead) and not q.caller_phone.startswith(_MOBILE_PREFIXES)))):
        return Yes(values)  # 「この でんわで いいです」 to 「090-…におかけしてよろしいでしょうか」: いいです here is a yes
    if (isinstance(aw, AwaitConfirm) and not aw.offer and "callback_request" in q.flow_intents
            and words.ANY_TIME.search(lead) and not words.NO.match(lead) and not _NEGATED.search(_last_clause(lead))):
        # 「いつでも いいよ ずっと いえに いるから」 to the callback number read back: the number taken, the time left to
        # us (the flow offers the earliest); 家にいる here is no delivery to change
        return Yes(values)
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and aw.intent != "operator_request"
            and words.ASKS_FOR_PERSON.search(lead) and not words.NO.match(lead)):
        return Request("operator_request")  # 「んだら だれか ひとと はなさせて もらえねえべか」 to a guess at the request
    if (isinstance(aw, AwaitOffer) and aw.offer == "person" and not words.NO.match(lead)
            and (words.ASKS_FOR_PERSON.search(lead) or _confident(parse) == "operator_request")):
        # 「んだら 誰か人さ代わってけねが」 to 「担当者におつなぎいたしましょうか」: more than a yes, the caller's own ask
        return Request("operator_request")
    if (("callback_request" in q.flow_intents or isinstance(aw, AwaitOffer) and aw.offer == "callback")
            and words.CONNECT_NOW.search(lead)):
        return Request("operator_request")  # 「やっぱり今つないでもらえますか、待ちますんで」: a person now, not later
    if (isinstance(aw, AwaitOffer) and aw.offer == "callback" and words.GIVE_UP.search(lead)
            and not _NAMES_A_REQUEST.search(lead) and not words.QUESTION.search(_last_clause(lead))):
        return No(values)  # 「うーん、今回はやめておきます」 to the callback offered: no callback, no cancellation
    if isinstance(aw, AwaitOffer) and aw.offer in ("callback", "goodbye") and words.CALL_AGAIN.search(lead) and not (
            words.QUESTION.search(lead)):
        # 「じゃあいいです、平日にかけ直します」: no callback wanted (they will call), yes to ending the call
        return No(values) if aw.offer == "callback" else Yes()
    if isinstance(aw, AwaitOffer) and aw.offer == "faq" and words.NO.match(lead) and words.FINISHED.search(lead) and not (
            words.NOT_SOLVED.search(lead[2:])):
        return Simple("end")  # 「いえ、以上です」 after an answer: nothing more to ask, not "it did not help"
    if (isinstance(aw, AwaitOffer) and aw.offer == "faq" and (_THAT_IS_ALL.search(lead) or _ALL_THEN_THANKS.search(lead))
            and not _asks_more(lead) and not words.QUESTION.search(lead) and not _WANTS.search(lead)
            and not words.NOT_SOLVED.search(lead)):
        # 「コンビニで払えるなら大丈夫そうです。以上です」 to 「解消されましたでしょうか」: what the answer means to them,
        # then done (their コンビニ払い read as a billing request went to an order's bill)
        return Simple("end")
    if (isinstance(aw, AwaitOffer) and aw.offer == "faq" and said.follow_up is not None and "amount" in said.prefill
            and ORDER_ID not in said.prefill and not _WANTS.search(lead) and _OWN_PURCHASE.search(lead)
            and not _THANKS.search(lead)):
        # 「3000円ぶんしか買わないんだけど」 after the shipping fee: the caller's own case of what was answered, said
        # rather than asked (it went to the billing flow, which asked for an order number)
        return Answer(said.follow_up, again=True)
    if isinstance(aw, AwaitOffer) and aw.offer == "faq" and _asks_more(lead) and not _WANTS.search(lead):
        if said.follow_up is not None:
            # 「じゃあ4,999円だったら？」「8日って注文した日からですか？」 to 「解消されましたでしょうか」: more about
            # what was answered, whose answer holds it; said again, not a yes/no asked for
            return Answer(said.follow_up, again=True)
        if said.faq is not None and said.faq.entry.id != aw.intent:
            # 「いえ、そうじゃなくて、返品するときの送料のことです」: another question the knowledge base answers, though
            # its words name a request too (返品); a question about it is no wish to have it done
            return Answer(said.faq)
    if isinstance(aw, AwaitOffer) and aw.offer == "faq":
        request = _request(said, q) or _request_beside_answer_words(said, q)
        if request is not None and not request.clarify:
            # 「じゃあ返品お願いします」 to 「解消されましたでしょうか」 after the return-fee answer: the request it led
            # to, served now (it was 「ほかにご用件は」 and the request lost)
            return request
    if (isinstance(aw, AwaitOffer) and aw.offer == "faq" and _THAT_IS_ALL.search(lead)
            and words.only_closing(_last_sentence_of(lead)) and not words.NOT_SOLVED.search(lead)):
        # 「以上です」 to 「解消されましたでしょうか」: answered, and nothing more to ask (also after 「あ、そうなんですか。」,
        # the answer taken in)
        return Simple("end")
    if (((isinstance(aw, AwaitOffer) and aw.offer == "goodbye") or (isinstance(aw, AwaitConfirm) and not aw.offer))
            and _THAT_IS_ALL.search(lead) and words.only_closing(lead) and not words.NOT_SOLVED.search(lead)):
        # 「いじょう です」 to 「お電話はこちらで終了してもよろしいでしょうか」 (it was asked again), or to a read-back
        # (「12月7日の9時ごろ…よろしいでしょうか」): nothing to change, nothing more; a yes
        return Yes()
    if (isinstance(aw, AwaitConfirm) and aw.offer and not values and _THAT_IS_ALL.search(lead)
            and not words.YES.match(lead) and not words.QUESTION.search(lead) and not _WANTS.search(lead)):
        # 「ありがとうございます、やってみます。以上です」 to 「再設定用のSMSをお送りしましょうか」: the caller will do it
        # themselves and is done; not asked for a yes or a no
        return Simple("end")
    if (isinstance(aw, AwaitOffer) and aw.offer == "faq" and _SIGNS_OFF.search(lead) and words.CLEAR_GOODBYE.search(lead)
            and not words.NOT_SOLVED.search(lead)):
        return Simple("end")  # 「…ありがとうございました。失礼いたします」: it helped, and the caller is going
    if isinstance(aw, AwaitOffer) and aw.offer == "faq" and (
            _THANKS.search(lead) or _UNDERSTOOD.search(lead) and not words.QUESTION.search(lead)) and not (
            words.NOT_SOLVED.search(lead)):
        # 「どうもありがとう」「あーそうなの、わかりました」 to 「解消されましたでしょうか」: it helped
        return Yes()
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and aw.intent == "order_status"
            and "delivery_change" in q.routable and {"date", "time_window"} & said.prefill.keys()
            and _only_values(parse)):
        # 「あさっての ごご にじから よじで」 to 「ご注文の配送状況についてのお問い合わせでよろしいでしょうか」: a day and a
        # slot to deliver on answer it; the delivery changed is what was meant (found in ivr chat)
        return No({**aw.prefill, **said.prefill}, "delivery_change")
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and said.faq is not None
            and said.faq.entry.intent == aw.intent and said.faq.coverage >= _SURE_COVERAGE and _topic_only(parse)):
        # 「代引きの手数料」 to 「ご請求やお支払いについてのお問い合わせでよろしいでしょうか」 (after 「支払い方法の件で」):
        # what about it, named; the knowledge base answers it (the billing flow asked for an order number)
        return Answer(said.faq)
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and aw.intent not in _ORDER_REQUESTS
            and ORDER_ID in said.prefill and _only_values(parse) and "order_status" in q.routable):
        # 「12345678」 to 「商品の在庫についてのお問い合わせでしょうか」 (after 「けとるまだ？？」): an order of theirs,
        # whose state is what 「まだ？」 asked; not a yes to the stock
        return No({**aw.prefill, **said.prefill}, "order_status")
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and said.prefill and _only_values(parse):
        return Yes(said.prefill)  # the order number given in reply to 「ご注文についてでしょうか」
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and words.only_closing(lead)
            and not words.YES.match(lead) and q.served):
        return Simple("end")  # 「おおきに、以上や」 to a guess after an answer: done, not a yes to the guess
    if (isinstance(aw, AwaitOffer) and aw.offer == "faq" and said.faq is not None and said.faq.entry.id != aw.intent
            and _request(said, q) is None and not (words.YES.match(lead) and not _ASKED.search(lead))):
        # (「はい、550円ってことですね、わかりました」: a yes and the answer said back, no other question, though 円 is
        # a word of the points entry)
        # 「いいえ、延長できるか知りたいんです」 to 「解消されましたでしょうか」: what they meant, and the knowledge base
        # has it: answered (and asked again), not handed to a person
        return Answer(said.faq)
    cue = _yes_no_cue(aw, parse)
    if cue is None and not (isinstance(aw, AwaitOffer) and aw.offer == "faq"):
        mid = _faq_mid_flow(said, q)
        if mid is not None:
            return mid  # 「ポイントの有効期限っていつまで？」 at a read-back: answered, then the read-back again
    # (「やっぱり3時にしてもらえますか」 to a callback's read-back gives its time: a correction, whatever it reads as)
    own_types = set(q.slot_types) | set(q.slot_types.values())
    names_another = any(k not in own_types for k in said.prefill)
    if cue is None and isinstance(aw, AwaitConfirm) and _asks(parse.normalized) and (not values or names_another) and (
            side := _request(said, q)) is not None and not side.clarify and side.intent not in q.flow_intents:
        # 「あ、すみません、その前に札幌店って火曜日お休みでしたっけ」 to 「折り返しのお電話は090-…でよろしいでしょうか」,
        # 「その前に、梅田店って明日やってはる？」 to a delivery's read-back for 明日: another question first (its day is
        # no answer to the read-back, nor a yes); answered, then the read-back again
        return side
    changed = {k: v for k, v in values.items() if k in q.slots and str(q.slots[k]) != str(v)}
    if isinstance(aw, AwaitConfirm) and not changed:
        changed = _tail_instead(parse.normalized, q.slots, q.slot_types, aw.slot)
    if isinstance(aw, AwaitConfirm) and not changed:
        # 「電話番号の最後が違いました。2233じゃなくて2234です」「0001じゃなくて0011です」: a group of one number mended
        changed = _digits_instead(parse.normalized, q.slots, "")
    if isinstance(aw, AwaitConfirm) and not changed:
        changed = _words_instead(parse.text, q.slots, q.slot_types)
    if isinstance(aw, AwaitConfirm) and aw.slot and not changed and not _TAIL_INSTEAD.search(parse.normalized):
        # (「最後は5じゃなくて3」 of a number that does not end in 5 mends nothing: the read-back is asked again)
        changed = _tail_correction(parse.normalized, q.slots, aw.slot)
    if isinstance(aw, AwaitConfirm) and changed:
        # 「いいえ、あさってです」「はい、あ、でも時間は夕方で」: a different value is a correction; the request's values
        # said with it that were not known yet go with it (「あしたの ごご にじで」: the time too)
        # said again unchanged (「じゃあ30日の午後2時で」 to an offer of 30日 9時, 14時 asked before): said, not asked again
        return Correct({**values, **changed})
    if (isinstance(aw, AwaitOffer) and aw.offer == "clarify" and aw.intent == "order_status"
            and "delivery_change" in q.routable and {"date", "time_window"} & said.prefill.keys()
            and not words.QUESTION.search(parse.normalized)):
        # 「明日なら一日家でゴロゴロしてるから、午前中でも全然いいよ」 to 「ご注文の配送状況についての…」 (after 「今日届く予定
        # なんだけど急に出かけなきゃ」): a day and a slot to deliver on, which is a delivery change, with them
        return No({**aw.prefill, **said.prefill}, "delivery_change")
    if cue == "yes" and isinstance(aw, AwaitOffer) and aw.offer == "clarify":
        named = _named_topic(parse, q)
        if named is not None and named.intent != aw.intent and named.intent not in q.flow_intents:
            # 「はいはい、そうそう、返品で」 to 「商品の在庫についてのお問い合わせでよろしいでしょうか」: the yes is a
            # listener's, the request named is the real one (as after a no)
            return No(values, named.intent)
    if (cue == "yes" and isinstance(aw, AwaitOffer) and aw.offer == "callback"
            and (_asks(parse.normalized) or _WANTS_TO_KNOW.search(parse.normalized))
            and not _PLEASE_WORDS.search(parse.normalized) and (asked := _request(said, q)) is not None
            and serves_routine(asked) and asked.intent != CALLBACK_INTENT):
        # 「はい わかりました じゃあ いま どこに あるのか おしえてください いちにさんよん…」 to the callback offer after a
        # complaint: the はい took in the hours; what the caller wants now is the order's status, which the bot serves
        return No({**said.prefill, **values}, asked.intent)
    if cue == "yes":
        return Yes(values)
    if cue is None and isinstance(aw, AwaitConfirm) and not aw.offer and q.caller_phone and not values and (
            words.THIS_NUMBER.match(parse.normalized)):
        return Yes(values)  # 「この電話で」 to 「090-…におかけしてよろしいでしょうか」: this number, yes
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and cue is None:
        request = _request(said, q)
        if request is not None and request.intent == aw.intent:
            return Yes(said.prefill)  # 「そうそう、パスワードがわからんくなって」: the guess, said back
    if (cue == "no" and isinstance(aw, AwaitOffer) and aw.offer == "clarify" and not _PLAIN_NO.match(lead)
            and _confident(parse) == aw.intent):
        # 「やっぱりやめといたほうがいいかなって」 to 「ご注文のキャンセルについてでしょうか」: the やめ is the request
        # guessed, said again (cancel 0.66), not a no to the guess
        return Yes(said.prefill)
    restated = said.rest or parse
    if (cue == "no" and isinstance(aw, AwaitOffer) and aw.offer == "clarify" and _confident(restated) == aw.intent
            and _NAMED_AT_END.search(restated.normalized) and not _INSTEAD_OF.search(parse.normalized)
            and not _NEGATED.search(_last_clause(restated.normalized))):
        # 「いえ、届いてはいるんです、返品のほうです」 to 「返品・交換についてでしょうか」: the no answers what the caller
        # thought was assumed (that it never came); the request named at the end is the one guessed
        return Yes(said.prefill)
    if cue == "no" and isinstance(aw, AwaitConfirm) and aw.offer and (
            _THAT_IS_ALL.search(parse.normalized) or _ALL_THEN_THANKS.search(parse.normalized)):
        # 「よかです、以上です」 to a flow's extra (「SMSをお送りしましょうか」): declined, and nothing more (a callback
        # declined hears when to call again first)
        return Simple("end")
    if cue == "no":
        new = {k: v for k, v in values.items() if k not in q.slots}
        if isinstance(aw, AwaitConfirm) and new:
            return Correct(new)
        if (isinstance(aw, AwaitConfirm) and q.no_mends and not values
                and (words.GIVE_UP.search(lead) or _GIVES_UP_HERE.search(lead))
                and not (said.rest is not None and _sure(said.rest))):
            # 「いや、やっぱり再配達はやめときます。自分で取りに行きますんで」; with thanks last (「やっぱりいいわ、
            # 息子に頼むことにするから。…どうもありがとう」) the caller is leaving too
            return _let_go(lead)
        # the real topic after the no: in the words after it first (「いえ、在庫じゃなくて、営業時間が…」)
        guessed = aw.intent if isinstance(aw, AwaitOffer) else None
        if isinstance(aw, AwaitOffer) and aw.offer == "callback":
            guessed = CALLBACK_INTENT  # 「大丈夫です、また明日かけ直します」 declines the callback, asks for none
        after = _Said(said.rest, {}, said.prefill) if said.rest is not None else None
        candidates = [
            _request_in(said.rest, said, q) if said.rest is not None else None,
            _unsure_request(after, q) if after is not None else None,
            _request_in(parse, said, q),
            _unsure_request(said, q),
            _named_topic(said.rest or parse, q),
        ]
        if isinstance(aw, AwaitConfirm):
            candidates = [
                _request_in(said.rest, said, q) if said.rest is not None and _sure(said.rest) else None,
                _request_in(parse, said, q) if _sure(parse) else None,
                _named_topic(said.rest or parse, q),
                # the words after the request given up, read alone: never the request given up itself
                _asked_instead(said.rest, q) if said.rest is not None and (
                    words.GIVE_UP.search(lead) or _NOT_THIS.search(lead)) else None,
            ]
        chosen = next((c for c in candidates
                       if c is not None and c.intent not in q.flow_intents and c.intent != guessed), None)
        if chosen is None:
            return No(values, None)
        # 「やっぱりいいです。いま聞いちゃいます。12345678の荷物、いつ着きますか」: the order said goes with it
        return No({**values, **chosen.prefill}, chosen.intent)
    # the value said back (「23456789です」), also one the request holds from an earlier flow (the order number
    # verified before 「キャンセルいたします。よろしいでしょうか」): a yes by the question, not by the classifier
    confirmed = {k: v for k, v in {**said.prefill, **values}.items() if k in q.slots}
    if isinstance(aw, AwaitConfirm) and confirmed and all(str(q.slots[k]) == str(v) for k, v in confirmed.items()):
        return Yes(values)
    if isinstance(aw, AwaitOffer) and aw.offer == "clarify" and said.prefill and _request(said, q) is None:
        return Yes(said.prefill)  # the order number given in reply to 「ご注文についてでしょうか」
    if (cue is None and isinstance(aw, AwaitConfirm) and not aw.offer and values
            and not any(k in q.slots for k in values)):
        # 「明日の10時」 to 「折り返しのお電話は090-…でよろしいでしょうか」: the request's next answers, nothing held
        # changed; taken as a yes with them (asking the number again made the caller repeat the time). Values
        # are the request's own slots only: a date said to 「キャンセルいたします。よろしいでしょうか」 is none
        return Yes(values)
    if isinstance(aw, AwaitConfirm) and values:
        return Correct(values)
    if cue is None and isinstance(aw, AwaitConfirm) and not _distress(parse) and (
            aw.offer or _RESTATED.search(parse.normalized) and not _NEGATED.search(parse.normalized)):
        request = _request(said, q)
        if request is not None and request.intent in q.flow_intents:
            # 「パスワードを忘れました」 to 「再設定用のSMSをお送りしましょうか」: the need the offer answers, said
            # again, is a yes to it (read as 「わからない」 it went to a person); 「やっぱりキャンセルで」 to
            # 「キャンセルいたします。よろしいでしょうか」 too: the request named with で, no no in it (「携帯にかけて
            # ください」 to a read-back number is about the details)
            return Yes(values)
    if (cue is None and isinstance(aw, AwaitConfirm) and not aw.offer and not aw.slot and not values
            and (words.NOT_WANTED.search(parse.normalized) or words.TROUBLE.search(parse.normalized))
            and not words.QUESTION.search(parse.normalized)):
        # 「サイズが合わなかったんです」「もう要らなくなったので」 to 「返品をお受けいたします。よろしいでしょうか」: why,
        # so yes (the classifier hears a return or a cancellation in it: not another request; a kind said with it,
        # 「…ので交換で」, is the flow's to read from the words)
        return Yes()
    if _dont_know(parse) and words.GOING_TO_FIND.search(parse.normalized):
        return Simple("hesitate")  # 「わからんとですよ…ちょっと待っとってください、孫に聞いてきますけん」
    if _dont_know(parse) and not _distress(parse):
        return Simple("dont_know")
    if words.only_hesitation(parse.normalized):
        return Simple("hesitate")  # 「その…」 is no yes, whatever the classifier makes of it
    if (cue is None and _offering(aw) and words.ASK_FOR_IT.search(lead) and not words.HOLD_ON.search(lead)
            and _request(said, q) is None):
        return Yes(values)  # 「送ってください」 to 「お送りしましょうか」: the thing offered, asked for
    late = _classifier_cue(parse)
    if late is not None and _commands(parse) is None:
        return Yes(values) if late == "yes" else No(values)
    return _common(said, q)


_HOME_PHONE = re.compile(r"^(いえ|家|うち|自宅|じたく)の(電話|でんわ)(番号|ばんごう)?(で|に)(いい|ええ|大丈夫|だいじょうぶ|お願い|おねがい)")
_MOBILE_PREFIXES = ("070", "080", "090")
# the callback offered, taken: 「折り返しで」「おりかえし おねがいします」「でんわ ちょうだい」
_CALLBACK_TAKEN = re.compile(r"(折り返し|おりかえし|折返し)(で|を|の|お願い|おねがい|して|ください)|"
                             r"(かけて|電話|でんわ)(を)?(ください|下さい|ちょうだい|もらえ|ほしい|欲しい|お願い|おねがい)")
_CALLBACK_VALUES = frozenset({"date", "time", "time_window"})
# a polite no to an offer: 「あ、大丈夫です。また明日かけ直します」「いいです、いいです」
_DECLINED = re.compile(r"大丈夫|だいじょうぶ|(?<!で)いいです|結構|けっこう|いらない|要らない|いりません|(?<!で)ええわ")
# when agents answer, asked: 「何時からならつながりますか」「あしたはつながりますか」
_WHEN_OPEN = re.compile(r"つなが|繋が|何時から|なんじから|何時まで|なんじまで|いつから|やって(る|ます)|(出|で)られ")
# a request named at the end of a turn: 「返品のほうです」「キャンセルで」「交換でお願いします」 (not 「届いたんです」)
_NAMED_AT_END = re.compile(r"(の(ほう|方)(です|で|や|だ)?|[^たいす]で(お願いします|おねがいします)?)[。!.\s]*$")
_PLAIN_NO = re.compile(r"(いいえ|いえ|いや(?!っ)|違|ちが|ちゃう|ちゃいま|(?i:no)\b)")
_RESTATED = re.compile(r"(で|でお願い(します|いたします)?|でいい(です)?|で頼(む|みます)|でええ(わ|よ)?|でよろしく)[。!.\s]*$")
_NEGATED = re.compile(r"(ない|なく|ません|やめ|止め|結構|けっこう|いらな|要らな|いりませ|せんで|せえへん|しない|せん$)")
_WRONG_AT_END = re.compile(r"(違い?ます|違う|ちがう|ちがいます|違っ?て(い)?(ます|る)|間違って(い)?(ます|る)|まちがって(い)?(ます|る)|"
                           r"ちゃいます|ちゃう)(ねん|ね|よ|わ|けど)?[、。.!?\s…]*$")
_EN_THAT_IS_ALL = re.compile(r"(?i)\b(that'?s (all|it|everything)|nothing else|no,? thanks?|i'?m (good|done|all set))\b")
_THAT_IS_ALL = re.compile(r"(以上|いじょう)(です|でございます|や|だ|で|っす)?[。、!！\s]*$|(それ|これ)だ[けげ](です|で|や|だ|っす|じゃ|ですわ)?[。、!！\s]*$")
# 「以上です ありがとうございました」「それだけです、どうも」: done, and thanks to close on
_ALL_THEN_THANKS = re.compile(r"(以上|いじょう|それだけ)(です|でございます|や|だ|っす)?[。、!！\s]*"
                              r"(ありがと|有難|どうも|おおきに|お世話|おせわ)[^?？]{0,12}$")
_DOUBLED_YES = re.compile(r"(はい|ハイ)([、 ]?(はい|ハイ))+[、。!?…\.\s]*")
# 「はーい」 drawn out, to 「ほかにご用件は」: an "all right then" that closes as often as it asks for more
_DRAWN_YES = re.compile(r"(は[ーぁあ〜~]+い|ハ[ーァア〜~]+イ)[ー〜~]*[、。!?…\.\s]*")
_BARE_YES = re.compile(r"(はい|は[ーぁあ〜~]+い[ー〜~]*|ええ|うん|あります|ございます)[、。!?…\.\s]*")
_THANKS = re.compile(r"(ありがと|有難う|有り難う|助かりました|たすかりました|おおきに|サンキュー)")
# the answer taken in: 「わかりました」「了解です」「なるほどね」 (not 「わからない」)
_UNDERSTOOD = re.compile(r"(わかりました|分かりました|判りました|わかったわ|わかった(よ|です)?$|了解|りょうかい|なるほど|承知しました)")
# a wish for something done (返したい, 返したかとですけど, お願いしたい): with a question, both are served
_WANTS = re.compile(rf"(たい|たか(と|ば|けど|けん)|ほしい|欲しい|お願いし|希望(し|いたし)ます)|(?i:\b({_EN_WISH_WORDS})\b)")
# 「届いた電気ケトル、まだ箱も開けていないのですが、…返品できますでしょうか」: whether the caller's own thing, come to
# them, may go back is asked as a wish to send it back
_MAY_I_RETURN = re.compile(r"(返品|へんぴん|返却|交換|こうかん)(って|は|を)?(でき|出来)(ます|る|ません)(でしょう)?か")
_MY_THING_CAME = re.compile(r"(届いた|とどいた|届いて|受け取った|うけとった|買った|かった|注文した|ちゅうもんした)")
# "Can I send back a kettle…?": a request asked politely, for a flow's request; "Can I pay cash…?" asks what is
# possible, which the knowledge base answers (billing questions stay questions)
_EN_POLITE_ASK = re.compile(rf"\b({_EN_POLITE_WORDS})\b", re.IGNORECASE)


# a question that leans on what was just said (「4,999円だったら？」「つまり、いつ消えるってことですか」「ほな、足したら
# ただになるっちゅうこと」「そうじゃなくて、返品の送料のことです」)
_LEANS_ON = re.compile(r"(だったら|やったら|でしたら|なら|の場合は?|場合は|ってこと|っちゅうこと|ということ|てことは?|のこと)(です|ですか|でしょうか|か|やね|やな|ね)?"
                       r"[?？。!！…\s]*$|^(つまり|ということは|てことは|ってことは|要するに)")


def _last_sentence_of(text: str) -> str:
    sentences = [x for x in re.split(r"[。.!！…?？]+", text) if x.strip()]
    return sentences[-1] if sentences else text


def _asks_more(lead: str) -> bool:
    """The turn asks something (a question, or one leaning on the answer), with no yes or no at its head."""
    plain_no = words.NO.match(lead) and not words.NOT_SOLVED.search(lead)  # 「いえ、そうじゃなくて…」 asks on
    if words.YES.match(lead):
        # 「はい、わかりました。ついでに、コンビニ払いだといくらですか」: the yes closes the answer, a new question follows
        # (「はい わかりました あと だいびきの てすうりょうも おしえてください」: a question put as a request to tell)
        then = _ALSO_ASKED.match(lead)
        return then is not None and bool(words.QUESTION.search(lead[then.end():])
                                         or _WANTS_TO_KNOW.search(lead[then.end():]))
    if plain_no or words.only_closing(lead):
        return False
    last = [x for x in re.split(r"[。.!！…]+", lead) if x.strip()]
    if last and (_THANKS.search(last[-1]) or words.only_closing(last[-1])) and not words.QUESTION.search(last[-1]):
        # 「え、5,000円からなんですね。危なかった…ありがとうございました」「あ、そうなんですか。わかりました、以上です」:
        # it helped, and the turn ends closing; the なん of 「からなんですね」「そうなんですか」 asks nothing
        return False
    return bool(words.QUESTION.search(lead) or _LEANS_ON.search(lead))


# a yes and an acknowledgement, then another question led in: 「はい、わかりました。ついでに」「はい。あと、」
_ALSO_ASKED = re.compile(_ACKNOWLEDGED + r"(?:ついでに|あと|それと|それから|ちなみに|もう(?:ひと|一|1)つ)[、,\s]*")


def _asked_instead(parse: Parse, q: Question) -> Request | None:
    """「キャンセルは やめて いつ とどくかだけ おしえてください」 at a read-back: the request given up, and a question
    asked in its place, which the classifier leans to without being sure (order_status 0.4): served."""
    top = parse.ranking[0] if parse.ranking else None
    asks = words.QUESTION.search(_last_clause(parse.normalized)) or _WANTS_TO_KNOW.search(parse.normalized)
    if (top is None or not asks or top.name not in q.routable or top.name in CONVERSATION or top.name in _FAQ_LIKE
            or top.name in q.flow_intents or top.confidence < CLARIFY_FLOOR):
        return None  # (返品って何日以内でしたっけ: a question of the knowledge base's kind, not a return)
    return Request(top.name, {})


_NOUN_PARTS = frozenset({"名詞", "接尾辞", "接頭辞"})


# nouns that ask for something done, not about something: 「返品希望」「交換の手続き」
_WISH_NOUNS = re.compile(r"希望|きぼう|依頼|いらい|お願い|おねがい|手続|てつづき|申し込|もうしこ|申請|しんせい")
# the end of a predicate, which a topic named alone lacks (kana readings split oddly: 「だいびきの てすうりょう」)
_PREDICATE_END = re.compile(r"(たい|ます|です|ました|でした|ください|ほしい|ない|る|た|だ|て|か|の|よ|ね|わ|[?？])$")


def _topic_only(parse: Parse) -> bool:
    """Nouns and nothing else (「代引きの手数料」「返品条件」「しはらいほうほう」): a topic named as a question is."""
    text = words.bare(parse.normalized)
    if _WISH_NOUNS.search(text):
        return False
    tokens = [t for t in parse.tokens if t.pos not in ("補助記号", "空白", "感動詞", "フィラー")]
    if (len(tokens) >= 2 and tokens[-1].pos in _NOUN_PARTS
            and all(t.pos in _NOUN_PARTS or (t.pos == "助詞" and t.surface == "の") for t in tokens)):
        return True
    # a recogniser's kana, which the tokenizer splits as it can: short, and no predicate at its end
    return bool(re.fullmatch(r"[ぁ-んー]{4,14}", text)) and not _PREDICATE_END.search(text)


# what the caller will buy (「3000円ぶんしか買わないんだけど」), not the answer taken in (「5,000円からなんですね」)
_OWN_PURCHASE = re.compile(r"買|かう|かわ|かい|注文|ちゅうもん|購入|こうにゅう|ぶん|分")
# information asked for (「返品のルールを教えてください」): a question, though it ends as a request does
_TELL_ME = re.compile(r"(教えて|おしえて)(ください|下さい|くださ|もらえ|いただけ|頂け|ほしい|欲しい|くれ|ちょうだい|や|な)")
# a first question that ends checking what the caller believes (「送料って5000円からタダだよね」) or in Kansai's ん
# (「領収書ってどないしたらもらえるん」), a second after it
_CHECKS = re.compile(r"(ん|よね|だよね|やんな|よな|でしょ|でしょう|やろ|じゃろ)[?？]?$")


def _faq_answer(said: _Said, q: Question) -> Answer | None:
    """The knowledge base answers a question (「返品の送料はかかりますか」) even when the classifier calls it a
    routine request, but never a plain request (「返品したいんですが」), which its flow serves. A question
    that comes with a wish (「ケトルを返したいんですけど、送料はどうなりますか」) is answered, then the
    request's flow runs."""
    if (said.parts is not None and said.first_faq is not None and said.second_faq is None
            and (words.QUESTION.search(said.parts[0].normalized) or _CHECKS.search(said.parts[0].normalized))):
        after = _request_in(said.parts[1], said, q)
        if after is not None and after.intent not in _FAQ_LIKE:
            # 「だいびきの てすうりょうって いくらですか それと …の はいたつを あさっての ごぜんちゅうに かえたいんですけど」:
            # the question answered first, then the request said after it, with what the caller said for it
            return Answer(said.first_faq, then=replace(after, prefill=dict(said.prefill)))
    if (said.parts is not None and said.second_faq is not None and said.first_faq is None
            and words.QUESTION.search(said.parts[1].normalized)):
        before = _request_in(said.parts[0], said, q)
        if before is not None and before.intent not in _FAQ_LIKE and not before.clarify:
            # 「えっと ちゅうもんの きゃんせると あと りょうしゅうしょって どうやって だすんですか」: the request said first
            # and a question after it: the question answered, then the request served (it was lost)
            return Answer(said.second_faq, then=replace(before, prefill=dict(said.prefill)))
    first, also = _two_answers(said)
    if first is None and said.loose_faq is not None and _asks_about(said, q):
        # 「えーと 返品って 一ヶ月以内ならいいんですよね 先月買ったやつなんですけど」: a question whose story lowers the
        # match, asked of the knowledge base's kind of request (or none sure): the entry far ahead answers
        first = said.loose_faq
    if first is None:
        return None
    hit = said.faq or first  # 「そうりょうって いくらですか あと ぽいんとの…」: read whole, none; each part alone is clear
    request = _request(said, q)
    if request is not None and request.intent == "billing_inquiry" and (
            _own_bill(said.parse.normalized) or ("order_id" in said.prefill and _AMOUNT_ASKED.search(said.parse.normalized))):
        # (「ちゅうもんばんごうが いちにさんよん… その しはらいの きんがく なんぼだったか おしえてもらえんかね」: the amount
        # of the order named by its number)
        # 「コンビニで払うやつ、まだ払ってないんですけど金額いくらでしたっけ」: the caller's own unpaid order, which
        # the billing flow looks up (amount, how to pay), not the general fee the knowledge base states
        return None
    asks_all_the_same = (_ASKS_ALL_THE_SAME.search(said.parse.normalized) is not None and request is not None
                         and (request.clarify or request.intent in _FAQ_LIKE))
    if _asks(said.parse.normalized) or _TELL_ME.search(said.parse.normalized) or asks_all_the_same or request is None or (
            request.intent in _FAQ_LIKE and _asks_in_a_clause(said.parse)):
        # (two questions the knowledge base answers, one in each part: 「送料っていくらから無料？あとポイントの有効期限も
        # 知りたい」 wants to know two things, and its 知りたい is no wish for the billing flow)
        wish = also is None and request is not None and not request.clarify and (
            _WANTS.search(said.parse.normalized) is not None or (
                _EN_POLITE_ASK.search(said.parse.normalized) is not None
                and request.intent not in ("billing_inquiry", "out_of_scope")))
        if (also is None and request is not None and not request.clarify and request.intent == "return_exchange"
                and _MAY_I_RETURN.search(said.parse.normalized) and _MY_THING_CAME.search(said.parse.normalized)):
            wish = True
        if wish and request is not None and request.intent == "billing_inquiry" and _HOW_TO.search(
                said.parse.normalized):
            # 「会社に出す領収書がほしいんですけど、どうすればもらえますか」: the wish is what the question asks how to
            # get, and the answer is the whole of it; the billing flow (an order's amount) does nothing more for it
            wish = False
        if (not wish and also is None and request is not None and not request.clarify
                and request.intent not in ("billing_inquiry", "out_of_scope") and "order_id" in said.prefill):
            # 「三四五六七八九〇の電気ケトルやねんけど、…返品できるやんな？」: the rule answered, and the caller's own
            # order, named by its number, is what they ask it of: its flow runs on it after the answer
            wish = True
        if (wish and request is not None and request.intent == "billing_inquiry" and "order_id" not in said.prefill
                and not _OF_AN_ORDER.search(said.parse.normalized)):
            # 「カード持ってないんでコンビニ払いにしたいんですけど、手数料ってかかりますか」「会社の経費で落としたいので」
            # 「贈り物にしたいのですが、ラッピングは…料金はおいくらに」: a wish around a question the knowledge base
            # answers, and no order of theirs named: the billing flow (an order's bill) has nothing to look up
            wish = False
        return Answer(hit, then=request) if wish else Answer(first, also=also)
    if (request.intent in _FAQ_LIKE and not said.prefill and hit.coverage >= _SURE_COVERAGE
            and takes_requests(q.awaiting) and _topic_only(said.parse)):
        return Answer(hit)  # 「代引きの手数料」「返品の送料」: the thing asked about, named; its answer is the knowledge base's
    if (request.intent in _FAQ_LIKE and not said.prefill and hit.coverage >= _SURE_COVERAGE
            and _WANTS.search(said.parse.normalized) and takes_requests(q.awaiting)
            and not (request.intent == "return_exchange" and words.MISSED_DATE.search(said.parse.normalized))):
        # (「誕生日に間に合わなかったので返品したいです」 is a return, its missed date no question of the deadline)
        # 「経費で落としたいので領収書がほしいんですけど」: a wish the classifier files under billing, but the
        # knowledge base has the whole answer (how to get one), and nothing of an order was said: answered, then
        # checked. A statement of trouble (「金額が思ってたのと違うんです」) is no wish: its flow looks it up
        return Answer(hit)
    return None


# questions as the dialects end them, which QUESTION does not know (Tohoku だべ/だべか, Kansai ん？ is there)
_DIALECT_ASKS = re.compile(r"(だべ|だべか|だっぺ|だか|なんぼ|どんくらい|どんぐらい)")


def may_take_loose_answer(text: str) -> bool:
    """Whether a turn's words could let a loose knowledge-base match answer it (`_asks_about`): the engine asks
    the index for one only then, not on every request without a match."""
    return bool(_ASKS_ALL_THE_SAME.search(text) or _DIALECT_ASKS.search(text))


def _asks_about(said: _Said, q: Question) -> bool:
    """The turn checks a belief or voices a worry (「…ならいいんですよね」「…という認識でよろしかったでしょうか」
    「間に合うのか心配で」) and is no request of a flow's own kind. A plain question that the knowledge base half
    knows (「領収書の宛名を会社名にできますか」) is a gap in it, which a loose match would answer wrongly."""
    text = said.parse.normalized
    request = _request(said, q)
    if _ASKS_ALL_THE_SAME.search(text):
        return request is None or request.clarify or request.intent in _FAQ_LIKE
    # a question ended as a dialect ends it, when no request is sure (「ぽいんとの きげんって いつまで だべか さいごに
    # かったのは…」); a plain question the knowledge base half knows is more often a gap in it (dev sets: 1 % -> 3 %
    # wrong when they were let through)
    return bool(_DIALECT_ASKS.search(text)) and (request is None or request.clarify)


def _asks(text: str) -> bool:
    """A question, also typed with a full stop after it (「配送料は発生しますでしょうか。」, business chat)."""
    return words.QUESTION.search(text.rstrip("。．.!！ 　")) is not None


# a clause that ends asking, as the dialects end a question too (Hiroshima じゃろか / かいのう, Tosa がですか)
_CLAUSE_ASKS = re.compile(r"(ですか|ますか|でしょうか|じゃろか|じゃろうか|やろか|かいのう|かのう|んかいの|だべか|がですか|ですろうか)$")


def _asks_in_a_clause(parse: Parse) -> bool:
    """A clause of the turn, between the caller's pauses, ends asking: 「へんぴんするときの そうりょうは どっちが
    もつがですか ふりょうひんや ないがやけど」 asks, then says why."""
    return any(_CLAUSE_ASKS.search(c) for c in re.split(r"[\s、。,!！]+", parse.text.strip()) if c)


def _two_answers(said: _Said) -> tuple[FaqHit | None, FaqHit | None]:
    """The turn's answer, and a second one when each of its two parts asks a question the knowledge base
    answers from a different entry, in the order asked (「代引きの手数料っていくらですか？あと領収書ってもらえます？」).
    Read whole, such a turn may name too much for any one entry; read by its parts, it does not."""
    first, second = said.first_faq, said.second_faq
    # (the whole turn's reading may mix the two: 支払い方法 + 送料 read as 支払いの手数料; the parts decide)
    if (said.parts is None or first is None or second is None or first.entry.id == second.entry.id
            or not all(words.QUESTION.search(p.normalized) or _WANTS_TO_KNOW.search(p.normalized) for p in said.parts)):
        return said.faq, None
    return first, second


def _faq_mid_flow(said: _Said, q: Question) -> Answer | None:
    """A question the knowledge base answers, asked in the middle of a request: answered, then the question
    asked again. A request the classifier reads in it wins, unless it is one the classifier files FAQ
    questions under and the knowledge base knows every topic word (「ポイントの有効期限っていつまで？」 is no
    billing question about the order being cancelled)."""
    text = said.parse.normalized
    if said.faq is None or not _asks(text):
        return None
    request = _request(said, q)
    if request is None:
        return Answer(said.faq)
    # (a fact recalled, 「こんど かいなおすとき コンビニばらいって てすうりょう いくらでしたっけ」, is general whatever
    # story comes with it: the story's words lower the match but name no order)
    if (request.intent in _FAQ_LIKE and request.intent not in q.flow_intents
            and (said.faq.coverage >= 1.0 or _ASKS_ALL_THE_SAME.search(text) and said.faq.coverage >= 0.7)
            and not _own_bill(text)):
        return Answer(said.faq)
    if request.intent in _FAQ_LIKE and said.faq.coverage >= 1.0 and not _own_bill(text) and not _ORDERED.search(text):
        # 「請求のことでちょっと聞きたいんですけど」, then at its order number 「コンビニ払いの手数料っていくらでしたっけ」:
        # the question the topic led to is a general one, no order of the caller's in it
        return Answer(said.faq)
    return None


_OWN_UNPAID = re.compile(r"(まだ|未だ)[^。?？]{0,4}(払|はら|支払|しはら|入金|にゅうきん|振り込|ふりこ)|"
                         r"(支払い|しはらい|払い込み|入金|にゅうきん|振り込み|振込|ふりこみ)(が|は|も)?(まだ|未だ)|"
                         r"(払|はら|支払|しはら|振り込|ふりこ)って(い)?(ない|ません|へん|ねえ)|未払い|未入金|払い忘れ|はらいわすれ|"
                         # 「コンビニ払いの支払いってまだ間に合いますか」: the caller's own payment, still due
                         r"(支払|しはら|払い込み|振り込み|振込|入金)[^。?？]{0,6}(間に合|まにあ)")
# the amount of the caller's own order, asked to be reminded of (「コンビニ払いにした注文、支払い金額っていくら
# でしたっけ」): looked up, not the fee the knowledge base states (「送料っていくらだったっけ」 has no order in it)
_OWN_AMOUNT_RECALLED = re.compile(
    r"(注文|ちゅうもん|頼んだ|たのんだ|買った|かった|購入した)[^。?？]{0,16}(金額|きんがく|代金|だいきん|いくら|なんぼ)[^。?？]{0,10}"
    r"(でしたっけ|だったっけ|だっけ|やったっけ|やっけ|でしたか|だったか|やったか|だったべ|だったの|だったん)")
# a charge made to the caller (「カードから4,980円引き落とされているのですが、合っておりますでしょうか」「いちまんにせんえん
# せいきゅうされてるんですけど なんのだいきんか」): their own bill, which the billing flow looks up, not a fee the
# knowledge base states
_OWN_CHARGE = re.compile(
    r"(引き落とされ|引き落とし(が|に)|ひきおとされ|請求され|せいきゅうされ|請求が(来|き|届)|せいきゅうが(き|とど)|引かれ|ひかれ"
    r"|決済され|けっさいされ|課金され|かきんされ|二重|にじゅう|二回|2回|にかい)")
# requests the classifier often files FAQ questions under (see FaqIndex); a sure hit answers them
# asked, though not as a question (when the classifier is unsure, or hears a request of the knowledge base's kind;
# 「もう一回持ってきてもらえるのかしら」 is a redelivery asked for): a belief checked (「…かからないんでしたよね」「…という認識でよろしかったでしょうか」),
# a worry (「今からでも間に合うのか心配で」), a business request to be told (「ご教示ください」)
_ASKS_ALL_THE_SAME = re.compile(r"よね|でしたっけ|だっけ|かしら|認識で|(のか|か)(どうか)?[、\s]*(心配|しんぱい|不安|ふあん|気になって)|"
                                r"ご教示|ごきょうじ|教えていただけ")
_FAQ_LIKE = frozenset({"billing_inquiry", "return_exchange", "out_of_scope"})
_SURE_COVERAGE = 0.8
# a question of how to do or get something (どうすればもらえますか, どうやって, どこで, 方法は)
# an order of the caller's named (its bill is the billing flow's to look up)
_OF_AN_ORDER = re.compile(r"注文|ちゅうもん|荷物|にもつ|商品|しょうひん|変え|かえ|変更|へんこう")
_HOW_TO = re.compile(r"(どうすれば|どうしたら|どないしたら|どうやったら|どうやって|どのように|どこで|どこから|方法|ほうほう|やり方|やりかた)")


_AMOUNT_ASKED = re.compile(r"(金額|きんがく|代金|だいきん|お?値段|おねだん|ねだん)[^。?？]{0,6}(いくら|なんぼ|なんぼう|教え|おしえ|確認|かくにん)|"
                           r"(いくら|なんぼ)(だった|やった|でした)")


def _own_bill(text: str) -> bool:
    """The caller's own order's money (unpaid, an amount recalled, a charge made): the billing flow looks it up,
    not the general fee the knowledge base states."""
    return bool(_OWN_UNPAID.search(text) or _OWN_AMOUNT_RECALLED.search(text) or _OWN_CHARGE.search(text))


# the answer asked to be said again (もういっかい いってもらえます, 聞き取れなくて), not a thing done again (もう一度配達)
_SAY_AGAIN = re.compile(r"(もう|も)(一|いち|いっ|1)?(度|回|かい|ぺん|遍)[、\s]*(言|い|おっしゃ)って|聞き取れ|ききとれ|"
                        r"聞こえな|きこえな|繰り返|くりかえ")
# 「配送業者どこって言いました？」「いつって言った？」: a part of the answer just given, asked again
_WHAT_WAS_SAID = re.compile(r"(何|なに|なん|どこ|いつ|誰|だれ|いくら|何時|なんじ|何日|なんにち)(って|と)[、\s]*"
                            r"((言|い|おっしゃ)(いました|った|われました|ってました|うた|いよった)|[?？]+\s*$)")
# a turn that signs off at its end (「教えてくださってありがとうございました」「なんもなんも、わかったわ。したっけ」
# (Hokkaido: bye), 「ほなまた」): with no request in it, the call is over
_SIGNS_OFF = re.compile(r"(ありがと(う)?(ございま(す|した))?|おおきに|失礼(いた)?しま(す|した)|しつれい(いた)?します|さよう?なら|"
                        r"(^|[、。\s])(したっけ|ほなまた|ほなね|ほんじゃね|またね))[ねえー〜]*[。!！\s]*$")


# a turn that trails off on a word that leads into more (じゃあ, あと, それと, そうだ) and a pause: unfinished
_MORE_TO_COME = re.compile(r"(じゃあ|じゃ|では|あと|それと|それから|そうだ|そうそう|ついでに|あの|えっと|えーと)[ー〜]*(…|\.\.\.|‥|・・・)+\s*$")


# a value of the request just served, said wrong (「ちゃうちゃう、ケトルやのうてイヤホンのほうや。いちにさんよん…」
# 「あら、札幌じゃなかったわ、梅田のお店」): the words that take it back
_SERVED_WRONG = re.compile(r"(じゃなくて|ではなくて|じゃなく|やなくて|やのうて|じゃのうて|でなくて|じゃなかった|ではなかった|"
                           r"やなかった|ちゃう|ちゃいます|ちがう|違う|違います|ちがいます|間違え|まちがえ)")
_SERVED_VALUES = ("order_id", "store", "product", "date")


def _served_again_for(said: _Said, q: Question) -> Request | None:
    """The request just served, asked again with the values said after the words that take one back."""
    if q.last_intent is None or q.last_intent not in q.routable or words.QUESTION.search(said.parse.normalized):
        return None
    other = _request(said, q)
    if other is not None and other.intent != q.last_intent and not other.clarify:
        return None  # 「いえ、違います。キャンセルしたいんです。23456789です」: another request, said plainly
    wrong = next(reversed(list(_SERVED_WRONG.finditer(said.parse.text))), None)  # the last taking back
    if wrong is None:
        return None
    after = {e.type: e.value for e in sorted(said.parse.entities, key=lambda e: e.start)
             if e.start >= wrong.end() and e.type in _SERVED_VALUES}
    return Request(q.last_intent, after) if after else None


def _at_anything_else(said: _Said, q: Question) -> Action:
    parse = said.parse
    text = parse.normalized
    command = _commands(parse)
    if command is not None:
        return command
    if (again := _served_again_for(said, q)) is not None:
        return again  # (see _SERVED_WRONG)
    if _MORE_TO_COME.search(parse.text):
        return Simple("hesitate")  # 「了解です、じゃあ…」「あ、あと…」: something else is coming; not a goodbye
    if words.only_closing(text) or (_ALL_THEN_THANKS.search(text) and not words.QUESTION.search(text)):
        # 「なんもないです」「もう用はないです」: a closing, before a knowledge-base hit or a misread request; 「まあまあ
        # ありがとうございます ヤマトさん ね たすかりました それだけです ありがとうございました」 ends on one too
        return Simple("end")
    if q.served and words.WHAT_NOW.fullmatch(text):
        return Simple("repeat")  # 「ほな、どないしたらええの？」 after 「キャンセルは承れません…返品を」: the answer again
    if q.served and _WHAT_WAS_SAID.search(text):
        return Simple("repeat")
    follow_up = _follow_up(said, q)
    if follow_up is not None:
        return follow_up
    if q.last_intent is not None and _SAY_AGAIN.search(text):
        request = _request(said, q)
        if request is not None and request.intent == q.last_intent:
            # 「え もういっかい いってもらえます なんじまで でしたっけ」 after the hours were told: the answer again,
            # heard as a repeat (the words of the question only name what was said)
            return Simple("repeat")
    answer = _faq_answer(said, q)
    if answer is not None:
        return answer
    request = _request(said, q)
    if request is not None:
        return request
    if (_SIGNS_OFF.search(text) or _THAT_IS_ALL.search(text)) and not words.MORE_TO_ASK.search(text):
        return Simple("end")  # (「じゃあ別の荷物かな…わかりました、以上です」: a musing, then done)
    if _BARE_YES.fullmatch(text):
        if _DOUBLED_YES.fullmatch(parse.text.strip()) or _DRAWN_YES.fullmatch(parse.text.strip()):
            # 「はいはい」 (normalised to one はい): an elderly caller's "yes, yes, I see" to the answer just given,
            # more often than "there is more": asked, never assumed
            return Simple("confirm_end")
        return Yes()  # 「はい」 to 「ほかにご用件はございますか」: there is something more (no backchannel here)
    if words.only_hesitation(text):
        return Simple("hesitate")
    if _distress(parse):
        return Simple("distress")
    if ((words.HEDGE.search(text) or words.ACKNOWLEDGE.fullmatch(words.bare(text))
         or words.SIGH.fullmatch(_last_sentence_of(text))) and not words.MORE_TO_ASK.search(text)):
        # 「たぶん大丈夫…かな」「なるほど、おけ」: perhaps done; asked, never assumed. A sigh said last closes what came
        # before it (「えっ、十二月まで入らへんの？ 殺す気かいな、もう…まあ、しゃあないな」: no question left)
        return Simple("confirm_end")
    if words.MORE_TO_ASK.search(text) or (words.QUESTION.search(text) and not words.FINISHED.search(text)):
        if words.ONLY_MORE_TO_ASK.fullmatch(text):
            return Yes()  # 「あとひとつ聞いてもいいですか」: the request comes next
        if said.rest is not None and (after := _request_in(said.rest, said, q)) is not None and not after.clarify:
            return after  # 「なかです、どうも。…もう一個だけ、札幌店は駐車場あっとですか」: asked after the closing
        unsure = _unsure_request(said, q)
        return unsure if unsure is not None else Yes()
    intent = _confident(parse)
    if words.FINISHED.search(text) or intent in ("deny", "thanks", "goodbye") or words.NO.match(text):
        return Simple("end")
    if intent == "affirm" or words.YES.match(text):
        return Yes()
    if sum(r.confidence for r in parse.ranking if r.name in ("deny", "thanks", "goodbye")) >= CONFIDENT:
        return Simple("end")
    if _RESTATED.search(text) and not _NEGATED.search(text):
        # 「ほな返品でええわ」 after a cancellation that could not be done: a request named with で, asked about
        # when the classifier leans to it without being sure
        unsure = _unsure_request(said, q)
        if unsure is not None:
            return unsure
    return _common(said, q)


def _at_free(said: _Said, q: Question) -> Action:
    parse = said.parse
    command = _commands(parse)
    if command is not None:
        return command
    if isinstance(q.awaiting, AwaitMenu):
        key = words.menu_key(parse.normalized)
        if key is not None and key in q.menu_keys:
            return MenuChoice(key)
    hinted = [q.suggests[etype] for etype in said.prefill if etype in q.suggests and q.suggests[etype] in q.routable]
    if hinted and _only_values(parse):
        # 「12345678」 alone: the request it hints at is asked about, whatever a retrained model makes of it
        return Request(hinted[0], said.prefill, clarify=True, hinted=True)
    answer = _faq_answer(said, q)
    if answer is not None:
        return answer
    if words.PREAMBLE.match(parse.normalized) and not said.prefill:
        return Simple("greet")  # 「ちょっとお聞きしたいことが…」「注文のことで」: 「どのようなご用件でしょうか」
    if (words.ASK_FOR_ENGLISH.search(parse.normalized) or "limited_japanese" in parse.flags) and _request(said, q) is None:
        # "do you speak English?", 「日本語わかりません」: the call goes on in English (signals), asked what for; a
        # request said with it ("can i speak english i want to check my order") is asked about, not dropped
        unsure = _unsure_request(said, q)
        return unsure if unsure is not None else Simple("greet")
    if words.WRONG_NUMBER.search(parse.normalized) and not said.prefill and _request(said, q) is None:
        return Simple("end")  # 「すみません、間違えました」 to 「ご用件をお話しください」: a wrong number
    if words.SENT_TO_CALL.search(parse.normalized) and not said.prefill and _request(said, q) is None:
        return Simple("hesitate")  # 「孫に言われて電話したんだけど」: gently, slower, with the keypad and a person offered
    if q.served and words.only_closing(parse.normalized) and not said.prefill:
        # 「なんもなかです」 (Kyushu: nothing) once served, read as a complaint (0.65): a closing, before any request;
        # said outright (「以上です」「ほな、ありがとう」) it ends, else the end is asked
        done = _closing(parse) or Simple("confirm_end")
        sure = (_THAT_IS_ALL.search(parse.normalized) or words.LEAVING.match(parse.normalized)
                or _ALL_THEN_THANKS.search(parse.normalized) or _EN_THAT_IS_ALL.search(parse.normalized))
        return Simple("end") if done.kind == "confirm_end" and sure else done
    if (not q.served and _THAT_IS_ALL.search(parse.normalized) and words.only_closing(parse.normalized)
            and not said.prefill and not words.NOT_SOLVED.search(parse.normalized)):
        # 「そういうことなんですね。わかりました、以上です」 after 「うまく理解できませんでした」: the caller is done (they
        # found their answer, or gave up); asked to say it again a third time, they would hang up
        return Simple("end")
    changed_mind = said.rest is not None and _NOT_THIS.search(parse.normalized) is not None and _sure(said.rest)
    # an English caller's wish clause, read alone, needs only to be confident: the rest is greeting and story
    point_settles = said.point is not None and (
        _sure(said.point) or (mostly_latin(parse.text) and _confident(said.point) is not None))
    if (parse.ambiguous and len(parse.ranking) > 1 and not point_settles
            and not changed_mind and not _distress(parse)):
        # a close call between two requests is asked about; not when the caller changed their mind and said
        # the new request plainly (「オペレーター…あ、やっぱり自分でやります。再配達を」), nor in distress (a person)
        top, second = parse.ranking[0], parse.ranking[1]
        if (redelivery := _request_in(parse, said, q)) is not None and redelivery.intent == "delivery_change":
            return redelivery  # 「荷物ば届け直してほしいんだげんど」: status or change? the words say a delivery again
        if (redelivery is not None and redelivery.intent == top.name == "order_status" and not redelivery.clarify
                and ORDER_ID in said.prefill and _ORDER_CHECKED.search(parse.normalized)):
            return redelivery  # 「34567890の注文について確認したいです」: its number, to be looked at
        if top.confidence >= CLARIFY_FLOOR and top.name in q.routable and _stock_of_a_product(said, top.name):
            return Request(top.name, said.prefill)  # (see _stock_of_a_product)
        if top.confidence >= CLARIFY_FLOOR and top.name in q.routable and second.name in q.routable:
            return Request(top.name, said.prefill, clarify=True)
    request = _request(said, q)
    if request is not None:
        return request
    if words.TOPIC_PREAMBLE.match(parse.normalized) and not said.prefill:
        # 「先日の注文の件で確認したいことがあるんですけど」: a topic named, the request to come: the classifier's
        # first reading, however faint, is asked about (「ご注文の…でしょうか」), never 「聞き取れませんでした」
        first = parse.ranking[0] if parse.ranking else None
        if (first is not None and first.name in q.routable and first.name not in CONVERSATION
                and first.confidence >= TOPIC_FLOOR):
            return Request(first.name, said.prefill, clarify=True)
        return Simple("greet")
    if _distress(parse) and not _hospital_told_calmly(parse):
        return Simple("distress")
    intent = _confident(parse)
    if intent == "greet":
        return Simple("greet")
    if intent == "thanks" and not words.QUESTION.search(parse.normalized):
        return Simple("thanks")
    if q.served and isinstance(q.awaiting, AwaitFree) and _BARE_YES.fullmatch(parse.normalized):
        return Simple("confirm_end")  # a bare 「はい」 again to 「ご用件をお聞かせください」 once served: done?
    closing = _closing(parse)
    if closing is None and q.served and words.only_closing(parse.normalized):
        closing = Simple("confirm_end")  # 「ねえ」 (Tohoku: nothing) once served is a closing before it is a filler
    if words.only_hesitation(parse.normalized) and not (q.served and closing is not None):
        return Simple("hesitate")
    if closing is not None:
        return closing
    unsure = _unsure_request(said, q)
    if unsure is not None:
        return unsure
    if hinted and "delivery_change" in q.routable and _DELIVER_AGAIN.search(parse.normalized):
        # 「…ばんごうが いちにさんよん… わしが おらんかってのう もういっぺん もってきてもらいたいんじゃ」 (repeat 0.33):
        # the order's number and a delivery made again, in so many words
        return Request("delivery_change", said.prefill)
    if hinted:
        # all the bot understood is an order number, a product, a store: ask about the request it hints at, or
        # about the classifier's first reading where it leans there more than to the hint (「ポットを買ったんですけど
        # …返したいんですよ」: a kettle hints at stock, the words at a return)
        first = parse.ranking[0] if parse.ranking else None
        lean = {r.name: r.confidence for r in parse.ranking}
        if (first is not None and first.name in q.routable and first.name not in CONVERSATION
                and first.name not in hinted and first.confidence > max(lean.get(h, 0.0) for h in hinted)):
            return Request(first.name, said.prefill, clarify=True)
        return Request(hinted[0], said.prefill, clarify=True)
    if intent in ("affirm", "deny"):
        # 「はい」 again to 「どのようなご用件でしょうか」 after a request was served: perhaps done; asked, never looped
        return Simple("confirm_end") if q.served and isinstance(q.awaiting, AwaitFree) else Simple("greet")
    return _unclear(parse)
