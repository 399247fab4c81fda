"""Designer YAML -> pydantic models, with every problem as `path:line:column: message`.

ruamel.yaml's round-trip loader records where each key and item sits (`.lc`); pydantic reports the path
(`loc`) of what is wrong. Walking the one along the other gives the position.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dialogue.escalation.errors import RuleError

M = TypeVar("M", bound=BaseModel)
Loc = Sequence[str | int]


def read_yaml(path: Path) -> Any:
    """Round-trip load; syntax errors (bad indentation, tabs, duplicate keys) point at the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError([f"{path}:1:1: cannot read file: {exc}"]) from exc
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        # problem_mark is where the parser gave up, which is where a designer should look
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise RuleError([f"{path}:{line}:{col}: YAML syntax error: {what}{_hint(what)}"]) from exc
    except YAMLError as exc:
        raise RuleError([f"{path}:1:1: YAML error: {exc}"]) from exc


def _hint(what: str) -> str:
    if "\\t" in what or "tab" in what:
        return " (indent with spaces, not tabs)"
    if "block" in what or "indentation" in what:
        return " (check the indentation: keys of one mapping line up, list items start with '- ')"
    return ""


def position(node: Any, loc: Loc, *, value: bool = False) -> tuple[int, int]:
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


def at(path: Path, node: Any, loc: Loc, message: str, *, value: bool = False) -> str:
    line, col = position(node, loc, value=value)
    return f"{path}:{line}:{col}: {message}"


def _dotted(loc: Loc) -> str:
    out = ""
    for p in loc:
        if isinstance(p, str) and "[" in p:
            continue  # pydantic's name for a union member or validator, not a YAML key
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"


def message(err: Any, vocab: Mapping[str, Sequence[str]]) -> tuple[str, bool]:
    """A designer-readable message for one pydantic error, and whether it is about the value.

    `vocab` maps the name of the enclosing key (e.g. "when", "then") to (noun, *known names), so an
    extra key under `when:` reads "unknown condition 'emotoin' (did you mean 'emotion'?)".
    """
    loc = [p for p in err["loc"] if isinstance(p, str | int)]
    kind = err["type"]
    if kind == "extra_forbidden" and loc:
        parent = next((p for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        noun, *known = vocab.get(parent, ("key",))
        return f"unknown {noun} '{loc[-1]}'" + (_suggest(str(loc[-1]), known) if known else ""), False
    if kind == "missing" and loc:
        return f"{_dotted(loc[:-1]) or 'file'}: missing '{loc[-1]}'", False
    msg = str(err["msg"]).removeprefix("Value error, ")
    where = _dotted(loc)
    return (f"{where}: {msg}" if where else msg), True


def _line_col(problem: str) -> tuple[int, int]:
    # "path:line:col: message"; rsplit because a Windows path has a ':' of its own
    head = problem.split(": ", 1)[0]
    _, line, col = head.rsplit(":", 2)
    return int(line), int(col)


def validate(
    path: Path, data: Any, model: type[M], vocab: Mapping[str, Sequence[str]] | None = None
) -> tuple[M | None, list[str]]:
    """The model, or None and every problem found."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg, on_value = message(err, vocab or {})
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            problems.append(at(path, data, loc, msg, value=on_value))
        return None, sorted(problems, key=_line_col)
