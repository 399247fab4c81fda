"""Which language a caller's turn is in (SPEC 7.1 `language`, ISO 639-1).

The writing system settles most turns for free: any kana is Japanese, Hangul is Korean, Thai script is
Thai. Only Latin-script turns (English, Vietnamese, Portuguese, Spanish, Tagalog, Indonesian, ...) and
turns written in Han characters alone need a statistical model: lingua (offline, n-gram models shipped in
the wheel, accurate on short text) decides among the languages callers in Japan actually use.

The bot's own language wins every doubt. A Japanese caller misread as a foreigner is sent to the wrong
queue, which is worse than a foreigner hearing one Japanese prompt first: 「注文状況」 (kanji only) is
Japanese unless it carries characters or function words only Chinese has, and digits, symbols and empty
turns are Japanese.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

JAPANESE = "ja"

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Simplified forms that Japanese never writes, and the function words of Mandarin that a Japanese
# kanji-only phrase does not contain (的 alone is Japanese too: 具体的, so it needs a second cue)
_SIMPLIFIED = set("们这说话么吗订单货买卖钱务应该还给让谢请运费发过时间电码帮联题办为处难开关门")
_MANDARIN_WORDS = ("我的", "你的", "什么", "怎么", "没有", "可以", "是不是", "谢谢", "你好", "在哪", "一下", "我想",
                   "我要", "不要", "了吗", "的吗")
# one or two words of English that the statistical model cannot tell from Spanish or Tagalog alone
_ENGLISH_SHORT = {"hello", "hi", "yes", "no", "thanks", "thank you", "sorry", "english", "help",
                  "please", "yeah", "nope", "bye", "goodbye", "operator", "agent", "repeat", "what", "pardon",
                  "excuse me", "speak english", "english please", "do you speak english"}

# English function words: lingua spreads its confidence over the Latin-script candidates, so a plain English
# sentence ("where is your store") scores 0.6-0.7; two of these words (one in a turn of three words or
# fewer) make a turn lingua already reads as English clearly English
_ENGLISH_FUNCTION_WORDS = {
    "i", "i'm", "i'd", "my", "me", "you", "your", "the", "is", "are", "was", "to", "of", "it", "it's", "that",
    "that's", "this", "what", "where", "when", "how", "can", "could", "would", "does", "don't", "please", "yes",
    "not", "thanks", "thank", "want", "like", "need", "with", "have", "has", "will", "there", "just", "next",
    "about", "hi", "hello", "and", "for", "at", "in",
}
ENGLISH_CLEAR = 0.9

# Latin words Japanese callers say as Japanese (OK, NG, LINE, ID): alone they are no other language
_LOANWORDS = {"ok", "okay", "ng", "line", "id", "pc", "tv", "cm", "ok ok", "ok desu"}

# the languages a Japanese contact centre hears, with lingua's names for them
_CANDIDATES = ("ENGLISH", "VIETNAMESE", "PORTUGUESE", "SPANISH", "TAGALOG", "INDONESIAN", "FRENCH", "GERMAN",
               "CHINESE", "JAPANESE")
_ROMANCE = {"pt", "es", "fr"}
MIN_CONFIDENCE = 0.5  # below this a Latin-script turn is English if English is a candidate at all


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1
    confidence: float


_detector: Any = None
_lock = threading.Lock()


def _lingua() -> Any:
    """Built on first use: turns in Japanese never pay the model's load time."""
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            languages = [getattr(Language, name) for name in _CANDIDATES]
            _detector = LanguageDetectorBuilder.from_languages(*languages).build()
    return _detector


def detect_language(text: str) -> LanguageGuess:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text or _KANA.search(text):
        return LanguageGuess(JAPANESE, 1.0)
    hangul, thai, cyrillic = len(_HANGUL.findall(text)), len(_THAI.findall(text)), len(_CYRILLIC.findall(text))
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    scripts = {"ko": hangul, "th": thai, "ru": cyrillic, "han": han, "latin": latin}
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if count == 0:
        # digits, symbols: the bot's language, but no evidence of it (a foreign caller's order number
        # must not take the call back to Japanese; the dialogue switches back only from 0.9)
        return LanguageGuess(JAPANESE, 0.6)
    if script in ("ko", "th", "ru"):
        return LanguageGuess(script, 1.0)
    if script == "han":
        return _han_only(text)
    return _latin(text)


def _han_only(text: str) -> LanguageGuess:
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    mandarin = sum(word in text for word in _MANDARIN_WORDS)
    if simplified + mandarin >= 1 and (simplified + mandarin >= 2 or len(text) >= 4):
        return LanguageGuess("zh", min(1.0, 0.6 + 0.2 * (simplified + mandarin)))
    return LanguageGuess(JAPANESE, 0.6)


def _latin(text: str) -> LanguageGuess:
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    if " ".join(words) in _LOANWORDS:
        return LanguageGuess(JAPANESE, 0.6)
    if " ".join(words) in _ENGLISH_SHORT:
        return LanguageGuess("en", 0.9)
    values = _lingua().compute_language_confidence_values(text)
    if not values:
        return LanguageGuess("en", 0.5)
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if best.value < MIN_CONFIDENCE:
        english = next((v for v in values[:3] if v.language.iso_code_639_1.name == "EN"), None)
        if english is not None:
            return LanguageGuess("en", _english_confidence(words, float(english.value)))
    confidence = float(best.value)
    if len(values) > 1 and {code, values[1].language.iso_code_639_1.name.lower()} <= _ROMANCE:
        # Portuguese or Spanish is often a near tie on one short sentence, but it is surely not Japanese
        confidence += float(values[1].value)
    if code == "en":
        confidence = _english_confidence(words, confidence)
    if code == JAPANESE:  # romaji: a Japanese caller's words through a Latin-only recogniser
        return LanguageGuess(JAPANESE, float(best.value))
    return LanguageGuess(code, min(1.0, confidence))


def _english_confidence(words: list[str], confidence: float) -> float:
    """A turn read as English is clearly English with two of its function words (one in a short turn)."""
    hits = len(set(words) & _ENGLISH_FUNCTION_WORDS)
    return max(confidence, ENGLISH_CLEAR) if hits >= 2 or (hits == 1 and len(words) <= 3) else confidence
