"""Whatever arrives from a recogniser or a keyboard, the NLU answers and never raises."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu.pipeline import NLU

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
JAPANESE = st.text(
    alphabet=st.sampled_from(list("あいうえおかきくけこにさんごろくなはちゼロキュー一二三四五六七八九十百千万円時日月〒0123456789-ー、。 ")),
    max_size=60,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=80), JAPANESE))
def test_parse_never_raises_and_offsets_point_into_the_text(nlu: NLU, text: str) -> None:
    parsed = nlu.parse(text, NOW)
    assert parsed.intent.name
    for entity in parsed.entities:
        assert 0 <= entity.start <= entity.end <= len(text)
