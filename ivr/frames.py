"""JSON from the outside world, parsed safely: the WebSocket handlers and hand-off data read it here.

`json.loads` recurses once per nesting level, so a 16 KB frame of `[[[[...` raises RecursionError (a
RuntimeError, not the ValueError handlers catch) and kills the connection's handler. Our messages are
at most a few levels deep: anything deeper is refused as malformed before the parser sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 16
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPENERS = re.compile(r"[\[{]")
_NESTING = re.compile(r"[\[\]{}]")


class FrameTooDeep(ValueError):
    """More nested arrays/objects than any message of ours has."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings (linear time, no recursion)."""
    if not _OPENERS.search(text):
        return 0
    depth = deepest = 0
    for bracket in _NESTING.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(raw: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads that raises ValueError (never RecursionError) for any malformed or too deep input."""
    text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    if nesting_depth(text) > max_depth:
        raise FrameTooDeep(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: a stack already deep when we were called
        raise FrameTooDeep("JSON nested too deeply") from None


def as_int(value: object, default: int = 0, low: int = -(2**31), high: int = 2**31 - 1) -> int:
    """An integer field from outside (a hand-off priority): a number within bounds, else `default`."""
    if isinstance(value, bool) or value is None:
        return default
    try:
        number = int(float(value)) if isinstance(value, str | float) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)
