"""Realistic synthetic contacts for サクラマート, in the records schema (`ivr records synth`).

Enough like a real contact centre's history for QA, forecasts and staffing to have something to chew on:
volume by weekday (Monday peak, quiet Sunday), by hour (the bot answers around the clock, people contact
9-20 JST: a morning peak, a lunch-break bump, an after-work evening bump), national holidays and the
year-end break (12/29-1/3) as dips with a catch-up day after, one sale campaign as a spike of order and
delivery questions, the voice/chat/e-mail mix, SPEC 4's intents, outcomes that follow the agents' hours
(a hand-over outside them becomes a callback), queues, waits that grow with load, handle times,
post-contact satisfaction, and short Japanese transcripts (keigo bot and agents, natural callers).

Deterministic: the same seed, days and clock give the same contacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
import numpy as np

from dialogue.escalation.case_note import ConversationRecord, build_case_note
from dialogue.signals import trajectory

TOKYO = ZoneInfo("Asia/Tokyo")
Rng = np.random.Generator

WEEKDAY_FACTOR = (1.38, 1.12, 1.02, 0.97, 1.04, 0.78, 0.58)  # Monday .. Sunday
# contacts by hour of the day, JST: almost none at night, a morning peak, a lunch bump, an evening bump
HOUR_WEIGHT = (
    0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.2, 0.5, 1.2, 3.6, 5.6, 5.2,
    5.8, 4.4, 4.6, 4.4, 4.0, 3.8, 4.3, 4.6, 3.2, 1.6, 0.8, 0.4,
)  # fmt: skip
HOLIDAY_FACTOR = 0.55
YEAR_END_FACTOR = 0.35
CATCH_UP_FACTOR = 1.35  # the first working day after a holiday or the year-end break
CAMPAIGN_FACTOR = 1.8
CAMPAIGN_DAYS = 3
GROWTH_PER_DAY = 0.0004  # the shop grows a little

# routine intents and those handed to people (SPEC 4), by share of contacts
INTENT_SHARE = {
    "order_status": 0.22, "delivery_change": 0.13, "cancel_order": 0.07, "return_exchange": 0.09,
    "address_change": 0.04, "billing_inquiry": 0.07, "store_hours": 0.06, "store_location": 0.04,
    "product_availability": 0.07, "account_login": 0.06, "callback_request": 0.03, "operator_request": 0.06,
    "complaint": 0.04, "account_closure": 0.02,
}  # fmt: skip
CAMPAIGN_BOOST = {"order_status": 2.2, "delivery_change": 1.8, "product_availability": 2.0, "cancel_order": 1.5}
TO_PEOPLE = {"operator_request": "human_request", "complaint": "complex", "account_closure": "complex"}
QUEUE_OF = {"billing_inquiry": "billing", "complaint": "complaints", "account_closure": "general"}
AGENTS = ("sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura")
AGENT_JA = {"sato": "佐藤", "suzuki": "鈴木", "takahashi": "高橋", "tanaka": "田中", "ito": "伊藤",
            "watanabe": "渡辺", "yamamoto": "山本", "nakamura": "中村"}  # fmt: skip
SURNAMES = ("山田", "佐々木", "小林", "加藤", "吉田", "山口", "松本", "井上", "木村", "林", "清水", "森")
GIVEN = ("太郎", "花子", "健一", "由美", "大輔", "美咲", "翔", "恵子")

GREETING = {
    "voice": "お電話ありがとうございます。サクラマートでございます。ご用件をお話しください。",
    "chat": "こんにちは。サクラマートのチャットサポートです。ご用件をお知らせください。",
}
ANYTHING_ELSE = "ほかにご用件はございますか。"
CLOSING = {"voice": "お電話ありがとうございました。失礼いたします。", "chat": "ご利用ありがとうございました。またお気軽にお問い合わせください。"}
CALLER_DONE = ("いえ、大丈夫です。ありがとうございました", "以上です", "大丈夫です、どうも", "ほんならそれで。おおきに",
               "はい、わかりました。ありがとう")  # fmt: skip
TRANSFER = "担当者におつなぎいたします。少々お待ちくださいませ。"
CALLBACK = ("ただいま担当者の受付時間外のため、翌営業日に担当者より折り返しお電話いたします。"
            "お待たせして申し訳ございません。お電話ありがとうございました。")
ASK_ORDER = "ご注文番号を8桁でお知らせいただけますでしょうか。"
ASK_PHONE = "ご本人様確認のため、ご登録のお電話番号をお願いいたします。"

KANA_DIGITS = ("ぜろ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう")
PRODUCTS = (("ワイヤレスイヤホン", "在庫がございます"), ("電気ケトル", "ただいま在庫を切らしており、12月上旬に入荷予定でございます"),
            ("コーヒーメーカー", "梅田店に在庫がございます"))  # fmt: skip
STORES = (("渋谷店", "10時から21時まで、定休日なし"), ("梅田店", "10時から20時まで、毎週水曜日が定休日"),
          ("札幌店", "10時から19時まで、毎週火曜日が定休日"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Script:
    openings: tuple[str, ...]
    asks_order: bool = False  # the bot asks for the order number and checks the caller's phone
    answer: str = ""  # the bot's answer once it has what it needs ({order}, {product}, {stock}, {store}, {hours})
    email: str = ""  # the same request written as an e-mail


SCRIPTS: dict[str, Script] = {
    "order_status": Script(
        ("注文した商品がまだ届かないんですけど", "あのー、先週頼んだイヤホンってもう発送されてます？",
         "えっと ちゅうもんしたしょうひんが まだとどかないんですけど", "荷物いつ届くんか教えてほしいねんけど",
         "あのね、孫に頼んでもらった品物がね、まだ来ないのよ"),
        True, "ご注文番号{order}のご注文は配送中でございます。ヤマト運輸にて明日お届けの予定です。",
        "先日注文した商品がまだ届きません。発送状況を教えていただけますか。"),
    "delivery_change": Script(
        ("不在票が入ってたので再配達をお願いしたいです", "配達の日にちを変えてもらえますか", "あさって届くやつ、土曜にしてほしいんですけど"),
        True, "ご注文番号{order}のお届けを、ご希望の土曜日の午前中に変更いたしました。",
        "お届け日を週末に変更したいです。"),
    "cancel_order": Script(
        ("注文をキャンセルしたいんですが", "間違えて二個頼んじゃったので一個取り消したいです", "さっきの注文やっぱりやめたいんやけど"),
        True, "ご注文番号{order}のご注文をキャンセルいたしました。ご返金は5営業日ほどでお手続きいたします。",
        "昨日の注文をキャンセルしたいです。"),
    "return_exchange": Script(
        ("届いたケトルを返品したいんですけど", "サイズが合わなかったので交換できますか", "返品ってどうやったらいいですか"),
        True, "ご注文番号{order}の商品は返品を承ることができます。お届けから8日以内に返品のお手続きをお願いいたします。",
        "届いた商品を返品したいのですが、手続きを教えてください。"),
    "address_change": Script(
        ("引っ越したのでお届け先の住所を変えたいです", "登録してる住所を変更したいんですけど"),
        True, "ご注文番号{order}のお届け先を変更いたしました。",
        "引っ越しのため、お届け先の住所を変更したいです。"),
    "billing_inquiry": Script(
        ("代引きの手数料っていくらですか", "支払い方法って何がありますか", "コンビニ払いもできますか"),
        False, "お支払いは、クレジットカード、コンビニ払い(手数料220円)、代金引換(手数料330円)からお選びいただけます。",
        "請求金額について確認させてください。"),
    "store_hours": Script(
        ("{store}って何時まで開いてますか", "{store}の営業時間教えてください", "あした{store}やってる？"),
        False, "{store}の営業時間は{hours}でございます。",
        "{store}の営業時間を教えてください。"),
    "store_location": Script(
        ("{store}ってどこにありますか", "{store}の場所と駐車場があるか知りたいです"),
        False, "{store}の所在地と最寄り駅は、ホームページの店舗案内にも掲載しております。駐車場もございます。",
        "{store}への行き方を教えてください。"),
    "product_availability": Script(
        ("{product}って在庫ありますか", "{product}まだ売ってます？", "{product}いつ入荷しますか"),
        False, "{product}は{stock}。", "{product}の在庫状況を教えてください。"),
    "account_login": Script(
        ("ログインできなくなっちゃって", "パスワードを忘れてしまったんですが", "ろぐいんできないんですけど"),
        False, "ログイン画面の「パスワードをお忘れの方」から再設定のご案内をお送りいたします。",
        "パスワードを忘れてログインできません。"),
    "callback_request": Script(
        ("あとで折り返し電話もらえますか", "今ちょっと時間がないので、折り返しお願いできますか"),
        False, "承知いたしました。担当者より折り返しお電話いたします。",
        "お電話で相談したいので、折り返しご連絡をお願いします。"),
    "operator_request": Script(
        ("オペレーターにつないでください", "人と話したいんですけど", "あのー、担当の人に代わってもらえる？"),
        False, "", "担当の方から連絡がほしいです。"),
    "complaint": Script(
        ("届いたケトルが壊れてたんですけど、どうなってるんですか", "何度も問い合わせてるのに返事がないんですよ",
         "配達の人の態度がひどかったんですけど", "請求が二重になってるんですけど、どういうことですか"),
        False, "", "届いた商品が壊れていました。どういうことでしょうか。"),
    "account_closure": Script(
        ("退会したいんですけど", "会員をやめたいので手続きをお願いします"),
        False, "", "会員を退会したいです。"),
}
AGENT_TOPIC = {
    "operator_request": "ご用件", "complaint": "お届けした商品の件", "account_closure": "ご退会のお手続きの件",
    "billing_inquiry": "ご請求の件",
}
DISPOSITION = {
    "operator_request": ("information_given", "resolved_by_agent"), "complaint": ("exchange_arranged", "refund_processed",
    "apology_and_follow_up"), "account_closure": ("account_closed", "retained"), "billing_inquiry": ("refund_processed",
    "information_given"),
}  # fmt: skip


def synthesize(days: int, seed: int = 0, *, now: datetime | None = None, per_day: float = 240.0) -> list[dict[str, Any]]:
    """Contacts of the `days` days ending today (Japan time), oldest first; today's only up to `now`."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if per_day <= 0:
        raise ValueError("per_day must be positive")
    moment = (now or datetime.now(TOKYO)).astimezone(TOKYO)
    rng = np.random.default_rng(seed)
    first = moment.date() - timedelta(days=days - 1)
    campaign = _campaign(rng, first, days)
    out: list[dict[str, Any]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        mean = per_day * _day_factor(day) * (1 + GROWTH_PER_DAY * offset)
        in_campaign = campaign is not None and campaign <= day < campaign + timedelta(days=CAMPAIGN_DAYS)
        if in_campaign:
            mean *= CAMPAIGN_FACTOR
        starts = sorted(_start_times(rng, day, int(rng.poisson(mean))))
        hourly = np.bincount([s.hour for s in starts], minlength=24)
        for n, start in enumerate(starts, 1):
            if start >= moment:
                break
            load = hourly[start.hour] / max(1.0, mean / 12)  # > 1: a busy hour for the agents
            out.append(_contact(rng, f"syn-{day:%Y%m%d}-{n:05d}", start, in_campaign, float(load)))
    return out


def is_year_end(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def _day_factor(day: date) -> float:
    factor = WEEKDAY_FACTOR[day.weekday()]
    if is_year_end(day):
        return factor * YEAR_END_FACTOR
    if jpholiday.is_holiday(day):
        return factor * HOLIDAY_FACTOR
    before = day - timedelta(days=1)
    if day.weekday() < 5 and (is_year_end(before) or jpholiday.is_holiday(before)):
        factor *= CATCH_UP_FACTOR
    return factor


def _campaign(rng: Rng, first: date, days: int) -> date | None:
    """A sale of CAMPAIGN_DAYS days somewhere in the period (none in a period under two weeks), not over
    the year-end break."""
    if days < 14:
        return None
    for _ in range(20):
        start = first + timedelta(days=int(rng.integers(3, days - CAMPAIGN_DAYS)))
        if not any(is_year_end(start + timedelta(days=d)) for d in range(CAMPAIGN_DAYS)):
            return start
    return None


def _start_times(rng: Rng, day: date, count: int) -> list[datetime]:
    weights = np.array(HOUR_WEIGHT) / sum(HOUR_WEIGHT)
    hours = rng.choice(24, size=count, p=weights)
    seconds = rng.integers(0, 3600, size=count)
    midnight = datetime.combine(day, time(0), TOKYO)
    return [midnight + timedelta(hours=int(h), seconds=int(s)) for h, s in zip(hours, seconds, strict=True)]


def agents_open(moment: datetime) -> bool:
    """SPEC 3: weekdays 9-18, Saturdays 10-17, closed Sundays, holidays and over the year-end break."""
    day = moment.date()
    if day.weekday() == 6 or jpholiday.is_holiday(day) or is_year_end(day):
        return False
    opens, closes = (10, 17) if day.weekday() == 5 else (9, 18)
    return opens <= moment.hour < closes


def _pick(rng: Rng, items: Sequence[str], weights: Sequence[float]) -> str:
    """One of `items` by weight (rng.choice with p= costs tens of microseconds a call)."""
    point = float(rng.random()) * sum(weights)
    for item, weight in zip(items, weights, strict=True):
        point -= weight
        if point < 0:
            return item
    return items[-1]


def _channel(rng: Rng, hour: int) -> str:
    evening = hour >= 19 or hour < 8  # after work and at night people type rather than call
    return _pick(rng, ("voice", "chat", "email"), (0.38, 0.42, 0.20) if evening else (0.58, 0.28, 0.14))


_INTENTS = tuple(INTENT_SHARE)
_SHARES = {
    False: tuple(INTENT_SHARE.values()),
    True: tuple(INTENT_SHARE[n] * CAMPAIGN_BOOST.get(n, 1.0) for n in _INTENTS),
}


def _intent(rng: Rng, in_campaign: bool) -> str:
    return _pick(rng, _INTENTS, _SHARES[in_campaign])


def _one(rng: Rng, items: Sequence[str]) -> str:
    return items[int(rng.integers(len(items)))]


class _Talk:
    """A transcript being written, with the clock of the conversation."""

    def __init__(self, start: datetime, spoken: bool = False) -> None:
        self.clock = start
        self.spoken = spoken  # on the phone, saying a line takes time: about 7 characters a second
        self.turns: list[dict[str, Any]] = []

    def say(self, rng: Rng, speaker: str, text: str, after: tuple[float, float] | None = None) -> None:
        """`text` said `after` seconds after the previous line ended (the bot answers within a second or two)."""
        low, high = after or ((0.8, 2.5) if speaker == "bot" else (2.0, 7.0))
        self.clock += timedelta(seconds=round(float(rng.uniform(low, high)), 1))
        self.turns.append({"speaker": speaker, "text": text, "at": self.clock.isoformat(timespec="seconds")})
        if self.spoken:
            self.clock += timedelta(seconds=round(len(text) / 7.0, 1))

    def wait(self, seconds: float) -> None:
        self.clock += timedelta(seconds=seconds)


def _digits(rng: Rng, n: int) -> str:
    return str(int(rng.integers(0, 10**n))).zfill(n)


def _spoken(rng: Rng, digits: str) -> str:
    """A number as a caller says it: digits, digit groups, or kana as the recogniser writes it."""
    style = rng.random()
    if style < 0.45:
        return digits
    if style < 0.7:
        return f"{digits[:4]}の{digits[4:]}" if len(digits) == 8 else f"{digits[:-8]}-{digits[-8:-4]}-{digits[-4:]}"
    groups = (digits[:4], digits[4:]) if len(digits) == 8 else (digits[:-8], digits[-8:-4], digits[-4:])
    return " ".join("".join(KANA_DIGITS[int(c)] for c in group) for group in groups)


def _phone(rng: Rng) -> str:
    return _one(rng, ("090", "080", "070", "03", "06")) + _digits(rng, 8)


def _contact(rng: Rng, sid: str, start: datetime, in_campaign: bool, load: float) -> dict[str, Any]:
    channel = _channel(rng, start.hour)
    intent = _intent(rng, in_campaign)
    script = SCRIPTS[intent]
    product, stock = PRODUCTS[int(rng.integers(len(PRODUCTS)))]
    store, hours = STORES[int(rng.integers(len(STORES)))]
    order = str(int(rng.integers(10_000_000, 100_000_000)))
    fill = {"order": order, "product": product, "stock": stock, "store": store, "hours": hours}
    caller = _phone(rng) if channel == "voice" else None
    if channel == "email":
        caller = f"user{int(rng.integers(1000, 99999))}@example.jp"
    slots: dict[str, Any] = {"order_id": order} if script.asks_order else {}
    if channel == "email":
        return _email(rng, sid, start, intent, script, fill, caller, slots, load)

    talk = _Talk(start, spoken=channel == "voice")
    talk.say(rng, "bot", GREETING[channel], (0.5, 1.5))
    opening = _one(rng, script.openings).format(**fill)
    if rng.random() < 0.08:  # some callers give their name first
        opening = f"{_one(rng, SURNAMES)}と申しますが、{opening}"
    talk.say(rng, "caller", opening, (3.0, 9.0))
    abandon_in_bot = rng.random() < 0.06
    if script.asks_order and not abandon_in_bot:
        talk.say(rng, "bot", ASK_ORDER)
        talk.say(rng, "caller", _spoken(rng, order), (4.0, 12.0))
        if channel == "voice" and caller and rng.random() < 0.5:
            slots.update(verified=True, verified_by="ani")  # the caller id matched the order's phone
        else:
            talk.say(rng, "bot", ASK_PHONE)
            phone = caller or _phone(rng)
            talk.say(rng, "caller", _spoken(rng, phone), (5.0, 14.0))
            slots.update(phone_number=phone, verified=True, verified_by="spoken")
    if abandon_in_bot:
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "abandoned", None, None)

    reason = TO_PEOPLE.get(intent)
    if reason is None and rng.random() < 0.09:  # the bot could not finish: the backend, or no understanding
        reason = _pick(rng, ("repeated_failure", "backend_error", "emotion"), (0.6, 0.15, 0.25))
    if reason is None:
        talk.say(rng, "bot", script.answer.format(**fill), (1.0, 3.0))
        talk.say(rng, "bot", ANYTHING_ELSE, (0.5, 1.0))
        if rng.random() < 0.04:  # hung up once answered
            return _finish(rng, sid, channel, caller, start, talk, intent, slots, "resolved", None, None)
        talk.say(rng, "caller", _one(rng, CALLER_DONE), (2.0, 6.0))
        talk.say(rng, "bot", CLOSING[channel], (0.5, 1.5))
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "resolved", None, None)

    queue = "supervisor" if reason == "emotion" and rng.random() < 0.2 else QUEUE_OF.get(intent, "general")
    if intent == "complaint" or reason == "emotion":
        talk.say(rng, "bot", "ご迷惑をおかけして大変申し訳ございません。" + TRANSFER, (1.0, 3.0))
    else:
        talk.say(rng, "bot", TRANSFER, (1.0, 3.0))
    if not agents_open(start):
        talk.turns[-1]["text"] = CALLBACK
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "callback", reason, queue)
    wait = round(float(rng.lognormal(np.log(45 * max(0.5, load) ** 1.5), 0.6)), 1)
    if wait > 240 and rng.random() < 0.45:  # gave up in the queue
        talk.wait(wait)
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "abandoned", reason, queue, wait=wait)
    talk.wait(wait)
    agent = _one(rng, AGENTS)
    _agent_part(rng, talk, intent, agent, channel)
    return _finish(rng, sid, channel, caller, start, talk, intent, slots, "handover", reason, queue, wait=wait,
                   agent=agent)


# how often an agent slips (QA has something to find): most rarely, a newcomer or two more often
SLIP_RATE = {"tanaka": 0.2, "nakamura": 0.12}
SLIPS = ("greeting", "apology", "refusal", "plain", "closing")
# an agent's turn in the transcript stands for a minute or two of talk (explaining, asking, noting): the
# caller's next words come that long after it
TALK = (30.0, 150.0)


def _agent_part(rng: Rng, talk: _Talk, intent: str, agent: str, channel: str) -> None:
    name = AGENT_JA[agent]
    topic = AGENT_TOPIC.get(intent, "お問い合わせの件")
    slip = _one(rng, SLIPS) if rng.random() < SLIP_RATE.get(agent, 0.03) else None
    if slip == "greeting":
        talk.say(rng, "agent", f"はい、{name}です。{topic}ですね。", (1.0, 3.0))
    else:
        talk.say(rng, "agent", f"お待たせいたしました。担当の{name}でございます。{topic}でございますね。", (1.0, 3.0))
    if intent == "complaint":
        talk.say(rng, "caller", "そうなんですよ。ほんと困ってて", TALK)
        sorry = "" if slip == "apology" else "ご不便をおかけして誠に申し訳ございません。"
        talk.say(rng, "agent", f"{sorry}すぐに交換の手配をいたします。", (2.0, 8.0))
    elif intent == "account_closure":
        talk.say(rng, "caller", "はい、もう使わないので", TALK)
        talk.say(rng, "agent", "かしこまりました。ポイントが失効いたしますが、よろしいでしょうか。", (2.0, 8.0))
        talk.say(rng, "caller", "はい、大丈夫です", TALK)
        talk.say(rng, "agent", "ご退会の手続きを承りました。", (3.0, 9.0))
    else:
        talk.say(rng, "caller", "はい、それでちょっと相談があって", TALK)
        if slip == "refusal":
            talk.say(rng, "agent", "その件はこちらではできません。", (2.0, 8.0))
            talk.say(rng, "caller", "そうなんですか…", (2.0, 6.0))
        talk.say(rng, "agent", "ちょっと待ってね。" if slip == "plain" else "確認いたしますので少々お待ちください。",
                 (2.0, 8.0))
        talk.say(rng, "agent", "お待たせいたしました。ご案内の内容で手続きいたしました。", (20.0, 90.0))
    talk.say(rng, "caller", _one(rng, CALLER_DONE), TALK)
    if slip == "closing":
        talk.say(rng, "agent", "はい。", (1.0, 3.0))
    else:
        talk.say(rng, "agent", CLOSING[channel] if channel == "voice" else "お問い合わせいただきありがとうございました。",
                 (1.0, 3.0))


def _email(rng: Rng, sid: str, start: datetime, intent: str, script: Script, fill: dict[str, str],
           caller: str | None, slots: dict[str, Any], load: float) -> dict[str, Any]:
    """An e-mail: the customer writes, an agent answers within working hours (hours later at night)."""
    talk = _Talk(start)
    name = f"{_one(rng, SURNAMES)}{_one(rng, GIVEN)}"
    order = f"注文番号は{fill['order']}です。" if script.asks_order else ""
    body = f"お世話になっております。{script.email.format(**fill)}{order}よろしくお願いいたします。{name}"
    talk.turns.append({"speaker": "caller", "text": body, "at": start.isoformat(timespec="seconds")})
    wait = float(rng.lognormal(np.log(3600 * 2 * max(0.5, load)), 0.7))
    if not agents_open(start):
        wait += 3600 * 10
    talk.wait(round(wait, 1))
    agent = _one(rng, AGENTS)
    reply = script.answer.format(**fill) if script.answer else "担当部署にて確認のうえ、改めてご連絡いたします。"
    if intent == "complaint":
        reply = "このたびはご迷惑をおかけし、誠に申し訳ございません。" + reply
    talk.say(rng, "agent", f"お問い合わせいただきありがとうございます。サクラマートの{AGENT_JA[agent]}でございます。{reply}"
             "今後ともサクラマートをよろしくお願いいたします。", (120.0, 600.0))
    reason = TO_PEOPLE.get(intent)
    queue = QUEUE_OF.get(intent, "general")
    return _finish(rng, sid, "email", caller, start, talk, intent, slots, "resolved", reason, queue,
                   wait=round(wait, 1), agent=agent)


def _finish(rng: Rng, sid: str, channel: str, caller: str | None, start: datetime, talk: _Talk, intent: str,
            slots: dict[str, Any], outcome: str, reason: str | None, queue: str | None, *,
            wait: float | None = None, agent: str | None = None) -> dict[str, Any]:
    ended = talk.clock + timedelta(seconds=round(float(rng.uniform(0.5, 2.0)), 1))
    engine_outcome = {"handover": "transferred", "callback": "callback_scheduled"}.get(outcome, outcome)
    transcript = [(t["speaker"], t["text"]) for t in talk.turns if t["speaker"] in ("caller", "bot")]
    note = build_case_note(ConversationRecord(
        session_id=sid, channel=channel, caller_phone=caller if channel == "voice" else None, started_at=start,
        intents=[intent], slots=slots, trajectory=trajectory(()), outcome=engine_outcome, reason=reason, rule=None,
        decision_why=None, transcript=transcript,
    )).to_json()
    note["case_id"] = f"CASE-{sid}"
    total = (ended - start).total_seconds()
    return {
        "conversation_id": sid, "channel": channel, "caller": caller,
        "started_at": start.isoformat(timespec="seconds"), "ended_at": ended.isoformat(timespec="seconds"),
        "outcome": outcome, "reason": reason, "queue": queue, "intents": [intent], "transcript": talk.turns,
        "case_note": note, "agent": agent,
        "disposition": _one(rng, DISPOSITION.get(intent, ("information_given",))) if agent else None,
        "satisfaction": _satisfaction(rng, outcome, channel),
        "satisfaction_comment": None,  # the chat survey's free comment: not synthesised
        "wait_seconds": wait,
        "handle_seconds": round(total - (wait or 0.0), 1),
    }  # fmt: skip


def _satisfaction(rng: Rng, outcome: str, channel: str) -> int | None:
    """The post-contact survey: a third answer it; the unhappy ones less often once they have left."""
    answered = 0.12 if outcome == "abandoned" else (0.2 if channel == "email" else 0.35)
    if rng.random() >= answered:
        return None
    weights: Sequence[float] = {
        "resolved": (0.02, 0.04, 0.14, 0.38, 0.42), "handover": (0.04, 0.08, 0.2, 0.36, 0.32),
        "callback": (0.1, 0.15, 0.3, 0.3, 0.15), "abandoned": (0.45, 0.3, 0.15, 0.07, 0.03),
    }.get(outcome, (0.2, 0.2, 0.2, 0.2, 0.2))  # fmt: skip
    return int(_pick(rng, "12345", weights))
