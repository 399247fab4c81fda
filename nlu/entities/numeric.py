"""Digit entities on normalised text (digits are ASCII by now): ids, phone, postal code, amount."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from nlu.entities.lexicon import DEFAULT_PATH
from nlu.types import Entity, Normalized

# digit groups joined by a space, hyphen, の, a pause or the brackets of an area code (090-1234-5678,
# 090・1234・5678, 03(1234)5678, 〇九〇、一二三四…: NFKC has made … ‥ into dots and （） into ()), not part of
# a date, a time (10:30), a decimal or a thousands separator; a colon after a label starts one (電話:090-…)
_SEP = r"(?:[ 、・\-の()]|\.{2,})+"
# (a slash before a word ends the number: 「注文番号:12345678/電話:090-…」 as a chat form is typed; 12/20 is a date)
_SEQ_RE = re.compile(rf"(?<![0-9/])(?<![0-9][.,:])[0-9]+(?:{_SEP}[0-9]+)*(?![0-9:]|/ ?[0-9]|[.,][0-9])")
_GROUP_RE = re.compile(r"[0-9]+")
_PAUSED = re.compile(r"[、・.]")
# a number with a unit is a quantity; one before から/~ is a quantity only in a range (10から12時), not
# in 09012345678から電話がありました
_UNIT_AFTER = re.compile(r" ?(?:円|えん|万|千|百|時|分|秒|日|月|年|歳|才|個|件|階|号|枚|本|台|%|(?:~|から) ?[0-9])")
_POSTAL_CTX = ("郵便番号", "ゆうびんばんごう", "ユウビンバンゴウ", "郵便", "〒")
_POSTAL_FORM = re.compile(r"[0-9]{3}-[0-9]{4}")
# seven digits are a postal code (no other entity has seven) unless said as a mistyped order/phone number
_NOT_POSTAL_CTX = ("注文", "ちゅうもん", "番号", "ばんごう", "バンゴウ")
_AMOUNT_RE = re.compile(r"(?:[¥\\] ?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)|([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+) ?(?:円|えん)")


@dataclass(frozen=True, slots=True)
class NumberKind:
    name: str
    low: int
    high: int
    starts_with: str = ""

    def fits(self, digits: str) -> bool:
        return self.low <= len(digits) <= self.high and digits.startswith(self.starts_with)


def _number_kinds(path: Path = DEFAULT_PATH) -> tuple[NumberKind, ...]:
    """The company's number kinds (nlu/data/lexicon.yaml `numbers:`), in the order they are tried."""
    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    kinds = []
    for name, spec in (doc.get("numbers") or {}).items():
        digits = spec["digits"]
        low, high = (digits, digits) if isinstance(digits, int) else (int(digits[0]), int(digits[1]))
        kinds.append(NumberKind(str(name), low, high, str(spec.get("starts_with", ""))))
    return tuple(kinds)


NUMBER_KINDS = _number_kinds()


def _classify(digits: str, surface: str, before: str) -> str | None:
    for kind in NUMBER_KINDS:
        if not kind.fits(digits):
            continue
        # seven digits said after 注文番号 are a mistyped order number, not a postal code
        if kind.name == "postal_code" and not (
            _POSTAL_FORM.fullmatch(surface) or before.endswith(_POSTAL_CTX) or not before.endswith(_NOT_POSTAL_CTX)
        ):
            continue
        return kind.name
    return None


def _international(text: str, start: int, end: int) -> str | None:
    """+81 90-1234-5678 (a number copied from a phone's settings or a foreign SIM): the national number."""
    if text[max(0, start - 1) : start] != "+":
        return None
    whole = _digits(text, start, end)
    if not whole.startswith("81"):
        return None
    national = "0" + whole[2:].removeprefix("0")  # +81 (0)90…: the trunk 0 is sometimes written too
    return national if _classify(national, national, "") == "phone_number" else None


# a mobile number typed as after +81 with the + and 81 left off (9012345678, 90-1234-5678): Japan's mobile
# numbers are 070/080/090 and eight digits, and a ten-digit run in that shape is nothing else a caller says
_MOBILE_NO_TRUNK = re.compile(r"[789]0[0-9]{8}")


def _trunk_dropped(text: str, start: int, end: int) -> str | None:
    whole = _digits(text, start, end)
    if not _MOBILE_NO_TRUNK.fullmatch(whole):
        return None
    national = "0" + whole
    return national if _classify(national, national, "") == "phone_number" else None


def digit_entities(norm: Normalized) -> list[Entity]:
    text = norm.text
    out: list[Entity] = []
    for m in _SEQ_RE.finditer(text):
        if (national := _trunk_dropped(text, m.start(), m.end())) is not None:
            a, b = norm.span(m.start(), m.end())
            out.append(Entity("phone_number", national, a, b))
            continue
        if (national := _international(text, m.start(), m.end())) is not None:
            a, b = norm.span(m.start() - 1, m.end())
            out.append(Entity("phone_number", national, a, b))
            continue
        groups = [(g.start(), g.end()) for g in _GROUP_RE.finditer(text, m.start(), m.end())]
        before = text[max(0, m.start() - 10) : m.start()].rstrip(" :はがをも")
        if _UNIT_AFTER.match(text, m.end()):
            # 12345678、3個: a count after a pause is not part of the number; 10-12時 is a range. After a space
            # only when what comes before it is a whole number of its own (「ばんごうは 12345678 12日の午前中で」)
            if len(groups) == 1:
                continue
            rest = (groups[0][0], groups[-2][1])
            if not (_PAUSED.search(text, groups[-2][1], groups[-1][0])
                    or _classify(_digits(text, *rest), text[rest[0]:rest[1]], before)):
                continue
            groups.pop()
        for start, end, etype in _numbers(text, groups, before):
            a, b = norm.span(start, end)
            out.append(Entity(etype, _digits(text, start, end), a, b))
    return out


MIN_PLAIN_DIGITS, MAX_PLAIN_DIGITS = 4, 16


def _digits(text: str, start: int, end: int) -> str:
    return "".join(_GROUP_RE.findall(text, start, end))


def _numbers(text: str, groups: list[tuple[int, int]], before: str) -> list[tuple[int, int, str]]:
    """The entities a run of digit groups spells: the whole run when it is one (090 1234 5678), else
    the longest runs of consecutive groups that are, left to right (12345678、090 1234 5678). When some
    group fits in none, each group on its own, as said (12345678 1234: the order number only)."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(groups):
        for j in range(len(groups) - 1, i - 1, -1):
            start, end = groups[i][0], groups[j][1]
            etype = _classify(_digits(text, start, end), text[start:end], before if i == 0 else "")
            if etype:
                found.append((start, end, etype))
                i = j + 1
                break
        else:
            break
    if i == len(groups):
        return found
    typed = [(a, b, t) for a, b in groups if (t := _classify(text[a:b], text[a:b], before))]
    if not typed:
        # a number of no SPEC type (a member or meter number of a bot's own): a plain run of digits, which
        # the dialogue reads as whatever digit type the bot declared for the question (entities/*.yaml)
        whole = _digits(text, groups[0][0], groups[-1][1])
        if MIN_PLAIN_DIGITS <= len(whole) <= MAX_PLAIN_DIGITS:
            return [(groups[0][0], groups[-1][1], "digits")]
    return typed


def amount_entities(norm: Normalized) -> list[Entity]:
    out: list[Entity] = []
    for m in _AMOUNT_RE.finditer(norm.text):
        value = int((m.group(1) or m.group(2)).replace(",", ""))
        a, b = norm.span(m.start(), m.end())
        out.append(Entity("amount", value, a, b))
    return out
