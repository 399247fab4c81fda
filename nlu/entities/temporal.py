"""Dates and times on normalised text, resolved against a timezone-aware `now` (Asia/Tokyo).

Hand-written on purpose: ja-timex costs ~190 µs an utterance, pins a beta pendulum, gives 02:00 for
午後2時 through to_datetime() and finds nothing in hiragana ASR output. Numbers are ASCII digits by
now (十一月三十日 -> 11月30日), so a few regexes, gated by a cheap character test, do the job.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jpholiday

from nlu.entities.absence import refused
from nlu.types import Entity, Normalized

JST = ZoneInfo("Asia/Tokyo")

_REL_DAYS = {
    "今日": 0, "本日": 0, "きょう": 0, "きよう": 0, "明日": 1, "あした": 1, "あす": 1, "明後日": 2, "あさって": 2,
    "しあさって": 3, "明々後日": 3, "明明後日": 3, "昨日": -1, "きのう": -1,
}  # fmt: skip
_WEEKDAYS = {
    "月": 0, "げつ": 0, "火": 1, "か": 1, "水": 2, "すい": 2, "木": 3, "もく": 3, "金": 4, "きん": 4,
    "土": 5, "ど": 5, "日": 6, "にち": 6,
}  # fmt: skip
_WEEK_SHIFT = {"来週": 7, "らいしゅう": 7, "再来週": 14, "さらいしゅう": 14, "今週": 0, "こんしゅう": 0}
# days named, not numbered: the next one (on 12/30, 元日 is the coming 1 January)
_NAMED_DAYS = {
    "元日": (1, 1), "元旦": (1, 1), "がんじつ": (1, 1), "がんたん": (1, 1), "大晦日": (12, 31), "大みそか": (12, 31),
    "おおみそか": (12, 31), "クリスマスイブ": (12, 24), "クリスマス": (12, 25),
}  # fmt: skip
# national holidays named (「来月の成人の日」「文化の日って開いてますか」): the next one, by jpholiday's calendar
# (the names as the law gives them, from the library's calendar; 元日 is a named day above; 振替休日 and 国民の休日
# are no day a caller names)
_HOLIDAY_NAMES = {"建国記念日": "建国記念の日", "子供の日": "こどもの日", "子どもの日": "こどもの日", "体育の日": "スポーツの日"}
_HOLIDAYS = sorted(
    {name for year in (2025, 2026, 2027) for _, name in jpholiday.year_holidays(year)
     if " " not in name and name not in ("元日", "国民の休日")} | set(_HOLIDAY_NAMES),
    key=len, reverse=True)
# the edges of a week or a month (来週の頭, 週末, 月末): the day a shop reads them as
_EDGES = (r"来週の?頭|らいしゅうのあたま|週明け|しゅうあけ|来週末|らいしゅうまつ|今週末|こんしゅうまつ|この週末|今度の週末|週末|しゅうまつ"
          r"|来月末|らいげつまつ|今月末|こんげつまつ|月末|げつまつ")
_DATE_RE = re.compile(
    # 「月末の火曜日」「来月の最後の金曜」: the month's last such weekday
    r"(?P<lastwk>(?:来月|らいげつ|今月|こんげつ)?の?(?:月末|げつまつ|最後|さいご|最終|さいしゅう)の?(?P<lwd>[月火水木金土日])曜(?:日|び)?)|"
    rf"(?P<edge>{_EDGES})"
    r"|(?P<named>元日|元旦|がんじつ|がんたん|大晦日|大みそか|おおみそか|クリスマスイブ|クリスマス)"
    rf"|(?P<holiday>{'|'.join(_HOLIDAYS)})"
    r"|(?P<rel>しあさって|明[々明]後日|明後日|あさって|今日|本日|(?:(?<![うんっ])|(?<=[^べかしせけ]てん))(?:きょう|きよう(?=は|の|って|じゅう|中|も))(?![みしだかつりぎょ]|い(?![こけっかまなれ])|と[のにでふしえへ])|明日|あした|あす(?![かこ]|みません|いません)|昨日|きのう)"
    r"|(?:(?P<wk>再来週|さらいしゅう|来週|らいしゅう|今週|こんしゅう|次|つぎ|今度|こんど)の?)?"
    r"(?:(?P<wdk>[月火水木金土日])曜|(?P<wdh>げつ|すい|もく|きん|にち)よう|(?P<wdh2>か|ど)よう(?=び))(?:日|び)?"
    r"|(?:(?P<y>[0-9]{4})年 ?)?(?P<m>[0-9]{1,2})月[、 ]*(?:の[、 ]*)?(?P<d>[0-9]{1,2})日"
    r"|(?<![0-9/])(?:(?P<sy>[0-9]{4})/)?(?P<sm>[0-9]{1,2})/(?P<sd>[0-9]{1,2})(?![0-9/])"
    r"|(?P<mo>再来月|来月|今月|さらいげつ|らいげつ|こんげつ|年明け|ねんあけ|としあけ)の? ?(?P<md>[0-9]{1,2})日"
    r"|(?<![0-9月/])(?<!丸)(?<!まる)(?P<dn>[0-9]{1,2})日(?P<after>後|ご)?(?!間|中|じゅう)"
)
_DATE_GATE = re.compile(r"[日曜月/明今昨旦晦週]|のひ|じつ|あし|あす|あさって|きょう|きのう|よう|がん|みそか|クリスマス|しゅう|げつ")
_MONTH_SHIFT = {"今月": 0, "こんげつ": 0, "来月": 1, "らいげつ": 1, "再来月": 2, "さらいげつ": 2}
# 年明けの4日 is the coming January's (said in December, next month; in January, this one)
_NEW_YEAR = ("年明け", "ねんあけ", "としあけ", "来年", "らいねん")  # 来年の よっか, said in December: January


def _months_to(said: str, today: date) -> int:
    return (13 - today.month) % 12 if said in _NEW_YEAR else _MONTH_SHIFT[said]
# 一日 is the 1st (ついたち) or a whole day (いちにち): said with a particle it is the date (一日に届けて, 一日は家に
# いる), followed at once by a verb of being somewhere, going out or lasting, a whole day (一日留守にする, 一日家に
# いる, 一日かかる), and so is 一日でも早く (as soon as possible)
_WHOLE_DAY = re.compile(
    r"(?:ずっと|中|じゅう)?(?:"
    # 一日家でゴロゴロ, 一日うちにおる: a day spent somewhere, whatever the verb
    r"(?:家|いえ|お家|おうち|うち|自宅|じたく|外|そと|会社|かいしゃ|職場)(?:に|で|さ)(?=[^\s、。,.!?])|"
    r"(?:(?:家|いえ|お家|おうち|うち|自宅|じたく|外|そと|会社|かいしゃ|職場)(?:に|で|さ)?)?"
    r"(?:い(?:る|ます|ない|ません|なく|て|ひん|てへん)|居|おり|おら|おる|おれ|留守|るす|不在|出かけ|でかけ|出掛け|出て"
    r"|外出|空け|あけ|仕事|しごと|働|はたら|寝|ね(?:て|る)|待|まって|まち|かか|忙し|いそがし|ずっと|いっぱい"
    r"|(?:でも|も)(?:早|はや|遅|おそ)))"
)
# 三日ばかり, 十日ほど前, 二日も待った: a number of days said (ばかり, ほど, ぐらい without に/で, 前, 以上, 以内, も
# with waiting or being away), not the 3rd or the 10th
_SPAN_OF_DAYS = re.compile(
    r"ばかり|ほど|程|くらい(?![にでの])|ぐらい(?![にでの])|前|まえ|以上|以内|がかり"
    r"|も(?:待|ま[っちた]|留守|るす|家|いえ|うち|不在|かか|経|た[っつ]|空け|あけ)"
)
# a weekday said right after a date names the same day (12月20日の日曜日, 20日(日), 12/20、日曜): it confirms
# the date, and when it contradicts it the date said in full wins
_CONFIRM_GAP = re.compile(r"[ 、,(]*(?:の|は|って)?[ 、,(]*")
_WEEKDAY_PAREN = re.compile(r"\(([月火水木金土日])\)")


# a day told by the day said before it (「十八日に退院するので、その次の日に」「二十日は留守なので前の日で」): that
# day's neighbour; the day it leans on is only the reason, not the one asked for
_NEIGHBOUR_DAY = re.compile(
    r"(?:その|それの|そこの)?(?:(?P<next>次の日(?!曜)|つぎのひ|翌日|よくじつ)|(?P<prev>前の日|まえのひ|前日|ぜんじつ))")


# the day a parcel is due, reported (届くって, 着く予定, 来るみたい, 着くごたる): the day as things stand
_DUE_REPORT = re.compile(r"[^、。,.!?]{0,8}?(届く|とどく|届きま|とどきま|着く|つく|着きま|つきま|来る|くる|来ま|きま|配達さ|はいたつさ)"
                         r"[^、。,.!?]{0,6}?(って|と(?![き]|して)|という|予定|よてい|はず|みたい|らしい|ごたる|ようで|そうで|んです)")


def _jst_today(now: datetime) -> date:
    return (now.astimezone(JST) if now.tzinfo else now).date()


RECENT_PAST_DAYS = 31


def _month_day(today: date, year: int | None, month: int, day: int) -> date | None:
    """A month/day without a year: a date of the last month is meant as said (「11月20日に注文した」);
    one further past is next year's (on 12/30, 「1月5日」 is the coming January)."""
    try:
        if year is not None:
            return date(year, month, day)
        d = date(today.year, month, day)
        if d >= today or (today - d).days <= RECENT_PAST_DAYS:
            return d
        return date(today.year + 1, month, day)
    except ValueError:
        return None


def _add_months(today: date, months: int, day: int) -> date | None:
    y, m = divmod(today.month - 1 + months, 12)
    try:
        return date(today.year + y, m + 1, day)
    except ValueError:
        return None


def _edge(said: str, today: date) -> date | None:
    """来週の頭 -> next Monday, 週末 -> this Saturday, 来週末 -> next week's, 月末 -> the last of this month,
    来月末 -> of next month. 来月の頭 (some day early next month) names no one day."""
    monday = today - timedelta(days=today.weekday())
    if "頭" in said or "あたま" in said or "明け" in said or "あけ" in said:
        return monday + timedelta(days=7)
    if "週末" in said or "しゅうまつ" in said:
        saturday = monday + timedelta(days=5)
        if said.startswith(("来週", "らいしゅう")):
            return saturday + timedelta(days=7)
        return max(saturday, today)  # on a Sunday, 週末 is today
    months = 1 if said.startswith(("来月", "らいげつ")) else 0
    first_after = _add_months(today, months + 1, 1)
    return first_after - timedelta(days=1) if first_after is not None else None


def _next_holiday(name: str, today: date) -> date | None:
    days = [d for year in (today.year, today.year + 1) for d, n in jpholiday.year_holidays(year) if n == name]
    return next((d for d in sorted(days) if d >= today), None)


def _last_weekday(said: str, weekday: str, today: date) -> date | None:
    """月末の火曜日 -> this month's last Tuesday (next month's once it is past), 来月の最後の金曜 -> next month's."""
    months = 1 if said.startswith(("来月", "らいげつ")) else 0
    for extra in (0, 1):
        first_after = _add_months(today, months + extra + 1, 1)
        if first_after is None:
            return None
        last = first_after - timedelta(days=1)
        day = last - timedelta(days=(last.weekday() - "月火水木金土日".index(weekday)) % 7)
        if day >= today or months:
            return day
    return None


def _resolve_date(m: re.Match[str], today: date) -> date | None:
    g = m.groupdict()
    if g["lastwk"]:
        return _last_weekday(g["lastwk"], g["lwd"], today)
    if g["edge"]:
        return _edge(g["edge"], today)
    if g["named"]:
        month, day = _NAMED_DAYS[g["named"]]
        named = date(today.year, month, day)
        return named if named >= today else date(today.year + 1, month, day)
    if g["holiday"]:
        return _next_holiday(_HOLIDAY_NAMES.get(g["holiday"], g["holiday"]), today)
    if g["rel"]:
        return today + timedelta(days=_REL_DAYS[g["rel"]])
    wd_name = g["wdk"] or g["wdh"] or g["wdh2"]
    if wd_name:
        wd = _WEEKDAYS[wd_name]
        shift = _WEEK_SHIFT.get(g["wk"] or "")
        if shift is not None:  # 今週/来週: weeks start on Monday, a past day this week stays this week
            return today - timedelta(days=today.weekday()) + timedelta(days=shift + wd)
        return today + timedelta(days=(wd - today.weekday()) % 7 or 7)  # next one after today
    if g["m"]:
        return _month_day(today, int(g["y"]) if g["y"] else None, int(g["m"]), int(g["d"]))
    if g["sm"]:
        return _month_day(today, int(g["sy"]) if g["sy"] else None, int(g["sm"]), int(g["sd"]))
    if g["mo"]:
        return _add_months(today, _months_to(g["mo"], today), int(g["md"]))
    day = int(g["dn"])
    if g["after"]:  # 3日後
        return today + timedelta(days=day)
    if day >= today.day:  # 3日: this month, or next month when it has passed
        return _add_months(today, 0, day)
    return _add_months(today, 1, day)


# a day of the month said alone in kana (ふつかで, みっかです, ついたちにお願いします): the answer to 「ご希望日は」.
# Inside a sentence these are ordinary words (いつか, ようか, なのか), so only the whole answer counts
_LONE_KANA_DAY = re.compile(
    r"(?:えっと|えーと|あの|じゃあ)?[、 ]*(?:(?P<mo>来月|らいげつ|今月|こんげつ|年明け|ねんあけ|としあけ|来年|らいねん)の?[、 ]*)?(?P<day>にじゅうよっか|じゅうよっか|ついたち|ふつか|みっか|よっか|むいか|なのか|ようか|ここのか|とおか|はつか)"
    r"(?:の日)?(?:で|に|です|でお願いします|にお願いします|でおねがいします|がいい(?:です)?|がええ|でええ|でいい(?:です)?)?[、。!.\s]*"
)
# a kana day said after a correction (「二十日じゃなくて にじゅうよっかです」): the day meant, whatever came before
_CORRECTED_KANA_DAY = re.compile(
    r"(?:じゃなくて|ではなくて|やなくて|ちゃうくて|じゃのうて|やのうて|じゃない|ちゃう|違う|ちがう|違います|ちがいます)[、,\s]*"
    r"(?P<mo>)(?P<day>にじゅうよっか|じゅうよっか|ついたち|ふつか|みっか|よっか|むいか|なのか|ようか|ここのか|とおか|はつか)"
    r"(?=の|に|で|は|から|まで|です|[、。!.\s]|$)"
)
# the kana days no ordinary word sounds like (じゅうよっか, にじゅうよっか, ついたち, はつか): a date wherever it is said,
# as in 「えー… そうですねえ… じゅうよっか… じゅうよっかの ごぜんちゅうが ありがたいんですけどね」 (the last one said)
_PLAIN_KANA_DAY = re.compile(
    r"(?P<mo>)(?P<day>にじゅうよっか|(?<!に)じゅうよっか|ついたち|はつか)"
    r"(?=の|に|で|は|も|が|なら|だと|やったら|って|から|まで|です|[、。!.\s]|$)"
)
_KANA_DAY_NUMBER = {"ついたち": 1, "ふつか": 2, "みっか": 3, "よっか": 4, "むいか": 6, "なのか": 7, "ようか": 8,
                    "ここのか": 9, "とおか": 10, "はつか": 20, "じゅうよっか": 14, "にじゅうよっか": 24}


# a kana day after the month it is in (「ねんあけ よっかの ごぜんちゅうに」「らいげつの みっかに」): a date anywhere
_MONTH_KANA_DAY = re.compile(
    # 来月のみっか, and 12月みっか (じゅうにがつ みっか as the normaliser writes it)
    # (a holiday's end names no month: 「れんきゅうあけの むいか」 is the next 6th)
    r"(?:(?P<mo>来月|らいげつ|今月|こんげつ|年明け|ねんあけ|としあけ|来年|らいねん)|(?<![0-9])(?P<mn>[0-9]{1,2})月|"
    r"(?:連休明け|れんきゅうあけ|休み明け|やすみあけ|お盆明け|おぼんあけ|盆明け|ぼんあけ))の?[、 ]*"
    r"(?P<day>にじゅうよっか|じゅうよっか|ついたち|ふつか|みっか|よっか|むいか|なのか|ようか|ここのか|とおか|はつか)"
    r"(?=の|に|で|は|も|が|なら|だと|やったら|って|から|まで|です|[、。!.\s]|$)"
    # 「じゅうにがつの えーと いつかで」: いつか after a month named by its number is the 5th when it closes the
    # answer (「12月のいつかでいい」 or 「来月のいつか」 is some day or other, and stays no date)
    r"|(?<![0-9])(?P<mn5>[0-9]{1,2})月の?[、 ]*(?P<day5>いつか)(?:で|に|です|でお願いします|にお願いします)?[、。!.\s]*$"
)


# a kana day just before a weekday (「はつかの きんようび」, 「じゅうよっかの げつようび」): those _PLAIN_KANA_DAY reads
_KANA_DAY_BEFORE = re.compile(r"(?:にじゅうよっか|じゅうよっか|ついたち|はつか)" + _CONFIRM_GAP.pattern + "$")


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(pattern.finditer(text))
    return found[-1] if found else None


# so many days from today, in kana (「きょうから みっかご で」): 三日後 as the kanji reader reads it
_KANA_DAYS_AFTER = re.compile(r"(?P<day>ふつか|みっか|よっか|いつか|むいか|なのか|ようか|ここのか|とおか)(?:ご|後)"
                              r"(?=の|に|で|は|です|[、。!.\s]|$)")


def _lone_kana_day(norm: Normalized, today: date) -> list[Entity]:
    after = _KANA_DAYS_AFTER.search(norm.text)
    if after is not None:
        days = {**_KANA_DAY_NUMBER, "いつか": 5}[after["day"]]
        a, b = norm.span(after.start(), after.end())
        return [Entity("date", (today + timedelta(days=days)).isoformat(), a, b)]
    m = (_LONE_KANA_DAY.fullmatch(norm.text) or _MONTH_KANA_DAY.search(norm.text)
         or _last(_CORRECTED_KANA_DAY, norm.text) or _last(_PLAIN_KANA_DAY, norm.text))
    if m is None:
        return []
    if m.groupdict().get("day5"):  # 12月のいつかで
        d = _month_day(today, None, int(m["mn5"]), 5)
        if d is None:
            return []
        a, b = norm.span(m.start("day5"), m.end("day5"))
        return [Entity("date", d.isoformat(), a, b)]
    if refused(norm.text, m.end("day")):
        return []  # 「はつか は しゅっちょう で いえ に いないんです」: the day the caller cannot take
    day = _KANA_DAY_NUMBER[m["day"]]
    if m.groupdict().get("mn"):  # 12月みっか
        d = _month_day(today, None, int(m["mn"]), day)
    elif m["mo"]:  # らいげつのみっか, ねんあけのよっか
        d = _add_months(today, _months_to(m["mo"], today), day)
    else:
        d = _add_months(today, 0 if day >= today.day else 1, day)
    if d is None:
        return []
    a, b = norm.span(m.start("day"), m.end("day"))
    return [Entity("date", d.isoformat(), a, b)]


def date_entities(norm: Normalized, now: datetime) -> list[Entity]:
    text = norm.text
    if not _DATE_GATE.search(text):
        return _lone_kana_day(norm, _jst_today(now))
    today = _jst_today(now)
    out: list[Entity] = []
    confirm_from = -1  # the end of the last explicit date, where its weekday may follow
    avoided: dict[str, int] = {}  # a day the caller cannot take -> where that is first said
    days_named: list[tuple[int, date]] = []  # every day named, asked for or not: where it ends, the day
    kana = _lone_kana_day(norm, today)
    for m in _DATE_RE.finditer(text):
        if kana and _KANA_DAY_BEFORE.search(text, 0, m.start()) and _confirms(text, m.start(), m):
            continue  # 「はつかの きんようび」: the weekday of the kana day said before it, which the kana reader read
        if confirm_from >= 0 and _confirms(text, confirm_from, m):  # 12月20日の日曜日: one date
            said = out.pop()
            if not refused(text, m.end()):
                out.append(Entity("date", said.value, said.start, norm.span(m.start(), m.end())[1]))
            else:
                avoided.setdefault(str(said.value), said.start)
            confirm_from = -1
            continue
        confirm_from = -1
        d = _resolve_date(m, today)
        if d is None or (m["dn"] == "1" and not m["after"] and _WHOLE_DAY.match(text, m.end())):
            continue
        if m["dn"] and not (m["m"] or m["sm"] or m["mo"] or m["after"]) and _SPAN_OF_DAYS.match(text, m.end()):
            continue  # 三日ばかり家を空ける, 十日ほど前に頼んだ: so many days, not a day of the month
        end = m.end()
        if _explicit(m):
            paren = _WEEKDAY_PAREN.match(text, end)  # 12月20日(日)
            end = paren.end() if paren else end
            confirm_from = -1 if paren else end
        days_named.append((end, d))
        # a day the caller cannot take (明日は留守, 土曜は家に誰もいない) is not the one asked for; a past day
        # said so is what happened (昨日はいなかった), and stays
        if d.isoformat() in avoided and _DUE_REPORT.match(text, end):
            continue  # the day refused, said again as the day it is due (「明日は家に誰もいないんですよ。…明日届くって」)
        if d >= today and refused(text, end):
            confirm_from = -1
            avoided.setdefault(d.isoformat(), norm.span(m.start(), end)[0])
            continue
        a, b = norm.span(m.start(), end)
        out.append(Entity("date", d.isoformat(), a, b))
    # the same day said before it is refused is the day as things stand (明日届く予定の荷物なんですけど、明日は家に
    # 誰もいないんです), not the one asked for; said again after it, it is asked for (明日は昼いないので、明日の夜に)
    out = [e for e in out if not (e.value in avoided and e.start < avoided[e.value])]
    out = _neighbour_days(norm, days_named, out)
    if out and kana and kana[0].start >= out[-1].end:
        out.append(kana[0])  # 「にじゅうさんにち あ いや にじゅうよっかの ごぜんちゅうで」: a day said after, in kana
    return out or kana


def _neighbour_days(norm: Normalized, said: list[tuple[int, date]], out: list[Entity]) -> list[Entity]:
    for m in _NEIGHBOUR_DAY.finditer(norm.text):
        before = [d for end, d in said if end <= m.start()]
        if not before:
            continue  # 翌日 with no day before it: the next day of what, the turn does not say
        day = before[-1] + timedelta(days=1 if m["next"] else -1)
        out = [e for e in out if e.value != before[-1].isoformat()]
        a, b = norm.span(m.start(), m.end())
        out.append(Entity("date", day.isoformat(), a, b))
    return out


def _explicit(m: re.Match[str]) -> bool:
    """A date said as a day of a month (12月20日, 12/20, 来月の20日, 20日), not 3日後 nor a weekday."""
    g = m.groupdict()
    return bool(g["m"] or g["sm"] or g["mo"] or (g["dn"] and not g["after"]))


def _confirms(text: str, end: int, m: re.Match[str]) -> bool:
    """`m` is a bare weekday right after the date that ended at `end` (の, は, a pause between)."""
    g = m.groupdict()
    if not (g["wdk"] or g["wdh"] or g["wdh2"]) or g["wk"]:
        return False
    return _CONFIRM_GAP.fullmatch(text, end, m.start()) is not None


_PM = {"午後", "夕方", "ゆうがた", "夜", "よる", "晩", "ばん"}
_AM = {"午前", "朝", "あさ", "明け方"}
_MIDDAY = {"昼", "ひる", "お昼", "おひる"}
_PERIOD = r"午前|午後|明け方|朝|あさ|夕方|ゆうがた|夜中|深夜|夜|よる|晩|ばん|お昼|おひる|昼|ひる"
_TIME_RE = re.compile(
    rf"(?:(?P<p>{_PERIOD})の? ?)?(?P<h>[0-9]{{1,2}})時(?!間)(?:(?P<half>半)|(?P<mi>[0-9]{{1,2}})分)?"
    r"(?:すぎ|過ぎ|頃|ごろ|くらい|ぐらい)?"
    r"|(?<![0-9:])(?P<h2>[0-9]{1,2}):(?P<m2>[0-9]{2})(?![0-9:])"
    r"|(?P<noon>正午|お昼|おひる|昼(?=頃|ごろ|すぎ|過ぎ|まで|から|に))(?!ご飯|ごはん|休み|やすみ|食)"
    # the start of a range written the carriers' way, the hour said once: 14-16時, 午後2~4時
    # (a label's colon before it is no clock's: 「時間:19-21時」 in a typed form)
    rf"|(?:(?P<p3>{_PERIOD})の? ?|(?<![0-9/.\-])(?<![0-9]:))(?P<h3>[0-9]{{1,2}})(?= ?(?:~|-|ー|から) ?(?:午前|午後)?[0-9]{{1,2}}時(?!間))"
)
_TIME_GATE = re.compile(r"[時:昼午]|ひる")
_RANGE = re.compile(r" ?(?:から|~|-|ー|より) ?")


def _clock(m: re.Match[str], period_of_start: str | None) -> tuple[int, int, str | None] | None:
    """(hour, minute, period) with the period applied; None when not a time of day."""
    g = m.groupdict()
    if g["noon"]:
        # 昼過ぎ is after lunch, not noon itself: a callback 「明日の昼過ぎ」 is at one
        return (13 if m.string.startswith(("すぎ", "過ぎ"), m.end()) else 12), 0, None
    if g["h2"]:
        h, mi, period = int(g["h2"]), int(g["m2"]), None
    else:
        h, period = int(g["h"] or g["h3"]), g["p"] or g["p3"] or period_of_start
        mi = 30 if g["half"] else int(g["mi"] or 0)
        if period in _PM or (period in _MIDDAY and h <= 6):
            if h < 12 and not (period in ("夜", "よる") and h <= 4):  # 夜1時 is one in the morning
                h += 12
        elif period in _AM or period in ("深夜", "夜中"):
            h = 0 if h == 12 else h
        elif period is None and 1 <= h <= 7:  # 3時 alone: shop hours, so the afternoon
            h += 12
    if h > 24 or mi > 59:
        return None
    return h % 24, mi, period


def time_entities(norm: Normalized) -> list[Entity]:
    """`time` for each time of day; the end of a range (10時から12時) as an extra `time_end`, and the
    range as a `time_window` (HH:MM-HH:MM), the way a delivery slot is asked for."""
    text = norm.text
    if not _TIME_GATE.search(text):
        return []
    out: list[Entity] = []
    matches = list(_TIME_RE.finditer(text))
    prev_start, prev_end, prev_period, prev_hour, prev_value = -1, -1, None, -1, ""
    for m in matches:
        is_end = prev_end >= 0 and bool(_RANGE.fullmatch(text, prev_end, m.start()))
        clock = _clock(m, prev_period if is_end else None)
        if clock is None:
            continue
        h, mi, period = clock
        if is_end and h < prev_hour and h + 12 < 24:  # 10時から2時 -> 14:00
            h += 12
        value = f"{h:02d}:{mi:02d}"
        a, b = norm.span(m.start(), m.end())
        out.append(Entity("time_end" if is_end else "time", value, a, b))
        if is_end and prev_value < value:
            out.append(Entity("time_window", f"{prev_value}-{value}", norm.span(prev_start, m.end())[0], b))
        if is_end:
            prev_start, prev_end, prev_period, prev_hour, prev_value = -1, -1, None, -1, ""
        else:
            prev_start, prev_end, prev_period, prev_hour, prev_value = m.start(), m.end(), period, h, value
    return out
