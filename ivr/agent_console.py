"""The agent and supervisor console (`/agent`): case notes, live conversations and KPIs, behind a login.

A login sets a cookie signed with HMAC-SHA256 (secret from IVR_CONSOLE_SECRET, or a random one per process,
which logs everyone out on restart) that carries a login id; logging out records that id as revoked in the
hand-over desk's store, so the cookie stops working on every worker at once. Failed logins are limited per
user name and address (LOGIN_MAX_FAILURES per LOGIN_WINDOW_S, then 429). Users come from IVR_AGENT_USERS
("name:password:role,..."; role agent | supervisor); IVR_AGENT_NAMES ("name:表示名,...") gives the name a
customer sees (「担当の佐藤がお伺いします」). Pages are static HTML whose script fills them from the JSON API with
textContent, so caller text in transcripts is never parsed as HTML. The live-chat API is ivr/agent_api.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from dialogue.api import CallView
from dialogue.bot import Bot
from dialogue.escalation.note_words import SLOT_LABELS
from dialogue.kpis import case_note_kpis as compute_kpis  # the name tests and tools import from here
from dialogue.kpis import is_harassment
from ivr.app_keys import MANAGER
from ivr.desk_app import ACD, DESK, ensure_desk

log = logging.getLogger("ivr.agent_console")
STATIC = Path(__file__).parent / "static"
COOKIE = "ivr_console"
LOGIN_TTL_S = 8 * 3600  # one shift
ROLES = ("agent", "supervisor")
DEMO_USERS = "agent:agent:agent,supervisor:supervisor:supervisor"
DEMO_NAMES = "agent:佐藤,supervisor:鈴木"
LOGIN_MAX_FAILURES = 5  # per user name and address ...
LOGIN_WINDOW_S = 15 * 60  # ... in this window; then 429 until the oldest failure leaves it
KPI_WINDOW = 10_000  # most recent case notes the KPI panel counts
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send Origin: null on our own form posts
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password: str
    role: str

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


def parse_users(raw: str) -> dict[str, User]:
    """IVR_AGENT_USERS -> users; a malformed entry stops start-up with its position."""
    users: dict[str, User] = {}
    for n, entry in enumerate(filter(None, (e.strip() for e in raw.split(","))), start=1):
        name, sep, rest = entry.partition(":")
        password, sep2, role = rest.rpartition(":")
        if not (sep and sep2 and name and password) or role not in ROLES:
            raise ValueError(f"IVR_AGENT_USERS entry {n}: expected name:password:role with role in {ROLES}")
        users[name] = User(name, password, role)
    if not users:
        raise ValueError("IVR_AGENT_USERS names no user")
    return users


def parse_names(raw: str) -> dict[str, str]:
    """IVR_AGENT_NAMES -> {user: the name customers see}; a malformed entry stops start-up."""
    names: dict[str, str] = {}
    for n, entry in enumerate(filter(None, (e.strip() for e in raw.split(","))), start=1):
        user, sep, shown = entry.partition(":")
        if not (sep and user and shown.strip()):
            raise ValueError(f"IVR_AGENT_NAMES entry {n}: expected user:表示名")
        names[user] = shown.strip()
    return names


class LoginThrottle:
    """Failed logins per (user name, address) in a sliding window, in this process (one worker, SQLite or
    memory store). Several workers on PostgreSQL or Redis share theirs: ivr.agent_api.SharedLoginThrottle."""

    def __init__(self, max_failures: int = LOGIN_MAX_FAILURES, window_s: float = LOGIN_WINDOW_S) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    async def retry_after(self, key: tuple[str, str], now: float | None = None) -> int:
        """Seconds until another try is allowed; 0 when it is allowed now."""
        now = time.time() if now is None else now
        times = self._recent(key, now)
        if len(times) < self.max_failures:
            return 0
        return max(1, int(times[0] + self.window_s - now) + 1)

    async def failed(self, key: tuple[str, str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        if len(self._failures) > 10_000:  # a flood of names: forget the quiet ones
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        self._failures[key] = self._recent(key, now)
        self._failures[key].append(now)

    async def succeeded(self, key: tuple[str, str]) -> None:
        self._failures.pop(key, None)


class ConsoleAuth:
    def __init__(self, secret: bytes, users: Mapping[str, User], names: Mapping[str, str] | None = None) -> None:
        self.secret = secret
        self.users = dict(users)
        self.names = dict(names or {})
        self.throttle = LoginThrottle()

    def display_name(self, user: User) -> str:
        return self.names.get(user.name, user.name)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ConsoleAuth:
        secret = env.get("IVR_CONSOLE_SECRET", "").encode()
        if not secret:
            log.warning("IVR_CONSOLE_SECRET is not set: console logins last until this process restarts")
            secret = secrets.token_bytes(32)
        raw = env.get("IVR_AGENT_USERS", "")
        if not raw:
            log.warning("IVR_AGENT_USERS is not set: demo accounts agent/agent and supervisor/supervisor are "
                        "enabled. For local use only; never deploy like this")
        return cls(secret, parse_users(raw or DEMO_USERS), parse_names(env.get("IVR_AGENT_NAMES") or
                                                                   ("" if raw else DEMO_NAMES)))

    def check(self, name: str, password: str) -> User | None:
        user = self.users.get(name)
        # compare against something even for an unknown name, so timing does not reveal which names exist
        expected = user.password if user else secrets.token_hex(16)
        ok = hmac.compare_digest(expected.encode(), password.encode())
        return user if ok and user is not None else None

    def _mac(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()

    def sign(self, user: User, now: float | None = None) -> str:
        exp = int((now or time.time()) + LOGIN_TTL_S)
        # "sid" names this login, so that a logout can revoke it (see the module doc)
        data = json.dumps({"u": user.name, "r": user.role, "exp": exp, "sid": secrets.token_urlsafe(16)},
                          separators=(",", ":"))
        payload = base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")
        return f"{payload}.{self._mac(payload)}"

    def claims(self, token: str, now: float | None = None) -> tuple[User, str, int] | None:
        """(user, login id, expiry) of a well-signed, unexpired token of a current user; else None."""
        payload, _, mac = token.partition(".")
        # bytes, not str: compare_digest raises on non-ASCII strings, and cookies are attacker-controlled
        if not hmac.compare_digest(self._mac(payload).encode(), mac.encode("utf-8", "replace")):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            name, role, exp, sid = str(data["u"]), str(data["r"]), int(data["exp"]), str(data["sid"])
        except (ValueError, KeyError, TypeError):
            return None
        user = self.users.get(name)
        # a user removed or demoted in the env loses access at once, whatever the cookie says
        if user is None or user.role != role or exp < (now or time.time()):
            return None
        return user, sid, exp

    def verify(self, token: str, now: float | None = None) -> User | None:
        """The token's user, without the revocation check (that needs the store: `current_user`)."""
        found = self.claims(token, now)
        return found[0] if found else None


AUTH = web.AppKey("console_auth", ConsoleAuth)


async def current_user(request: web.Request) -> User | None:
    token = request.cookies.get(COOKIE)
    found = request.app[AUTH].claims(token) if token else None
    if found is None or await request.app[DESK].revoked(found[1]):
        return None
    return found[0]


async def api_user(request: web.Request, *, supervisor: bool = False) -> User:
    """The logged-in user of an API request, or 401 (no login) / 403 (not a supervisor)."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPUnauthorized(text='{"error": "login required"}', content_type="application/json")
    if supervisor and not user.supervisor:
        raise web.HTTPForbidden(text='{"error": "supervisors only"}', content_type="application/json")
    return user


def _same_origin(request: web.Request) -> bool:
    """Reject cross-site form posts (SameSite=Strict covers modern browsers; this covers the rest)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _page(name: str, status: int = 200, error: str = "") -> web.Response:
    html = (STATIC / name).read_text("utf-8").replace("<!--error-->", error)
    return web.Response(text=html, status=status, content_type="text/html", headers=PAGE_HEADERS)


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


# -- pages and login --------------------------------------------------------------------------------


async def console_page(request: web.Request) -> web.Response:
    if await current_user(request) is None:
        raise web.HTTPFound("/agent/login")
    return _page("agent.html")


async def login_page(request: web.Request) -> web.Response:
    return _page("login.html")


async def _login_form(request: web.Request) -> tuple[object, object]:
    """The posted user name and password; a body that is not a well-formed form is the sender's error."""
    try:
        form = await request.post()
    except (ValueError, LookupError, AssertionError, HttpProcessingError, web.HTTPException) as exc:
        if isinstance(exc, web.HTTPRequestEntityTooLarge):
            raise
        raise web.HTTPBadRequest(text="malformed login form") from None
    return form.get("username"), form.get("password")


async def login(request: web.Request) -> web.Response:
    if not _same_origin(request):
        raise web.HTTPForbidden(text="cross-site login refused")
    name, password = await _login_form(request)
    auth = request.app[AUTH]
    key = (name if isinstance(name, str) else "", request.remote or "")
    wait = await auth.throttle.retry_after(key)
    if wait:
        log.warning("console login throttled for %r from %s", name, request.remote)
        error = '<p class="error" role="alert">ログインの失敗が続いたため、しばらくしてからお試しください。</p>'
        resp = _page("login.html", status=429, error=error)
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = None
    if isinstance(name, str) and isinstance(password, str):
        user = auth.check(name, password)
    if user is None:
        await auth.throttle.failed(key)
        log.warning("console login failed for %r from %s", name, request.remote)
        error = '<p class="error" role="alert">ユーザー名またはパスワードが正しくありません。</p>'
        return _page("login.html", status=401, error=error)
    await auth.throttle.succeeded(key)
    resp = _see_other("/agent")
    resp.set_cookie(COOKIE, auth.sign(user), max_age=LOGIN_TTL_S, path="/agent", httponly=True,
                    samesite="Strict", secure=request.secure)
    await sign_in(request.app, user)
    log.info("console login: %s (%s)", user.name, user.role)
    return resp


async def sign_in(app: web.Application, user: User) -> None:
    """A login makes the agent available to the ACD, with the skills of queues/acd.yaml."""
    skills = app[ACD].skills_of(user.name, user.role)
    await app[DESK].set_agent_state(user.name, "available", display_name=app[AUTH].display_name(user),
                                    skills=skills)


async def logout(request: web.Request) -> web.Response:
    if not _same_origin(request):
        raise web.HTTPForbidden(text="cross-site logout refused")
    token = request.cookies.get(COOKIE)
    found = request.app[AUTH].claims(token) if token else None
    if found is not None:
        user, sid, exp = found
        await request.app[DESK].revoke(sid, float(exp))
        await request.app[DESK].set_agent_state(user.name, "offline")
    resp = _see_other("/agent/login")
    resp.del_cookie(COOKIE, path="/agent")
    return resp


# -- JSON API ---------------------------------------------------------------------------------------


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers={"Cache-Control": "no-store"},
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))


def case_row(note: Mapping[str, Any]) -> dict[str, Any]:
    """The list view of a case note: everything but the transcript (fetched on click)."""
    emotion = note.get("emotion") or {}
    return {
        "case_id": note.get("case_id") or note.get("session_id"),
        "started_at": note.get("started_at"),
        "channel": note.get("channel"),
        "intent": note.get("intent"),
        "intents": note.get("intents") or [],
        "outcome": note.get("outcome"),
        "reason": note.get("reason"),
        "rule": note.get("rule"),
        "emotion_peak": emotion.get("peak") if isinstance(emotion, dict) else None,
        "summary_ja": note.get("summary_ja"),
        "harassment": is_harassment(note),
    }


def _visible(user: User, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # harassment goes to supervisors only: ordinary agents are spared the abuse (kasu-hara policy)
    return notes if user.supervisor else [n for n in notes if not is_harassment(n)]


async def api_me(request: web.Request) -> web.Response:
    user = await api_user(request)
    auth = request.app[AUTH]
    # the names customers see (IVR_AGENT_NAMES), so the desk's events read 「佐藤さんが受け付けました」, not a login
    return _json({"name": user.name, "role": user.role, "display_name": auth.display_name(user),
                  "names": {u.name: auth.display_name(u) for u in auth.users.values()},
                  "queue_labels": queue_labels(request.app), "skill_labels": skill_labels(request.app),
                  # the bot's names for its requests (prompts `label_<intent>`), as callers hear them
                  "intent_labels": request.app[MANAGER].bot.labels})


def queue_labels(app: web.Application) -> dict[str, str]:
    """The served bot's queues in agents' words (`label` in its escalation_rules/queues.yaml); the console
    shows a queue without one by its id."""
    return dict(app[MANAGER].escalation.hours.labels)


def skill_labels(app: web.Application) -> dict[str, str]:
    """Skills in agents' words: a queue's skill is named like the queue (queues/acd.yaml), the others
    (languages) by the ACD file's `skill_labels`."""
    return {**queue_labels(app), **app[ACD].config.skill_labels}


async def api_cases(request: web.Request) -> web.Response:
    user = await api_user(request)
    try:
        limit = max(1, min(int(request.query.get("limit", "100")), 1000))
    except ValueError:
        return _json({"error": "limit must be a number"}, status=400)
    notes = await request.app[MANAGER].case_notes(limit)
    return _json({"cases": [case_row(n) for n in _visible(user, notes)]})


async def api_case(request: web.Request) -> web.Response:
    user = await api_user(request)
    note = await request.app[MANAGER].case_note(request.match_info["case_id"])
    if note is None or not _visible(user, [note]):
        return _json({"error": "not found"}, status=404)
    return _json(note)


async def api_kpis(request: web.Request) -> web.Response:
    await api_user(request)
    return _json(compute_kpis(await request.app[MANAGER].case_notes(KPI_WINDOW)))


AWAITING_JA = {"confirm": "確認(はい・いいえ)", "anything_else": "ほかのご用件の有無", "menu": "メニューの選択",
               "free": "ご用件", "none": "なし"}


SLOT_LABEL_PREFIX = "slot_label_"  # prompts: `slot_label_coupon_code: クーポンコード`, as `label_<intent>` names requests


def slot_label(bot: Bot | None, slot: str) -> str:
    """A slot in an agent's words: the bot's own `slot_label_<slot>` prompt, else the name of its entity
    type (注文番号, 日付, ...), else the slot's id."""
    texts = bot.prompts.templates.get(SLOT_LABEL_PREFIX + slot) if bot is not None else None
    if texts:
        return (texts.get("any") or next(iter(texts.values())))[0]
    return SLOT_LABELS.get(slot, slot)


def awaiting_ja(awaiting: str, bot: Bot | None = None) -> str:
    """What the bot waits for, in an agent's words: 「注文番号」 for `slot:order_id`, never the machine label."""
    kind, _, slot = awaiting.partition(":")
    if kind == "slot" and slot:
        return slot_label(bot, slot)
    return AWAITING_JA.get(awaiting, "—")


def live_row(call: CallView, bot: Bot | None = None) -> dict[str, Any]:
    return {
        "session_id": call.id,
        "channel": call.channel,
        "started_at": call.started_at,
        "intents": list(call.intents),
        "awaiting": call.awaiting,
        "awaiting_ja": awaiting_ja(call.awaiting, bot),
        "last_caller_text": call.last_heard,
        "emotion": call.emotion,
        "harassment_warnings": call.harassment_warnings,
    }


async def api_live(request: web.Request) -> web.Response:
    user = await api_user(request)
    states = await request.app[MANAGER].live()
    bot = request.app[MANAGER].bot
    rows = [live_row(s, bot) for s in sorted(states, key=lambda s: s.started_at, reverse=True)]
    if not user.supervisor:
        rows = [r for r in rows if not r["harassment_warnings"]]
    return _json({"live": rows})


async def api_supervisor(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    notes = await request.app[MANAGER].case_notes(1000)
    harassment = [case_row(n) for n in notes if is_harassment(n)]
    # what a `supervisor` rule routed: harassment transfers wait in the supervisor queue
    queue = [r for r in harassment if r["outcome"] == "transferred"]
    return _json({"harassment": harassment, "queue": queue})


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    types = {"agent.js": "application/javascript", "agent.css": "text/css",
             "wallboard.js": "application/javascript", "wallboard.css": "text/css",
             "reports.css": "text/css", "qa.js": "application/javascript", "forecast.js": "application/javascript"}
    if name not in types:
        raise web.HTTPNotFound()
    return web.Response(body=(STATIC / name).read_bytes(), content_type=types[name], charset="utf-8",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


def setup(app: web.Application, env: Mapping[str, str] | None = None) -> None:
    from ivr import agent_api, customer_api, forecast_views, qa_views, wallboard  # these share this login

    app[AUTH] = ConsoleAuth.from_env(os.environ if env is None else env)
    ensure_desk(app)
    agent_api.setup(app)
    customer_api.setup(app)
    wallboard.setup(app)
    qa_views.setup(app)
    forecast_views.setup(app)
    r = app.router
    r.add_get("/agent", console_page)
    r.add_get("/agent/login", login_page)
    r.add_post("/agent/login", login)
    r.add_post("/agent/logout", logout)
    r.add_get("/agent/static/{name}", static_file)
    r.add_get("/agent/api/me", api_me)
    r.add_get("/agent/api/cases", api_cases)
    r.add_get("/agent/api/cases/{case_id}", api_case)
    r.add_get("/agent/api/kpis", api_kpis)
    r.add_get("/agent/api/live", api_live)
    r.add_get("/agent/api/supervisor", api_supervisor)
