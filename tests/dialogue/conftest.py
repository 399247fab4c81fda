"""The sample bot, loaded once per test module (tests may read but never change it)."""

from __future__ import annotations

import pytest

from dialogue.bot import Bot, load_bot


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot()
