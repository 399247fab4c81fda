"""Load a designer's YAML into a pydantic model, with errors that point at `file:line:column`.

ruamel.yaml's round-trip loader records where each key and item sits (`.lc`); pydantic reports the
path (`loc`) of what is wrong. Joining the two gives `dialogue/flows/order.yaml:12:5: message`.
"""

from __future__ import annotations

import datetime
import functools
import pickle
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

M = TypeVar("M", bound=BaseModel)


REPO_ROOT = Path(__file__).resolve().parent.parent  # the sample bot's directory (SPEC 7.5)


class SourceError(Exception):
    """One or more problems in a designer's file; `problems` are `file:line:col: message` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def read_yaml(path: Path) -> Any:
    """Round-trip load (positions kept); syntax errors (bad indentation, tabs, duplicate keys) become a
    SourceError at the spot where the parser gave up, which is where a designer should look."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError([f"{path}:1:1: cannot read file: {exc}"]) from exc
    try:
        return pickle.loads(_parsed(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise SourceError([f"{path}:{line}:{col}: YAML syntax error: {what}{_hint(what)}"]) from exc
    except YAMLError as exc:
        raise SourceError([f"{path}:1:1: YAML error: {exc}"]) from exc
    except ValueError as exc:  # a scalar that looks like a date and is none (2026-13-10): the constructor raises
        line, col = _bad_date(text)
        raise SourceError([f"{path}:{line}:{col}: not a date ({exc}): write YYYY-MM-DD, or quote it if it is "
                           "text"]) from exc
    except TypeError as exc:  # a complex key (`? [a, b]:` or `? key:` with a list under it) cannot be hashed
        line, col = _complex_key(text)
        raise SourceError([f"{path}:{line}:{col}: a key must be a plain word, not a list or a mapping"]) from exc


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> bytes:
    """The round-trip tree of a text, pickled: the same files are read again at every bot load (each worker,
    each hot reload, each test's app), and parsing them is 0.3 s against 0.04 s to unpickle. A pickle keeps
    the positions (`.lc`) and gives every caller its own copy to change."""
    return pickle.dumps(YAML(typ="rt").load(text))


_DATE_LIKE = re.compile(r"(?<![\w.'\"-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.'\"-])")  # not quoted


def _bad_date(text: str) -> tuple[int, int]:
    """Where the first date-like scalar that is no calendar date sits (1, 1 when none is found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _DATE_LIKE.finditer(line.split(" #", 1)[0]):
            try:
                datetime.date(*(int(g) for g in m.groups()))
            except ValueError:
                return number, m.start() + 1
    return 1, 1


def _complex_key(text: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith("?"):
            return number, len(line) - len(stripped) + 1
    return 1, 1


def _hint(what: str) -> str:
    if "\\t" in what or "tab" in what:
        return " (indent with spaces, not tabs)"
    if "block" in what or "indentation" in what:
        return " (check the indentation: keys of one mapping line up, list items start with '- ')"
    return ""


def position(node: Any, loc: Sequence[str | int], *, value: bool = False) -> tuple[int, int]:
    """1-based line and column of the deepest node along `loc`; the key's position unless `value`."""
    line, col = 1, 1
    if isinstance(node, CommentedMap | CommentedSeq):
        line, col = node.lc.line + 1, node.lc.col + 1
    for i, key in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, CommentedMap) and key in node:
            # a bad scalar is pointed at itself; a bad mapping or list at its key
            scalar = not isinstance(node[key], CommentedMap | CommentedSeq)
            ln, cl = node.lc.value(key) if (last and value and scalar) else node.lc.key(key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            ln, cl = node.lc.item(key)
            node = node[key]
        else:
            continue  # pydantic loc parts with no YAML counterpart (union member names)
        line, col = ln + 1, cl + 1
    return line, col


def at(path: Path, node: Any, loc: Sequence[str | int], message: str, *, value: bool = False) -> str:
    line, col = position(node, loc, value=value)
    return f"{path}:{line}:{col}: {message}"


def _message(err: Any) -> str:
    loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
    where = ".".join(str(p) for p in loc)
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"unknown key '{loc[-1]}'" if loc else msg
    if err["type"] == "missing":
        return f"missing required key '{loc[-1]}'" if loc else msg
    return f"{where}: {msg}" if where else msg


def validate(path: Path, data: Any, model: type[M]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            problems.append(at(path, data, loc, _message(err)))
        raise SourceError(problems) from exc


def load(path: Path, model: type[M]) -> tuple[M, Any]:
    """Parse and validate; returns the model and the raw round-trip tree (for positions later)."""
    data = read_yaml(path)
    return validate(path, data, model), data
