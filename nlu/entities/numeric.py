"""Digit entities on normalised text (digits are ASCII by now): ids, phone, postal code, amount."""

from __future__ import annotations

import re

from nlu.types import Entity, Normalized

# digit groups joined by one space or hyphen (090-1234-5678, 1234 5678), not part of a date or time
_SEQ_RE = re.compile(r"(?<![0-9/:.,])[0-9]+(?:[ \-の][0-9]+)*(?![0-9/:.,])")
_UNIT_AFTER = re.compile(r" ?(?:円|えん|万|千|百|時|分|秒|日|月|年|歳|才|個|件|階|号|枚|本|台|%|~|から)")
_POSTAL_CTX = ("郵便番号", "ゆうびんばんごう", "ユウビンバンゴウ", "郵便", "〒")
_POSTAL_FORM = re.compile(r"[0-9]{3}-[0-9]{4}")
# seven digits are a postal code (no other entity has seven) unless said as a mistyped order/phone number
_NOT_POSTAL_CTX = ("注文", "ちゅうもん", "番号", "ばんごう", "バンゴウ")
_AMOUNT_RE = re.compile(r"(?:[¥\\] ?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)|([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+) ?(?:円|えん)")


def _classify(digits: str, surface: str, before: str) -> str | None:
    n = len(digits)
    if n == 7 and (_POSTAL_FORM.fullmatch(surface) or before.endswith(_POSTAL_CTX) or not before.endswith(_NOT_POSTAL_CTX)):
        return "postal_code"
    if digits[0] == "0" and n in (10, 11):
        return "phone_number"
    if n == 8:
        return "order_id"
    return None


def digit_entities(norm: Normalized) -> list[Entity]:
    text = norm.text
    out: list[Entity] = []
    for m in _SEQ_RE.finditer(text):
        if _UNIT_AFTER.match(text, m.end()):
            continue
        before = text[max(0, m.start() - 10) : m.start()].rstrip(" :はがをも")
        # the whole sequence first; when it fits nothing, each of its groups on its own
        groups = [(m.start(), m.end(), m.group())]
        joined = re.sub(r"[ \-の]", "", m.group())
        if joined != m.group() and not _classify(joined, m.group(), before):
            groups = [(g.start(), g.end(), g.group()) for g in re.finditer(r"[0-9]+", text[: m.end()]) if g.start() >= m.start()]
        for start, end, surface in groups:
            digits = re.sub(r"[ \-の]", "", surface)
            etype = _classify(digits, surface, before)
            if etype:
                a, b = norm.span(start, end)
                out.append(Entity(etype, digits, a, b))
    return out


def amount_entities(norm: Normalized) -> list[Entity]:
    out: list[Entity] = []
    for m in _AMOUNT_RE.finditer(norm.text):
        value = int((m.group(1) or m.group(2)).replace(",", ""))
        a, b = norm.span(m.start(), m.end())
        out.append(Entity("amount", value, a, b))
    return out
