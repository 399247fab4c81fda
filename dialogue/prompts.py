"""Response templates from `prompts/*.yaml`: channel variants, rotation, and values formatted for speech.

A template names values as `{slot}` or `{slot:format}`; formats: `digits` (read digit by digit on the
phone), `yen`, `date` (11月30日(月)), `time` (15時30分), `phone`. Voice prompts also get SSML.
"""

from __future__ import annotations

import functools
import html
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import phonenumbers

from dialogue.api import Channel, Prompt
from dialogue.prompt_formats_en import EN_FORMATS, TERM_PREFIX
from dialogue.yaml_source import REPO_ROOT, SourceError, at, read_yaml

DEFAULT_PROMPTS_DIR = REPO_ROOT / "prompts"
WEEKDAYS = "月火水木金土日"
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?::([a-z]+))?\}")
FORMATS = ("digits", "yen", "date", "time", "phone", "window", "", *EN_FORMATS)  # English ones: issue 14


def _fmt_date(value: str) -> str:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.month}月{d.day}日({WEEKDAYS[d.weekday()]})"


def _fmt_time(value: str) -> str:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not m:
        return value
    h, mi = int(m.group(1)), int(m.group(2))
    return f"{h}時" if mi == 0 else f"{h}時{mi}分"


def _fmt_window(value: str) -> str:
    """A delivery window as callers say it: 14:00-16:00 -> 14時から16時; 08:00-12:00 -> 午前中."""
    m = re.fullmatch(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})", value)
    if not m:
        return value
    if value == "08:00-12:00":
        return "午前中"  # the carriers' name for their morning window
    return f"{_fmt_time(value[:5])}から{_fmt_time(value[6:])}"


def _fmt_yen(value: str) -> str:
    try:
        return f"{int(value):,}円"
    except ValueError:
        return value


def _fmt_phone(value: str) -> str:
    """As the number is written in Japan: the area code's own length (075-222-3333, 03-1234-5678, 0120-123-456),
    from libphonenumber's tables; a number it does not know is split the common way."""
    digits = re.sub(r"\D", "", value)
    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10:
        return f"{digits[:2]}-{digits[2:6]}-{digits[6:]}"
    return value


class _Formatter(string.Formatter):
    def __init__(self, channel: Channel, terms: Mapping[str, str] | None = None) -> None:
        self.channel = channel
        self.terms = terms or {}

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        value: Any = kwargs
        for part in field_name.split("."):
            value = value.get(part, "") if isinstance(value, Mapping) else ""
        return value, field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        text = "" if value is None else str(value)
        if format_spec in EN_FORMATS:
            return EN_FORMATS[format_spec](text, self.terms)
        if format_spec == "digits":
            # the text stays as digits (transcripts, chat); to_ssml spells them out for the phone
            return text
        if format_spec == "yen":
            return _fmt_yen(text)
        if format_spec == "date":
            return _fmt_date(text)
        if format_spec == "time":
            return _fmt_time(text)
        if format_spec == "phone":
            return _fmt_phone(text)
        if format_spec == "window":
            return _fmt_window(text)
        return text


def _spell(match: re.Match[str]) -> str:
    digits = match.group(1)
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    pause = '<break time="250ms"/>'
    return pause.join(f'<say-as interpret-as="characters">{g}</say-as>' for g in groups)


def to_ssml(text: str) -> str:
    """Digit runs (order and phone numbers) are read digit by digit in groups of four; 。 gets a pause."""
    body = html.escape(text, quote=False)
    body = re.sub(r"(\d{4,})", _spell, body)
    body = body.replace("。", '。<break time="300ms"/>')
    lang = "ja-JP" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) or not text else "en-US"  # _en prompts
    return f'<speak xml:lang="{lang}">{body}</speak>'


@dataclass
class PromptBook:
    templates: dict[str, dict[str, list[str]]]  # key -> channel ("voice"/"chat"/"any") -> variants
    sources: dict[str, str]  # key -> file:line:col, for validation messages

    def has(self, key: str) -> bool:
        return key in self.templates

    @functools.cached_property
    def terms(self) -> dict[str, str]:
        """`term_<value>: English` entries: the `{x:en}` format's glossary for values backends give in Japanese."""
        return {k.removeprefix(TERM_PREFIX): next(iter(v.values()))[0]
                for k, v in self.templates.items() if k.startswith(TERM_PREFIX)}

    def fields(self, key: str) -> set[str]:
        return {m.group(1) for texts in self.templates.get(key, {}).values() for t in texts for m in _FIELD.finditer(t)}

    def render(
        self,
        key: str,
        channel: Channel,
        values: Mapping[str, Any],
        turn: int = 0,
        interruptible: bool = True,
    ) -> Prompt:
        variants = self.templates.get(key)
        if not variants:
            # never silent: a missing prompt is a validation error, and at run time a polite fallback
            variants = self.templates.get("fallback_missing_prompt", {"any": ["少々お待ちください。"]})
        texts = variants.get(channel) or variants.get("any") or next(iter(variants.values()))
        # rotate by turn so a repeated question does not sound robotic, yet stays reproducible in tests
        template = texts[turn % len(texts)]
        text = _Formatter(channel, self.terms).vformat(template, (), values)
        text = _DOUBLE_STOP.sub(".", text)  # 「…to 9 p.m.」 closing a sentence: one full stop, not "p.m.."
        return Prompt(text=text, ssml=to_ssml(text) if channel == "voice" else None, interruptible=interruptible)


_DOUBLE_STOP = re.compile(r"(?<=\b[ap]\.m)\.\.(?!\.)")


def load_prompts(directory: Path | None = None) -> PromptBook:
    directory = directory or DEFAULT_PROMPTS_DIR
    templates: dict[str, dict[str, list[str]]] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = read_yaml(path)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(doc, Mapping):
            problems.append(f"{path}:1:1: expected a mapping of prompt keys")
            continue
        for key, value in doc.items():
            where = at(path, doc, [key], "")[:-2]
            variants = _variants(value)
            if variants is None:
                problems.append(f"{where}: prompt '{key}' must be a string, a list of strings, or voice/chat lists")
                continue
            if key in templates:
                problems.append(f"{where}: prompt '{key}' is defined twice (first at {sources[key]})")
                continue
            for texts in variants.values():
                for t in texts:
                    for m in _FIELD.finditer(t):
                        if (m.group(2) or "") not in FORMATS:
                            problems.append(f"{where}: prompt '{key}': unknown format '{m.group(2)}'")
            templates[str(key)] = variants
            sources[str(key)] = where
    if problems:
        raise SourceError(problems)
    return PromptBook(templates, sources)


def _variants(value: Any) -> dict[str, list[str]] | None:
    if isinstance(value, str):
        return {"any": [value]}
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return {"any": [str(v) for v in value]}
    if isinstance(value, Mapping) and value and set(value) <= {"voice", "chat", "any"}:
        out: dict[str, list[str]] = {}
        for ch, texts in value.items():
            inner = _variants(texts)
            if inner is None:
                return None
            out[str(ch)] = inner["any"]
        return out
    return None
