"""Realistic synthetic contacts for a bot, in the records schema (`ivr records synth --bot DIR`).

Enough like a real contact centre's history for QA, forecasts and staffing to have something to chew on:
volume by weekday (Monday peak, quiet Sunday), by hour (the bot answers around the clock, people contact
9-20 JST: a morning peak, a lunch-break bump, an after-work evening bump), national holidays and the
year-end break (12/29-1/3) as dips with a catch-up day after, one sale campaign as a spike of some requests,
the voice/chat/e-mail mix, outcomes that follow the agents' hours (a hand-over outside them becomes a
callback), queues, waits that grow with load, handle times, post-contact satisfaction, and short Japanese
transcripts (keigo bot and agents, natural callers).

That shape is the engine's and lives here; the company's facts are the bot's data (docs/deployment.md
section 4b): its name (bot.yaml), its requests, how callers put them, its answers and agents (synth.yaml),
its stores and products (demo_data.yaml), the number callers give (entities/), its queues and their hours
(escalation_rules/queues.yaml). Without a bot, the sample bot of the repository.

Deterministic: the same bot, seed, days and clock give the same contacts.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogue.backends.demo_data import DemoData, Product, Store, load_demo_data
from dialogue.bot_project import load_project
from dialogue.entity_types import EntitySpec, EntityTypes, load_entity_types
from dialogue.escalation.case_note import ConversationRecord, build_case_note
from dialogue.escalation.hours import BusinessHours
from dialogue.escalation.rules import QUEUES_FILE
from dialogue.signals import trajectory
from dialogue.yaml_source import REPO_ROOT, SourceError, at, load

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

# callers who give their name, and customers who sign an e-mail: common Japanese names, not anyone's records
SURNAMES = ("山田", "佐々木", "小林", "加藤", "吉田", "山口", "松本", "井上", "木村", "林", "清水", "森")
GIVEN = ("太郎", "花子", "健一", "由美", "大輔", "美咲", "翔", "恵子")

# what every bot and agent says, in keigo; {company} is the bot's name (bot.yaml)
GREETING = {
    "voice": "お電話ありがとうございます。{company}でございます。ご用件をお話しください。",
    "chat": "こんにちは。{company}のチャットサポートです。ご用件をお知らせください。",
}
ANYTHING_ELSE = "ほかにご用件はございますか。"
CLOSING = {"voice": "お電話ありがとうございました。失礼いたします。", "chat": "ご利用ありがとうございました。またお気軽にお問い合わせください。"}
CALLER_DONE = ("いえ、大丈夫です。ありがとうございました", "以上です", "大丈夫です、どうも", "ほんならそれで。おおきに",
               "はい、わかりました。ありがとう")  # fmt: skip
TRANSFER = "担当者におつなぎいたします。少々お待ちくださいませ。"
SORRY = "ご迷惑をおかけして大変申し訳ございません。"
SORRY_WRITTEN = "このたびはご迷惑をおかけし、誠に申し訳ございません。"
AGENT_APOLOGY = "ご不便をおかけして誠に申し訳ございません。"  # an agent's {apology} (left out by a slip)
CALLBACK = ("ただいま担当者の受付時間外のため、翌営業日に担当者より折り返しお電話いたします。"
            "お待たせして申し訳ございません。お電話ありがとうございました。")
ASK_REFERENCE = "{label}を{digits}桁でお知らせいただけますでしょうか。"
ASK_PHONE = "ご本人様確認のため、ご登録のお電話番号をお願いいたします。"
EMAIL_REPLY = "お問い合わせいただきありがとうございます。{company}の{agent}でございます。{reply}今後とも{company}をよろしくお願いいたします。"
EMAIL_LATER = "担当部署にて確認のうえ、改めてご連絡いたします。"
TOPIC = "お問い合わせの件"  # how an agent names a request the bot's data gives no topic for
DISPOSITIONS = ("information_given",)
SLIP_RATE = 0.03  # how often an agent slips, unless the bot's data says otherwise

KANA_DIGITS = ("ぜろ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう")
WEEKDAY_JA = {"mon": "月", "tue": "火", "wed": "水", "thu": "木", "fri": "金", "sat": "土", "sun": "日"}
SYNTH_FILE = "synth.yaml"
# what a text of synth.yaml may fill in
FIELDS = {"company", "reference", "store", "hours", "product", "stock"}
_SLIPS = ("greeting", "apology", "refusal", "plain", "closing")
# an agent's turn in the transcript stands for a minute or two of talk (explaining, asking, noting): the
# caller's next words come that long after it
TALK = (30.0, 150.0)
AGENT_AFTER = (2.0, 8.0)


# -- the bot's data (synth.yaml and the files it draws on) ----------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentSpec(_Strict):
    name: str = Field(min_length=1)  # how the agent gives their name (「佐藤」)
    slip_rate: float = Field(default=SLIP_RATE, ge=0, le=1)


class TalkLine(_Strict):
    """One line of the conversation with an agent: `caller: ...` or `agent: ...` (after: seconds, low high)."""

    caller: str | None = None
    agent: str | None = None
    after: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _one(self) -> TalkLine:
        if (self.caller is None) == (self.agent is None):
            raise ValueError("give exactly one of caller: or agent:")
        if self.after is not None and not 0 <= self.after[0] <= self.after[1]:
            raise ValueError("after: [low, high] seconds with 0 <= low <= high")
        return self


class ContactSpec(_Strict):
    share: float = Field(gt=0)  # of all contacts (the shares need not add up to 1)
    campaign_boost: float = Field(default=1.0, gt=0)
    asks_reference: bool = False  # the bot asks for the `reference` number and checks the caller's phone
    openings: list[str] = Field(min_length=1)  # how callers put it
    answer: str = ""  # the bot's answer once it has what it needs; "" for a request only people handle
    email: str = Field(min_length=1)  # the same request written as an e-mail
    to_people: str | None = None  # always handed to a person, with this reason
    queue: str | None = None
    apologise: bool = False
    topic: str = TOPIC
    talk: list[TalkLine] = Field(default_factory=list)
    dispositions: list[str] = Field(default_factory=lambda: list(DISPOSITIONS), min_length=1)

    @model_validator(mode="after")
    def _answered(self) -> ContactSpec:
        if not self.answer and self.to_people is None:
            raise ValueError("answer: the bot's answer (or to_people: the reason a person takes it)")
        return self


class SynthFile(_Strict):
    reference: str | None = None  # the entity type asked for by `asks_reference: true` requests
    queue: str = "general"
    emotion_queue: str | None = None  # where some upset callers go (default: `queue`)
    agents: dict[str, AgentSpec] = Field(min_length=1)
    contacts: dict[str, ContactSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Reference:
    """The number a caller gives (an order number): its entity type, as the bot's entities/ declare it."""

    type: str
    label: str
    length: int
    spec: EntitySpec
    types: EntityTypes

    def draw(self, rng: Rng) -> str:
        prefix = self.spec.starts_with or ""
        while True:  # a check digit: about one draw in ten fits
            if prefix:
                value = prefix + _digits(rng, self.length - len(prefix))
            else:
                value = str(int(rng.integers(10 ** (self.length - 1), 10**self.length)))
            if self.types.valid_digits(self.type, value):
                return value

    @property
    def written(self) -> str:
        """How a customer writes it (注文番号, not ご注文番号)."""
        return self.label.removeprefix("ご").removeprefix("お")


@dataclass(frozen=True)
class Company:
    """A bot's facts for synthetic contacts (`load_company`)."""

    name: str
    contacts: Mapping[str, ContactSpec]
    agents: Mapping[str, AgentSpec]
    queue: str
    emotion_queue: str
    hours: BusinessHours
    reference: Reference | None
    stores: tuple[tuple[str, str], ...]  # name, hours as said
    products: tuple[tuple[str, str], ...]  # name, stock as said

    def agents_open(self, moment: datetime) -> bool:
        return self.hours.is_open(self.queue, moment)


def load_company(bot: Path | None = None) -> Company:
    """The facts of the bot in directory `bot` (its bot.yaml); the sample bot's when None. Raises SourceError
    (`file:line:col: message`) for a missing or bad synth.yaml or one that names what the bot does not have."""
    if bot is None:
        return _sample()
    project = load_project(bot)
    path = project.synth or project.root / SYNTH_FILE
    if not path.is_file():
        raise SourceError([f"{path}:1:1: no {path.name} here: `ivr records synth` needs the bot's requests, "
                           "answers and agents (docs/deployment.md section 4b)"])
    spec, raw = load(path, SynthFile)
    demo = load_demo_data(project.root / project.backend.demo_data) if project.backend.demo_data else DemoData()
    types = load_entity_types(project.entities)
    hours = BusinessHours.load(project.escalation_rules / QUEUES_FILE)
    problems: list[str] = []
    reference = _reference(path, raw, spec, types, problems)
    for key in ("queue", "emotion_queue"):
        queue = getattr(spec, key)
        if queue is not None and queue not in hours.queues:
            problems.append(at(path, raw, [key], f"{key}: no queue {queue!r} in {QUEUES_FILE} (known: "
                               f"{', '.join(hours.queues)})", value=True))
    intents = _intents(project.intents)
    for name, contact in spec.contacts.items():
        if intents and name not in intents:
            problems.append(at(path, raw, ["contacts", name], f"contacts: {name}: not an intent of the bot "
                               f"(known: {', '.join(sorted(intents))})"))
        if contact.queue is not None and contact.queue not in hours.queues:
            problems.append(at(path, raw, ["contacts", name, "queue"], f"queue: no queue {contact.queue!r} in "
                               f"{QUEUES_FILE} (known: {', '.join(hours.queues)})", value=True))
        if contact.asks_reference and reference is None:
            problems.append(at(path, raw, ["contacts", name, "asks_reference"],
                               "asks_reference: give `reference:` (the entity type asked for) at the top"))
        problems += _fields(path, raw, name, contact, demo)
    if problems:
        raise SourceError(problems)
    return Company(
        name=project.name, contacts=spec.contacts, agents=spec.agents, queue=spec.queue,
        emotion_queue=spec.emotion_queue or spec.queue, hours=hours, reference=reference,
        stores=tuple((s.name, _hours_said(s)) for s in demo.stores.values()),
        products=tuple((p.name, _stock_said(p, demo.stores)) for p in demo.products.values()),
    )  # fmt: skip


@lru_cache(maxsize=1)
def _sample() -> Company:
    return load_company(REPO_ROOT)


def _reference(path: Path, raw: Any, spec: SynthFile, types: EntityTypes, problems: list[str]) -> Reference | None:
    if spec.reference is None:
        return None
    etype = types.spec(spec.reference)
    if etype is None or etype.digits is None:
        why = "not an entity type of the bot" if etype is None else "has no `digits:` (a number callers say)"
        problems.append(at(path, raw, ["reference"], f"reference: {spec.reference!r} {why} (entities/ has: "
                           f"{', '.join(sorted(types.specs))})", value=True))
        return None
    length = etype.digits[1] if isinstance(etype.digits, tuple) else etype.digits
    return Reference(spec.reference, types.label(spec.reference), length, etype, types)


def _intents(places: Sequence[Path]) -> set[str]:
    """The intents the bot is trained on: the names of its intent files (order_status.more.yaml: order_status)."""
    files = [f for d in places for f in (sorted(d.glob("*.yaml")) if d.is_dir() else [d])]
    return {f.name.split(".", 1)[0] for f in files}


def _fields(path: Path, raw: Any, name: str, contact: ContactSpec, demo: DemoData) -> list[str]:
    """Every {field} of a text is one synth fills in, and the bot has the stores or products it names."""
    problems: list[str] = []
    texts: list[tuple[list[str | int], str]] = [(["openings", i], t) for i, t in enumerate(contact.openings)]
    texts += [(["answer"], contact.answer), (["email"], contact.email)]
    for loc, text in texts:
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            problems.append(at(path, raw, ["contacts", name, *loc], f"{exc} (a field is {{reference}}, "
                               "{store}, ...; write a brace itself twice: {{)", value=True))
            continue
        for field in sorted(fields):
            missing = (field not in FIELDS and f"{{{field}}} is not one of {{{'}, {'.join(sorted(FIELDS))}}}") or (
                field in ("store", "hours") and not demo.stores and f"{{{field}}}: the bot has no stores "
                "(demo_data.yaml)") or (field in ("product", "stock") and not demo.products and
                f"{{{field}}}: the bot has no products (demo_data.yaml)")
            if missing:
                problems.append(at(path, raw, ["contacts", name, *loc], missing, value=True))
    return problems


def _clock(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return f"{int(hours)}時" + (f"{int(minutes)}分" if int(minutes) else "")


def _hours_said(store: Store) -> str:
    """10時から20時まで、毎週水曜日が定休日"""
    if store.closed_weekdays:
        closed = "毎週" + "・".join(f"{WEEKDAY_JA[d]}曜日" for d in store.closed_weekdays) + "が定休日"
    else:
        closed = "定休日なし" if store.closed_ja == "年中無休" else store.closed_ja
    return f"{_clock(store.open)}から{_clock(store.close)}まで、{closed}"


def _stock_said(product: Product, stores: Mapping[str, Store]) -> str:
    if product.stock == "in_stock":
        return "在庫がございます"
    if product.stock == "store_only":
        return "、".join(stores[s].name for s in product.stores) + "に在庫がございます"
    if product.restock_ja:
        return f"ただいま在庫を切らしており、{product.restock_ja}に入荷予定でございます"
    return "ただいま在庫を切らしております"


# -- the contacts ---------------------------------------------------------------------------------------

def synthesize(days: int, seed: int = 0, *, now: datetime | None = None, per_day: float = 240.0,
               bot: Path | Company | None = None) -> list[dict[str, Any]]:
    """Contacts of the `days` days ending today (Japan time), oldest first; today's only up to `now`; of the
    bot in directory `bot` (or its loaded facts), the sample bot when None."""
    company = bot if isinstance(bot, Company) else load_company(bot)
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
            out.append(_contact(company, rng, f"syn-{day:%Y%m%d}-{n:05d}", start, in_campaign, float(load)))
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


def agents_open(moment: datetime, company: Company | None = None) -> bool:
    """Whether the bot's people take calls at `moment`: its default queue's hours (queues.yaml; the sample
    bot's: weekdays 9-18, Saturdays 10-17, closed Sundays, holidays and over the year-end break)."""
    return (company or load_company()).agents_open(moment)


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


def _intent(company: Company, rng: Rng, in_campaign: bool) -> str:
    contacts = company.contacts
    shares = [c.share * (c.campaign_boost if in_campaign else 1.0) for c in contacts.values()]
    return _pick(rng, tuple(contacts), shares)


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


def _groups(digits: str) -> tuple[str, ...]:
    """How a number is said in parts: a phone number in three (090-1234-5678), a shorter one in two halves."""
    if len(digits) >= 10:
        return digits[:-8], digits[-8:-4], digits[-4:]
    if len(digits) >= 6:
        half = len(digits) // 2
        return digits[:half], digits[half:]
    return (digits,)


def _spoken(rng: Rng, digits: str) -> str:
    """A number as a caller says it: digits, digit groups, or kana as the recogniser writes it."""
    style = rng.random()
    if style < 0.45:
        return digits
    groups = _groups(digits)
    if style < 0.7:
        return "-".join(groups) if len(groups) > 2 else "の".join(groups)
    return " ".join("".join(KANA_DIGITS[int(c)] for c in group) for group in groups)


def _phone(rng: Rng) -> str:
    return _one(rng, ("090", "080", "070", "03", "06")) + _digits(rng, 8)


def _contact(company: Company, rng: Rng, sid: str, start: datetime, in_campaign: bool,
             load: float) -> dict[str, Any]:
    channel = _channel(rng, start.hour)
    intent = _intent(company, rng, in_campaign)
    script = company.contacts[intent]
    fill = {"company": company.name}
    if company.products:
        fill["product"], fill["stock"] = company.products[int(rng.integers(len(company.products)))]
    if company.stores:
        fill["store"], fill["hours"] = company.stores[int(rng.integers(len(company.stores)))]
    ref = company.reference
    if ref is not None:
        fill["reference"] = ref.draw(rng)
    caller = _phone(rng) if channel == "voice" else None
    if channel == "email":
        caller = f"user{int(rng.integers(1000, 99999))}@example.jp"
    slots: dict[str, Any] = {ref.type: fill["reference"]} if ref is not None and script.asks_reference else {}
    if channel == "email":
        return _email(company, rng, sid, start, intent, fill, caller, slots, load)

    talk = _Talk(start, spoken=channel == "voice")
    talk.say(rng, "bot", GREETING[channel].format(company=company.name), (0.5, 1.5))
    opening = _one(rng, script.openings).format(**fill)
    if rng.random() < 0.08:  # some callers give their name first
        opening = f"{_one(rng, SURNAMES)}と申しますが、{opening}"
    talk.say(rng, "caller", opening, (3.0, 9.0))
    abandon_in_bot = rng.random() < 0.06
    if ref is not None and script.asks_reference and not abandon_in_bot:
        talk.say(rng, "bot", ASK_REFERENCE.format(label=ref.label, digits=ref.length))
        talk.say(rng, "caller", _spoken(rng, fill["reference"]), (4.0, 12.0))
        if channel == "voice" and caller and rng.random() < 0.5:
            slots.update(verified=True, verified_by="ani")  # the caller id matched the record's phone
        else:
            talk.say(rng, "bot", ASK_PHONE)
            phone = caller or _phone(rng)
            talk.say(rng, "caller", _spoken(rng, phone), (5.0, 14.0))
            slots.update(phone_number=phone, verified=True, verified_by="spoken")
    if abandon_in_bot:
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "abandoned", None, None)

    reason = script.to_people
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

    upset = reason == "emotion" and rng.random() < 0.2
    queue = company.emotion_queue if upset else script.queue or company.queue
    talk.say(rng, "bot", SORRY + TRANSFER if script.apologise or reason == "emotion" else TRANSFER, (1.0, 3.0))
    if not company.agents_open(start):
        talk.turns[-1]["text"] = CALLBACK
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "callback", reason, queue)
    wait = round(float(rng.lognormal(np.log(45 * max(0.5, load) ** 1.5), 0.6)), 1)
    if wait > 240 and rng.random() < 0.45:  # gave up in the queue
        talk.wait(wait)
        return _finish(rng, sid, channel, caller, start, talk, intent, slots, "abandoned", reason, queue, wait=wait)
    talk.wait(wait)
    agent = _one(rng, tuple(company.agents))
    _agent_part(company, rng, talk, intent, agent, channel)
    return _finish(rng, sid, channel, caller, start, talk, intent, slots, "handover", reason, queue, wait=wait,
                   agent=agent, dispositions=script.dispositions)


def _agent_part(company: Company, rng: Rng, talk: _Talk, intent: str, agent: str, channel: str) -> None:
    """The agent's part: a greeting with their name, the request's own talk (synth.yaml) or the usual
    look-up, and the goodbye; now and then with a slip (QA has something to find)."""
    name = company.agents[agent].name
    script = company.contacts[intent]
    slip = _one(rng, _SLIPS) if rng.random() < company.agents[agent].slip_rate else None
    if slip == "greeting":
        talk.say(rng, "agent", f"はい、{name}です。{script.topic}ですね。", (1.0, 3.0))
    else:
        talk.say(rng, "agent", f"お待たせいたしました。担当の{name}でございます。{script.topic}でございますね。",
                 (1.0, 3.0))
    if script.talk:
        apology = "" if slip == "apology" else AGENT_APOLOGY
        for line in script.talk:
            if line.caller is not None:
                talk.say(rng, "caller", line.caller, line.after or TALK)
            else:
                talk.say(rng, "agent", (line.agent or "").replace("{apology}", apology), line.after or AGENT_AFTER)
    else:
        talk.say(rng, "caller", "はい、それでちょっと相談があって", TALK)
        if slip == "refusal":
            talk.say(rng, "agent", "その件はこちらではできません。", AGENT_AFTER)
            talk.say(rng, "caller", "そうなんですか…", (2.0, 6.0))
        talk.say(rng, "agent", "ちょっと待ってね。" if slip == "plain" else "確認いたしますので少々お待ちください。",
                 AGENT_AFTER)
        talk.say(rng, "agent", "お待たせいたしました。ご案内の内容で手続きいたしました。", (20.0, 90.0))
    talk.say(rng, "caller", _one(rng, CALLER_DONE), TALK)
    if slip == "closing":
        talk.say(rng, "agent", "はい。", (1.0, 3.0))
    else:
        talk.say(rng, "agent", CLOSING[channel] if channel == "voice" else "お問い合わせいただきありがとうございました。",
                 (1.0, 3.0))


def _email(company: Company, rng: Rng, sid: str, start: datetime, intent: str, fill: dict[str, str],
           caller: str | None, slots: dict[str, Any], load: float) -> dict[str, Any]:
    """An e-mail: the customer writes, an agent answers within working hours (hours later at night)."""
    script = company.contacts[intent]
    talk = _Talk(start)
    name = f"{_one(rng, SURNAMES)}{_one(rng, GIVEN)}"
    ref = company.reference
    number = f"{ref.written}は{fill['reference']}です。" if ref is not None and script.asks_reference else ""
    body = f"お世話になっております。{script.email.format(**fill)}{number}よろしくお願いいたします。{name}"
    talk.turns.append({"speaker": "caller", "text": body, "at": start.isoformat(timespec="seconds")})
    wait = float(rng.lognormal(np.log(3600 * 2 * max(0.5, load)), 0.7))
    if not company.agents_open(start):
        wait += 3600 * 10
    talk.wait(round(wait, 1))
    agent = _one(rng, tuple(company.agents))
    reply = script.answer.format(**fill) if script.answer else EMAIL_LATER
    if script.apologise:
        reply = SORRY_WRITTEN + reply
    talk.say(rng, "agent", EMAIL_REPLY.format(company=company.name, agent=company.agents[agent].name, reply=reply),
             (120.0, 600.0))
    queue = script.queue or company.queue
    return _finish(rng, sid, "email", caller, start, talk, intent, slots, "resolved", script.to_people, queue,
                   wait=round(wait, 1), agent=agent, dispositions=script.dispositions)


def _finish(rng: Rng, sid: str, channel: str, caller: str | None, start: datetime, talk: _Talk, intent: str,
            slots: dict[str, Any], outcome: str, reason: str | None, queue: str | None, *,
            wait: float | None = None, agent: str | None = None,
            dispositions: Sequence[str] = DISPOSITIONS) -> dict[str, Any]:
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
        "disposition": _one(rng, dispositions) if agent else None,
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
