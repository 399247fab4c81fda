"""The NLU pipeline: normalise -> tokenise -> features -> intent, entities, emotion, harassment.

Synchronous and fast (well under a millisecond): callers run it inline on the event loop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from nlu import features, signals, word_clusters
from nlu.dialect import standard_form
from nlu.entities import Lexicon, default_lexicon, extract_entities
from nlu.entities.english import english_entities
from nlu.entities.lexicon import DEFAULT_PATH as DEFAULT_LEXICON
from nlu.entities.lexicon import lexicon_at
from nlu.foreign_requests import CONFIDENCE as FOREIGN_CONFIDENCE
from nlu.foreign_requests import foreign_request
from nlu.kana_lines import read_as_kana
from nlu.language import detect_language, latin_only
from nlu.linear import JointScorer
from nlu.model import ModelBundle, ModelError
from nlu.normalize import normalize
from nlu.tokenizer import tokenize, warm_up
from nlu.transformer.text import fold_digits
from nlu.types import (
    EMOTION_LABELS,
    Emotion,
    EmotionLabel,
    Harassment,
    HarassmentKind,
    IntentScore,
    Normalized,
    Parse,
    Token,
)

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_CHARS = 2000  # a caller's turn; beyond this is not speech, and costs grow with length
OUT_OF_SCOPE = "out_of_scope"
_JAPANESE_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]{2,}")
SERVED_LANGUAGES = frozenset({"ja", "en"})  # the languages the heads learnt
# a turn read as another language this surely is that language's (romaji is read as Tagalog or French at 0.3-0.55)
FOREIGN_REQUEST_CONFIDENCE = 0.6
# a short turn with no word from the カスハラ lexicon gives the classifier a handful of n-grams to go on
# (「だから あれだって」): abuse that short names its word (バーカ, 殺すぞ), so ask for more evidence
SHORT_CHARS = 10
SHORT_UNLISTED_THRESHOLD = 0.7
# a routine request the intent head is this sure of needs a surer harassment score (see _plainly_routine)
ROUTINE_INTENT_CONFIDENCE = 0.75
ROUTINE_HARASSMENT_THRESHOLD = 0.6
# whether a person is there, asked in honorifics (人の方いらっしゃいますか), with no word of the lexicon: a surer score
POLITE_PERSON_THRESHOLD = 0.9
_POLITE_ASK = re.compile(r"(人|ひと|担当|たんとう|係|かかり|オペレーター)[^。、]{0,6}(いらっしゃ|おられ|おりますか|おらんの|おらへん)")
# a turn in kana only (a recogniser's transcript) with no word of the カスハラ lexicon (see the harassment check)
KANA_UNLISTED_THRESHOLD = 0.6
# a sentence of a longer turn read on its own for anger (`_angriest_sentence`): its least length, and the anger it
# must reach alone to speak for the turn
ANGRY_SENTENCE_CHARS = 6
ANGRY_SENTENCE = 0.85
ANGRY_LAST = 0.3  # ... unless the turn ends calmly asking, politely (a last sentence below this anger)
_POLITE_QUESTION = re.compile(r"(ですか|ますか|でしょうか|ませんか|ますでしょうか)$")
_EXCLAIMED = re.compile(r"([^。！？!?]+)[！!]")
_SENTENCE_END = re.compile(r"[。！？!?]+")
_KANA_ONLY = re.compile(r"[\u3040-\u30ff\s、。,.!?！？ー0-9]+")
# intents whose lines harassment never reads as: demands look like operator/callback requests, abuse like
# complaints or nothing the shop does
_NOT_ROUTINE = frozenset({"complaint", "out_of_scope", "operator_request", "callback_request"})
# 土下座 demanded is harassment however politely it is put (SPEC 6 names it): 「責任者の方に土下座していただきたく
# 存じます」 reads calm to the classifier, whose polite training lines are nearly all legitimate. A caller's own
# 「土下座してでもお願いしたい」 (begging) is not a demand
# 「土下座してるみたいなポーズの」 describes a figure, it demands nothing
_PROSTRATION_DEMANDED = re.compile(
    r"(土下座|どげざ|ドゲザ)(?!してでも|したい|します|しました|(して(い)?る|しとる)?(みたいな|ような|ポーズ|格好|かっこう|姿の))(し|せ|さ|で|を|に来|しに)")

# abusive words quoted and disowned: 「「土下座しろ」とまでは言いませんけど」「バカとは言いませんが」
_DISCLAIMED = re.compile(r"[「『]?[^「」『』、。]{1,16}[」』]?[、\s]*(と|とまで|までと|なんて)(は|も)?[、\s]*(言|い|申|もう)(いません|わない|わへん|わん|しません|わんけど)")

# a line quoted from an e-mail or an earlier message: 「> ご注文番号 23456789」「＞送料 550円」
_QUOTED = re.compile(r"^\s*[>＞»]")

# 「死ね」 told to someone is an insult wherever it stands in the line, and surrounding words (まじで, クソ対応)
# must not talk the head out of it. Only the imperative: 「死ねば楽になる」 and 「死にたい」 are a caller's own
# despair (a person's care, not a harassment warning); 「しねえ」 is dialect for しない
_DEATH_WISH_SURFACES = frozenset({"死ね", "死ねよ", "死ねや", "しね", "しねよ", "しねや"})
_DEATH_WISH_TEXT = re.compile(r"死んで(くれ|しまえ|ちまえ)|死んじまえ|氏ね|タヒね")

# a veiled threat in keigo (「身の安全をよくお考えになったほうが」「夜道にはお気をつけくださいませ」) reads calm to
# the classifier; SPEC 6 and the answers notes name it a threat. A caller's own worry (「子どもの身の安全が心配」)
# names no warning, and is not one
_THREAT_VEILED = re.compile(
    r"身の安全[をはも]?[^。、]{0,6}(考え|かんがえ|気をつけ|気を付け|きをつけ|保証|知りません|しりません)"
    r"|夜道[にはも]*(お)?(気をつけ|気を付け|きをつけ)"
    # the staff's comings and goings known (「スタッフの方々の退勤時間は、だいたい把握しておりますので」)
    r"|(退勤|出勤|帰宅|お帰り|おかえり|上がり)(の)?(時間|時刻|じかん)[はもを]?[^。]{0,12}(把握|はあく|知って|しって|存じ|わかって|分かって|調べ)"
    r"|(ご)?家族[がのはも]*(どうなって|ご無事|無事で)[^。]{0,8}(知りません|しりません|いいん|ええん|済む|すむ|いられ|おられ)"
    # violence promised in dialect, with the ending that aims it at the listener (「ぶちくらわすど」 Hiroshima,
    # 「ぶったたぐぞ」 Tohoku, 「いてこますぞ」 Kansai, 「ぼてくりまわすぞ」 Hakata): 殺す気ですか is no such ending
    r"|(くらわす|くらわし|ぶちくらわ|いてこま|いてまう|ぶったた|ぶったたぐ|ぶっ叩|しばく|しばいたろ|しばきたお|しばきまわ|"
    r"どつく|どついたろ|どつきまわ|ぶち殺|ぶっ殺|ぶっころ|ぼてくりまわ|ぶちのめ|ぶん殴|ぶんなぐ|はったおす|はっ倒す|"
    r"たたっ殺|ぶちまわ)"
    r"(す|く|ぐ|か)?(ぞ|ど|ぜ|ちゃる|ちゃろか|ちゃるけ|けえの|けぇの|たろか|たろ|ぞこら|どこら|んぞ|んど)"
)

# a short English answer (「this friday」「this evening」「yes please」) lies outside what the emotion head learnt
# from (its English lines are nearly all abuse): with no word of anger or abuse, its anger reading is not trusted
SHORT_ENGLISH_WORDS = 4
_EN_ANGER = re.compile(
    r"\b(angry|furious|mad|ridiculous|unacceptable|outrageous|terrible|awful|worst|useless|pathetic|disgusting|"
    r"sick of|fed up|enough|seriously|again|still|never|hate|damn|hell|wtf|joke)\b|!", re.IGNORECASE)


# a typed laugh (「殺す気ですかｗ」「まだ来ないんですけど笑」「(笑)」): exasperation said as a joke, not the strong anger
# the words alone read as (0.81 -> a transfer for emotion); abuse with a laugh is still abuse (the harassment head
# does not look at this)
_LAUGH = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff?!])w+(?![A-Za-z])|\(笑\)|(?<!微)笑(?=[\s、。,.!?]|$)|草$")
LAUGH_ANGER_FACTOR = 0.6


def _laughed_off(emotion: Emotion) -> Emotion:
    scores = dict(emotion.scores)
    damped = scores.get("anger", 0.0) * LAUGH_ANGER_FACTOR
    scores["neutral"] = scores.get("neutral", 0.0) + scores.get("anger", 0.0) - damped
    scores["anger"] = damped
    best = max(scores, key=lambda label: scores[label])
    return Emotion(best, scores[best], scores)  # type: ignore[arg-type]


def _calm_english_answer(text: str, feats: Sequence[str]) -> bool:
    return (len(text.split()) <= SHORT_ENGLISH_WORDS and not _EN_ANGER.search(text)
            and not any(f.startswith("hx") for f in feats))


def _calmed(emotion: Emotion) -> Emotion:
    scores = dict(emotion.scores)
    scores["neutral"] = scores.get("neutral", 0.0) + scores.get("anger", 0.0)
    scores["anger"] = 0.0
    return Emotion("neutral", scores["neutral"], scores)


# where a turn's clauses part: punctuation, and 「…けど」「…のに」 that join a complaint to what follows
_CLAUSE_SPLIT = re.compile(r"[、。,.!?！？\s]+|(?<=けど)|(?<=けれど)|(?<=のに)")


_OBJECT_CUES = frozenset({"hxc:simile", "hxc:obj+insult", "hxc:obj+simile"})
# a clause that ends in calling someone a name: 「…使えねえなバカ」「…このクズが」「アホか」
# digits, a space, then a number in kanji (「12345678 三日後の…」): the normaliser drops the space and the kanji
# becomes a ninth digit; a pause of the same length keeps them apart (the offsets stay those of the text)
_DIGITS_THEN_KANJI_NUMBER = re.compile(r"(?<=[0-9０-９])[ 　]+(?=[〇一二三四五六七八九十])")


def _apart(text: str) -> str:
    return _DIGITS_THEN_KANJI_NUMBER.sub(lambda m: "、" * len(m.group()), text)


_NAME_CALLING_WORDS = (
    r"((馬鹿|ばか|バカ|阿呆|あほ|アホ|ボケ|ぼけ|カス|クズ|くず|無能|役立たず|間抜け|まぬけ|マヌケ|たわけ|タワケ|戯け|どあほ|ドアホ"
    # slow-witted, and Hiroshima's "you bastard" (「このノロマども」「なにしよんなら、おどりゃ」)
    r"|ノロマ|のろま|鈍間|ろくでなし|ロクデナシ|おどりゃ|おどりゃあ|おんどりゃ|おんどれ)"
    # ゴミ and ポンコツ name things as often as people (届いた商品、ほんとゴミ): only with a "you"
    r"|(お前|おまえ|あんた|てめえ|テメエ|てめー|貴様|きさま|おたく|そっち)[^、。]{0,8}(ゴミ|ごみ|ポンコツ)"
    # useless, said of the agent: 「注文の確認したいんだけど、お前ほんと使えねえな」 (the request drowned it: 0.12)
    r"|(お前|おまえ|あんた|てめえ|テメエ|てめー|貴様|きさま)[^、。]{0,8}(使えねえ|使えねー|使えない|つかえねえ|つかえない|"
    r"役に立たねえ|役に立たない)"
    # the company sworn at: 「この くそがいしゃが」
    r"|(くそ|クソ|糞)[ 、]*(会社|がいしゃ|かいしゃ|ガイシャ|野郎|やろう|ヤロウ|ばばあ|ババア|じじい|ジジイ|店|みせ))"
)
_NAME_CALLING = re.compile(_NAME_CALLING_WORDS + r"(か|が|め|やな|やろ|だな|だろ|ども|野郎|やろう|な|なあ|わ|よ)?[!！ー〜~]*$")
# one of those names anywhere in the turn: its clauses are then read one by one (「なにしよんなら、おどりゃ。ケトル…」)
_NAME_CALLED_SOMEWHERE = re.compile(_NAME_CALLING_WORDS)


def _listed_abuse(feats: Sequence[str]) -> bool:
    """A word of the カスハラ lexicon is in the turn ("you" alone lists none)."""
    return any(f.startswith("hx:") and f != "hx:english_second_person" for f in feats)


class _Linear(NamedTuple):
    """One utterance after the linear pass: what the cascade and the result are built from."""

    original: str
    norm: Normalized
    tokens: tuple[Token, ...]
    feats: list[str]
    probs: dict[str, npt.NDArray[np.float64]]
    empty: bool  # nothing to classify: out_of_scope without asking anyone


class NLU:
    def __init__(self, model: ModelBundle, lexicon: Lexicon | None = None, *,
                 lexicon_source: Path | None = None) -> None:
        self.model = model
        self.lexicon = lexicon or default_lexicon()
        # the file the store and product names were read from (`load`), which hot reload watches; None: given
        # in code
        self.lexicon_source = lexicon_source
        self.scorer = JointScorer({"intent": model.intent, "emotion": model.emotion, "harassment": model.harassment})
        self.transformer = model.transformer
        self.clusters = word_clusters.load() if model.metadata.get("word_clusters") else None
        self._to_linear_order: list[int] = []
        if self.transformer is not None:
            names = self.transformer.labels["intent"]
            if set(names) != set(model.intent.labels):
                raise ModelError("the transformer and the linear intent head know different intents")
            self._to_linear_order = [names.index(label) for label in model.intent.labels]
        warm_up()

    @staticmethod
    def load(model_dir: Path | None = None, lexicon: Path | None = None) -> NLU:
        """The model in `model_dir` (the sample bot's by default) with the store and product names of the
        lexicon file `lexicon` (`lexicon_at`: the sample bot's when None, none when the file is not there)."""
        names = lexicon_at(lexicon)  # a bad file is refused before the model is read
        return NLU(ModelBundle.load(model_dir), names, lexicon_source=lexicon or DEFAULT_LEXICON)

    def use_lexicon(self, lexicon: Lexicon) -> None:
        """Swap in new store and product names (a designer's edit, read and checked by the caller): every
        parse from now on uses them; one already running finishes with the names it started with. In place,
        so every holder of this NLU (the per-process cache, each dialogue manager) sees the same names."""
        self.lexicon = lexicon

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        return self.parse_batch([text], now)[0]

    def parse_batch(self, texts: Sequence[str], now: datetime | None = None) -> list[Parse]:
        """Several utterances at once: the linear heads answer those they are sure of, and the transformer
        (when the model has one) takes the rest in one batch."""
        now = now or datetime.now(TOKYO)
        lexicon = self.lexicon  # one set of names for the whole batch, even if `use_lexicon` swaps them now
        stages = [self._linear(text) for text in texts]
        intents = [self._in_standard_form(self._own_words(stage)) for stage in stages]
        if self.transformer is not None:
            cascade = self.transformer.cascade
            unsure = [i for i, st in enumerate(stages)
                      if not st.empty and float(st.probs["intent"].max()) < cascade.threshold]
            if unsure:
                asked = self.transformer.predict([fold_digits(stages[i].norm.text) for i in unsure])["intent"]
                for row, i in enumerate(unsure):
                    theirs = asked[row][self._to_linear_order].astype(np.float64)
                    intents[i] = cascade.weight * theirs + (1.0 - cascade.weight) * intents[i]
        return [self._result(stage, probs, now, lexicon) for stage, probs in zip(stages, intents, strict=True)]

    def _own_words(self, stage: _Linear) -> _Linear:
        """A chat message that quotes an e-mail (「下の注文をキャンセルしたいです」 above 「> お支払い合計 5,530円」):
        the request is in the writer's own lines; the quoted ones (prices, 送料, お届け予定) would make it a
        billing question. Their values still count: entities are read from the whole message."""
        lines = stage.original.splitlines()
        own = [line for line in lines if not _QUOTED.match(line)]
        if len(own) == len(lines) or not any(line.strip() for line in own):
            return stage
        return self._linear("\n".join(own))

    def _in_standard_form(self, stage: _Linear) -> npt.NDArray[np.float64]:
        """The intent reading of the turn in standard form (「頼みてえ」 -> 頼みたい, nlu/dialect.py): the heads
        learnt few regional endings, and the request is the same. Entities, emotion and abuse keep the words."""
        standard = standard_form(stage.norm.text)
        if standard == stage.norm.text or stage.empty:
            return stage.probs["intent"]
        return self._heads(standard)["intent"]

    def _linear(self, text: str) -> _Linear:
        norm = read_as_kana(normalize(_apart(text[:MAX_CHARS])))
        tokens = tokenize(norm.text)
        feats = features.extract(norm.text, tokens, self.clusters)
        empty = not tokens or not any(ch.isalnum() for ch in norm.text)
        return _Linear(text, norm, tokens, feats, self.scorer.scores(feats), empty)

    def _result(self, stage: _Linear, intent_probs: npt.NDArray[np.float64], now: datetime,
                lexicon: Lexicon) -> Parse:
        norm, tokens, probs = stage.norm, stage.tokens, stage.probs
        ranking: tuple[IntentScore, ...]
        if stage.empty:
            ranking = (IntentScore(OUT_OF_SCOPE, 1.0),)
        else:
            ranking = self._rank(intent_probs)
        language = detect_language(stage.original)
        if language.code not in SERVED_LANGUAGES and language.confidence >= FOREIGN_REQUEST_CONFIDENCE and not stage.empty:
            # the heads read Chinese or Portuguese as noise: the words that name a request say what it is
            request = foreign_request(stage.original)
            ranking = (IntentScore(request, FOREIGN_CONFIDENCE),) if request else (IntentScore(OUT_OF_SCOPE, 1.0),)
        top = ranking[0]
        second = ranking[1].confidence if len(ranking) > 1 else 0.0
        # the Japanese extractors read kana and kanji; a line in another language, or in Latin letters only
        # (romaji proper nouns an English caller says: Shibuya, Umeda), is read by the English ones (issue 14)
        foreign = language.code != "ja" or latin_only(norm.text)
        entities = english_entities(norm, now, lexicon) if foreign else extract_entities(norm, tokens, now, lexicon)
        if language.code == "en" and _JAPANESE_WORD.search(norm.text):
            # 「Can I ask for 再配達 on 明後日, 午前中?」「What time does 渋谷店 open」: the Japanese words an English
            # speaker uses are the values meant; the Japanese extractors read them, and win for their types
            japanese = extract_entities(norm, tokens, now, lexicon)
            kinds = {e.type for e in japanese}
            entities = tuple(sorted([*japanese, *(e for e in entities if e.type not in kinds)], key=lambda e: e.start))
        emotion = self._emotion(self._angriest_sentence(norm.text, probs["emotion"]))
        if language.code == "en" and emotion.label == "anger" and _calm_english_answer(norm.text, stage.feats):
            emotion = _calmed(emotion)
        elif emotion.label == "anger" and _LAUGH.search(norm.text):
            emotion = _laughed_off(emotion)
        # "you" alone is in every other English line ("thank you"): it lists no abuse by itself
        short_unlisted = len(norm.text.replace(" ", "")) <= SHORT_CHARS and not any(
            f.startswith("hx:") and f != "hx:english_second_person" for f in stage.feats)
        harassment = self._harassment(probs["harassment"], short_unlisted)
        if (harassment.detected and harassment.score < KANA_UNLISTED_THRESHOLD and _KANA_ONLY.fullmatch(norm.text)
                and not any(f.startswith("hx") for f in stage.feats)):
            # 「あど ぽいんとって なんぼで いってん つくのっしゃ」 (Tohoku, as a recogniser writes it): kana with no word
            # of the lexicon is far from the lines the head learnt; abuse in kana names its word (しね, ばか)
            harassment = Harassment(False, harassment.score, None)
        if harassment.detected and harassment.score < ROUTINE_HARASSMENT_THRESHOLD and _plainly_routine(top, stage.feats):
            # 「今夜、何時まで店あいてる？」「家まで持ってきてくれるの？助かる」: a request the intent head is sure of,
            # with no listed abuse word, shares only a few words (今夜, 家まで) with harassment lines
            harassment = Harassment(False, harassment.score, None)
        if (harassment.detected and harassment.score < POLITE_PERSON_THRESHOLD and top.name == "operator_request"
                and _POLITE_ASK.search(norm.text) and not _listed_abuse(stage.feats)):
            # 「だれか、人の方いらっしゃらないの？そのほうが安心なんだけど」 (insult 0.86): a person asked for in honorifics,
            # with no word of the lexicon, is an elderly caller's wish; a demand for a superior names its abuse
            harassment = Harassment(False, harassment.score, None)
        # (or a name the tokens split: 「…言っとるがや たわけが」 reads がや|たわけ as やた|わけ)
        if not harassment.detected and (_listed_abuse(stage.feats) or _NAME_CALLED_SOMEWHERE.search(norm.text)):
            harassment = self._abusive_clause(norm.text) or harassment
        # 「「土下座しろ」とまでは言いませんけど、…きちんと謝罪と説明をしていただきたいです」: the words quoted are
        # disowned; what is left is read alone
        disclaimed = _DISCLAIMED.search(norm.text)
        owned = norm.text if disclaimed is None else norm.text[:disclaimed.start()] + norm.text[disclaimed.end():]
        if harassment.detected and disclaimed is not None:
            rest = self._linear(owned)
            alone = self._harassment(rest.probs["harassment"], False)
            if not alone.detected and not _listed_abuse(rest.feats):
                harassment = Harassment(False, alone.score, None)
        flags = signals.flags(norm.text, tokens)
        if "limited_japanese" in flags:
            # 「日本語わかりません」 is the caller's own limit, not the lexicon's insult 「日本語わからないのか」
            harassment = Harassment(False, harassment.score, None)
            if emotion.label == "anger":
                emotion = _calmed(emotion)
        if not harassment.detected and _death_wish(norm.text, tokens):
            harassment = Harassment(True, max(harassment.score, 0.9), "insult")
        elif not harassment.detected and _PROSTRATION_DEMANDED.search(owned):
            harassment = Harassment(True, max(harassment.score, 0.9), "unreasonable_demand")
        elif not harassment.detected and _THREAT_VEILED.search(norm.text):
            harassment = Harassment(True, max(harassment.score, 0.9), "threat")
        return Parse(
            text=stage.original,
            normalized=norm.text,
            tokens=tokens,
            intent=top,
            ranking=ranking,
            entities=entities,
            emotion=emotion,
            harassment=harassment,
            low_confidence=top.confidence < self.model.low_confidence,
            ambiguous=top.confidence - second < self.model.ambiguous_margin,
            flags=flags,
            language=language.code,
            language_confidence=language.confidence,
        )

    def parse_nbest(self, alternatives: Sequence[tuple[str, float]], now: datetime | None = None) -> Parse:
        """Pick the ASR alternative the NLU understands best, weighed by the recogniser's confidence."""
        best: Parse | None = None
        best_score = -1.0
        for text, asr_conf in alternatives:
            parsed = self.parse(text, now)
            understood = 0.0 if parsed.intent.name == OUT_OF_SCOPE else parsed.intent.confidence
            score = understood * (0.5 + 0.5 * max(0.0, min(1.0, asr_conf)))
            if best is None or score > best_score:
                best, best_score = parsed, score
        if best is None:
            return self.parse("", now)
        return best

    def _rank(self, probs: npt.NDArray[np.float64]) -> tuple[IntentScore, ...]:
        model = self.model.intent
        labels = model.labels
        order = probs.argsort()[::-1].tolist()
        values = probs.tolist()
        return tuple([IntentScore(labels[i], values[i]) for i in order])

    def _angriest_sentence(self, text: str, probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The emotion of a turn of several sentences: the whole's, unless one sentence alone is strong anger.
        「ちょっと！注文したイヤホンがまだ届かないんだけど！どうなってんだよ本当に！急いでるって言ったよな！」 reads
        as anxiety 0.40 whole (急いでる), 「どうなってんだよ本当に！」 as anger 0.90 alone: the calm facts around an
        outburst dilute it. Only anger, only a sentence of some length, only when it is strong."""
        labels = self.model.emotion.labels
        if "anger" not in labels:
            return probs
        anger = labels.index("anger")
        sentences = [x for x in _SENTENCE_END.split(text) if len(x.strip()) >= ANGRY_SENTENCE_CHARS]
        # only an exclaimed sentence speaks for the turn: 「あ、届いてからなんですね。」 alone reads anger 0.88 too
        exclaimed = [m.group(1) for m in _EXCLAIMED.finditer(text) if len(m.group(1).strip()) >= ANGRY_SENTENCE_CHARS]
        if len(sentences) < 2 or not exclaimed or probs[anger] >= ANGRY_SENTENCE:
            return probs
        last = sentences[-1].strip()
        if _POLITE_QUESTION.search(last) and self._heads(last)["emotion"][anger] < ANGRY_LAST:
            # 「…殺す気ですかって感じですよ。注文したイヤホンいつ届くんですか」: exasperation, then a calm question;
            # the caller ends asking to be served, not in anger
            return probs
        best = max((self._heads(x)["emotion"] for x in exclaimed), key=lambda scores: float(scores[anger]))
        return best if best[anger] >= ANGRY_SENTENCE else probs

    def _heads(self, text: str) -> dict[str, npt.NDArray[np.float64]]:
        """Every head's reading of a piece of a turn (a sentence, a standard form), tagged on its own."""
        return self.scorer.scores(features.extract(text, tokenize(text), self.clusters))

    def _emotion(self, probs: npt.NDArray[np.float64]) -> Emotion:
        model = self.model.emotion
        scores: dict[str, float] = dict.fromkeys(EMOTION_LABELS, 0.0)
        for label, p in zip(model.labels, probs, strict=True):
            scores[label] = float(p)
        best: EmotionLabel = max(EMOTION_LABELS, key=lambda label: scores[label])
        return Emotion(best, scores[best], scores)

    def _abusive_clause(self, text: str) -> Harassment | None:
        """Name-calling that ends a clause: 「届かねーんだけど、ほんと使えねえなバカ」 reads as an
        angry but legitimate complaint as a whole (the head learnt complaints hard), yet calls the agent バカ.
        Not an insult word about a thing or as emphasis (この商品ゴミ, バカ高い: the lexicon's object cues)."""
        # one clause too: the normaliser drops a recogniser's pause between kana (「…させやがって ふざけんなカス」)
        clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
        for clause in clauses:
            if _NAME_CALLING.search(clause) and not _OBJECT_CUES.intersection(self._linear(clause).feats):
                return Harassment(True, 0.9, "insult")
        return None

    def _harassment(self, probs: npt.NDArray[np.float64], short_unlisted: bool) -> Harassment:
        model = self.model.harassment
        p_none = float(probs[model.labels.index("none")]) if "none" in model.labels else 0.0
        score = 1.0 - p_none
        threshold = self.model.harassment_threshold
        if short_unlisted:
            threshold = max(threshold, SHORT_UNLISTED_THRESHOLD)
        if score < threshold:
            return Harassment(False, score, None)
        kinds = [(float(p), lab) for lab, p in zip(model.labels, probs, strict=True) if lab != "none"]
        kind: HarassmentKind = max(kinds)[1]  # type: ignore[assignment]
        return Harassment(True, score, kind)


def _death_wish(text: str, tokens: Sequence[Token]) -> bool:
    for i, tok in enumerate(tokens):
        if tok.lemma == "死ぬ" and tok.surface in _DEATH_WISH_SURFACES:
            following = tokens[i + 1].surface if i + 1 < len(tokens) else ""
            if following != "ば":
                return True
    return _DEATH_WISH_TEXT.search(text) is not None


def _plainly_routine(top: IntentScore, feats: Sequence[str]) -> bool:
    return (top.name not in _NOT_ROUTINE and top.confidence >= ROUTINE_INTENT_CONFIDENCE
            and not any(f.startswith("hx:") for f in feats))
