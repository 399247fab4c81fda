"""Delivery windows named by words (`time_window`, HH:MM-HH:MM): 午前中, 昼過ぎ, 夕方, 夜, 一番遅い時間.

A range said with hours (14時から16時) is read with the times, in `temporal`; this module reads the words
callers use for the carriers' windows (Yamato: 午前中 8-12, 14-16, 16-18, 18-20, 19-21). A bot maps the
value onto its own window list, so a word gives the span it means (夜 18-21), not a slot. Words are
also parts of other words (朝日, 今朝, あさって, ばんごう, こんばんは) and a word before an hour is a
point in time (夕方5時, 朝の9時, left to `time`), so a match must stand alone: a small whitelist of
what may come before and after it decides.
"""

from __future__ import annotations

import re

from nlu.entities.absence import refused
from nlu.types import Entity, Normalized

AM = "08:00-12:00"
EARLY_PM = "14:00-16:00"  # 昼過ぎ: the 12-14 slot is gone, so 昼 alone names no window
LATE_PM = "16:00-18:00"
NIGHT = "18:00-21:00"
EARLY_NIGHT = "18:00-20:00"
LATE_NIGHT = "19:00-21:00"

_WORDS: dict[str, str] = {
    **dict.fromkeys((
        "午前中", "ごぜんちゅう", "午前", "ごぜん", "午前の早い時間", "ごぜんのはやいじかん", "正午前",
        "朝", "あさ", "朝のうち", "あさのうち", "朝いち", "朝イチ", "朝一", "朝一番", "あさいち", "あさいちばん",
        "朝早め", "朝早く", "あさはやめ", "あさはやく", "朝方", "あさがた",
        "昼前", "お昼前", "ひるまえ", "おひるまえ",
        "一番早い時間", "一番早い便", "一番早い枠", "いちばんはやいじかん", "いちばんはやいびん", "早い時間",
        "早めの時間", "はやいじかん", "はやめのじかん", "早い便",
        # Kyushu: 早か for 早い (「一番早か時間で」)
        "一番早か時間", "いちばんはやかじかん", "早か時間", "はやかじかん",
    ), AM),
    **dict.fromkeys((
        "昼過ぎ", "昼すぎ", "お昼過ぎ", "お昼すぎ", "ひるすぎ", "おひるすぎ",
        "午後早め", "午後の早い時間", "午後一", "午後一番", "午後イチ", "午後いち", "ごごいち", "ごごはやめ",
        # from noon on (昼以降ならいつでも): the first slot after noon, as 昼過ぎ
        "昼以降", "お昼以降", "昼以後", "お昼以後", "ひるいこう", "おひるいこう",
    ), EARLY_PM),
    **dict.fromkeys(("夕方", "ゆうがた", "夕刻", "午後遅め", "午後の遅い時間", "ごごおそめ"), LATE_PM),
    **dict.fromkeys(("夜", "よる", "夜間", "晩", "ばん", "今夜", "こんや", "今晩", "こんばん"), NIGHT),
    **dict.fromkeys(("夜早め", "夜の早い時間", "よるはやめ"), EARLY_NIGHT),
    **dict.fromkeys((
        "夜遅め", "夜遅く", "夜遅い時間", "夜の遅い時間", "よるおそめ", "よるおそく",
        "一番遅い時間", "一番遅い便", "一番遅い枠", "いちばんおそいじかん", "いちばんおそいびん",
        "最終", "最終便", "さいしゅうびん", "遅い時間", "遅めの時間", "遅い便", "おそいじかん",
        "おそめのじかん",
        "一番遅か時間", "いちばんおそかじかん", "遅か時間", "おそかじかん",  # Kyushu: 遅か for 遅い
    ), LATE_NIGHT),
    # ASR homophones of the words (the kanji or kana of a word the recogniser got wrong, read the same)
    **dict.fromkeys(("御前中", "ご前中", "午前ちゅう", "ごぜん中", "ゴゼンチュウ"), AM),
    **dict.fromkeys(("夕型", "夕がた", "ゆう方", "ユウガタ"), LATE_PM),
}  # fmt: skip
# the latest (or last) of the slots, picked from the list: 一番遅いのにして, 遅いほうで, 最後の便で. Picks
# are also comparisons (配達が遅いほうだ, 一番遅いのに届かない): only a choice may follow, see _PICK_FOLLOW
_PICKS: dict[str, str] = dict.fromkeys((
    "一番遅いの", "一番遅いやつ", "一番遅いとこ", "いちばんおそいの", "いちばんおそいやつ", "いちばんおそいとこ",
    "遅いほう", "遅い方", "おそいほう", "遅いほうの便", "遅い方の便", "おそいほうのびん",
    "最後の便", "最後の枠", "最後の時間帯", "さいごのびん", "さいごのわく", "一番最後の便", "いちばんさいごのびん",
), LATE_NIGHT) | dict.fromkeys((
    "一番早いの", "一番早いやつ", "いちばんはやいの", "いちばんはやいやつ", "早いほう", "早い方", "はやいほう",
    "最初の便", "最初の枠", "最初の時間帯", "さいしょのびん", "一番最初の便",
), AM)  # fmt: skip
_WORDS.update(_PICKS)
_WORD_RE = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)))

# what may stand after the word: a pause, a particle or ending (夕方で, 朝のうちがええな, 夜にしてや), or a
# word about the slot or the delivery (夕方便, 今夜届けて); not another noun (朝日, 夜中, 晩ご飯, ばんごう,
# 最終確認) and not から/まで (朝から待ってる; 夕方までに is a deadline, not the slot)
_FOLLOW = re.compile(
    r"$|[、。,.!?~ ・]|[でにがのはもやねよなわとさ]|か(?!ら)|だ|ぐらい|くらい|頃|ごろ|ころ|あたり|辺り|帯|便|枠|指定|配達|配送"
    r"|以降|以後"  # 夕方以降で: from the slot on, the slot itself first
    r"|しか|だけ"  # 夜しかいない, 夜だけ: the one slot the caller can take
    r"|お願|おねが|希望|きぼう|じゃ|とか|届|とど|持って|もって|来て|きて|受け取|うけと"
)
_UNTIL_OK = frozenset({"午前中", "ごぜんちゅう"})  # 午前中までに is the morning slot
# after a pick: で/が(いい)/に(して), not のに or ので with a pause (一番遅いのに、まだ来ない), です (足が遅い方です)
# nor a verb (遅いほうだ, 最後の便り), nor a question about it (いちばん おそいので なんじまで ですか)
_PICK_FOLLOW = re.compile(
    r"$|[、。,.!?~ ]|で(?!す|した|[、,]|\s*(なんじ|何時|いつ|どれ|どの))|に(?![、。,.!? ]|$)|が(?:いい|ええ|いー|助か|たすか|希望|きぼう|嬉|うれ)"
    r"|お願|おねが|頼|たの|希望|きぼう|指定|してい"
)
# a delivery by noon is the morning slot (12時までに, お昼までにお願い); a bare 12時まで only at the end, not
# in 12時まで営業 or 昼まで寝てた
_BY_NOON = re.compile(
    r"(?<![0-9])(?:午前|ごぜん)?(?:12時|十二時|じゅうにじ|正午|しょうご|お昼|おひる)まで(?:に|で)?"
    r"(?=$|[、。,.!? ]|お願|おねが|届|とど|して|ほしい|欲しい|持って|もって|来て|きて|頼|たの)"
)
_TOPIC = re.compile("は")  # 夜は早く寝るので: what the caller talks about, see window_entities
_POINT = re.compile(r"(?:の|は)? ?[0-9]")  # 夕方5時, 朝の9時: a time of day
# said of the window, it is the one the caller cannot take (夕方は不在, 夜はちょっと, 午前中以外で); a verb of
# absence further on in the clause (夕方は家に誰もいない) is `absence.refused`, shared with dates
_REFUSED = re.compile(
    r"(?:は|も|が|に|って|だと|なら|だけは)?"
    r"(?:ちょっと|不在|いない|いません|おりません|留守|るす|無理|むり|ムリ|だめ|ダメ|駄目|都合が(?:悪|わる)"
    r"|つごうが(?:悪|わる)|以外|いがい|困|あかん|アカン|いけない|いけへん|避け|さけ|申し訳|もうしわけ"
    r"|すみません|すいません|失礼|ごめん|どうも|恐れ入|おそれい|じゃなく|ではなく|やなくて|じゃない(?![とか]))"
)
# a word glued to a kanji is part of a longer word (今朝, 早朝, 深夜, 毎晩, 白夜, 遊ばん), except after a
# day (明日朝, 土曜夜)
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_DAY_END = ("日", "曜")
# a hiragana word glued to hiragana is part of it (ひとによる, いちばんに), except after a particle, a
# day said in kana or a correction (あしたのよる, あしたゆうがた, ゆうがたじゃなくてよる)
_HIRA = re.compile(r"[ぁ-ゖ]")
_KANA_BEFORE = ("の", "は", "も", "あした", "あす", "あさって", "きょう", "び", "にち", "なくて", "なかった", "いや",
                # a condition or a change of mind just before it (できればいちばんおそいので, やっぱりゆうがた)
                "れば", "たら", "なら", "なるべく", "やっぱり", "やっぱ", "じゃあ", "ほな",
                # a yes with a condition (ええよ せやけど ごぜんちゅうに してな, はい でも ゆうがたで)
                "けど", "けれど", "でも")
_GREETING = re.compile(r"こんばん[はわ]|今晩[はわ](?:$|[、。,.!? ー])")


def _stands_alone(text: str, m: re.Match[str], offsets: tuple[int, ...] = ()) -> bool:
    """`offsets` (the normalised text's, into the original) tell where the normaliser took out a space: a
    word the caller said apart (「ちゃいます ごぜんちゅうです」) stands alone whatever kana came before it."""
    start, end, word = m.start(), m.end(), m.group()
    if _GREETING.match(text, start):
        return False
    prev = text[start - 1 : start]
    if _KANJI.match(prev) and prev not in _DAY_END:
        return False
    # (not after に: 「ひとに よる」 is the verb, 「に ばん」 a number)
    said_apart = 0 < start < len(offsets) and offsets[start] > offsets[start - 1] + 1 and prev != "に"
    if _HIRA.match(word) and _HIRA.match(prev) and not said_apart and not text.endswith(_KANA_BEFORE, 0, start):
        return False
    if _POINT.match(text, end) or _REFUSED.match(text, end) or refused(text, end):
        return False
    if text.startswith("まで", end):
        return word in _UNTIL_OK
    if word in _PICKS:
        return _PICK_FOLLOW.match(text, end) is not None
    return _FOLLOW.match(text, end) is not None


def window_entities(norm: Normalized) -> list[Entity]:
    """`time_window` for each window word that stands alone; spans in the original text."""
    text = norm.text
    found = [m for m in _WORD_RE.finditer(text) if _stands_alone(text, m, norm.offsets)]
    # a window said as the topic is what the caller talks about, the one said with に/で is the one
    # asked for: 「夜は早く寝るもんで、午前中に届けて」 wants the morning
    asked = [m for m in found if not _TOPIC.match(text, m.end())]
    if asked:
        found = asked
    out: list[Entity] = []
    for m in found:
        a, b = norm.span(m.start(), m.end())
        out.append(Entity("time_window", _WORDS[m.group()], a, b))
    if not out:
        for m in _BY_NOON.finditer(text):
            a, b = norm.span(m.start(), m.end())
            out.append(Entity("time_window", AM, a, b))
    if not out:
        for m in _TYPED_RANGE.finditer(text):
            start, end = int(m["a"]), int(m["b"])
            if FIRST_HOUR <= start < end <= LAST_HOUR and end - start <= MAX_SPAN:
                a, b = norm.span(m.start(), m.end())
                out.append(Entity("time_window", f"{start:02d}:00-{end:02d}:00", a, b))
    return out


# a delivery slot typed as two hours, as chat users and carriers' forms write it (「12/15 18-20で」「19~21希望」): no 時,
# so only a range standing alone (not inside a phone number, a date or a longer run of digits) between the hours a
# parcel comes
_TYPED_RANGE = re.compile(r"(?<![0-9/.\-:~])(?P<a>[0-9]{1,2}) ?[-~ー] ?(?P<b>[0-9]{1,2})(?![0-9/.\-:~時])"
                          r"(?=で|に|の|を|は|が|希望|きぼう|くらい|ぐらい|ごろ|頃|[ 、。,.!?]|$)")
FIRST_HOUR, LAST_HOUR, MAX_SPAN = 8, 21, 4
