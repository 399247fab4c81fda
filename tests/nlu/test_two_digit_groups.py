"""Numbers read out in two-digit groups as counting numbers (「じゅうに さんじゅうよん ごじゅうろく ななじゅうはち」 for
12345678, a phone number 「ぜろきゅうぜろ の じゅうに さんじゅうよん の…」), and a day said with a pause inside it
(「じゅういちがつ… にじゅう… はちにち」 is the 28th, not the 8th): found in a blind writer's voice transcripts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _values(text: str) -> dict[str, str]:
    norm = normalize(text)
    return {e.type: str(e.value) for e in extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())}


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("じゅうに さんじゅうよん ごじゅうろく ななじゅうはち", "order_id", "12345678"),
    ("にじゅうさん、よんじゅうご、ろくじゅうなな、はちじゅうきゅう", "order_id", "23456789"),
    ("ぜろきゅうぜろ の じゅうに さんじゅうよん の ごじゅうろく ななじゅうはち", "phone_number", "09012345678"),
    ("じゅういちがつ… にじゅう… はちにち", "date", "2026-11-28"),
    ("じゅういちがつ、にじゅうはちにち", "date", "2026-11-28"),
    ("じゅうにがつ にじゅうごにち", "date", "2026-12-25"),
])
def test_groups_and_split_days_read_as_said(text: str, kind: str, value: str) -> None:
    assert _values(text).get(kind) == value


@pytest.mark.parametrize("text", [
    "にじゅうにんくらい並んでました",  # a count alone stays a count
    "じゅうにがつ",
    "さんじゅっぷん まちました",
])
def test_a_single_count_is_no_number_to_join(text: str) -> None:
    assert not {"order_id", "phone_number", "digits"} & set(_values(text))


@pytest.mark.parametrize(("text", "kind", "value"), [
    # the recogniser's stutters: a cut-off digit word before the whole one (dev31)
    ("ぜ、ぜろきゅうぜろ いちにさんよん ご、ごーろくななはち", "phone_number", "09012345678"),
    ("いちにさんよん ご、ごーろくななはち", "order_id", "12345678"),
    ("いち、いちにさん よん ごーろくななはち", "digits", "112345678"),  # a whole word said twice is two digits
    # a window after a condition said in kana (できれば, なるべく) stands on its own
    ("ごぜんちゅう いがいなら いつでも…あ、できれば いちばん おそいので", "time_window", "19:00-21:00"),
    ("なるべくごぜんちゅうで", "time_window", "08:00-12:00"),
    # の sets apart the に that opens the next word (にもつ), as a pause does
    ("いちにさんよんごーろくななはちの にもつ、あさっての ごぜんちゅうに", "order_id", "12345678"),
])
def test_stutters_and_conditions_read_as_meant(text: str, kind: str, value: str) -> None:
    assert _values(text).get(kind) == value
