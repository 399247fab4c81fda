"""A bot's entity types, from its data (entities/*.yaml): digit counts, keypad lengths, hints, windows.

Company facts (an order number has 8 digits, the carrier's delivery windows, store names) live in the
bot's YAML; this module only knows how to read a value of a declared type from what the NLU heard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from dialogue.yaml_source import REPO_ROOT, SourceError, load

DEFAULT_ENTITIES_DIR = REPO_ROOT / "entities"
_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    value: str  # HH:MM-HH:MM
    label: str
    key: str | None = Field(default=None, pattern=r"^[0-9]$")  # keypad choice

    @field_validator("value")
    @classmethod
    def _range(cls, v: str) -> str:
        if not _WINDOW.match(v) or v[:5] >= v[6:]:
            raise ValueError(f"{v!r} is not a window like '14:00-16:00'")
        return v


class EntitySpec(_Strict):
    label: str = ""
    digits: int | tuple[int, int] | None = None  # exact count, or [min, max]
    starts_with: str | None = None
    pattern: str | None = None  # a regex the whole value must match (letters and digits, e.g. 'A\d{7}')
    check_digit: str | None = Field(default=None, pattern=r"^(luhn|mod10|mod11)$")
    dtmf_max_digits: int | None = Field(default=None, ge=1, le=32)
    hints: list[str] = Field(default_factory=list)
    names: dict[str, str] = Field(default_factory=dict)  # id -> display name
    windows: list[Window] = Field(default_factory=list)
    from_entity: str | None = None  # the NLU entity whose value this type takes (default: its own name)
    # the request a caller most likely has when this is all the bot understood (「12345678」 at the opening:
    # the order's status), asked about, never assumed
    suggests: str | None = None

    @model_validator(mode="after")
    def _check(self) -> EntitySpec:
        if isinstance(self.digits, tuple) and self.digits[0] > self.digits[1]:
            raise ValueError("digits: [min, max] with min <= max")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression: {exc}") from exc
        return self

    @property
    def max_digits(self) -> int | None:
        if self.dtmf_max_digits is not None:
            return self.dtmf_max_digits
        if isinstance(self.digits, tuple):
            return self.digits[1]
        return self.digits


class EntityFile(RootModel[dict[str, EntitySpec]]):
    pass


def _check_digit(kind: str, digits: str) -> bool:
    nums = [int(c) for c in digits]
    if kind in ("luhn", "mod10"):
        total = 0
        for i, n in enumerate(reversed(nums)):
            if i % 2 == 1:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        return total % 10 == 0
    weights = range(2, len(nums) + 1)  # mod11, weights 2.. from the right on the body
    body = sum(w * n for w, n in zip(weights, reversed(nums[:-1]), strict=False))
    return (11 - body % 11) % 11 % 10 == nums[-1]


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@dataclass(frozen=True)
class EntityTypes:
    specs: Mapping[str, EntitySpec]

    def spec(self, etype: str) -> EntitySpec | None:
        return self.specs.get(etype)

    def label(self, etype: str) -> str:
        spec = self.specs.get(etype)
        return spec.label if spec is not None and spec.label else etype

    def suggestions(self) -> dict[str, str]:
        return {etype: spec.suggests for etype, spec in self.specs.items() if spec.suggests}

    def names(self) -> dict[str, str]:
        return {k: v for spec in self.specs.values() for k, v in spec.names.items()}

    def continues(self, etype: str, begun: str) -> bool:
        """Whether `begun` may be the first digits of a number of this type: fewer than it needs, and the
        right start (a phone number's 0)."""
        spec = self.specs.get(etype)
        if spec is None or spec.digits is None or spec.windows or not begun.isdigit():
            return False
        high = spec.digits[1] if isinstance(spec.digits, tuple) else spec.digits
        starts = spec.starts_with or ""
        return len(begun) < high and (begun.startswith(starts) or starts.startswith(begun))

    def valid_digits(self, etype: str, digits: str) -> bool:
        spec = self.specs.get(etype)
        if spec is None or spec.digits is None:
            return spec is not None and spec.pattern is not None and re.fullmatch(spec.pattern, digits) is not None
        low, high = spec.digits if isinstance(spec.digits, tuple) else (spec.digits, spec.digits)
        if not digits.isdigit() or not low <= len(digits) <= high:
            return False
        if spec.starts_with and not digits.startswith(spec.starts_with):
            return False
        return spec.check_digit is None or _check_digit(spec.check_digit, digits)

    def from_keys(self, etype: str, digits: str) -> Any:
        """The value keypad digits give for a type, or None."""
        digits = digits.rstrip("#")
        if not digits:
            return None
        spec = self.specs.get(etype)
        if spec is not None and spec.windows:
            return next((w.value for w in spec.windows if w.key == digits[:1]), None)
        if etype == "amount":
            return int(digits) if digits.isdigit() and self.valid_digits(etype, digits) else None
        if spec is not None and (spec.digits is not None or spec.pattern is not None):
            return digits if self.valid_digits(etype, digits) else None
        return digits if etype in ("name", "address", "text") else None

    def value_from(self, etype: str, heard: Mapping[str, Any]) -> Any:
        """The value of `etype` among the entities heard (type -> value), or None."""
        spec = self.specs.get(etype)
        source = spec.from_entity if spec is not None and spec.from_entity else etype
        if spec is not None and spec.windows:
            return self.window(spec, heard)
        value = heard.get(source)
        if value is None:
            # a bot's own digit type (a member number) is heard as some run of digits
            if spec is not None and (spec.digits is not None or spec.pattern is not None) and source not in heard:
                # an amount is any run of digits: only an untyped one (「5000で」), never the order number said
                # with the request (it put 12,345,678 yen in the slots of 「12345678の配達を明日に」)
                if etype == "amount":
                    candidates = [heard["digits"]] if "digits" in heard else []
                else:
                    candidates = list(heard.values())
                for v in candidates:
                    if isinstance(v, str) and self.valid_digits(etype, v):
                        return v
            return None
        if spec is not None and (spec.digits is not None or spec.pattern is not None) and etype != "amount":
            return value if self.valid_digits(etype, str(value)) else None
        return value

    def window(self, spec: EntitySpec, heard: Mapping[str, Any]) -> str | None:
        """The offered window a caller's words fall in: 夕方 or 午後3時 -> the window that covers it best."""
        said = heard.get("time_window")
        if isinstance(said, str) and _WINDOW.match(said):
            start, end = _minutes(said[:5]), _minutes(said[6:])
        elif isinstance(heard.get("time"), str) and _TIME.match(heard["time"]):
            start = _minutes(heard["time"])
            end = start + 1
        else:
            return None
        best: tuple[int, int, str] | None = None
        for w in spec.windows:
            ws, we = _minutes(w.value[:5]), _minutes(w.value[6:])
            overlap = min(end, we) - max(start, ws)
            if overlap <= 0:
                continue
            # the most overlap; on a tie, the window that starts where the caller's range starts
            rank = (overlap, -abs(ws - start), w.value)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best[2] if best is not None else None


def load_entity_types(directory: Path | None = None) -> EntityTypes:
    """Every entities/*.yaml merged; raises SourceError with file:line:col for each problem."""
    directory = directory or DEFAULT_ENTITIES_DIR
    specs: dict[str, EntitySpec] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            parsed, _ = load(path, EntityFile)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        specs.update(parsed.root)
    if problems:
        raise SourceError(problems)
    return EntityTypes(specs)
