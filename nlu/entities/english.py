"""Entities of a line in English (SPEC 5 values, the same as from Japanese): numbers said digit by digit
("oh nine oh, one two three four..."), dates (tomorrow, next Monday, December 10th), times (3 pm) and
delivery windows (morning, 2 to 4): generic English, here. The company's stores and products by their English
names are its data: the lexicon's English names (nlu/data/lexicon_en.yaml, `Lexicon.match_english`).

Used instead of the Japanese extractors only for lines the language identifier reads as English: the
Japanese rules read kana and kanji, and English words (one, oh, Monday) mean nothing to them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from nlu.entities.lexicon import Lexicon, default_lexicon
from nlu.entities.numeric import NUMBER_KINDS
from nlu.types import Entity, Normalized

TOKYO = ZoneInfo("Asia/Tokyo")

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3}
# a digit, a run of numerals, a digit word, or double/triple before one: the pieces of a spoken number
_PIECE = re.compile(r"\d+|[a-z]+", re.IGNORECASE)
# between the pieces of one number: spaces, hyphens, commas, dots and "dash"
_JOINER = re.compile(r"^(?:[\s,.\-]|dash)*$", re.IGNORECASE)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_RE = "|".join(m[:3] + f"(?:{m[3:]})?" if len(m) > 3 else m for m in _MONTHS)
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30,
}  # fmt: skip
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?|" + "|".join(_ORDINAL_WORDS)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(?:the\s+)?({_DAY})\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(?:the\s+)?({_DAY})\s+(?:of\s+)?({_MONTH_RE})\b", re.IGNORECASE)
_THE_DAY = re.compile(rf"\bthe\s+((\d{{1,2}})(?:st|nd|rd|th)|{'|'.join(_ORDINAL_WORDS)})\b", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(the day after tomorrow|day after tomorrow|tomorrow|today|tonight)\b", re.IGNORECASE)
_WEEKDAY = re.compile(rf"\b(?:(next|this|coming|on)\s+)?({'|'.join(_WEEKDAYS)})\b", re.IGNORECASE)

_NUMBER_WORDS = {**{w: int(d) for w, d in _DIGIT_WORDS.items() if w not in ("oh", "o", "nought")},
                 "ten": 10, "eleven": 11, "twelve": 12, "noon": 12}
_HOUR = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_MERIDIEM = r"(a\.?\s?m\.?|p\.?\s?m\.?|in the morning|in the afternoon|in the evening|at night|o'?clock)"
_CLOCK = re.compile(rf"\b{_HOUR}(?::(\d{{2}}))?\s*{_MERIDIEM}(?!\w)|\b(\d{{1,2}}):(\d{{2}})\b|\bnoon\b",
                    re.IGNORECASE)
# an hour said bare after a word of time (around four, at 3, about 10-ish): the clock, p.m. for 1-7 as usual
_ABOUT_HOUR = re.compile(
    rf"\b(?:around|about|at|by|after|say|roughly|approximately)\s+{_HOUR}(?:ish)?\b"
    r"(?!\s*(?:days?|weeks?|months?|items?|pieces?|of\b|minutes?|hours?|yen|digits?|:|\.\d|am\b|pm\b|a\.m|p\.m|o'?clock|in the"
    r"|thirty|fifteen|forty|twenty|fifty|half))",  # (four thirty: minutes this reader does not take, so no time)
    re.IGNORECASE)
_RANGE = re.compile(
    rf"\b(?:between\s+|from\s+)?{_HOUR}(?::00)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(?:to|and|till|until|-|–)\s*{_HOUR}(?::00)?"
    rf"\s*(am|pm|a\.m\.|p\.m\.|o'?clock)?(?!\w)",
    re.IGNORECASE,
)
AM = "08:00-12:00"
EARLY_PM = "14:00-16:00"
LATE_PM = "16:00-18:00"
NIGHT = "18:00-21:00"
LATE_NIGHT = "19:00-21:00"
# the carriers' windows by name (nlu/entities/windows.py has the Japanese words for the same spans)
_WINDOW_WORDS = [
    (r"late afternoon", LATE_PM),
    (r"early afternoon", EARLY_PM),
    (r"early evening", "18:00-20:00"),
    (r"late evening|late at night|as late as possible|latest (?:slot|time)", LATE_NIGHT),
    (r"(?:in the |this |during the )?morning|before noon|a\.?m\.? slot", AM),
    (r"(?:in the |this )?afternoon", EARLY_PM),
    (r"(?:in the |this )?evening|tonight|at night|night time", NIGHT),
]
_WINDOW_RE = [(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), value) for pattern, value in _WINDOW_WORDS]

_AMOUNT = re.compile(r"(?:¥\s?(\d[\d,]*)|(\d[\d,]*)\s?yen\b)", re.IGNORECASE)


def english_entities(norm: Normalized, now: datetime, lexicon: Lexicon | None = None) -> tuple[Entity, ...]:
    """All entities of one English line, sorted by position; `now` resolves relative dates (Asia/Tokyo);
    store and product names from `lexicon` (its English names; by default the sample bot's)."""
    text = norm.text
    found: list[tuple[int, int, str, str | int]] = []
    found += _numbers(text)
    found += _dates(text, now.astimezone(TOKYO).date())
    ranges = _ranges(text)
    times = [t for t in _times(text) if not _overlaps(t, ranges)]
    found += ranges + times + [w for w in _window_words(text) if not _overlaps(w, ranges + times)]
    found = [f for f in found if not (f[2] in _AVOIDABLE and _away(text, f[0], f[1]))]
    found += [(m.start(), m.end(), "amount", int((m.group(1) or m.group(2)).replace(",", "")))
              for m in _AMOUNT.finditer(text)]
    names = (lexicon or default_lexicon()).match_english(text)
    out = [Entity(etype, value, *norm.span(start, end)) for start, end, etype, value in found]
    out += [Entity(e.type, e.value, *norm.span(e.start, e.end), alternatives=e.alternatives) for e in names]
    out.sort(key=lambda e: (e.start, -e.end))
    return tuple(out)


# a day or a slot the caller cannot take ("I won't be home tomorrow", "nobody's in on Saturday morning",
# "tomorrow doesn't work"): the one to avoid, not the one asked for (the Japanese: nlu/entities/absence.py)
_AVOIDABLE = frozenset({"date", "time_window"})
_CLAUSE_END = re.compile(r"[.;!?]|,|\b(?:but|so|and|could|can|would|please)\b(?!['’]|n['’]?t)", re.IGNORECASE)
_AWAY = re.compile(
    r"\b(?:won'?t|will not|can'?t|cannot|can not|couldn'?t|not going to|(?:i'?m|i am|we'?re|we are|i'?ll|we'?ll) (?:not|be out|be away)"
    r"|nobody|no one|noone)\b[^.;,!?]*?\b(?:home|in|there|around|available|receive|be)\b"
    r"|\b(?:i'?m|i am|we'?re|we are|i'?ll be|we'?ll be|i will be|we will be) (?:away|out|traveling|travelling|at work|working)\b"
    r"|\b(?:doesn'?t|does not|won'?t|will not|isn'?t|is not) (?:work|suit|good|ok|okay|possible)\b|\bno good\b",
    re.IGNORECASE,
)


def _away(text: str, start: int, end: int) -> bool:
    """Whether the clause around text[start:end] says the caller is away then (see _AWAY)."""
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    after = _CLAUSE_END.search(text, end)
    clause = text[before[-1] if before else 0 : after.start() if after else len(text)]
    return _AWAY.search(clause) is not None


def _overlaps(span: tuple[int, int, str, str | int], others: list[tuple[int, int, str, str | int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b, _, _ in others)


# -- numbers said digit by digit ------------------------------------------------------------------------


def _numbers(text: str) -> list[tuple[int, int, str, str | int]]:
    out: list[tuple[int, int, str, str | int]] = []
    digits, start, end, repeat = "", -1, -1, 1
    marks: list[tuple[int, int, int]] = []  # each piece of the run: (start, end, digits before it)
    for m in [*_PIECE.finditer(text), None]:
        word = m.group().lower() if m is not None else ""
        joined = m is not None and start >= 0 and _JOINER.match(text[end:m.start()]) is not None
        piece = word if word.isdigit() else _DIGIT_WORDS.get(word) if word in _DIGIT_WORDS else None
        if m is not None and word in _REPEATS:
            if start < 0 or not joined:
                _close(out, digits, start, end, marks)
                digits, start, marks = "", m.start(), []
            repeat, end = _REPEATS[word], m.end()
            continue
        if piece is not None and (joined or start < 0):
            assert m is not None
            marks.append((m.start(), m.end(), len(digits)))
            digits += piece[0] * repeat + piece[1:] if repeat > 1 else piece
            start = m.start() if start < 0 else start
            end, repeat = m.end(), 1
            continue
        _close(out, digits, start, end, marks)
        digits, start, end, repeat, marks = "", -1, -1, 1, []
        if piece is not None and m is not None:
            digits, start, end, marks = piece, m.start(), m.end(), [(m.start(), m.end(), 0)]
    return out


def _kind(digits: str) -> str | None:
    return next((k.name for k in NUMBER_KINDS if digits and k.fits(digits)), None)


def _close(out: list[tuple[int, int, str, str | int]], digits: str, start: int, end: int,
           marks: list[tuple[int, int, int]]) -> None:
    kind = _kind(digits)
    if kind is not None:
        out.append((start, end, kind, digits))
        return
    # "09012341234 no wait, it's 5678. 090-1234-5678": a run that is no number may be the end of a correction
    # followed by the whole number again; the longest tail that is one counts (the number said last)
    for piece_start, _, offset in marks[1:]:
        tail = digits[offset:]
        kind = _kind(tail)
        if kind is not None:
            out.append((piece_start, end, kind, tail))
            return


# -- dates -----------------------------------------------------------------------------------------------


def _day_number(value: str) -> int:
    value = value.lower()
    return _ORDINAL_WORDS[value] if value in _ORDINAL_WORDS else int(re.sub(r"\D", "", value))


def _month_number(value: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(value.lower()[:3]))


def _next_date(today: date, month: int, day: int) -> date | None:
    """The month and day said, this year or (when it has passed) the next."""
    for year in (today.year, today.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d >= today:
            return d
    return None


def _dates(text: str, today: date) -> list[tuple[int, int, str, str | int]]:
    out: list[tuple[int, int, str, str | int]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], d: date | None) -> None:
        if d is not None and not any(a < m.end() and m.start() < b for a, b in taken):
            out.append((m.start(), m.end(), "date", d.isoformat()))
            taken.append((m.start(), m.end()))

    for m in _MONTH_DAY.finditer(text):
        add(m, _next_date(today, _month_number(m.group(1)), _day_number(m.group(2))))
    for m in _DAY_MONTH.finditer(text):
        add(m, _next_date(today, _month_number(m.group(3)), _day_number(m.group(1))))
    for m in _THE_DAY.finditer(text):
        day = _day_number(m.group(1))
        d = _next_date(today, today.month, day) if day >= today.day else None
        if d is None:
            month = today.month % 12 + 1
            d = _next_date(today.replace(day=1) + timedelta(days=32), month, day)
        add(m, d)
    for m in _RELATIVE.finditer(text):
        word = m.group(1).lower()
        add(m, today + timedelta(days=2 if "after" in word else 1 if word == "tomorrow" else 0))
    for m in _WEEKDAY.finditer(text):
        ahead = (_WEEKDAYS.index(m.group(2).lower()) - today.weekday()) % 7
        if (m.group(1) or "").lower() == "next":
            # "next Monday" said on a Friday is three days on; said on a Monday, a week on
            ahead = ahead or 7
        add(m, today + timedelta(days=ahead or 7))
    return out


# -- times and delivery windows --------------------------------------------------------------------------


def _hour(value: str) -> int:
    value = value.lower()
    return _NUMBER_WORDS[value] if value in _NUMBER_WORDS else int(value)


def _afternoon(hour: int, meridiem: str) -> int:
    """The 24-hour clock: a.m./p.m. when said; otherwise a delivery or call-back hour of 1-7 is p.m."""
    meridiem = meridiem.lower().replace(".", "").replace(" ", "")
    if meridiem.startswith("p") or meridiem in ("intheafternoon", "intheevening", "atnight"):
        return hour + 12 if hour < 12 else hour
    if meridiem.startswith("a") or meridiem == "inthemorning":
        return 0 if hour == 12 else hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _times(text: str) -> list[tuple[int, int, str, str | int]]:
    out: list[tuple[int, int, str, str | int]] = []
    for m in _CLOCK.finditer(text):
        if m.group().lower() == "noon":
            out.append((m.start(), m.end(), "time", "12:00"))
            continue
        if m.group(4) is not None:
            hour, minute = int(m.group(4)), int(m.group(5))
        else:
            hour, minute = _afternoon(_hour(m.group(1)), m.group(3)), int(m.group(2) or 0)
        if hour <= 23 and minute <= 59:
            out.append((m.start(), m.end(), "time", f"{hour:02d}:{minute:02d}"))
    for m in _ABOUT_HOUR.finditer(text):
        if any(a <= m.start(1) < b for a, b, _, _ in out):
            continue
        hour = _afternoon(_hour(m.group(1)), "")
        if 1 <= hour <= 23:
            out.append((m.start(1), m.end(), "time", f"{hour:02d}:00"))
    return out


def _ranges(text: str) -> list[tuple[int, int, str, str | int]]:
    """2 to 4, between 2 and 4 pm, from 14 to 16: a window (HH:MM-HH:MM)."""
    out: list[tuple[int, int, str, str | int]] = []
    for m in _RANGE.finditer(text):
        end_meridiem = m.group(4) or ""
        first, last = _hour(m.group(1)), _hour(m.group(3))
        start = _afternoon(first, m.group(2) or (end_meridiem if first < last else ""))
        finish = _afternoon(last, end_meridiem)
        if finish <= start and not end_meridiem and finish + 12 <= 24:
            finish += 12  # 7 to 9: the evening slot
        if 0 <= start < finish <= 24:
            out.append((m.start(), m.end(), "time_window", f"{start:02d}:00-{finish:02d}:00"))
    return out


def _window_words(text: str) -> list[tuple[int, int, str, str | int]]:
    out: list[tuple[int, int, str, str | int]] = []
    for pattern, value in _WINDOW_RE:
        for m in pattern.finditer(text):
            if not _overlaps((m.start(), m.end(), "", ""), out):
                out.append((m.start(), m.end(), "time_window", value))
    return out
