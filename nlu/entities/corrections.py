"""Self-corrections inside one utterance: 「明日、いや、あさって」 means あさって.

A caller who misspeaks says the value again after a marker (あ、違う / いや / じゃなくて / じゃなかった /
間違えました / 訂正します / すみません / やっぱり); the later value replaces the earlier one of the same type. Only a
marker that stands between the two values, with nothing but pauses, particles and fillers around it,
counts: 「明日届くと言われたのに、すみません、今日も来ない」 names two dates and corrects neither. Two values
without a marker between them are both kept (「明日か明後日」).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

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
