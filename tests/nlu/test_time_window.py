"""`time_window` (SPEC 5): delivery slots named by words (午前中, 夕方, 一番遅い時間) or said as ranges."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import default_lexicon, extract_entities
from nlu.normalize import normalize
from nlu.tokenizer import tokenize
from nlu.types import Entity

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
AM, EARLY_PM, LATE_PM = "08:00-12:00", "14:00-16:00", "16:00-18:00"
NIGHT, LATE_NIGHT = "18:00-21:00", "19:00-21:00"


def _extract(text: str) -> tuple[Entity, ...]:
    norm = normalize(text)
    return extract_entities(norm, tokenize(norm.text), NOW, default_lexicon())


# (text, window, the original substring it covers)
WINDOWS: list[tuple[str, str, str]] = [
    # keigo
    ("午前中でお願いします", AM, "午前中"),
    ("明後日の午前中にお願いいたします", AM, "午前中"),
    ("昼過ぎでお願いできますでしょうか", EARLY_PM, "昼過ぎ"),
    ("一番遅い時間でお願いします", LATE_NIGHT, "一番遅い時間"),
    ("午前の早い時間が助かります", AM, "午前の早い時間"),
    ("今晩お願いできますか", NIGHT, "今晩"),
    ("夕方頃に再配達をお願いします", LATE_PM, "夕方"),
    # casual
    ("夜にしてください", NIGHT, "夜"),
    ("夕方がいいです", LATE_PM, "夕方"),
    ("朝いちで持ってきてもらえる?", AM, "朝いち"),
    ("朝イチで", AM, "朝イチ"),
    ("午後早めだと助かる", EARLY_PM, "午後早め"),
    ("夜遅めでもいい?", LATE_NIGHT, "夜遅め"),
    ("今夜届けてほしいんだけど", NIGHT, "今夜"),
    ("土曜の夜で", NIGHT, "夜"),
    ("明日朝一番で", AM, "朝一番"),
    # Kansai
    ("朝のうちがええな", AM, "朝のうち"),
    ("夕方ので", LATE_PM, "夕方"),
    ("最終便で頼むわ", LATE_NIGHT, "最終便"),
    ("晩でええよ", NIGHT, "晩"),
    ("おひるすぎがええわ", EARLY_PM, "おひるすぎ"),
    # elderly
    ("そうですねえ、お昼前がよろしいかしら", AM, "お昼前"),
    ("夜間の配達はしてもらえるんでしょうかね", NIGHT, "夜間"),
    # the window said as a topic is not the one asked for
    ("夜は早く寝てしまうもんで、午前中に届けてもらえますかね", AM, "午前中"),
    # kana-only ASR
    ("ごぜんちゅうで おねがいします", AM, "ごぜんちゅう"),
    ("ゆうがたにしてもらえますか", LATE_PM, "ゆうがた"),
    ("あしたのよるで", NIGHT, "よる"),
    ("あしたゆうがた", LATE_PM, "ゆうがた"),
    ("よるおそくでもいいですか", LATE_NIGHT, "よるおそく"),
    # fillers
    ("えーっと、夕方で", LATE_PM, "夕方"),
    ("あしたの、えー、ゆうがたで", LATE_PM, "ゆうがた"),
    ("あのー、午前中までに来ますか", AM, "午前中"),
    # ranges said with hours: an hour below 8 without 午前 is the afternoon
    ("14時から16時でお願いします", EARLY_PM, "14時から16時"),
    ("14時~16時", EARLY_PM, "14時~16時"),
    ("14-16時で", EARLY_PM, "14-16時"),
    ("2時から4時", EARLY_PM, "2時から4時"),
    ("二時から四時の間に来てください", EARLY_PM, "二時から四時"),
    ("にじからよじのあいだで おねがいします", EARLY_PM, "にじからよじ"),
    ("午後2時から4時", EARLY_PM, "午後2時から4時"),
    ("午後2~4時", EARLY_PM, "午後2~4時"),
    ("18時から20時で", "18:00-20:00", "18時から20時"),
    ("１９時～２１時", LATE_NIGHT, "１９時～２１時"),
    ("夕方5時から7時", "17:00-19:00", "夕方5時から7時"),
    ("朝8時から12時", AM, "朝8時から12時"),
]


@pytest.mark.parametrize(("text", "value", "original"), WINDOWS)
def test_time_window(text: str, value: str, original: str) -> None:
    found = [e for e in _extract(text) if e.type == "time_window"]
    assert [e.value for e in found] == [value], _extract(text)
    assert text[found[0].start : found[0].end] == original


@pytest.mark.parametrize(
    "text",
    [
        # a point in time is a `time`
        "夕方五時すぎに電話ください", "朝九時に来てください", "午前10時に電話ください", "夜8時以降で", "朝の9時",
        "お昼ごろ", "12時", "1-2時間かかります", "2〜3時間後",
        # the word inside another word
        "朝日新聞の集金です", "今朝届いた荷物", "あさってでお願いします", "電話ばんごうは", "こんばんは", "今晩は。",
        "晩ご飯の材料", "夜中に目が覚めた", "深夜に電話しないで", "最終確認です", "やかんの在庫", "ひとによるけど",
        "いちばんにお願い", "早朝", "毎晩", "こんばんわー", "わしと遊ばんか",
        # not the slot asked for
        "朝から待ってるんですけど", "夕方までに届けて", "夕方は不在にしています", "夜はちょっと無理です",
        "夕方以外でお願いします", "夜分遅くに申し訳ございません", "遅い時間にすみません", "昼休みに",
        "夜遅くにどうも、こんばんは",
    ],
)  # fmt: skip
def test_no_window(text: str) -> None:
    assert [e for e in _extract(text) if e.type == "time_window"] == [], _extract(text)


@pytest.mark.parametrize(
    ("text", "time"),
    [("夕方五時すぎ", "17:00"), ("午後三時", "15:00"), ("夜7時", "19:00"), ("14時から16時", "14:00"), ("14-16時", "14:00")],
)
def test_points_in_time_stay_times(text: str, time: str) -> None:
    assert [e.value for e in _extract(text) if e.type == "time"] == [time]


def test_a_refused_window_leaves_the_wanted_one() -> None:
    found = [e.value for e in _extract("午前中は不在なので夕方でお願いします") if e.type == "time_window"]
    assert found == [LATE_PM]


# しか with a negative is "only" (a blind writer's caller, 「その日は仕事で夜しか…」): the slot the caller can take,
# where 「夜はいない」 is the one they cannot
@pytest.mark.parametrize(("text", "window"), [
    ("その日は仕事で夜しか…", NIGHT),
    ("仕事で夜しか家におらんのよ", NIGHT),
    ("夜だけ家にいます", NIGHT),
    ("夕方しか無理です", LATE_PM),
])
def test_only_this_slot_is_the_slot_asked_for(text: str, window: str) -> None:
    assert [e.value for e in _extract(text) if e.type == "time_window"] == [window]


def test_a_slot_the_caller_is_out_for_is_still_refused() -> None:
    assert not [e for e in _extract("夜はいないです") if e.type == "time_window"]
