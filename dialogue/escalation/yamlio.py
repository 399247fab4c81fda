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

from dialogue import yaml_source
from dialogue.escalation.errors import RuleError

M = TypeVar("M", bound=BaseModel)
Loc = Sequence[str | int]


def read_yaml(path: Path) -> Any:
    """The designer-YAML loader shared with flows and prompts; its errors as a RuleError."""
    try:
        return yaml_source.read_yaml(path)
    except yaml_source.SourceError as exc:
        raise RuleError(exc.problems) from exc


position = yaml_source.position
at = yaml_source.at


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
