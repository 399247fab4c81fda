"""Failure classes of the blind-written dev21 (English callers) and dev22 callers, with wordings of our own:
「Hai, yes please」 to a yes/no question was asked again three times and handed over as a failure; a phone
number corrected in English and then said whole ("...1234, sorry, I mean 5678. 080-1111-2222") lost the whole
one to the run of digits before it; 「…変えるのはいいです。それより…」 gives up the request in progress, which the bot
went back to after answering the new one.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialogue.bot import Bot
from nlu.entities.english import english_entities
from nlu.normalize import normalize
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize("yes", ["Hai, yes please.", "hai", "Hai hai, that's right"])
async def test_hai_is_yes_to_an_english_caller(tmp_path: Path, bot: Bot, nlu: NLU, yes: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: hai in English
  channel: voice
  caller: {{phone: "08098765432"}}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: I'd like to cancel my order please
    - user: two three four five six seven eight nine
      expect: {{awaiting: confirm}}
    - user: "{yes}"
      expect: {{awaiting: anything_else}}
""")
    assert result.passed, result.failures


def test_a_number_said_whole_after_an_english_correction_is_read() -> None:
    found = [(e.type, e.value) for e in english_entities(
        normalize("08011111234, sorry, I mean 2222. 080-1111-2222"), NOW)]
    assert found[-1] == ("phone_number", "08011112222")


async def test_a_request_given_up_for_another_is_not_returned_to(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: gives up the date change
  channel: voice
  caller: {phone: "09012345678"}
  now: "2026-11-24T10:00:00+09:00"
  turns:
    - user: お届けの日を変えてもらいたいんですけど
    - user: "12345678"
      expect: {awaiting: "slot:date"}
    - user: うーん、やっぱり日を変えるのは結構です。それより梅田店の場所を教えてください
      expect: {awaiting: anything_else}
""")
    assert result.passed, result.failures
    assert "先ほどのお手続きに戻" not in str(result.transcript)
