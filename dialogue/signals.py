"""Turn the call state and this turn's NLU result into the escalation engine's `Signals`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dialogue import answer_words as words
from dialogue.api import UserTurn
from dialogue.escalation.conditions import kana
from dialogue.escalation.signals import Signals
from dialogue.escalation.trajectory import Trajectory
from dialogue.flow_model import FREE_TEXT
from dialogue.state import AwaitSlot, CallState
from dialogue.turn import Turn
from nlu.features import fold_reading
from nlu.language import mostly_latin
from nlu.signals import reading_of, word_starts
from nlu.types import Emotion, Harassment, Parse

# a turn that gives exactly what the bot asked for (a date, a name, a number) is rarely abuse; short
# answers have few words for the classifier to go on, so only a strong reading counts there
ANSWER_HARASSMENT_FLOOR = 0.8
FURIOUS = 0.8  # anger at which abuse detected in an answer counts whatever its score

# a polite request to delete one's personal data (「私の個人情報をすべて削除してください」) is a privacy right, not
# an excessive demand; the classifier reads such requests near 0.5 as unreasonable_demand. Only that kind, below the
# floor, with a polite request and no order or threat in the turn, is let go (insults and threats stay abuse)
_DATA_DELETION_ASKED = re.compile(
    r"(個人情報|個人データ|登録情報|会員情報|お客様情報|顧客情報)[^。！？!?]{0,12}(削除|消去|抹消)"
    r"(してください|して下さい|していただけ|して頂け|をお願い|願います|いただきたく|頂きたく|を希望)")
_NOT_ASKED_POLITELY = re.compile(r"しろ|せよ|やれ|さもない|訴え|晒|許さ|ふざけ|ぞ(?=[。！!、\s]|$)")


# 「そうですか、残念ですね」 to 「コーヒーメーカーは梅田店のみ在庫がございます」: disappointment, which the emotion head
# reads as sadness as strong as grief (0.84); no reason for a person unless a loss or distress is said too
# 「クリスマスに間に合わないなら、キャンセルしたい」「誕生日に間に合わなかったので返品を」: a date missed is the same
_DISAPPOINTED = re.compile(r"残念|ざんねん|がっかり|ガッカリ|惜しい|おしい|しょうがない|仕方ない|しかたない|しゃあない|しゃーない|"
                           + words.MISSED_DATE.pattern)
DISAPPOINTED_SADNESS = 0.5


def _as_heard(emotion: Emotion, text: str, hardship_told: bool = False, routine_request: bool = False) -> Emotion:
    """The emotion the escalation rules see: sadness capped at DISAPPOINTED_SADNESS in a turn that only says it
    is disappointed, that tells a hardship as the background of a request the dialogue serves (the sadness
    is the loss's, 0.85-0.9 for 「主人が亡くなってから…札幌のお店はどこに」, not a caller in distress), or that asks
    for a routine request with no grief or distress in its words (「先方がもう同じものを頂いたそうで、不要になって
    しまいまして」 reads as sadness 0.8+: a cancellation, told ruefully)."""
    if emotion.label != "sadness" or emotion.score <= DISAPPOINTED_SADNESS:
        return emotion
    troubled = words.GRIEF.search(text) or words.DISTRESS.search(text)
    if not (hardship_told or (not troubled and (routine_request or _DISAPPOINTED.search(text)))):
        return emotion
    scores = {**emotion.scores, "sadness": DISAPPOINTED_SADNESS}
    scores["neutral"] = scores.get("neutral", 0.0) + emotion.score - DISAPPOINTED_SADNESS
    best = max(scores, key=lambda label: scores[label])
    return Emotion(best, scores[best], scores)  # type: ignore[arg-type]


def emotion_reading(parse: Parse, turn: UserTurn) -> dict[str, Any]:
    return {
        "label": parse.emotion.label,
        "score": round(parse.emotion.score, 4),
        "scores": {k: round(v, 4) for k, v in parse.emotion.scores.items()},
        "failed": False,
        "repetition": "repetition_complaint" in parse.flags,
        "interrupted": turn.interrupted,
        "asr": turn.asr_confidence,
    }


def trajectory(readings: Iterable[Mapping[str, Any]]) -> Trajectory:
    """Rebuilt from the kept per-turn readings: cheap, and nothing but JSON lives in the state."""
    traj = Trajectory()
    for e in readings:
        emotion = Emotion(e["label"], e["score"], dict(e["scores"]))
        traj = traj.update(
            emotion,
            failed=bool(e.get("failed")),
            repetition=bool(e.get("repetition")),
            interrupted=bool(e.get("interrupted")),
            asr_confidence=e.get("asr"),
        )
    return traj


SURE_ABUSE = 0.8  # above this the harassment head is believed whatever else the turn tells


def counted_harassment(parse: Parse | None, answering: bool, warned: bool = False) -> Harassment | None:
    """The harassment reading the escalation rules and the turn's log go by: an answer to the bot's question (or a
    caller collecting themselves to give one) needs more evidence than a turn that says what it wants, unless the
    caller has been warned already (「いいじゃん、今日のパンツ何色？w」 after a warning reads as a yes to 「ほかに
    ご用件は」, sexual 0.48: the same remarks again, not an answer)."""
    if parse is None:
        return None
    h = parse.harassment
    furious = parse.emotion.label == "anger" and parse.emotion.score >= FURIOUS
    if answering and h.detected and (words.only_yes_or_no(parse.normalized)
                                     or (h.score < ANSWER_HARASSMENT_FLOOR and not furious and not warned)):
        # 「だからよ」 (Okinawan yes) at a confirmation reads as insult 0.90: a bare yes or no is no abuse. Shouted
        # with it (「はあ？入荷待ちとか使えねえな、このバカが」 to 「ほかにご用件は」) it is abuse: warned, never
        # handed to an ordinary agent as anger (SPEC 6); angry answers without abuse score far below detection
        return Harassment(False, h.score, None)
    if (h.detected and h.score < SURE_ABUSE and parse.emotion.label == "sadness"
            and words.BEREAVED.search(parse.normalized)):
        # 「ばあさんが死んでしもうてのう…どうにも…ひとりで、なんもかんも分からんのじゃ」 (insult 0.51): a death told in
        # grief, warned as abuse; a person who listens is what the caller needs
        return Harassment(False, h.score, None)
    if h.detected and words.only_closing(parse.normalized):
        # every clause closes the call (「ねえな」「もうないです」): the Tohoku ねえ (= ない) read as the ねえ of
        # ねえちゃん lines (sexual 0.997); abuse said with a closing (「もうねえよ、バカ」) has a clause that is none
        return Harassment(False, h.score, None)
    return _heard_harassment(parse)


def _heard_harassment(parse: Parse) -> Harassment:
    """The NLU's harassment reading, less a polite request to delete one's personal data (see
    `_DATA_DELETION_ASKED`): for the escalation rules and for the turn's log (the case note's 不適切な発言)."""
    h = parse.harassment
    if (h.detected and h.kind == "unreasonable_demand" and h.score < ANSWER_HARASSMENT_FLOOR
            and _DATA_DELETION_ASKED.search(parse.normalized) and not _NOT_ASKED_POLITELY.search(parse.normalized)):
        return Harassment(False, h.score, None)
    return h


LANGUAGE_CONFIDENCE = 0.7  # below this a turn keeps the call's language (the bot's own wins every doubt)


def language_heard(state: CallState, parse: Parse) -> str | None:
    """The caller's language when this turn changes it: clearly another language, or back to Japanese; or
    English asked for (「英語で話せますか」), in whatever language it was asked."""
    if state.language != "en" and words.ASK_FOR_ENGLISH.search(parse.normalized):
        return "en"
    if state.language == "ja" and "limited_japanese" in parse.flags:
        return "en"  # 「日本語わかりません」: English, the language most callers in Japan share with the centre
    if parse.language == state.language or parse.language_confidence < LANGUAGE_CONFIDENCE:
        return None
    if isinstance(state.awaiting, AwaitSlot) and state.awaiting.entity in FREE_TEXT:
        return None  # a name or an address is proper nouns: 「Tanaka Hanako」 reads as Tagalog to lingua
    if parse.language == "ja" and parse.language_confidence < 0.9:
        return None  # kanji or digits alone do not take a foreign caller back to Japanese
    if parse.language == "ja" and state.language == "en" and (
            mostly_latin(parse.text) or words.only_yes_or_no(parse.normalized) or words.only_closing(parse.normalized)):
        # 「はい」「Yes, yes. はい.」「That's all. どうも.」: a word of Japanese an English speaker has picked up; the
        # call goes on in English until the caller speaks Japanese
        return None
    return parse.language


def build_signals(turn: Turn, parse: Parse | None, user: UserTurn, use_intent: bool,
                  past_failures: bool = True, answering: bool | None = None, person_asked: bool = False,
                  heard_request: str | None = None, hardship_told: bool = False,
                  routine_request: bool = False) -> Signals:
    """`use_intent` is False when the turn answers the open question (its intent must not trigger rules);
    `past_failures` is False for a turn that was understood (earlier failures do not count against it);
    `answering` (default: not `use_intent`) lets harassment need more evidence in an answer; `person_asked`:
    the dialogue heard a request for a person in the turn (「いや、もう機械じゃなくて、担当の人と話させて」 to a
    question), which the rules see as that request (SPEC 6 human_request) whatever the whole turn reads as;
    `heard_request`: likewise a request the dialogue heard in the turn's main clause, read alone;
    `hardship_told`: the dialogue serves a request told beside a hardship (sympathy first), see `_as_heard`;
    `routine_request`: the dialogue heard a sure request the bot serves itself (not one handed to people)."""
    state = turn.state
    confident = parse is not None and not parse.low_confidence
    return Signals(
        now=turn.now,
        channel=state.channel,
        text=parse.normalized if parse else "",
        reading=reading_of(parse.normalized, parse.tokens) if parse else "",
        word_starts=(word_starts(kana(fold_reading(t.reading)) for t in parse.tokens)
                     if parse and parse.tokens else None),
        intent=("operator_request" if person_asked else heard_request if heard_request is not None and use_intent
                else parse.intent.name if parse is not None and use_intent and confident else None),
        intent_confidence=parse.intent.confidence if parse is not None else 0.0,
        emotion=_as_heard(parse.emotion, parse.normalized, hardship_told, routine_request) if parse else None,
        trajectory=trajectory(state.emotions),
        harassment=counted_harassment(parse, answering=not use_intent if answering is None else answering,
                                      warned=state.harassment_warnings > 0),
        harassment_warnings=state.harassment_warnings,
        failed_turns=state.failed_turns if past_failures else 0,
        consecutive_failures=state.consecutive_failures if past_failures else 0,
        flags=parse.flags if parse else frozenset(),
        caller_vip=state.caller_vip,
        turn_index=state.caller_turns,
        asr_confidence=user.asr_confidence,
        interrupted=user.interrupted,
        language=state.language,
    )
