"""A YAML complex key (`? steps:` with a list under it) is a designer's mistake with a place, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.yaml_source import SourceError, read_yaml


def test_a_complex_key_is_reported_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: a\n    ? steps:\n      - x\n    then: {end: {}}\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_yaml(bad)
    assert err.value.problems == [f"{bad}:3:5: a key must be a plain word, not a list or a mapping"]
