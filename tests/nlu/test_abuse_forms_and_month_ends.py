"""Abuse the blind set dev120 found missed or misread (a name called mid-turn in Hiroshima dialect, ノロマ, the
staff's hours known as a veiled threat, 土下座 quoted and disowned), and a month's last weekday (dev121)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.pipeline import NLU

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(("said", "kind"), [
    ("なにしよんなら、おどりゃ。ケトルいつになったら入るんなら", "insult"),  # the name first, the request after it
    ("荷物どうなってんだよ、このノロマども", "insult"),
    ("ありがとうございます。ちなみに、渋谷店のスタッフの方々の退勤時間は、だいたい把握しておりますので", "threat"),
    ("土下座しろとは言わんけど、土下座しろや", "unreasonable_demand"),  # disowned, then demanded all the same
])
def test_abuse_is_heard(nlu: NLU, said: str, kind: str) -> None:
    harassment = nlu.parse(said).harassment
    assert harassment.detected and harassment.kind == kind


@pytest.mark.parametrize("said", [
    "「土下座しろ」とまでは言いませんけど、二回も違う商品を送られたので、きちんと謝罪と説明をしていただきたいです",
    "バカ高いなこれ",
    "梅田店の閉店時間は何時ですか",
    "帰宅時間が遅いので、夜の時間帯に届けてほしいです",
])
def test_what_is_not_abuse(nlu: NLU, said: str) -> None:
    assert not nlu.parse(said).harassment.detected


@pytest.mark.parametrize(("said", "day"), [
    ("渋谷店って、月末の火曜日、夜は何時まで開いてます？", "2027-08-31"),
    ("来月の最後の金曜日に", "2027-09-24"),
    ("月末で", "2027-08-31"),  # the month's last day, as before
])
def test_the_last_weekday_of_a_month(nlu: NLU, said: str, day: str) -> None:
    now = datetime(2027, 8, 20, 10, tzinfo=TOKYO)
    assert [e.value for e in nlu.parse(said, now).entities if e.type == "date"] == [day]


def test_the_last_weekday_once_it_is_past_is_next_months(nlu: NLU) -> None:
    now = datetime(2027, 8, 30, 10, tzinfo=TOKYO)  # a Monday: August's last Friday, the 27th, is past
    assert [e.value for e in nlu.parse("月末の金曜日に", now).entities if e.type == "date"] == ["2027-09-24"]
