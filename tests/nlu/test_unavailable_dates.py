"""A date said as a day the caller cannot take a delivery (明日は留守, 土曜は家に誰もいない) is not a requested
date, and 一日 followed by a verb of being somewhere or going out is a whole day (いちにち), not the 1st."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday
TOMORROW, AFTER, FRI, SAT, SUN, NEXT_MON = (
    "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30",
)  # fmt: skip
FIRST = "2026-12-01"
AM, NIGHT = "08:00-12:00", "18:00-21:00"


def _extract(text: str) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())


def _dates(text: str) -> list[str]:
    return [str(e.value) for e in _extract(text) if e.type == "date"]


# (text, the dates that remain)
REFUSED: list[tuple[str, list[str]]] = [
    ("明日は一日留守にするので、別の日にしてほしいんです", []),
    ("明日はいないので、あさってにしてください", [AFTER]),
    ("土曜は家に誰もいないんです", []),
    ("明日は仕事で家を空けるので金曜日で", [FRI]),
    ("一日中いないので", []),
    ("あしたは一日いないので、配達を別の日にしてもらいたいんです", []),
    ("明日はずっといないんで、金曜日にしてほしい", [FRI]),
    ("あしたはいちにちいないので、べつのひにしてください", []),
    # keigo
    ("明後日は出張で家を空けておりますので、来週の月曜日にお願いできますでしょうか", [NEXT_MON]),
    ("明日はちょっと都合が悪いので、金曜日でお願いします", [FRI]),
    ("十二月一日は留守にしておりますので、二日にお願いいたします", ["2026-12-02"]),
    ("十二月一日の火曜日は留守にしております", []),
    ("明日以外でお願いします", []),
    # casual
    ("明日留守なんで明後日で", [AFTER]),
    ("今日いないから別の日にして", []),
    ("明日は受け取れる人が誰もいないんだよね", []),
    ("明日と明後日はいないので、しあさってで", ["2026-11-27"]),
    # Kansai
    ("明日はおらへんから、あさってにしてや", [AFTER]),
    ("明日は家おらんねん、金曜にしてくれへん", [FRI]),
    ("日曜やったら家におるんやけど、土曜は無理やねん", [SUN]),
    # elderly
    ("あのね、明日はね、病院で一日出かけるもんでね、土曜日にしてもらえんかね", [SAT]),
    ("明日は朝から晩までいないので土曜日で", [SAT]),
    ("今日は出かけますのでね、届けてもらうのは金曜日にお願いできますか", [FRI]),
    # kana-only ASR
    ("あしたはいちにちるすにするので、べつのひにしてほしいんです", []),
    ("あしたはいないので、しあさってにしてください", ["2026-11-27"]),
    ("どようびはいえにだれもいないんです", []),
    ("きょうはうけとれないのでべつのひにして", []),
    # 一日 as a whole day
    ("一日家にいますので、いつでも大丈夫です", []),
    ("丸一日留守にします", []),
    ("一日でも早く届けてください", []),
    ("今日届くと伺っていたので一日家で待っていたのですが", ["2026-11-24"]),
    # a reason the day is taken (dev30: 「月曜は病院なもんでね」 said with the yes to Tuesday)
    ("明日は病院なもんでね", []),
    ("明日は用事があるので土曜日で", [SAT]),
    ("あしたはしごとなんで", []),
    ("あんな、明日な、うち誰もおらへんねん", []),  # an interjection with a pause marks the topic (dev27)
]  # fmt: skip


@pytest.mark.parametrize(("text", "dates"), REFUSED)
def test_a_day_the_caller_cannot_take_is_no_date(text: str, dates: list[str]) -> None:
    assert _dates(text) == dates, _extract(text)


# the same words that ask for the day, deny the absence, or tell of the past: the date stays
KEPT: list[tuple[str, list[str]]] = [
    ("明日でお願いします", [TOMORROW]),
    ("一日に届けてください", [FIRST]),
    ("明日は家にいます", [TOMORROW]),
    ("一日は家にいます", [FIRST]),
    ("明日は無理ですか?", [TOMORROW]),
    ("明日は留守じゃないです", [TOMORROW]),
    ("明日は家にいないといけないので明日で", [TOMORROW, TOMORROW]),
    ("明日は空けてますので明日で", [TOMORROW, TOMORROW]),
    ("明日は仕事が休みなので明日で", [TOMORROW, TOMORROW]),
    ("明日で間違いないです", [TOMORROW]),
    ("明日でいいです、土曜はいないので", [TOMORROW]),
    ("明日から出張なんで、それまでに届きますか", [TOMORROW]),
    ("明日の午前中はいないので夕方で", [TOMORROW]),  # the morning is refused, not the day
    ("昨日はいなかったので不在票が入ってました", ["2026-11-23"]),
    ("昨日から全然動いていないんですが", ["2026-11-23"]),
    ("今日不在票が入っていたので明日届けてください", ["2026-11-24", TOMORROW]),
    ("明日は子どもが留守番してますので", [TOMORROW]),
    ("あしたはいえにいます", [TOMORROW]),
    ("明日やったら家におるで", [TOMORROW]),
    ("明日は病院ですか", [TOMORROW]),
    ("明日病院に行く前なら大丈夫です", [TOMORROW]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "dates"), KEPT)
def test_a_day_asked_for_stays(text: str, dates: list[str]) -> None:
    assert _dates(text) == dates, _extract(text)


# the same for a delivery window refused further on in its clause
WINDOWS: list[tuple[str, list[str]]] = [
    ("夕方は家に誰もいないので、午前中で", [AM]),
    ("午前中は仕事で家を空けてるから夜で", [NIGHT]),
    ("夜はいないかもしれないので午前中で", [AM]),
    ("夕方はちょっと家におりませんので、午前中でお願いします", [AM]),
    ("ごぜんちゅうはだれもいないので、よるで", [NIGHT]),
    ("午前中は家にいますのでお願いします", [AM]),
    ("夜でお願いします、昼間はいないので", [NIGHT]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "windows"), WINDOWS)
def test_a_window_the_caller_cannot_take_is_no_window(text: str, windows: list[str]) -> None:
    assert [e.value for e in _extract(text) if e.type == "time_window"] == windows


# a blind writer's caller (「今日明日はずっと式場の打ち合わせで、家にいないんですよ」): two days named together are both
# out, and a reason joined on with で、 is still the same clause
@pytest.mark.parametrize("text", [
    "今日明日はずっと式場の打ち合わせで、家にいないんですよ",
    "明日はずっと式場の打ち合わせで、家にいないんですよ",
    "明日と明後日は留守にします",
    "あしたあさっては出張で、受け取れないんです",
])
def test_days_named_together_as_out_are_all_refused(text: str) -> None:
    assert _dates(text) == []


@pytest.mark.parametrize(("text", "dates"), [
    ("明日で、家にいますので", [TOMORROW]),
    ("明日でお願いします、夜はいないので", [TOMORROW]),
    ("明後日なら、一日家にいます", [AFTER]),
])
def test_a_day_asked_for_beside_a_pause_is_kept(text: str, dates: list[str]) -> None:
    assert _dates(text) == dates


# the first day of a stretch away, and a number of days said: no day to deliver on (dev61)
NOT_A_DAY: list[str] = [
    "実は明日から出張で、一週間ほど家を空けることになりまして",
    "明日から病院さ検査入院することになってね",
    "三日ばかり家さ誰もいねぐなるんだわ",
    "十日ほど前に頼んだケトルがまだ来ない",
    "二日も待ったのに来ないんですよ",
    "あさってまでいちにちいえにいません",
    "一日家でゴロゴロしてます",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_A_DAY)
def test_a_stretch_of_days_names_no_day(text: str) -> None:
    assert not [d for d in _dates(text) if d != "2026-11-26"], _extract(text)


def test_the_day_after_a_stretch_and_a_day_at_home_are_days() -> None:
    assert _dates("あさってならいちにちいえにいます") == ["2026-11-26"]
    assert _dates("3日くらいに届けてください") == ["2026-12-03"]
    assert _dates("明日から家にいます") == [TOMORROW]
