"""Web callback: a customer on the site asks to be called back (`GET /callback`, a page with a short form;
`POST /callback/api` with JSON), and gets the same callback the voice channel books.

The request is checked (4xx with every reason, in Japanese, keyed by field): a Japanese phone number, a day
within BOOKING_DAYS, a time window the agents work (the queue's business hours, escalation_rules/queues.yaml)
that has not passed. It is booked in the outbound queue (dialogue/outbound.py `Outbox`) at the first moment
of the window when an agent is on duty, within quiet hours (dialogue.outbound.callable_at), and it becomes a
contact record (channel chat, outcome callback), so the customer's history and the wallboard show it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from dialogue.clock import TOKYO
from dialogue.escalation.note_words import phone_ja
from dialogue.outbound import Job, callable_at, e164
from dialogue.records import RecordsUnavailable, put_records
from ivr.app_keys import MANAGER

log = logging.getLogger("ivr.callback_form")
STATIC = Path(__file__).parent / "static"
BOOKING_DAYS = 14
WINDOWS = {"09-12": (time(9), time(12)), "12-15": (time(12), time(15)), "15-18": (time(15), time(18)),
           "18-20": (time(18), time(20))}
QUEUE = "general"
MAX_NAME, MAX_TOPIC = 50, 300
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
                "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class Clock:
    fixed: datetime | None = None  # tests book against a fixed day

    def now(self) -> datetime:
        return self.fixed or datetime.now(TOKYO)


CLOCK = web.AppKey("callback_clock", Clock)


@dataclass(frozen=True, slots=True)
class Request:
    phone: str  # E.164
    national: str
    name: str
    topic: str
    day: date
    window: str
    conversation_id: str | None


def _str(data: dict[str, Any], key: str, limit: int, errors: dict[str, str], *, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = "文字列で入力してください。"
        return ""
    text: str = value.strip()
    if required and not text:
        errors[key] = "入力してください。"
    elif len(text) > limit:
        errors[key] = f"{limit}文字以内で入力してください。"
    return text


def parse(data: dict[str, Any], now: datetime) -> tuple[Request | None, dict[str, str]]:
    """The request, or the reasons it cannot be booked, by field."""
    errors: dict[str, str] = {}
    raw_phone = _str(data, "phone", 20, errors, required=True)
    number = e164(raw_phone) if raw_phone else None
    if raw_phone and "phone" not in errors and (number is None or not number.startswith("+81")):
        errors["phone"] = "日本国内の電話番号を市外局番からご入力ください(例: 090-1234-5678)。"
    name = _str(data, "name", MAX_NAME, errors)
    topic = _str(data, "topic", MAX_TOPIC, errors)
    raw_day = _str(data, "date", 10, errors, required=True)
    day: date | None = None
    if raw_day and "date" not in errors:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            errors["date"] = "日付を正しく選択してください。"
    today = now.astimezone(TOKYO).date()
    if day is not None and not today <= day <= today + timedelta(days=BOOKING_DAYS):
        errors["date"] = f"本日から{BOOKING_DAYS}日以内の日付をお選びください。"
    window = _str(data, "window", 5, errors, required=True)
    if window and window not in WINDOWS:
        errors["window"] = "ご希望の時間帯を一覧からお選びください。"
    cid = data.get("conversation_id")
    if cid is not None and (not isinstance(cid, str) or not 0 < len(cid) <= 100):
        errors["conversation_id"] = "会話IDが正しくありません。"
    if errors or day is None or number is None:
        return None, errors
    return Request(number, "0" + number[3:], name, topic, day, window, cid), {}


def due_time(hours: Any, req: Request, now: datetime) -> datetime | None:
    """The first moment in the window when an agent is on duty and a call may be placed; None if none."""
    start, end = (datetime.combine(req.day, t, TOKYO) for t in WINDOWS[req.window])
    moment = max(start, now.astimezone(TOKYO) + timedelta(minutes=5))
    for _ in range(8):  # a window holds at most a few closed stretches (lunch breaks)
        if moment >= end:
            return None
        if not hours.is_open(QUEUE, moment):
            moment = hours.next_open(QUEUE, moment).astimezone(TOKYO)
            continue
        allowed = callable_at(moment)
        if allowed == moment:
            return moment
        moment = allowed
    return None


def _json_error(status: int, message: str, fields: dict[str, str] | None = None) -> web.Response:
    body = {"error": message, **({"fields": fields} if fields else {})}
    return web.json_response(body, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def api_book(request: web.Request) -> web.Response:
    origin = request.headers.get("Origin")
    if origin is not None and origin.split("://", 1)[-1] != request.host:
        return _json_error(403, "cross-site request refused")
    try:
        data = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        return _json_error(400, "the body must be a JSON object")
    if not isinstance(data, dict):
        return _json_error(400, "the body must be a JSON object")
    now = request.app[CLOCK].now()
    req, errors = parse(data, now)
    if req is None:
        return _json_error(400, "入力内容をご確認ください。", errors)
    manager = request.app[MANAGER]
    due = due_time(manager.escalation.hours, req, now)
    if due is None:
        return _json_error(422, "ご希望の時間帯は担当者の受付時間外です。別の日時をお選びください。",
                           {"window": "受付時間外の時間帯です。"})
    job = Job(id=f"web-{uuid.uuid4().hex}", kind="callback", to=req.phone, due_at=due, topic=req.topic[:40] or
              "お問い合わせ", queue=QUEUE, conversation_id=req.conversation_id or None)
    await manager.outbox.add(job)
    await _record(manager.store, req, job, now)
    when = f"{due.month}月{due.day}日 {due.hour}時" + (f"{due.minute}分" if due.minute else "")
    return web.json_response({"id": job.id, "due_at": due.isoformat(timespec="minutes"), "phone": phone_ja(req.national),
                              "message": f"{when}ごろ、担当者よりお電話いたします。ご依頼ありがとうございました。"},
                             status=201, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def _record(store: Any, req: Request, job: Job, now: datetime) -> None:
    """The request as a contact (the customer's history, the wallboard's callbacks)."""
    start, end = WINDOWS[req.window]
    wish = f"{req.day.month}月{req.day.day}日 {start.hour}時〜{end.hour}時"
    said = f"折り返しの電話を希望します。希望: {wish}。" + (f"用件: {req.topic}" if req.topic else "")
    at = now.astimezone(TOKYO).isoformat(timespec="seconds")
    note = {"case_id": f"CASE-{job.id}", "channel": "chat", "caller_phone": None, "started_at": at,
            "intent": "callback_request", "intents": ["callback_request"], "outcome": "callback_scheduled",
            "slots": {"phone_number": req.national, **({"name": req.name} if req.name else {})},
            "summary_ja": f"Webフォームから折り返しのご依頼です(ご希望: {wish})。" + (f"ご用件: {req.topic}" if req.topic else ""),
            "transcript": [{"speaker": "caller", "text": said}]}
    try:
        await put_records(store, [{
            "conversation_id": job.id, "channel": "chat", "caller": req.national, "started_at": at, "ended_at": at,
            "outcome": "callback", "reason": None, "queue": QUEUE, "intents": ["callback_request"],
            "transcript": [{"speaker": "caller", "text": said, "at": at}], "case_note": note}])
    except RecordsUnavailable:
        pass  # Redis keeps no records: the booked job is what matters
    except Exception:
        log.exception("could not record the web callback %s", job.id)


async def page(request: web.Request) -> web.Response:
    return web.Response(text=(STATIC / "callback.html").read_text("utf-8"), content_type="text/html",
                        headers=PAGE_HEADERS)


def _asset(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=(STATIC / name).read_bytes(), content_type=content_type, charset="utf-8",
                            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
    return serve


def setup(app: web.Application, now: datetime | None = None) -> None:
    app[CLOCK] = Clock(now)
    app.router.add_get("/callback", page)
    app.router.add_get("/callback.js", _asset("callback.js", "application/javascript"))
    app.router.add_get("/callback.css", _asset("callback.css", "text/css"))
    app.router.add_post("/callback/api", api_book)
