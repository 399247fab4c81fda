"""Self-corrections inside one utterance: 「明日、いや、あさって」 means あさって.

A caller who misspeaks says the value again after a marker (あ、違う / いや / じゃなくて / じゃなかった /
間違えました / 訂正します / すみません / やっぱり); the later value replaces the earlier one of the same type. Only a
marker that stands between the two values, with nothing but pauses, particles and fillers around it,
counts: 「明日届くと言われたのに、すみません、今日も来ない」 names two dates and corrects neither. Two values
without a marker between them are both kept (「明日か明後日」).

A number corrected by its last digits only (「090の1234の5679、あ、間違えました、5678です」「12345679、いや、最後は8
です」) keeps its head: the later digits replace its tail, see `replace_tails`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from nlu import numbers
from nlu.types import Entity, Normalized

_MARKER = (
    r"言い間違え(?:ました|た)?|いいまちがえ(?:ました|た)?|間違え(?:ました|た|て)?|間違い(?:です|でした)?"
    r"|まちがえ(?:ました|た|て)?|まちがい(?:です|でした)?"
    r"|(?:違|ちが)(?:う|った|いました|います|いまして|くて)|ちゃうちゃう|ちゃいます|ちゃう"
    r"|じゃなくて|じゃなく|ではなくて|ではなく|でなくて|やなくて|じゃなかった|ではなかった|やなかった|じゃない"
    r"|訂正(?:します|させてください|です|で)?|ていせい(?:します)?|もとい|やっぱり|やっぱ"
    r"|いやいや|いや|いいえ|いえ"
    r"|すみません|すいません|ごめんなさい|ごめん|失礼しました|失礼|申し訳(?:ありません|ございません)"
)
_MARKER_RE = re.compile(_MARKER)
# what may stand around the marker: pauses, particles and endings, fillers, and 「正しくは」. Words before
# single characters, and possessive repeats: no backtracking, whatever the gap holds
_AROUND = (
    r"でございます|言い直します|いいなおします|ほんとうは|正しくは|ただしくは|もういちど|本当は|ほんとは|正解は"
    r"|もう一度|言います|いいます|えっと|えーと|ええと|おっと|でした|だった|です|あれ|あの|その|えと|まあ"
    r"|[、。,.!?・ ~ーでのはをがねよわやなかっあえおだ]"
)
_BEFORE_RE = re.compile(rf"(?:{_AROUND})*+")
_AFTER_RE = re.compile(rf"(?:{_MARKER}|{_AROUND})*+")


def drop_corrected(norm: Normalized, entities: Sequence[Entity]) -> tuple[Entity, ...]:
    """`entities` (sorted by position) without those the caller took back."""
    types = [e.type for e in entities]
    if len(set(types)) == len(types) or not _MARKER_RE.search(norm.text):
        return tuple(entities)
    spans = [_norm_span(norm, e) for e in entities]
    dropped: set[int] = set()
    for i, entity in enumerate(entities):
        later = next(
            (j for j in range(i + 1, len(entities)) if entities[j].type == entity.type and spans[j][0] >= spans[i][1]),
            None,
        )
        if later is not None and _corrects(_gap(norm.text, spans, i, later)):
            dropped.add(i)
    return tuple(e for k, e in enumerate(entities) if k not in dropped)


def _norm_span(norm: Normalized, entity: Entity) -> tuple[int, int]:
    """The span of the normalised text an entity came from (the inverse of `Normalized.span`)."""
    return bisect_left(norm.offsets, entity.start), bisect_left(norm.offsets, entity.end)


def _gap(text: str, spans: list[tuple[int, int]], i: int, j: int) -> str:
    """The words between entity i and entity j, less any other entity said there (明日の夕方、いや、)."""
    start, end = spans[i][1], spans[j][0]
    keep = [True] * (end - start)
    for a, b in spans:
        for k in range(max(a, start), min(b, end)):
            keep[k - start] = False
    return "".join(ch for ch, kept in zip(text[start:end], keep, strict=True) if kept)


MAX_GAP = 40  # characters between the two values; a longer stretch is more than a slip of the tongue


def _corrects(gap: str) -> bool:
    if len(gap) > MAX_GAP:
        return False
    m = _MARKER_RE.search(gap)
    return (
        m is not None
        and _BEFORE_RE.fullmatch(gap, 0, m.start()) is not None
        and _AFTER_RE.fullmatch(gap, m.end()) is not None
    )


_NUMBER_TYPES = frozenset({"order_id", "phone_number", "postal_code", "digits"})
# the part said again, after the marker: 最後は, 最後の数字は, 下四桁は, 末尾の2桁が, うしろのよんけたは
_KDIGIT = r"[0-9一二三四五六七八九]|ひと|ふた|いち|に|さん|よん|ご"
_TAIL_WORDS = (
    rf"(?:最後|さいご|末尾|まつび|おしまい|終わり|おわり|後ろ|うしろ|下(?=(?:{_KDIGIT})(?:桁|けた))|しも(?=(?:{_KDIGIT})けた))"
    rf"(?:の?(?P<n>{_KDIGIT})(?:桁|けた|つ))?(?:の(?:数字|すうじ|番号|ばんごう|とこ|ところ))?(?:は|が|の|って)?"
)
# the tail words before the single characters (お of おしまい): no backtracking, as in _AFTER_RE
_AFTER_TAIL_RE = re.compile(rf"(?:{_MARKER}|{_TAIL_WORDS}|{_AROUND})*+")
_SPOKEN = "|".join(sorted(map(re.escape, numbers.SPOKEN_DIGITS), key=len, reverse=True))
_TAIL_START = re.compile(rf"[0-9]|{_SPOKEN}")
_ASCII_TAIL = re.compile(r"[0-9]+(?:(?:[ 、・\-の]|\.{2,})+[0-9]+)*")
# where a number said on its own ends: the end of the turn, a copula or a request, a pause before one
_TAIL_END = re.compile(
    r"[ 、,。.!?~ー]*(?:$|です|でした|でござ|になり|ね|や|だ|#|って|かな|かと|で(?:[ 、,。.!?]*$|お願|おねが|あって|合って)"
    # or a second correction (「…5679、あ違う、5688、いや、5678です」): the loop takes the tail again
    rf"|(?=(?:{_MARKER})))"
)
_N_DIGITS = {"ひと": 1, "いち": 1, "ふた": 2, "に": 2, "さん": 3, "よん": 4, "ご": 5} | {
    k: v for v, k in enumerate("〇一二三四五六七八九")
}


def replace_tails(norm: Normalized, entities: Sequence[Entity]) -> list[Entity]:
    """`entities` (sorted by position) with each number whose last digits the caller said again after a
    marker made whole again: 「12345679、あ、ちがう、最後は8です」 is 12345678, over the whole said span. The
    later run must be shorter than the number, and be a tail of it as said: at most half of it, or its
    last groups (「090の1234の5679、いや、1234の5678」); whatever stood for the run alone is dropped."""
    text = norm.text
    if not any(e.type in _NUMBER_TYPES for e in entities) or not _MARKER_RE.search(text):
        return list(entities)
    out = list(entities)
    spans = [_norm_span(norm, e) for e in out]
    i = 0
    while i < len(out):
        tail = _tail_after(text, spans[i]) if out[i].type in _NUMBER_TYPES else None
        if tail is None or not _fits_tail(text, spans[i], str(out[i].value), tail[0], tail[3], out[i].type):
            i += 1
            continue
        digits, start, end, _ = tail
        said = out[i]
        value = str(said.value)[: -len(digits)] + digits
        out[i] = Entity(said.type, value, said.start, norm.span(start, end)[1])
        spans[i] = (spans[i][0], end)
        keep = [k for k in range(len(out)) if k == i or not (start <= spans[k][0] and spans[k][1] <= end)]
        out, spans = [out[k] for k in keep], [spans[k] for k in keep]
        i = keep.index(i)  # the same number again: 「…5679、いや、8、いや、9」
    return out


def _tail_after(text: str, span: tuple[int, int]) -> tuple[str, int, int, int | None] | None:
    """(digits, start, end, the number of digits named) of a run said after a marker right after `span`."""
    for cand in _TAIL_START.finditer(text, span[1], min(len(text), span[1] + MAX_GAP + 1)):
        start = cand.start()
        gap = _corrected_gap(text[span[1] : start])
        if gap is None:
            continue
        if text[start].isdigit():
            run = _ASCII_TAIL.match(text, start)
            assert run is not None
            digits, end = "".join(ch for ch in run.group() if ch.isdigit()), run.end()
        else:
            spoken = numbers.spoken_digits_at(text, start)
            if spoken is None:
                continue
            digits, end = spoken
        if not _TAIL_END.match(text, end):  # a digit syllable of a word (失礼しました), or a count (3個)
            continue
        n = gap["n"]
        named = None if not n else int(n) if n.isdigit() else _N_DIGITS[n]
        return digits, start, end, named
    return None


def _corrected_gap(gap: str) -> re.Match[str] | None:
    """The words after the marker when `gap` corrects what came before it (see `_corrects`)."""
    if len(gap) > MAX_GAP:
        return None
    m = _MARKER_RE.search(gap)
    if m is None or _BEFORE_RE.fullmatch(gap, 0, m.start()) is None:
        return None
    return _AFTER_TAIL_RE.fullmatch(gap, m.end())


# the groups a number of a type is said in, as tails (〒160-0023, 090-1234-5678): a kana transcript's groups are
# gone once the normaliser has written its digits (いちろくぜろの ぜろぜろにさん -> 1600023)
_GROUP_TAILS = {"postal_code": (4,), "phone_number": (4, 8), "order_id": (4,)}


def _fits_tail(text: str, span: tuple[int, int], value: str, digits: str, named: int | None,
               kind: str = "digits") -> bool:
    if not value.isdigit() or len(digits) >= len(value) or (named is not None and named != len(digits)):
        return False
    if len(digits) <= len(value) // 2 or len(digits) in _GROUP_TAILS.get(kind, ()):
        return True
    said = [len(g) for g in re.findall(r"[0-9]+", text[span[0] : span[1]])]  # 090の1234の5679: 3, 4, 4
    return any(sum(said[k:]) == len(digits) for k in range(1, len(said)))
