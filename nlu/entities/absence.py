"""A day or a delivery slot the caller says they cannot take: 「明日は留守にするので」「土曜は家に誰もいない」
「夕方はちょっと」「明日以外で」. That is the one to avoid, not the one asked for, so the readers drop it.

The words after the date or the window decide, within the same clause: a topic (は, も, だと, なら, やったら),
then either a refusal said of it at once (ちょっと, 無理, 都合が悪い, 以外, じゃなくて) or, a few words on, a verb
of absence (いない, おらん, 留守, 不在, 出かける, 家を空ける, 受け取れない). Not a refusal: the same words asked
(明日は無理ですか), denied (留守じゃない) or needed (家にいないといけない), a word about something else (不在票,
留守番, 動いていない), a clause later (明日でいいです、土曜はいないので), and a date that modifies another word
(明日の午前中はいない: the morning is refused, not the day).
"""

from __future__ import annotations

import re

# the day or the slot as the topic (明日は, 土曜も, 夕方だと, 明日やったら), or said bare (明日いない); with で, に,
# の or を it is what is asked for (明日でお願いします, 明日に届けて) or a word it modifies (明日の午前中), and with
# から or まで the edge of a stretch (明日から出張なので、それまでに届く?), which the caller still asks about
# (「明日な、うち誰もおらへんねん」: an interjection with a pause marks the topic as は does)
_TOPIC = (r"(?:(?:には|にも|では|でも|は|も|が|って|だと|なら|やったら|だったら|やと)(?:ね|な|さ)?"
          r"|(?:なあ|ねえ|な|ね|さ)(?=[、 ])|(?![のでにがを]|から|まで|より))(?:[、 ]|\.{2,3}[、 ]?|…[、 ]?)?")
# said of the day or the slot at once: 明日はちょっと, 夕方は無理, 明日以外で, 土曜じゃなくて
_REFUSAL = (
    r"ちょっと|無理|むり|ムリ|だめ|ダメ|駄目|都合が(?:悪|わる)|つごうが(?:悪|わる)|あかん|アカン|困|避け|さけ"
    r"|やめ|止め|以外|いがい|じゃなく|ではなく|やなくて"
)
# not being there, a verb of its own: only after a particle, 家 or まで (家に誰もいない, 明日はおらへん, 家おらん,
# 朝から晩までいない, 一日いない, ずっといない), so that 動いていない, 間違いない and もったいない are not it
_NOT_THERE = (
    r"い(?:ない|なく|ません|ひん|いひん|ーひん|てへん|やへん|ねえ|ねー|ねぇ)|居(?:ない|なく|ません)"
    r"|お(?:らん|らへん|れへん|りません|らず|らない)"
)
_NOT_THERE_AFTER = r"(?:(?<=[はもにがと家宅])|(?<=まで)|(?<=一日|終日|日中|1日)|(?<=ずっと)|(?<=いちにち))"
# away, wherever it stands in the clause (仕事で家を空ける, 一日留守にする, 受け取れる人が誰もいない)
_AWAY = (
    r"留守(?!番|電|録)|るす(?!ばん|でん)|ルス|不在(?!票|連絡|通知|届|伝)|ふざい(?!ひょう)"
    r"|出かけ|でかけ|出掛け|外出|がいしゅつ|(?:家|うち|いえ|自宅|部屋)を?(?:空け|あけ)"
    r"|出張(?!から)|しゅっちょう(?!から)|旅行(?!から)|りょこう(?!から)|帰省|きせい"
    r"|受け?取れ(?:ない|ません|なく|へん|ん)|うけとれ(?:ない|ません|なく|へん|ん)"
    r"|(?:仕事|しごと|病院|びょういん|通院|つういん|用事|ようじ|出勤|しゅっきん|法事|ほうじ|習い事)"
    r"(?:なので|なんで|なもんで|なもので|やから|だから|ですので|でして|なんです|なんや|やねん|だし|があって|がある(?:ので|から|んで))"
)
# where the clause ends (明日で大丈夫です、土曜は…; 家にいるから土曜は…), and a time of day or a slot, whose
# refusal it is (明日は午前中いない: the morning); 朝から晩まで is the whole day
_BOUNDARY = (
    r"ので|んで|のに|けど|けれど|です|ます|でした|ました|ください|(?<=[るたいだやす])から"
    r"|[0-9]時|午前|午後|朝|昼|夕方|夜|晩|ゆうがた|ごぜん|ごご|よる"
)
# a clause joined on with で / て (「式場の打ち合わせで、家にいない」) is still the same clause
_GAP = rf"(?:朝から(?:晩|夜|夕方)まで|(?!{_BOUNDARY})[^、。,.!?]|(?<=[でて])[、,] ?){{0,18}}?"
# asked, denied or needed: 明日は無理ですか, 留守じゃないです, 家にいないといけない
_NOT_REFUSED = (
    r"(?![^、。,.!?]{0,6}?(?:ですか|でしょうか|ますか|か[?]|か$)"
    r"|じゃな|ではな|やな|わけじゃ|わけでは|わけや|といけ|とあか|とだめ|とダメ|と困)"
)
_REFUSED_RE = re.compile(
    rf"(?:{_TOPIC}(?:{_REFUSAL})"
    rf"|{_TOPIC}(?:{_NOT_THERE}|{_GAP}{_NOT_THERE_AFTER}(?:{_NOT_THERE})|{_GAP}(?:{_AWAY}))){_NOT_REFUSED}"
)


def refused(text: str, end: int) -> bool:
    """Whether the words from `end` (right after a date or a window) say the caller cannot take it. しか with a
    negative is "only": 「夜しか家におらん」 is the one slot the caller can take."""
    if text.startswith("しか", end):
        return False
    paired = _PAIRED_DAY.match(text, end)  # 「今日明日は家にいない」: both days are out
    if _AWAY_FROM_RE.match(text, end) and not _BEFORE_IT.search(text, end):
        return True
    return _REFUSED_RE.match(text, paired.end() if paired else end) is not None


# the first day of a stretch away (「明日から出張で、一週間ほど家を空けることになりまして」「明日から病院さ検査入院する
# ことになってね」): no day to deliver on. Asked about as a deadline (「明日から出張なんで、それまでに届きますか」) it
# stays: the caller wants the parcel before it
_AWAY_FROM_RE = re.compile(
    rf"から[、 ]?{_GAP}(?:{_AWAY}|入院|にゅういん|(?<=[はもにがと家宅])(?:{_NOT_THERE})){_NOT_REFUSED}")
_BEFORE_IT = re.compile(r"それまで|その前|そのまえ|までに|前に|まえに")


_PAIRED_DAY = re.compile(r"(?:と|か|や|、|も)?(?:今日|きょう|明日|あした|あす|明後日|あさって|しあさって)(?=は|も|とも|って|なら)")
