"""Text normalisation for transcripts and chat, with an exact offset map back to the input.

A sequence of small passes, each rewriting spans of the text and carrying `offs` (for each current
character, the index of the input character it came from). Order matters:
  clean -> width fold (NFKC) -> mixed digit runs (ゼロ急ゼロ) -> kana numbers -> fillers/stutters (need the
  spaces) -> neologdn
  -> kanji numbers -> repeated words.
Kana numbers are read before the fillers go, so the digit reader itself takes a filler between digit words
as a pause (いちにさん、えーと、よんごー… is one run; see `numbers._GAP`): a filler never splits a number.
neologdn gives no offsets, so its output is aligned back greedily (it only deletes and substitutes
a few dashes/quotes); 〜 in number ranges is protected first, since neologdn deletes every tilde.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import jaconv
import neologdn

from nlu import numbers
from nlu.language import romaji_words
from nlu.numbers import Edit
from nlu.types import Normalized

Offs = list[int]


def apply_edits(text: str, offs: Offs, edits: Sequence[Edit]) -> tuple[str, Offs]:
    """Replace each (start, end, new) span. New characters spread over the source span with both
    ends exact, so that `Normalized.span` of a rewritten run covers the whole original run."""
    if not edits:
        return text, offs
    parts: list[str] = []
    out: Offs = []
    pos = 0
    for start, end, new in edits:
        parts.append(text[pos:start])
        out.extend(offs[pos:start])
        parts.append(new)
        n, width = len(new), end - start
        if n == 0:
            pass  # a deletion (or an empty edit at the very end: 「あさ、、あさ」): no offsets to add
        elif n == 1 or width <= 1:
            out.extend([offs[start]] * n)
        elif n:
            out.extend(offs[start + (k * (width - 1) + (n - 1) // 2) // (n - 1)] for k in range(n))
        pos = end
    parts.append(text[pos:])
    out.extend(offs[pos:])
    return "".join(parts), out


def _clean(text: str) -> tuple[str, Offs]:
    """Drop control, format, private-use and lone surrogate characters; tabs/newlines become spaces."""
    if text.isprintable():
        return text, list(range(len(text)))
    chars: list[str] = []
    offs: Offs = []
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\v\f":
            ch = " "
        elif cat in ("Cc", "Cf", "Cs", "Co"):
            continue
        chars.append(ch)
        offs.append(i)
    return "".join(chars), offs


_NFKC_CACHE: dict[str, str] = {}
_VOICING = ("\u3099", "\u309a")


def _fold(text: str, offs: Offs) -> tuple[str, Offs]:
    """NFKC character by character (full-width digits/latin -> ASCII, half-width kana -> full)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, offs
    chars: list[str] = []
    out: Offs = []
    for ch, o in zip(text, offs, strict=True):
        nf = _NFKC_CACHE.get(ch)
        if nf is None:
            nf = _NFKC_CACHE.setdefault(ch, unicodedata.normalize("NFKC", ch))
        if nf in _VOICING and chars:  # ｶﾞ: compose the voicing mark into the previous kana
            composed = unicodedata.normalize("NFC", chars[-1] + nf)
            if len(composed) == 1:
                chars[-1] = composed
                continue
        chars.extend(nf)
        out.extend([o] * len(nf))
    return "".join(chars), out


# neologdn substitutes these; everything else it keeps or deletes (spaces, tildes, repeated ー)
_DASHES = frozenset("-ー˗֊‐‑‒–⁃⁻₋−—―─━")
_SUBST = {"¥": "\\", "‘": "`", "’": "'", "“": '"', "”": '"'}
_TILDES = "~∼∾〜〰"
_RANGE_RE = re.compile(rf"(?<=[0-9〇一二三四五六七八九十時日月分半円])\s*[{_TILDES}]\s*(?=[0-9〇一二三四五六七八九十])")


def _align(src: str, out: str) -> list[int] | None:
    """Index in `src` of each character of neologdn's `out`, or None if they do not line up."""
    idx: list[int] = []
    i, n = 0, len(src)
    for ch in out:
        while i < n:
            s = src[i]
            if s == ch or _SUBST.get(s) == ch or (s in _DASHES and ch in _DASHES):
                break
            i += 1
        if i == n:
            return None
        idx.append(i)
        i += 1
    return idx


def _neologdn(text: str, offs: Offs) -> tuple[str, Offs]:
    # 10時〜12時: neologdn deletes every tilde; keep range tildes as "~" by normalising around them
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _RANGE_RE.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    chars: list[str] = []
    out: Offs = []
    for k, (a, b) in enumerate(pieces):
        if k:
            chars.append("~")
            out.append(offs[a - 1])
        src = text[a:b]
        norm = neologdn.normalize(src)
        idx = _align(src, norm)
        if idx is None:  # never seen; keep the piece as it was rather than lose the offsets
            norm, idx = src, list(range(len(src)))
        chars.append(norm)
        out.extend(offs[a + j] for j in idx)
    return "".join(chars), out


_SEP = r"[ 、,…]"
# elongated hiragana fillers: never words, removed unless glued to a preceding hiragana word (へえー)
# (a bare えと after a kanji is a verb's ending, not a filler: 考えといた, 覚えとって, 控えとく)
_STRONG = r"えー+っ?と|えっと|(?<![\u4e00-\u9fff々])えと|ええと|えー+|[あそ]の[ーう]+|うー+ん|んー+|あー+"
# short fillers are words too (あの店, まあまあ), and so are katakana ones (エース, アーム): only
# with a pause after them
_WEAK = r"[あそ]の|まあ|まぁ|まー+|エー*[ッっ]?[トと]|エー+|[アソ]ノー+|ウー+ン|ンー+|アー+|マア"
_FILLER_RE = re.compile(
    rf"(?:(?<![ぁ-ゖー])|(?<=[をはがにでともや]))(?:{_STRONG}){_SEP}*"
    rf"|(?:^|(?<={_SEP}))(?:{_WEAK}){_SEP}+"
)
# ちゅ、ちゅうもん; the fragment starts a word, so that the end of one (いや、やっぱり) is never taken for it
_STUTTER_RE = re.compile(r"(?<![ぁ-ゖァ-ヺー])([ぁ-ゖァ-ヺ]{1,2})[ 、,・…]+(?=\1[ぁ-ゖァ-ヺー])")


def _filler_edits(text: str) -> list[Edit]:
    edits = [(m.start(), m.end(), "") for m in _FILLER_RE.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _STUTTER_RE.finditer(text)]
    if len(edits) > 1:
        edits.sort()
        merged = [edits[0]]
        for e in edits[1:]:
            if e[0] >= merged[-1][1]:
                merged.append(e)
        return merged
    return edits


_REPEAT_RE = re.compile(r"([\u4e00-\u9fff々ぁ-ゖァ-ヺー]{2,8}?)(?:[ 、,]*\1)+")
_ONCE = frozenset({"はい", "うん", "ええ", "いえ", "いや", "そう", "だめ", "ちがう", "ちょっと"})
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_KATA_ONLY = re.compile(r"[ァ-ヺー]+")


def _repeat_edits(text: str) -> list[Edit]:
    """注文注文 -> 注文, はいはいはい -> はい; reduplicated words (いろいろ, イライラ) are kept."""
    edits: list[Edit] = []
    for m in _REPEAT_RE.finditer(text):
        unit = m.group(1)
        reps = len(m.group()) // len(unit)  # separators make this a lower bound; fine for >= checks
        if _KANJI.search(unit) or unit in _ONCE or (_KATA_ONLY.fullmatch(unit) and len(unit) >= 3):
            edits.append((m.start() + len(unit), m.end(), ""))
        elif reps >= 3:  # もしもしもし -> もしもし
            second = text.index(unit, m.start() + len(unit))
            edits.append((second + len(unit), m.end(), ""))
    return edits


_Pass = Callable[[str], list[Edit]]
_BEFORE_NEOLOGDN: tuple[_Pass, ...] = (
    numbers.digit_stutter_edits,
    numbers.kana_unit_edits,
    numbers.split_day_edits,
    numbers.kana_pair_edits,
    numbers.period_edits,
    numbers.kana_group_edits,
    numbers.spoken_digit_edits,
    _filler_edits,
)
_AFTER_NEOLOGDN: tuple[_Pass, ...] = (numbers.kanji_number_edits, numbers.digit_dash_edits, _repeat_edits)
_KANA = re.compile(r"[ぁ-ゖァ-ヺ]")
# the particles of romaji as they are written, not as they sound (wa は, wo を, e へ)
_ROMAJI_PARTICLES = {"wa": "は", "wo": "を", "e": "へ"}
_SYLLABIC_NN = re.compile(r"nn(?=[aiueoy])")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _romaji_edits(text: str) -> list[Edit]:
    """Japanese in Latin letters (chat without a Japanese keyboard, a Latin-only recogniser) as kana, so the
    Japanese readers see it: 「ryoushuusho wa doko」 -> 「りょうしゅうしょ は どこ」 (see `language.romaji_words`)."""
    edits = []
    for start, end in romaji_words(text):
        word = text[start:end].lower().replace("'", "")
        kana = _ROMAJI_PARTICLES.get(word) or str(jaconv.alphabet2kana(_SYLLABIC_NN.sub("n'n", word)))
        if any("a" <= ch <= "z" for ch in kana):
            continue  # not every letter became kana: not romaji after all
        edits.append((start, end, kana))
    return edits


def normalize(text: str) -> Normalized:
    """Normalise one utterance; `offsets[i]` is the input index of output character i (+ len(text))."""
    norm, offs = _clean(text)
    norm, offs = _fold(norm, offs)
    if _ASCII_LETTER.search(norm):
        norm, offs = apply_edits(norm, offs, _romaji_edits(norm))
    norm, offs = apply_edits(norm, offs, numbers.homophone_digit_edits(norm))
    if _KANA.search(norm):
        for edit_pass in _BEFORE_NEOLOGDN:
            norm, offs = apply_edits(norm, offs, edit_pass(norm))
    norm, offs = _neologdn(norm, offs)
    if not norm.isascii():
        for edit_pass in _AFTER_NEOLOGDN:
            norm, offs = apply_edits(norm, offs, edit_pass(norm))
    return Normalized(norm, (*offs, len(text)))
