"""The supervisors' wallboard (`/agent/wallboard`): KPIs from the records (dialogue/kpis.py) and the live desk,
as charts the page draws itself (ivr/static/wallboard.js, plain SVG) and refreshes every few seconds.

`GET /agent/api/wallboard?period=today|24h|7d|30d|all` (JSON) and `GET /agent/api/wallboard.csv?period=...`
(`section,key,value` rows). Supervisors only (403 for agents, 401 without a login). Several supervisors
watching one board cost one computation per period every CACHE_S.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from dialogue.bot import Bot
from dialogue.clock import TOKYO
from dialogue.kpis import by_hour, callback_kpis, contact_kpis, stuck_steps, to_csv
from dialogue.records import RecordsUnavailable
from ivr.agent_console import PAGE_HEADERS, STATIC, _json, api_user, current_user, queue_labels, slot_label
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK, WAITS
from ivr.ops_views import read_records

log = logging.getLogger("ivr.wallboard")
PERIODS = {"today": None, "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30),
           "all": timedelta(days=36500)}
CACHE_S = 3.0
MAX_LOGS = 2000  # calls whose event logs are read for "where callers get stuck" (the most recent)
BOARD_CACHE = web.AppKey("wallboard_cache", dict)


def _since(period: str, now: datetime) -> datetime:
    span = PERIODS[period]
    if span is None:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - span


def step_ja(bot: Bot | None, step: str) -> str:
    """A flow step in a supervisor's words: 「注文番号とお電話番号でご本人様を確認する — 注文番号の聞き取り」 for
    `verify_order/ask_order` (the flow's request as the bot names it, `label_<intent>`, else its description;
    then what the step asks). A flow the bot does not have keeps its id."""
    name, _, step_id = step.partition("/")
    flow = bot.flows.get(name) if bot is not None else None
    if flow is None:
        return step
    labels = bot.labels if bot is not None else {}
    title = next((labels[i] for i in flow.intents if i in labels), None) or flow.description or name
    found = flow.find(step_id) if step_id else None
    if found is None:
        return title if not step_id else f"{title} — ご案内の途中"
    if found.ask:
        what = slot_label(bot, found.ask) + "の聞き取り"
    elif found.confirm:
        what = "確認(はい・いいえ)"
    elif found.menu:
        what = "メニューの選択"
    else:  # the caller spoke after an explanation or while the bot looked something up
        what = "ご案内の途中"
    return f"{title} — {what}"


async def board(app: web.Application, period: str, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the wallboard for `period` (cached for CACHE_S)."""
    cache: dict[str, tuple[float, dict[str, Any]]] = app[BOARD_CACHE]
    hit = cache.get(period)
    if hit is not None and time.monotonic() - hit[0] < CACHE_S and now is None:
        return hit[1]
    now = now or datetime.now(TOKYO)
    since = _since(period, now)
    manager = app[MANAGER]
    try:  # read in a worker thread: 30 days of contacts would hold up every call on this worker
        rows, _ = await read_records(manager.store, None if period == "all" else since)
    except RecordsUnavailable:
        rows = []  # a live-state-only store (Redis): the live part of the board still works
    logs = [await manager.events(r["conversation_id"]) for r in rows[-MAX_LOGS:]
            if r.get("channel") in ("voice", "chat")]
    try:
        jobs = await manager.outbox.jobs()
    except Exception:
        log.exception("outbox unreadable for the wallboard")
        jobs = []
    result = {
        "period": period,
        "since": since.isoformat(timespec="seconds"),
        "generated_at": now.isoformat(timespec="seconds"),
        "kpis": contact_kpis(rows),
        "by_hour": by_hour(rows),
        "callbacks": callback_kpis(jobs, now, since),
        "stuck": [{**s, "step_ja": step_ja(getattr(manager, "bot", None), s["step"])} for s in stuck_steps(logs)],
        "live": await _live(app),
    }
    cache[period] = (time.monotonic(), result)
    return result


async def _live(app: web.Application) -> dict[str, Any]:
    desk = app[DESK]
    now = time.time()
    waiting = await desk.waiting()
    agents = await desk.agents()
    return {
        "waiting": len(waiting),
        "waiting_by_queue": dict(Counter(c.queue for c in waiting)),
        "queue_labels": queue_labels(app),  # the bot's names for its queues (escalation_rules/queues.yaml)
        "longest_wait_s": round(max((now - c.queued_at for c in waiting), default=0.0), 1),
        "agents": dict(Counter(a.state for a in agents if a.state != "offline")),
        "estimated_wait_seconds": {q: round(s, 1) for q, s in (await app[WAITS]()).items()},
    }


def _period(request: web.Request) -> str:
    period = request.query.get("period", "today")
    if period not in PERIODS:
        raise web.HTTPBadRequest(text=f'{{"error": "period must be one of {", ".join(PERIODS)}"}}',
                                 content_type="application/json")
    return period


async def api_wallboard(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    return _json(await board(request.app, _period(request)))


async def api_wallboard_csv(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    period = _period(request)
    text = to_csv(await board(request.app, period))
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="wallboard-{period}.csv"', "Cache-Control": "no-store"})


async def wallboard_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound("/agent/login")
    if not user.supervisor:
        raise web.HTTPForbidden(text="スーパーバイザー専用の画面です。")
    html = (STATIC / "wallboard.html").read_text("utf-8")
    return web.Response(text=html, content_type="text/html", headers=PAGE_HEADERS)


def setup(app: web.Application) -> None:
    app[BOARD_CACHE] = {}
    app.router.add_get("/agent/wallboard", wallboard_page)
    app.router.add_get("/agent/api/wallboard", api_wallboard)
    app.router.add_get("/agent/api/wallboard.csv", api_wallboard_csv)
