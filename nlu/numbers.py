"""Number readers for transcripts: spoken kana digits and kanji numerals -> ASCII digits.

Every reader returns edits `(start, end, replacement)` on the text it is given, sorted and
non-overlapping; `nlu.normalize` applies them while carrying the offset map. No library reads kana
digits (いちにさん), and kanjize drops leading zeros (〇九〇 -> 90), so both are done here; kanjize
only reads positional kanji (三千九百八十). Readers fire only in number contexts: most digit
syllables (に, し, ご, く) are also particles or parts of ordinary words (しごく, ごご, くに).
"""

from __future__ import annotations

import re

import jaconv
import kanjize

Edit = tuple[int, int, str]

# spoken digit morphemes -> (digit, strong). Strong ones are rarely anything but a digit in a
# run; weak ones (single kana, 例/丸/質) only count next to strong ones or in a number context.
# A lengthened 2 or 5 comes written with its vowel as often as with ー (にい, ごお, ごう: ASR, western dialects).
_HIRA_DIGITS: dict[str, tuple[str, bool]] = {
    "ぜろ": ("0", True), "れい": ("0", False), "まる": ("0", False),
    "いち": ("1", True), "にー": ("2", True), "にい": ("2", False), "に": ("2", False), "さん": ("3", True),
    "よん": ("4", True), "し": ("4", False), "ごー": ("5", True), "ごお": ("5", False), "ごう": ("5", False), "ご": ("5", False),
    "ろく": ("6", True), "なな": ("7", True), "しち": ("7", False), "はち": ("8", True),
    "きゅう": ("9", True), "きゅー": ("9", True), "く": ("9", False),
    # 1 and 2 as read out where いち and に could be misheard (ひと ふた, as on the radio and in shops): weak
    "ひと": ("1", False), "ふた": ("2", False),
}  # fmt: skip
# Tohoku voices ち and く between vowels (いぢ, ろぐ, はぢ, しぢ: いぢにさんよん, ごろぐななはぢ): the same digits,
# weak, so that they count only beside strong ones or in a number context, like any weak syllable
_VOICED_DIGITS: dict[str, tuple[str, bool]] = {
    "いぢ": ("1", False), "しぢ": ("7", False), "はぢ": ("8", False), "ろぐ": ("6", False),
}  # fmt: skip
SPOKEN_DIGITS: dict[str, tuple[str, bool]] = {
    **_HIRA_DIGITS,
    **_VOICED_DIGITS,
    **{jaconv.hira2kata(k): v for k, v in (*_HIRA_DIGITS.items(), *_VOICED_DIGITS.items())},
    "キュー": ("9", True),
    # a recogniser that writes the ご of a number read out as 号 (「いちにさんよん号ろくななはち」): weak, so
    # only inside a run of spoken digits
    "号": ("5", False),
}
# a lengthened 2 before ち is 2 and 1 (「さんにいちぜろ」: さん に いち ぜろ, not さん にい and a stray ち)
_NOT_BEFORE = {"にい": "ち", "ニイ": "チ"}
_MORPHEME = "|".join(re.escape(k) + (f"(?!{_NOT_BEFORE[k]})" if k in _NOT_BEFORE else "")
                     for k in sorted(SPOKEN_DIGITS, key=len, reverse=True))
_M_RE = re.compile(_MORPHEME)
# pauses between digit groups: 、 , ・ space の hyphen, and … ‥ (NFKC has made them "..." and ".."); a
# lengthening ー left over after a digit (いちー) is a pause too
_PAUSE = r"[ 、,・の\-.ー]"
# a caller who hesitates between groups (いちにさん、えーと、よんごー) pauses: the filler joins the run like a
# pause does and is no digit. The fillers of `nlu.normalize` (which runs after this reader), plus the
# "what was it" of someone reading a number out (なんだっけ); the short ones are words too (あの店, まあまあ),
# so only with a pause on both sides. Not あ/あー: they open a correction (あ、違う)
_HESITATION = (
    r"えー*+っ?と|ええと|えー++|[あそ]の[ーう]++|うー++ん|んー++|エー*+[ッっ]?[トと]|エー++|[アソ]ノー++|ウー++ン|ンー++"
    # the hyphen of a written number read aloud (ゼロキューゼロ ハイフン イチニーサンヨン): a pause, no digit
    r"|ハイフン|はいふん"
)
_HESITATION_PAUSED = (
    r"[あそ]の|まあ|まぁ|まー++|マア|なんだっけ|なんやったっけ|なんやっけ|なんだったっけ"
    r"|ほんで|そんで|それで|ほいで|そいで|んで"  # 「いちにさんよん、ほんで、ごろく…」: and then, between groups
)
# a group read out ends with a particle before the pause (ぜろきゅうぜろで、いちにさんよんで、…; …よんのね、ごろく…):
# no digit, and only before a pause, so that 「…はちで お願いします」 keeps its で
_GROUP_END = r"(?:で|ね|よ|さ)(?=[ 、,・.])"
_HES_END = r"(?:ですね|ね|な(?!な))?"  # えーとですね, ええとね, あのな (not the な of なな)
# atomic and possessive: no digit word starts with a pause or a filler, and a run of ー and fillers that
# ends in no digit must fail at once, not try every way of splitting えーーー
_HES = rf"(?>(?:{_HESITATION}){_HES_END}|(?<={_PAUSE})(?:{_HESITATION_PAUSED}){_HES_END}(?={_PAUSE})|{_GROUP_END})"
_GAP = rf"{_PAUSE}*+(?:{_HES}{_PAUSE}*+)*+"
_RUN_RE = re.compile(rf"(?:{_MORPHEME})(?:{_GAP}(?:{_MORPHEME}))*")
# a gap of pauses and fillers only, that sets a last weak syllable apart (see spoken_digit_edits)
_SET_APART = re.compile(rf"[ 、,.・の]*+(?:{_HES}[ 、,.・の]*+)*+")  # の: 「…ななはちの にもつ」
# さん after a name is the honorific (すずきさん、えーと、いちにさん): not the first digit of a run
_NAME_END = re.compile(r"[\u4e00-\u9fff々ァ-ヺぁ-ゖ](?<![はがをもにでとの])")
# the longest number an entity has (a mobile number): a longer run is two numbers said in one breath
MAX_DIGITS = 11
_SMALL_KANA = frozenset("ぁぃぅぇぉゃゅょっゎァィゥェォャュョッヮー")
# a short run still counts after these (番号は いちに...) or next to ASCII digits
_BEFORE_CTX = ("番号", "ばんごう", "バンゴウ", "電話", "でんわ", "〒", "郵便", "ゆうびん", "ID", "id")
# what ends a number read out: the end of the turn, a copula (dialects': 「… きゅう まる じゃけえ」), a please
_DIGIT_END = re.compile(r"[ 、,。.!?]*(?:$|です|でございます|になります|で(?:お願|おねが)|ね[。!?]?$|#|"
                        r"じゃけ[えんー]?|じゃ[。!?]?$|やけん|やで|やねん|だよ|っす|ばい|たい[。!?]?$|だべ|だがね)")
_HIRA = re.compile(r"[ぁ-ゖ]")
_KANA = re.compile(r"[ぁ-ゖァ-ヺ]")
_WORD_END = re.compile(r"[ぁ-ゖァ-ヺー\u4e00-\u9fff々]")
_AFTER_CTX = re.compile(r"[ ]?(?:番|号|円|[0-9])")


# a digit word the recogniser caught twice, the first time cut off (「ぜ、ぜろきゅうぜろ」「ご、ごーろく」): the
# fragment is dropped when the word after the pause starts with it and is longer (so 「いち、いちにさん」 is 1123)
_DIGIT_WORDS = sorted((w for w in SPOKEN_DIGITS if len(w) >= 2 and re.fullmatch(r"[ぁ-ゖァ-ヺー]+", w)), key=len,
                      reverse=True)
_DIGIT_STUTTER = re.compile(r"(?<![ぁ-ゖァ-ヺー])([ぁ-ゖァ-ヺ]{1,2})[ 、,・…]+(?=(" + "|".join(_DIGIT_WORDS) + "))")


def digit_stutter_edits(text: str) -> list[Edit]:
    """「ぜ、ぜろきゅうぜろ いちにさんよん ご、ごーろくななはち」 -> 「ぜろきゅうぜろ いちにさんよん ごーろくななはち」."""
    return [(m.start(), m.end(), "") for m in _DIGIT_STUTTER.finditer(text)
            if m.group(2).startswith(m.group(1)) and len(m.group(2)) > len(m.group(1))]


def spoken_digit_edits(text: str) -> list[Edit]:
    """Digit-by-digit kana runs: いちにさんよん ごーろくななはち -> 12345678, ゼロキューゼロ -> 090."""
    edits: list[Edit] = []
    for run in _RUN_RE.finditer(text):
        parts = list(_M_RE.finditer(text, run.start(), run.end()))
        # the last syllable may open another mora (きゅうきゅうしゃ, しー): drop it; after a strong digit
        # a ー only lengthens it (はちー)
        nxt = text[run.end() : run.end() + 1]
        if nxt and nxt in _SMALL_KANA and not (nxt == "ー" and SPOKEN_DIGITS[parts[-1].group()][1]):
            parts.pop()
        # a weak syllable set apart by a pause at the end is a particle: 「…ごろくななはち に電話」
        # (at the end of the turn, or before です, it is the last digit: 「… きゅう まる」); so are weak
        # syllables set apart and glued to the word they open: 「…ななはち、えーと、にしてください」
        while (k := _weak_tail(text, parts)) and not _DIGIT_END.match(text, parts[-1].end()):
            del parts[k:]
        # one syllable longer than the longest number, ending in a weak one that no pause sets apart: the
        # particle after the number (「…ごーよんさんにーに おりかえし」: 54322 is 5432 and に)
        if (len(parts) == MAX_DIGITS + 1 and not SPOKEN_DIGITS[parts[-1].group()][1]
                and not _DIGIT_END.match(text, parts[-1].end())):
            parts.pop()
        if len(parts) > 1 and parts[0].group() in ("さん", "サン") and _honorific(text, parts[0].start()):
            del parts[0]
        # a weak first syllable that ends the word before it, a pause after it: the し of 「もしもし いちにさんよん」,
        # the particle of 「携帯の方に ぜろはちぜろ…」
        while (len(parts) > 1 and parts[0].start() > 0 and not SPOKEN_DIGITS[parts[0].group()][1]
               and parts[0].end() < parts[1].start() and _WORD_END.match(text, parts[0].start() - 1)):
            del parts[0]
        while parts and parts[-1].group() == "号":
            parts.pop()  # 「いちにさんよん号室」: 号 is a 5 only inside a run, never its end or start
        while parts and parts[0].group() == "号":
            del parts[0]
        if not parts:
            continue
        start, end = parts[0].start(), parts[-1].end()
        strong = sum(SPOKEN_DIGITS[p.group()][1] for p in parts)
        ok = (strong >= 2 and len(parts) >= 3) or len(parts) >= 6
        if not ok and len(parts) >= 2:
            before = text[max(0, start - 8) : start].rstrip(" 、,:はがをも")
            ok = before.endswith(_BEFORE_CTX) or bool(before[-1:].isdigit())
            ok = ok or bool(_AFTER_CTX.match(text, end))
        if ok:
            edits += _run_edits(parts)
    return edits


def spoken_digits_at(text: str, pos: int) -> tuple[str, int] | None:
    """The digits of a spoken run that starts at `pos`, however short, and where it ends: for a reader that
    knows a number is said there (「…5679、いや、ななはちです」: the last digits again)."""
    run = _RUN_RE.match(text, pos)
    if run is None:
        return None
    parts = list(_M_RE.finditer(text, run.start(), run.end()))
    nxt = text[run.end() : run.end() + 1]
    if nxt and nxt in _SMALL_KANA and not (nxt == "ー" and SPOKEN_DIGITS[parts[-1].group()][1]):
        parts.pop()
    if not parts:
        return None
    return "".join(SPOKEN_DIGITS[p.group()][0] for p in parts), parts[-1].end()


def _weak_tail(text: str, parts: list[re.Match[str]]) -> int:
    """Where the last group of weak syllables starts, when pauses or fillers set it apart from the digits
    before it and it is one syllable or opens a word (に|して); else 0."""
    k = len(parts) - 1
    if k < 1:
        return 0
    while k > 0 and parts[k - 1].end() == parts[k].start() and not SPOKEN_DIGITS[parts[k].group()][1]:
        k -= 1
    if k == 0 or any(SPOKEN_DIGITS[p.group()][1] for p in parts[k:]):
        return 0
    if not _SET_APART.fullmatch(text, parts[k - 1].end(), parts[k].start()) or parts[k - 1].end() == parts[k].start():
        return 0
    return k if k == len(parts) - 1 or _HIRA.match(text, parts[-1].end()) else 0


def _honorific(text: str, start: int) -> bool:
    return start > 0 and bool(_NAME_END.match(text, start - 1)) and not text.endswith(_BEFORE_CTX, 0, start)


def _run_edits(parts: list[re.Match[str]]) -> list[Edit]:
    """One number for the run, pauses and all (ぜろきゅうぜろ、いちにい…さんよん -> 0901234). A run longer
    than any number is an order number and a phone number said in one breath: each pause-free group is
    written on its own and the pauses stay, so that the entity reader can part them again."""
    if len(parts) <= MAX_DIGITS:
        return [(parts[0].start(), parts[-1].end(), "".join(SPOKEN_DIGITS[p.group()][0] for p in parts))]
    edits: list[Edit] = []
    first = 0
    for k in range(1, len(parts) + 1):
        if k == len(parts) or parts[k - 1].end() < parts[k].start():
            group = parts[first:k]
            edits.append((group[0].start(), group[-1].end(), "".join(SPOKEN_DIGITS[p.group()][0] for p in group)))
            first = k
    return edits


# ASR writes a spoken digit with a kanji read the same (ゼロ急ゼロ, 市似産四): homophones are digits only
# inside a run of digit words and digits, see `homophone_digit_edits`
HOMOPHONE_DIGITS: dict[str, str] = {
    "急": "9", "球": "9", "市": "1", "壱": "1", "似": "2", "弐": "2", "産": "3", "参": "3", "碁": "5",
    "録": "6", "鉢": "8", "蜂": "8",
}  # fmt: skip
_KANJI_DIGIT = {k: str(v) for v, k in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_NOT_KANA = "".join((*HOMOPHONE_DIGITS, *_KANJI_DIGIT, "0-9"))
# a block: digit words, kanji digits, homophones and digits said without a pause, at least one of them
# not kana (all-kana runs are `spoken_digit_edits`' to read)
_BLOCK_RE = re.compile(rf"(?:{_MORPHEME})*[{_NOT_KANA}](?:{_MORPHEME}|[{_NOT_KANA}])*")
_BLOCK_GATE = re.compile(rf"[{_NOT_KANA}]")
_ITEM_RE = re.compile(rf"{_MORPHEME}|[{_NOT_KANA}]")
# what may stand right before and after a block when it is a number, not part of a word (出産, 市役所,
# 至急, 鉢植え): a non-letter, or a particle
_OPEN_BEFORE = frozenset("はがをもでのとにや")
_OPEN_AFTER = frozenset("ではがをもとのにねよやかだ")


def _item_digit(item: str) -> str:
    if item in SPOKEN_DIGITS:
        return SPOKEN_DIGITS[item][0]
    return HOMOPHONE_DIGITS.get(item) or _KANJI_DIGIT.get(item) or item


def homophone_digit_edits(text: str) -> list[Edit]:
    """Digits written as a mix of kana, kanji and homophone kanji: ゼロ急ゼロ -> 090, 090 市似産四 -> 090 1234,
    ゼロ九ゼロ -> 090, ゼロ90 -> 090. A block counts when it has three digits or more, mixes a strong kana digit
    or a homophone with digits or kanji digits, and stands apart from the words around it."""
    if not _BLOCK_GATE.search(text):
        return []
    edits: list[Edit] = []
    for block in _BLOCK_RE.finditer(text):
        b = block.group()
        if b.isascii():  # 12345678: read by the entity readers as it is
            continue
        items = list(_ITEM_RE.finditer(text, block.start(), block.end()))
        kinds = [_kind(m.group()) for m in items]
        # a weak syllable glued to a word at either end is a particle (ゼロ急ゼロに電話, 電話にゼロ急ゼロ)
        while items and kinds[-1] == "weak" and text[items[-1].end() : items[-1].end() + 1].isalpha():
            items.pop()
            kinds.pop()
        while items and kinds[0] == "weak" and text[items[0].start() - 1 : items[0].start()].isalpha():
            del items[0], kinds[0]
        if len(items) < 3 or not _mixed(kinds):
            continue
        start, end = items[0].start(), items[-1].end()
        before, after = text[start - 1 : start], text[end : end + 1]
        if before.isalpha() and before not in _OPEN_BEFORE or after.isalpha() and after not in _OPEN_AFTER:
            continue
        edits.append((start, end, "".join(_item_digit(m.group()) for m in items)))
    return edits


def _kind(item: str) -> str:
    if item in SPOKEN_DIGITS:
        return "strong" if SPOKEN_DIGITS[item][1] else "weak"
    if item in HOMOPHONE_DIGITS:
        return "homophone"
    return "kanji" if item in _KANJI_DIGIT else "ascii"


_ANCHORS = frozenset({"strong", "kanji", "homophone", "ascii"})


def _mixed(kinds: list[str]) -> bool:
    """A strong kana digit or a homophone beside digits or kanji digits, every kanji held by a digit next to
    it: a homophone or a kanji digit with only a weak syllable beside it is a word (急に三、四人), and a
    homophone after digits is a counter (12鉢, 100球) unless digits stand on both sides (0急0)."""
    kana = sum(k in ("strong", "weak") for k in kinds)
    if "homophone" not in kinds and ("strong" not in kinds or kana == len(kinds)):  # all kana: not ours
        return False
    padded = ["", *kinds, ""]
    for i, kind in enumerate(kinds, 1):
        if kind in ("homophone", "kanji"):
            near = [k for k in (padded[i - 1], padded[i + 1]) if k in _ANCHORS]
            if not near or (kind == "homophone" and near == ["ascii"]):
                return False
    return any(k in ("strong", "kanji", "ascii") for k in kinds)  # 市似産 alone: no digit says it is a number


# positional kana numbers followed by a unit: さんじ -> 3時, じゅうにがつ -> 12月, ごひゃくえん -> 500円
_KANA_VALUES: dict[str, int] = {
    "いち": 1, "いっ": 1, "に": 2, "さん": 3, "よん": 4, "よ": 4, "し": 4, "ご": 5, "ろく": 6, "ろっ": 6,
    "なな": 7, "しち": 7, "はち": 8, "はっ": 8, "きゅう": 9, "く": 9,
    "じゅう": 10, "じゅっ": 10, "ひゃく": 100, "びゃく": 100, "ぴゃく": 100, "せん": 1000, "ぜん": 1000,
    "まん": 10000,
}  # fmt: skip
_KWORD = "|".join(sorted(_KANA_VALUES, key=len, reverse=True))
_KW_RE = re.compile(_KWORD)
_UNIT_RE = re.compile(rf"((?:{_KWORD})+)(じはん|じ(?![ゃゅょつ])|がつ|にち|えん|ふん|ぷん)")
_DIGIT_UNIT_RE = re.compile(r"(?<=[0-9])(?:じはん|じ(?![ゃゅょつ])|がつ|にち|えん|ふん|ぷん)")
_UNITS = {"じはん": "時半", "じ": "時", "がつ": "月", "にち": "日", "えん": "円", "ふん": "分", "ぷん": "分"}
_UNIT_MAX = {"時": 24, "時半": 24, "月": 12, "日": 31, "分": 59, "円": 10**9}
_NOT_WITH = {"時": {"し"}, "時半": {"し"}, "日": {"し", "く", "よ"}, "月": {"よ"}}
_DAYS = {  # the 14th and the 24th are read with よっか too (じゅうよっか, にじゅうよっか): before よっか, longest first
    "にじゅうよっか": 24, "じゅうよっか": 14,
    "ついたち": 1, "ふつか": 2, "みっか": 3, "よっか": 4, "いつか": 5, "むいか": 6, "なのか": 7,
    "ようか": 8, "ここのか": 9, "とおか": 10, "はつか": 20,
}  # fmt: skip
# day words are ordinary words too (いつか = someday): only right after a month (らいげつ, not げつようか),
# or after a month and の (来月のついたち, じゅうにがつのとおか, らいげつの ついたち with the ASR's space), where
# いつか is still someday (来月のいつか)
_DAY_RE = re.compile(
    r"(?:(?<=月)|(?<=がつ)|(?<=いげつ)|(?<=んげつ)|(?<=月 )|(?<=がつ ))(" + "|".join(_DAYS) + ")"
    r"|(?:(?<=月の)|(?<=がつの)|(?<=げつの)|(?<=月の )|(?<=がつの )|(?<=げつの ))("
    + "|".join(d for d in _DAYS if d != "いつか") + ")"
)


def _kana_value(words: list[str]) -> int | None:
    """Positional value of kana number words, or None when they are not one number (いちに)."""
    total, cur, last_mult = 0, -1, 10**9
    for w in words:
        v = _KANA_VALUES[w]
        if v < 10:
            if cur >= 0:
                return None
            cur = v
        elif v == 10000:
            total = (total + max(cur, 0)) * 10000
            cur, last_mult = -1, 10000
        else:
            if v >= last_mult:
                return None
            total += (cur if cur >= 0 else 1) * v
            cur, last_mult = -1, v
    return total + max(cur, 0)


# kana that end a particle, after which a one-kana number may start (らいねんの にがつ, にじから よじ, けど くじ)
_PARTICLE_KANA = frozenset("のはがをにでともへやからりどねよ")


# a number and its unit read word by word, as a recogniser spaces them: 「にじゅう ろく にち」「じゅう じ」
_SPACED_UNIT_RE = re.compile(
    rf"(?<![ぁ-ゖ])((?:{_KWORD})(?:[ 、…‥.]*(?:{_KWORD}))*)[ 、…‥.]*(じはん|じ(?![ゃゅょつか])|がつ|にち(?!よう|じ)|えん|ふん|ぷん)")
_UNIT_GAP = re.compile(r"[ 、…‥.]+")


def spaced_unit_edits(text: str) -> list[Edit]:
    """A kana number read with its unit and pauses inside (にじゅう ろく にち -> 26日), when the words make one
    number the unit allows: the longest tail of the run that does (ごご に じ: に)."""
    edits: list[Edit] = []
    for m in _SPACED_UNIT_RE.finditer(text):
        found = list(_KW_RE.finditer(text, m.start(1), m.end(1)))
        unit = _UNITS[m.group(2)]
        for first in range(len(found)):
            words = [w.group() for w in found[first:]]
            if "".join(words) != _UNIT_GAP.sub("", text[found[first].start():m.end(1)]):
                continue  # the run read another way (ごぜん is no ご)
            value = _kana_value(words)
            if value is None or value > _UNIT_MAX[unit]:
                continue
            if not (len(words) == 1 and words[0] in _NOT_WITH.get(unit, ())) and _UNIT_GAP.search(
                    text[found[first].start():m.start(2)]):
                edits.append((found[first].start(), m.end(2), f"{value}{unit}"))
            break  # without a pause, the unit reader's
    return edits


def kana_unit_edits(text: str) -> list[Edit]:
    """Kana numbers read with a unit (さんじはん, じゅうにがつみっか, ごひゃくえん)."""
    edits: list[Edit] = []
    for m in _UNIT_RE.finditer(text):
        found = list(_KW_RE.finditer(text, m.start(1), m.end(1)))
        words = [w.group() for w in found]
        unit = _UNITS[m.group(2)]
        # ごごにじ: the longest tail of the run that reads as one number (に) is the number
        value = None
        for first in range(len(words)):
            value = _kana_value(words[first:])
            if value is not None and value <= _UNIT_MAX[unit]:
                break
            value = None
        if value is None or (first == len(words) - 1 and words[-1] in _NOT_WITH.get(unit, ())):
            continue
        start = found[first].start()
        if (len(words) == 1 and len(words[0]) == 1 and start > 0
                and "\u3041" <= text[start - 1] <= "\u3096" and text[start - 1] not in _PARTICLE_KANA):
            continue  # one kana inside a word: 「なにがつかえますか」 (何が使えますか) holds no 2月
        if unit == "円" and value < 10:  # ごえん (ご縁) is a word
            continue
        edits.append((found[first].start(), m.end(1), str(value)))
        edits.append((m.start(2), m.end(2), unit))
    for m in _DIGIT_UNIT_RE.finditer(text):  # ASR mixes digits and kana: 9じ, 12がつ
        edits.append((m.start(), m.end(), _UNITS[m.group()]))
    for m in _DAY_RE.finditer(text):
        if not edits or edits[-1][1] <= m.start():
            edits.append((m.start(), m.end(), f"{_DAYS[m.group()]}日"))
    spaced = spaced_unit_edits(text)
    # (edits of one pass may not overlap: a spaced number's own words are read by it alone)
    edits = [e for e in edits if not any(e[0] < b and a < e[1] for a, b, _ in spaced)] + spaced
    edits.sort()
    return edits


# a group of a number read as a counting number before the rest of it, read digit by digit
# (〒150-0043 as 「ひゃくごじゅうの ぜろぜろよんさん」), before の and digits, read before the spoken digits are
# (which would take the く of ひゃく for a 9)
_GROUP_RE = re.compile(rf"(?:(?<=^)|(?<=[ 、,はがも]))((?:{_KWORD})+)(?=[ 、,]?の[ 、,]?(?:[0-9]|{_MORPHEME}))")


def kana_group_edits(text: str) -> list[Edit]:
    """A counting number as the first group of a number (ひゃくごじゅうの0043 -> 150の0043)."""
    edits: list[Edit] = []
    for m in _GROUP_RE.finditer(text):
        words = [w.group() for w in _KW_RE.finditer(text, m.start(1), m.end(1))]
        if "".join(words) != m.group(1) or not any(_KANA_VALUES[w] >= 10 for w in words):
            continue  # digit words only are the spoken-digit reader's; a word that only starts with one is a word
        value = _kana_value(words)
        if value is not None and 10 <= value < 1000:
            edits.append((m.start(1), m.end(1), str(value)))
    return edits


# a number read out in two-digit groups (「じゅうに さんじゅうよん ごじゅうろく ななじゅうはち」 for 12345678, the phone
# number 「ぜろきゅうぜろ の じゅうに さんじゅうよん の…」): groups of 10 to 99, each with its じゅう, between pauses;
# two such groups at least, so that a count said alone (にじゅう) stays a word for the other readers
_PAIR = rf"(?:{_KWORD})*?(?:じゅう|じゅっ)(?:{_KWORD})*?"
_PAIR_SEP = r"[ 、,・\-]*(?:の[ 、,・]*)?"
_PAIRS_RE = re.compile(
    rf"(?<![ぁ-ゖ])(?:(?:{_KWORD})+{_PAIR_SEP})?({_PAIR})(?=[ 、,・\-])(?:{_PAIR_SEP}({_PAIR}))+(?![ぁ-ゖ])"
)
_PAIR_GROUP = re.compile(rf"(?<![ぁ-ゖ])({_PAIR})(?![ぁ-ゖ])")
# one group read as a counting number, then the rest digit by digit (「じゅうに さんよん ごーろく ななはち」): the group
# is a number when two digits no word sounds like follow it after a pause
_STRONG = "|".join(sorted((re.escape(k) for k, (_, strong) in SPOKEN_DIGITS.items() if strong), key=len, reverse=True))
_PAIR_THEN_DIGITS = re.compile(rf"(?<![ぁ-ゖ])({_PAIR})(?=[ 、,・\-]+(?:{_STRONG})[ 、,・\-]*(?:{_STRONG}))")


def kana_pair_edits(text: str) -> list[Edit]:
    """Two-digit groups read as counting numbers (じゅうに さんじゅうよん -> 12 34); the spoken-digit reader then
    joins the groups like any digits read out with pauses."""
    edits: list[Edit] = []
    for run in _PAIRS_RE.finditer(text):
        found: list[Edit] = []
        for m in _PAIR_GROUP.finditer(text, run.start(), run.end()):
            words = [w.group() for w in _KW_RE.finditer(text, m.start(1), m.end(1))]
            value = _kana_value(words) if "".join(words) == m.group(1) else None
            if value is None or not 10 <= value <= 99:
                found = []
                break
            found.append((m.start(1), m.end(1), str(value)))
        if len(found) >= 2:
            edits.extend(found)
    taken = {e[0] for e in edits}
    for m in _PAIR_THEN_DIGITS.finditer(text):
        words = [w.group() for w in _KW_RE.finditer(text, m.start(1), m.end(1))]
        value = _kana_value(words) if "".join(words) == m.group(1) else None
        if value is not None and 10 <= value <= 99 and m.start(1) not in taken:
            edits.append((m.start(1), m.end(1), str(value)))
    edits.sort()
    return edits


# a day read out with a pause inside it (「じゅういちがつ… にじゅう… はちにち」): twenty or thirty, then the unit
# digit with its 日, is one day (28日), not the 8th
_DAY_SPLIT_RE = re.compile(r"(にじゅう|さんじゅう)[ 、,.…‥]+([1-9])日")


# the pause between the month and the day (「11月… 28日」「じゅういちがつ、にじゅうはちにち」) goes, so the date reads whole
_MONTH_PAUSE_RE = re.compile(r"(?<=[0-9]月)[ 、,.…‥]+(?=(?:[0-9]{1,2}|にじゅう|さんじゅう)[ 、,.…‥]*[0-9]?日)")


def split_day_edits(text: str) -> list[Edit]:
    edits: list[Edit] = [(m.start(), m.end(), "") for m in _MONTH_PAUSE_RE.finditer(text)]
    for m in _DAY_SPLIT_RE.finditer(text):
        day = (2 if m.group(1) == "にじゅう" else 3) * 10 + int(m.group(2))
        if day <= 31:
            edits.append((m.start(), m.end(2), str(day)))
    return sorted(edits)


# ASR often puts a space after the period word (ごご はちじ)
_GOGO_RE = re.compile(r"(ごご|ゴゴ|ごぜん|ゴゼン)(?= ?[0-9])")


def period_edits(text: str) -> list[Edit]:
    """ごご3時 -> 午後3時, so that the digit reader does not see ごご as 5 5."""
    return [(m.start(), m.end(), "午後" if m.group() in ("ごご", "ゴゴ") else "午前") for m in _GOGO_RE.finditer(text)]


_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_KNUM_RE = re.compile(r"[0-9〇零一二三四五六七八九十百千万億]+")
_HAS_KANJI = re.compile(r"[〇零一二三四五六七八九十百千万億]")
_POSITIONAL = frozenset("十百千万億")
_SUFFIX_CTX = re.compile(
    # 本 before a tree's name is a place (六本木, 一本松, 三本杉), not so many of a thing
    r"円|月|日|時|分|秒|年|歳|才|個|台|件|階|枚|本(?![木松杉柳])|号|週|箇|ヶ|か月|カ月|点|名|丁目|番地|%|ドル|[0-9]"
)
_PREFIX_CTX = ("午前", "午後", "朝", "夜", "夕方", "晩", "昼", "第", "〒", "番号", "番号は", "約")
_CJK = re.compile(r"[\u4e00-\u9fff々]")


def kanji_number_edits(text: str) -> list[Edit]:
    """〇九〇 -> 090, 二三四五 -> 2345, 三千九百八十円 -> 3980円, 十一月三十日 -> 11月30日, 1万円 -> 10000円."""
    edits: list[Edit] = []
    for m in _KNUM_RE.finditer(text):
        run, start, end = m.group(), m.start(), m.end()
        if not _HAS_KANJI.search(run) or run[0] in "万億" or set(run) <= {"〇"}:  # 〇〇様 is a placeholder
            continue
        prev = text[start - 1 : start]
        if prev in ("何", "数"):  # 数千円 is not a number
            continue
        suffix = bool(_SUFFIX_CTX.match(text, end)) or (run.endswith("十") and text.startswith("番", end))
        prefix = text[max(0, start - 3) : start].endswith(_PREFIX_CTX)
        if run == "十" and text.startswith("分", end) and prev != "時":  # 十分 (enough) unless 三時十分
            continue
        if run == "一" and text.startswith("時", end) and _CJK.match(text, end + 1) and text[end + 1] not in "半頃過分間":
            continue  # 一時的, 一時停止
        if run == "一" and not suffix and (prev == "朝" or text.endswith("午後", 0, start)):
            continue  # 朝一, 午後一番: first thing in the morning/afternoon, not one o'clock
        inside_word = bool(_CJK.match(prev)) and not prefix
        positional = not _POSITIONAL.isdisjoint(run)
        if not (suffix or prefix) and (inside_word or len(run) < (3 if positional else 2)):
            continue
        if positional:
            try:
                value = str(kanjize.kanji2number(run))
            except (ValueError, KeyError, IndexError, TypeError):
                continue
        else:
            value = run.translate(_KANJI_DIGITS)
        edits.append((start, end, value))
    return edits


_DIGIT_DASH_RE = re.compile(r"(?<=[0-9])(?:ー|\s*(?:ハイフン|はいふん)\s*)(?=[0-9])")


def digit_dash_edits(text: str) -> list[Edit]:
    """neologdn and ASR write the dash in 090ー1234 as a long vowel mark, and a recogniser writes it as said
    (七三〇ハイフン〇〇一一, read as 730ハイフン0011 by then): make it a hyphen again."""
    return [(m.start(), m.end(), "-") for m in _DIGIT_DASH_RE.finditer(text)]
