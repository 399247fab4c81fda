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
from functools import lru_cache
from typing import Any

JAPANESE = "ja"

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Devanagari: Nepali (the largest community in Japan that writes it) unless the words are Hindi's own
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_HINDI_WORDS = re.compile(r"(?<![\u0900-\u097f])(है|हैं|मैं|मुझे|क्या|नहीं|कहाँ|आप|हूँ|था|थी)(?![\u0900-\u097f])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Han-only turns. Japanese text is written in characters that cp932 (Shift_JIS as Windows and every Japanese
# recogniser writes it) encodes; the simplified forms of Chinese mostly lie outside it, so one of them is enough.
# Traditional forms that Japanese replaced by shinjitai (們, 說, 對) are weaker evidence (a surname can keep an
# old form), and so are the function characters and words of Mandarin that a Japanese kanji-only phrase has
# no use for. A turn is Chinese at a score of 2: a simplified character, a Mandarin word or function
# character, or two traditional forms.
_TRADITIONAL_ONLY = set("們這麼對經單錢碼讓聽壞氣覺點賣應號來會關歡遞裡實價傳寫變與帶廳體區圖團處豐鐵舊舉"
                        "發獎將專轉輕樂寶藥醫雙滿濟從擔數總沒說嗎幫歲戶收麽")
_MANDARIN_CHARS = set("我你您他她吗嗎呢吧啊哪谁誰么麼们們这這说說没沒很怎咱哦喂嗯呀啦嘛咋")
_MANDARIN_WORDS = ("我的", "你的", "什么", "什麼", "怎么", "怎麼", "没有", "沒有", "可以", "是不是", "谢谢", "謝謝",
                   "你好", "在哪", "一下", "一点", "一點", "我想", "我要", "不要了", "了吗", "的吗", "请问", "請問",
                   "对不起", "對不起", "没问题", "沒問題", "不用", "不对", "不對", "不是", "是的", "好的", "多少",
                   "为什么", "為什麼", "中文", "普通话", "客服", "快递", "快遞", "送货", "送貨", "退货", "退貨",
                   "换货", "換貨", "订单", "訂單", "经理", "經理", "付款", "已经", "已經", "明天", "今天", "昨天",
                   "后天", "後天", "能不能", "可不可以", "有没有", "有沒有", "还没", "還沒", "太慢", "发票", "發票",
                   "好吗", "好嗎", "不好", "不行", "知道了", "退款", "收到", "拜拜", "优惠", "優惠", "怎样", "怎樣",
                   "哪里", "哪裡")
# simplified characters Japanese writes otherwise (聴/聞, 壊, 貨, 買, 気, 覚, 応, 様, 問, 題, 電, 話...): JIS has some of
# them as rare variants, so cp932 alone lets 「听不到」「包装坏了」 through as Japanese
_SIMPLIFIED = set("听坏货贵买卖钱码让气觉应样个给问题还发开关门时间东车长书电话见过运边进单务优拜换帮护预约")
# one-character turns only Chinese says (好 / 对 / 是 / 行 as "yes, OK")
_MANDARIN_ALONE = {"好", "对", "對", "是", "行", "嗯", "喂", "谢", "謝"}
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
    # contractions and a few more that no romaji Japanese has ("my parcel hasn't arrived yet" scored 0.68)
    "hasn't", "haven't", "isn't", "aren't", "wasn't", "didn't", "doesn't", "can't", "won't", "couldn't",
    "we", "our", "they", "their", "yet", "still", "been", "did", "why", "who", "which", "from", "but",
}
ENGLISH_CLEAR = 0.9

# Latin words Japanese callers say as Japanese (OK, NG, LINE, ID) and the brands and services they name: a turn
# of nothing else is no other language
_LOANWORDS = {"ok", "okay", "ng", "line", "id", "pc", "tv", "cm", "ok ok", "ok desu"}
_BRANDS = {
    "amazon", "rakuten", "yahoo", "google", "apple", "iphone", "ipad", "android", "windows", "mac", "macbook",
    "bluetooth", "wifi", "wi", "fi", "usb", "hdmi", "suica", "pasmo", "icoca", "paypay", "paypal", "visa", "jcb",
    "mastercard", "amex", "docomo", "softbank", "au", "gmail", "icloud", "email", "mail", "url", "qr", "sms", "atm",
    "youtube", "instagram", "twitter", "facebook", "tiktok", "zoom", "nintendo", "switch", "sony", "panasonic",
    "uniqlo", "ok", "okay", "ng", "line", "id", "pc", "tv", "cm", "app", "web", "net",
}
# romaji: a Japanese caller's words through a Latin-only recogniser (chuumon shita no ni todokanai, Shibuya,
# Tanaka desu). Every word is a run of Japanese syllables: a vowel after at most one consonant (or a
# y-glide, sh, ch, ts), a syllabic n, a doubled consonant, m before b or p. English, Vietnamese, Portuguese and
# Tagalog words nearly always break it (l, final consonants, clusters). Words only Japanese says make the
# reading sure; a turn of romaji-shaped words alone (Osaka, Tokyo) is Japanese only as the bot's default.
_ROMAJI_WORD = re.compile(
    r"(?:(?:[kgszdnhbpmr]y|sh|ch|ts|[kgsztdnhbpmrjfwyv])?[aiueo\u0101\u012b\u016b\u0113\u014d]|n|m(?=[bp])"
    r"|([kstpgzdbc])(?=\1|ch|sh|ts))+"
)
# English words that happen to be romaji-shaped (see you, sure, bye): without a Japanese word, lingua decides
_ENGLISH_ROMAJI_SHAPED = _ENGLISH_FUNCTION_WORDS | {
    "bye", "see", "sure", "no", "negative", "yes", "hiya", "fine", "time", "home", "come", "some", "one", "done",
    "none", "name", "same", "more", "here", "there", "where", "were", "take", "make", "so", "go", "too", "do", "to",
    "be", "we", "he", "she", "hey", "nope", "gone", "bad", "good", "open", "menu", "order", "sorry", "mine",
}
_DIGIT_RUN = re.compile(r"[0-9]+")
# verb endings only Japanese has (hanashitai, todokimasu, kawarimashita): a long word ending so is romaji
_ROMAJI_ENDINGS = ("shitai", "tai", "masu", "mashita", "masen", "mashou", "desu", "deshita", "kudasai", "nakatta")
_ROMAJI_MARKERS = {
    "desu", "desuka", "deshita", "masu", "masen", "mashita", "shitai", "shite", "kudasai", "onegai", "onegaishimasu",
    "arigatou", "arigato", "arigatoo", "gozaimasu", "sumimasen", "suimasen", "moshimoshi", "konnichiwa",
    "konbanwa", "ohayou", "ohayo", "hai", "iie", "ee", "un", "wakarimashita", "wakarimasen", "chotto", "doumo",
    "domo", "gomen", "gomennasai", "nasai", "yoroshiku", "chumon", "chuumon", "henpin", "kyanseru", "haitatsu",
    "todokanai", "todoite", "nai", "dekimasu", "dekinai", "shimasu", "kakunin", "bangou", "bango", "denwa",
    "mou", "ichido", "nan", "nani", "nandesu", "doko", "itsu", "ashita", "kyou", "kinou", "jikan", "kaimono",
    "wa", "ga", "wo", "ni", "de", "ka", "ne", "yo", "kara", "made",
    # times and days as a Latin-only recogniser writes them (gogo 1ji, asatte no gozen)
    "gogo", "gozen", "ji", "fun", "yuugata", "asatte", "raishuu", "konshuu", "getsuyou", "kayou", "suiyou",
    "mokuyou", "kinyou", "doyou", "nichiyou", "youbi",
}
# Vietnamese typed or transcribed without its tone marks reads to lingua as Tagalog or English; these words
# (common, and not English, Portuguese or romaji words) are what it is made of
_VIETNAMESE_MARKS = re.compile(r"[\u0103\u0111\u01a1\u01b0\u0102\u0110\u01a0\u01af\u1ea0-\u1ef9]")
_VIETNAMESE_WORDS = {
    "toi", "khong", "duoc", "cua", "muon", "xin", "chao", "chua", "roi", "nguoi", "tieng", "viet", "nhe", "voi",
    "nhieu", "tien", "khau", "dia", "quan", "nhan", "vien", "giup", "dau", "nao", "gio", "huy", "hoan", "nua",
    "biet", "hieu", "goi", "cam", "vang", "alo", "thi", "nhung", "nay", "lam", "giao", "hang", "don", "ban",
    "cho", "bao", "mat", "sai", "het", "loi", "thoi", "can", "den", "doi", "tra", "lai", "dung", "cham", "qua",
    "rat", "ngay", "mai", "oi", "a", "nhat", "cac", "mot", "chut", "gap", "ly", "khi", "may", "mo",
    "song", "o", "co", "la", "gi", "vay", "sao", "thanh", "toan", "van", "chuyen", "phi", "nhanh", "em",
    "anh", "chi", "da", "dang", "se", "ve", "tam", "xong", "nghe", "noi", "lien", "he", "ho", "tro",
    "bi", "quen", "hong", "nhap", "on", "minh", "hom", "nhiu", "sach", "sang", "chieu", "tuan",
}
# strong on their own: none is an English, Portuguese or romaji word
_VIETNAMESE_STRONG = {
    "toi", "khong", "duoc", "cua", "muon", "xin", "chao", "chua", "roi", "nguoi", "tieng", "nhe", "voi", "nhieu",
    "khau", "nhan", "giup", "huy", "hoan", "biet", "hieu", "vang", "alo", "nhung", "giao", "thoi", "ngay", "nhat",
    "chut", "gap", "vay", "thanh", "toan", "chuyen", "nhanh", "xong", "nghe", "lien", "cam", "dau", "bao", "gio",
    "loi", "nhap", "chieu", "tuan",
}
# Tagalog (and Taglish, 「Hello po, nasaan na po yung order ko?」) that lingua puts just under its mark: the
# politeness po/opo and words no romaji, English or Portuguese has
_TAGALOG_STRONG = {"po", "opo", "yung", "nasaan", "paano", "hindi", "salamat", "kailan", "gusto", "kausapin",
                   "pwede", "puwede", "talaga", "ngayon", "bukas", "ang", "ng", "mga"}
# Portuguese or Spanish is often a near tie on a short sentence (quero cancelar): Brazilian callers are many
# in Japan, so Portuguese wins unless a word only Spanish has says otherwise
_PORTUGUESE_WORDS = {
    "não", "nao", "você", "voce", "vocês", "voces", "obrigado", "obrigada", "quero", "meu", "minha", "meus",
    "minhas", "tá", "ta", "cadê", "cade", "fala", "falar", "tem", "um", "uma", "com", "loja", "entrega", "senha",
    "trocar", "desculpa", "desculpe", "ainda", "chegou", "recebi", "também", "tambem", "aqui", "isso", "muito",
    "obg", "tchau", "oi", "bom", "boa", "devagar", "então", "entao", "agora", "já", "ja", "eu", "ele", "ela",
    "reclamar", "reclamação", "atendente", "gerente", "pedido", "dinheiro", "japonês", "japones", "português",
    "portugues", "brasileiro", "brasileira", "brasil", "moro", "estou", "está", "esta", "posso", "pode", "em",
    "entendi", "entendo", "consigo", "nada", "amanhã", "amanha", "hoje", "onde", "fica", "quanto",
}
# words no other candidate (nor romaji) shares: enough before the romaji reading and lingua are asked
_PORTUGUESE_STRONG = {"não", "nao", "você", "voce", "obrigado", "obrigada", "quero", "cadê", "cade", "tchau",
                      "minha", "entendi", "recebi", "chegou", "consigo", "amanhã", "amanha", "vocês", "voces",
                      "olá", "valeu", "noite", "frete", "grátis", "posso"}
_SPANISH_WORDS = {
    "quiero", "mi", "mis", "hablo", "habla", "usted", "gracias", "señor", "señora", "pero", "también", "aquí",
    "tengo", "tiene", "dónde", "donde", "qué", "cómo", "como", "estoy", "buenos", "buenas", "hola", "sí", "puedo",
    "puede", "ayuda", "ahora", "todavía", "llegó", "llego", "recibí", "español", "espanol", "pedí", "dinero",
    "tienda", "contraseña", "hoy", "mañana", "manana", "el", "los", "las", "del", "y", "muy", "hasta",
}
_PT_OR_ES = {"pt", "es", "gl", "it", "ca"}
_VOWEL = re.compile(r"[aeiouyàáâãäåèéêëìíîïòóôõöùúûüýăơư]")

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


# a word of Japanese a foreign caller opens with (「すみません、我不会说日语。可以说中文吗？」)
_JAPANESE_OPENER = re.compile(r"^(すみません|すいません|もしもし|こんにちは|こんにちわ|ごめんなさい)[、。,.!！?？\s]*")


@lru_cache(maxsize=512)  # the pipeline and the romaji reader ask about the same line
def detect_language(text: str) -> LanguageGuess:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return LanguageGuess(JAPANESE, 1.0)
    if _KANA.search(text):
        # any kana is Japanese, but for the one polite word a caller who speaks no Japanese opens with: what
        # follows it decides, when it is sure (「すみません、注文状況」 stays Japanese)
        opener = _JAPANESE_OPENER.match(text)
        rest = text[opener.end():] if opener is not None else ""
        if rest and not _KANA.search(rest):
            guess = detect_language(rest)
            if guess.code != JAPANESE and guess.confidence >= _SURE_AFTER_OPENER:
                return guess
        return LanguageGuess(JAPANESE, 1.0)
    hangul, thai, cyrillic = len(_HANGUL.findall(text)), len(_THAI.findall(text)), len(_CYRILLIC.findall(text))
    if _DEVANAGARI.search(text) and not hangul:
        return LanguageGuess("hi" if len(_HINDI_WORDS.findall(text)) >= 2 else "ne", 0.9)
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    scripts = {"ko": hangul, "th": thai, "ru": cyrillic, "han": han, "latin": latin}
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if count == 0:
        # digits, symbols: the bot's language, but no evidence of it (a foreign caller's order number
        # must not take the call back to Japanese; the dialogue switches back only from 0.9)
        return LanguageGuess(JAPANESE, 0.6)
    if script in ("ko", "th", "ru") or hangul:
        # Hangul beside Latin brand names (「PayPay 돼요?」) is Korean: Japanese never writes Hangul
        return LanguageGuess("ko" if hangul else script, 1.0)
    if script == "han":
        return _han_only(text)
    return _latin(text)


_SURE_AFTER_OPENER = 0.9


def mostly_latin(text: str, min_letters: int = 1) -> bool:
    """Latin letters at least twice the kana and kanji: English with a Japanese word in it (「Yes, yes. はい.」,
    「Where can I get a 領収書?」), not Japanese with a brand in it (「LINEで連絡してください」)."""
    letters = len(_LATIN.findall(text))
    return letters >= min_letters and letters >= 2 * (len(_KANA.findall(text)) + len(_HAN.findall(text)))


def latin_only(text: str) -> bool:
    """Latin letters and no kana or kanji: the Japanese entity rules have nothing to read in it."""
    return _LATIN.search(text) is not None and not _KANA.search(text) and not _HAN.search(text)


def _han_only(text: str) -> LanguageGuess:
    han = "".join(_HAN.findall(text))
    if han in _MANDARIN_ALONE:
        return LanguageGuess("zh", 0.8)
    score = 2 * sum(not _in_cp932(ch) for ch in han if "\u4e00" <= ch <= "\u9fff")
    score += sum(ch in _TRADITIONAL_ONLY for ch in han)
    score += 2 * sum(ch in _MANDARIN_CHARS for ch in han)
    score += 2 * sum(word in han for word in _MANDARIN_WORDS)
    score += 2 * sum(ch in _SIMPLIFIED for ch in han)
    if score >= 2:
        return LanguageGuess("zh", min(1.0, 0.5 + 0.1 * score))
    return LanguageGuess(JAPANESE, 0.6)


def _in_cp932(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _latin(text: str) -> LanguageGuess:
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    # 「14ji kara 16ji」: the digits of a time or an amount are no letters of any language
    letters = [w for w in (_DIGIT_RUN.sub("", w) for w in words) if w]
    if " ".join(words) in _LOANWORDS or (letters and all(w in _BRANDS or _is_acronym(w, text) for w in letters)):
        return LanguageGuess(JAPANESE, 0.6)
    if " ".join(words) in _ENGLISH_SHORT:
        return LanguageGuess("en", 0.9)
    if letters and all((len(w) >= 2 and len(set(w)) == 1) or not _VOWEL.search(w) for w in letters):
        # 「ｒｒｒｒｒ」「zzz」「hmm」: a key held down or a noise, no language (lingua said French); the bot's own, with
        # no evidence of it
        return LanguageGuess(JAPANESE, 0.6)
    vietnamese = _vietnamese(text, letters)
    if vietnamese is not None:
        return vietnamese
    if any(w in _PORTUGUESE_STRONG for w in letters) and not any(w in _SPANISH_WORDS for w in letters):
        return LanguageGuess("pt", 0.8)
    if sum(w in _TAGALOG_STRONG for w in letters) >= 2:
        return LanguageGuess("tl", 0.8)
    if letters and all(_ROMAJI_WORD.fullmatch(w) or w in _BRANDS for w in letters):
        sure = any(w in _ROMAJI_MARKERS or (len(w) > 5 and w.endswith(_ROMAJI_ENDINGS)) for w in letters)
        if sure or not any(w in _ENGLISH_ROMAJI_SHAPED for w in letters):
            return LanguageGuess(JAPANESE, 0.8 if sure else 0.6)
    # 「Can I ask for 再配達 on 明後日?」: the Japanese words of an English speaker are no Chinese; the letters decide
    values = _lingua().compute_language_confidence_values(_HAN.sub(" ", text))
    if not values:
        return LanguageGuess("en", 0.5)
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if best.value < MIN_CONFIDENCE:
        english = next((v for v in values[:3] if v.language.iso_code_639_1.name == "EN"), None)
        if english is not None:
            return LanguageGuess("en", _english_confidence(words, float(english.value)))
        if _english_confidence(words, 0.0) >= ENGLISH_CLEAR:
            # 「Send it to Namba」「My Rakuten order」: a place or a brand pulls lingua's weak guess elsewhere, the
            # English function words do not lie
            return LanguageGuess("en", ENGLISH_CLEAR)
    confidence = float(best.value)
    if len(values) > 1 and {code, values[1].language.iso_code_639_1.name.lower()} <= _ROMANCE:
        # Portuguese or Spanish is often a near tie on one short sentence, but it is surely not Japanese
        confidence += float(values[1].value)
    portuguese = sum(w in _PORTUGUESE_WORDS for w in words) + sum(ch in "ãõç" for ch in text.lower())
    spanish = sum(w in _SPANISH_WORDS for w in words) + sum(ch in "ñ¿¡" for ch in text)
    if portuguese > spanish and (code in _PT_OR_ES or (code != "en" and portuguese >= 2)):
        code = "pt"
    if code == "en":
        confidence = _english_confidence(words, confidence)
    if code == JAPANESE:  # romaji: a Japanese caller's words through a Latin-only recogniser
        return LanguageGuess(JAPANESE, float(best.value))
    return LanguageGuess(code, min(1.0, confidence))


def _is_acronym(word: str, text: str) -> bool:
    """USB, SMS, ATM: capitals only, as the caller or recogniser wrote them."""
    return 2 <= len(word) <= 5 and re.search(rf"\b{re.escape(word.upper())}\b", text) is not None


def _vietnamese(text: str, words: list[str]) -> LanguageGuess | None:
    """Vietnamese by its letters (ơ ư ă đ and the tone-marked vowels no other candidate uses), or, typed
    without them, by its words: most of the turn, with at least one that no other language here has."""
    if _VIETNAMESE_MARKS.search(text):
        return LanguageGuess("vi", 0.95)
    if not words:
        return None
    known = sum(w in _VIETNAMESE_WORDS for w in words)
    strong = sum(w in _VIETNAMESE_STRONG for w in words)
    if strong >= 1 and known >= max(2, (2 * len(words) + 2) // 3) or (len(words) == 1 and strong == 1):
        return LanguageGuess("vi", 0.8)
    return None


def _english_confidence(words: list[str], confidence: float) -> float:
    """A turn read as English is clearly English with two of its function words (one in a short turn)."""
    hits = len(set(words) & _ENGLISH_FUNCTION_WORDS)
    return max(confidence, ENGLISH_CLEAR) if hits >= 2 or (hits == 1 and len(words) <= 3) else confidence


_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def romaji_words(text: str) -> list[tuple[int, int]]:
    """Spans of the words of `text` that are Japanese written in Latin letters, to be read as kana.

    Inside Japanese (「shibuyaてんって何時まで」) a romaji-shaped word is one, unless it is a brand, a loanword, an
    acronym (LINE, USB) or also an English word. A line in Latin letters only counts when it is surely Japanese
    (a word only Japanese has: desu, sumimasen, onegaishimasu); then all its romaji-shaped words are read, the
    particles (no, ni, wa) included. An English line, a Japanese one with English words in it, or 「Shibuya」
    said alone, is left as it is.
    """
    words = list(_ASCII_WORD.finditer(text))
    if not words:
        return []
    mixed = _KANA.search(text) is not None or _HAN.search(text) is not None
    if not mixed:
        guess = detect_language(text)
        if guess.code != JAPANESE or guess.confidence < 0.8:
            return []
    if mixed and not all(_ROMAJI_WORD.fullmatch(m.group().lower().replace("'", "")) or m.group().lower() in _BRANDS
                         or m.group().isupper() for m in words):
        return []  # English among the Japanese (「神戸店 and the Motomachi store」): its names stay English
    spans = []
    for m in words:
        word, lower = m.group(), m.group().lower().replace("'", "")
        if text[m.end():m.end() + 1] in ("@", ".", "/", ":", "_") or text[max(0, m.start() - 1):m.start()] in ("@", ".", "/", "_"):
            continue  # a part of an address (yamada@example.com, www.sakura.jp): letters as they are
        if lower in _BRANDS or lower in _LOANWORDS or (len(word) >= 2 and word.isupper()):
            continue
        if not _ROMAJI_WORD.fullmatch(lower) or (mixed and (lower in _ENGLISH_ROMAJI_SHAPED or len(lower) < 3)):
            continue
        spans.append((m.start(), m.end()))
    return spans
