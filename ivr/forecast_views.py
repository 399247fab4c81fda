"""The forecast view of the supervisor console (`/agent/forecast`): contacts expected per 30 minutes for the
coming weeks per channel and queue, the backtest (model against the seasonal-naive forecast, by MAPE), and
the agents each interval needs for the service level, as `ivr forecast` computes them (dialogue/forecast.py,
dialogue/staffing.py).

Supervisors only. Parameters of every path: `weeks` (1-8, default 2), `channel` and `queue` (optional: one
series, or every queue of a channel; unknown ones answer 400 with the known ones), `service_level` (0-1,
default 0.8), `answer_seconds` (default 20).

- `GET /agent/api/forecast`: `{"weeks", "service_level", "answer_seconds", "selected", "series_options",
  "summary" (dialogue.forecast_output.forecast_summary), "intervals": [{start, contacts, agents, open}]}`
- `GET /agent/api/forecast.svg`: the chart, drawn on the server (matplotlib, text kept as text so that the
  browser sets the Japanese labels in its own fonts)
- `GET /agent/api/forecast.csv`: one row per interval and series (contacts, agents, service level, ...)

Too little history answers 422 with what is needed. The fit runs in a worker thread, once per horizon and
state of the records (ivr/ops_views.py).
"""

from __future__ import annotations

import csv
import io
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from aiohttp import web

from dialogue.escalation.errors import RuleError
from dialogue.escalation.rules import DEFAULT_DIR as DEFAULT_RULES_DIR
from dialogue.escalation.rules import QUEUES_FILE
from dialogue.escalation.schema import QueuesFile
from dialogue.escalation.yamlio import read_yaml, validate
from dialogue.forecast import BOT_QUEUE, Forecast, ForecastError, Key
from dialogue.forecast_output import ChartWords, draw_panels, forecast_summary, plan
from dialogue.records import RecordsUnavailable
from dialogue.staffing import StaffRow
from ivr.agent_console import _json, api_user
from ivr.app_keys import MANAGER
from ivr.ops_views import ComputeCache, bad_request, read_records, supervisor_page

MAX_WEEKS = 8
# text stays text in the SVG, so the browser sets the Japanese labels in its own fonts whatever fonts the
# server has; the families are only for matplotlib's measurements
CHART_FONTS = ["Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Hiragino Sans", "DejaVu Sans"]
_CHART_LOCK = threading.Lock()
CHANNEL_JA = {"voice": "電話", "chat": "チャット", "email": "メール"}
BOT_LABEL = "自動応答で完結"  # the bot's own contacts: a series of the forecast, not a queue of the company


@lru_cache(maxsize=1)
def queue_labels() -> dict[str, str]:
    """The queues' names as the bot's data gives them (`label` in escalation_rules/queues.yaml)."""
    path = DEFAULT_RULES_DIR / QUEUES_FILE
    cfg = validate(path, read_yaml(path), QueuesFile)[0] if path.exists() else None
    labels = {q: spec.label for q, spec in cfg.queues.items() if spec.label} if cfg is not None else {}
    return {**labels, BOT_QUEUE: BOT_LABEL}


def _name(key: Key) -> tuple[str, str]:
    channel, queue = key
    return CHANNEL_JA.get(channel, channel), queue_labels().get(queue, queue)


@dataclass(frozen=True, slots=True)
class Question:
    weeks: int
    level: float
    target_s: float


@dataclass(frozen=True, slots=True)
class Plan:
    fc: Forecast
    rows: tuple[StaffRow, ...]
    summary: dict[str, Any]
    state: str  # of the records it was made from (ivr.ops_views.records_state)


FORECASTS = web.AppKey("forecast_cache", ComputeCache[Plan])
CHARTS = web.AppKey("forecast_chart_cache", ComputeCache[bytes])


def _number(query: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = query.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise bad_request(f"{name} must be a number, not {raw[:20]!r}") from None
    if not low < value < high:
        raise bad_request(f"{name} must be between {low:g} and {high:g} (exclusive), not {value:g}")
    return value


def question_of(query: Mapping[str, str]) -> Question:
    raw = query.get("weeks") or "2"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WEEKS:
        raise bad_request(f"weeks must be a whole number from 1 to {MAX_WEEKS}, not {raw[:20]!r}")
    return Question(
        int(raw),
        _number(query, "service_level", 0.8, 0.0, 1.0),
        _number(query, "answer_seconds", 20.0, 0.0, 3600.0),
    )


def _compute(rows: Sequence[Mapping[str, Any]], q: Question, state: str) -> Plan:
    fc, staff = plan(rows, q.weeks, level=q.level, target_s=q.target_s)
    return Plan(fc, tuple(staff), forecast_summary(fc, staff), state)


async def _plan(request: web.Request, q: Question) -> Plan:
    cache = request.app[FORECASTS]
    fresh = cache.fresh(q)
    if fresh is not None:
        return fresh
    try:
        rows, state = await read_records(request.app[MANAGER].store)
    except RecordsUnavailable as exc:
        raise bad_request(str(exc), 503) from None
    try:
        return await cache.get(q, state, lambda: _compute(rows, q, state))
    except ForecastError as exc:
        raise bad_request(f"not enough history for a forecast: {exc}", 422) from None
    except RuleError as exc:
        raise bad_request(f"the queues' hours cannot be read: {exc}", 503) from None


def selection(query: Mapping[str, str], known: Sequence[Key]) -> list[Key]:
    """The series the view shows: all, one channel's, one queue's, or one (channel, queue); 400 for names
    that have no series."""
    channel, queue = query.get("channel") or None, query.get("queue") or None
    channels = sorted({c for c, _ in known})
    queues = sorted({qu for _, qu in known})
    if channel is not None and channel not in channels:
        raise bad_request(f"unknown channel {channel[:40]!r}; the records have {', '.join(channels)}")
    if queue is not None and queue not in queues:
        raise bad_request(f"unknown queue {queue[:40]!r}; the records have {', '.join(queues)}")
    chosen = [k for k in known if (channel is None or k[0] == channel) and (queue is None or k[1] == queue)]
    if not chosen:
        raise bad_request(f"no contacts of queue {queue!r} on channel {channel!r} in the records")
    return chosen


def per_interval(p: Plan, keys: Sequence[Key]) -> list[dict[str, Any]]:
    """Contacts and agents needed per interval over the chosen series; `open`: any chosen queue is open."""
    wanted = set(keys)
    contacts = np.sum([p.fc.series[k] for k in keys], axis=0)
    agents = [0] * p.fc.n
    is_open = [False] * p.fc.n
    for r in p.rows:
        if (r.channel, r.queue) in wanted:
            agents[r.interval] += r.agents
            is_open[r.interval] = is_open[r.interval] or r.open
    return [
        {
            "start": p.fc.interval(i).isoformat(),
            "contacts": round(float(contacts[i]), 2),
            "agents": agents[i],
            "open": is_open[i],
        }
        for i in range(p.fc.n)
    ]


def series_label(keys: Sequence[Key], known: Sequence[Key]) -> str:
    if len(keys) == len(known):
        return "すべての窓口"
    channel, queue = _name(keys[0])
    if len(keys) == 1:
        return f"{channel}・{queue}"
    if len({c for c, _ in keys}) == 1:
        return f"{channel}(全窓口)"
    return f"{queue}(全チャネル)"


async def api_forecast(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    q = question_of(request.query)
    p = await _plan(request, q)
    known = list(p.fc.series)
    keys = selection(request.query, known)
    return _json(
        {
            "weeks": q.weeks,
            "service_level": q.level,
            "answer_seconds": q.target_s,
            "selected": {
                "channel": request.query.get("channel") or None,
                "queue": request.query.get("queue") or None,
                "label": series_label(keys, known),
            },
            "series_options": [
                {"channel": c, "queue": qu, "label": series_label([(c, qu)], known)} for c, qu in known
            ],
            "summary": p.summary,
            "intervals": per_interval(p, keys),
        }
    )


def draw_chart(p: Plan, keys: Sequence[Key], label: str) -> bytes:
    """SVG: the backtest (actual, model, seasonal naive) over every series, then the chosen series' forecast
    with the agents needed. matplotlib's object API (no pyplot state) in a worker thread; the lock keeps the
    style of one chart from leaking into another drawn at the same time (rc_context is process-wide)."""
    import matplotlib

    style = matplotlib.rc_context(
        {"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 11, "font.sans-serif": CHART_FONTS}
    )
    with _CHART_LOCK, style, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "glyph missing" on a server without Japanese fonts: see CHART_FONTS
        return _draw(p, keys, label)


def _draw(p: Plan, keys: Sequence[Key], label: str) -> bytes:
    out = io.BytesIO()
    chart_figure(p, keys, label).savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def chart_figure(p: Plan, keys: Sequence[Key], label: str) -> Any:
    """The console's chart as a matplotlib Figure on the SVG canvas, Japanese labels (draw_chart's style)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 7.5))
    FigureCanvasSVG(fig)
    rows = per_interval(p, keys)
    words = ChartWords(
        actual="実績",
        model="予測モデル(MAPE {mape:.3f})",
        naive="前週の同じ時間帯(MAPE {mape:.3f})",
        backtest_title="検証: 直近{weeks}週間の30分ごとの件数(全窓口)",
        contacts="予測件数",
        forecast_title=f"予測: {label}の30分ごとの件数と必要な人数",
        contacts_axis="件数 / 30分",
        agents="必要な人数",
        agents_axis="人数",
        day_format="%m/%d",
    )
    draw_panels(fig, p.fc, [r["contacts"] for r in rows], [r["agents"] for r in rows], words)
    return fig


async def api_chart(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    q = question_of(request.query)
    p = await _plan(request, q)
    known = list(p.fc.series)
    keys = selection(request.query, known)
    label = series_label(keys, known)
    svg = await request.app[CHARTS].get((q, tuple(keys)), p.state, lambda: draw_chart(p, keys, label))
    return web.Response(body=svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


async def api_csv(request: web.Request) -> web.Response:
    await api_user(request, supervisor=True)
    q = question_of(request.query)
    p = await _plan(request, q)
    keys = selection(request.query, list(p.fc.series))
    staffed = {(r.channel, r.queue, r.interval): r for r in p.rows}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "interval_start",
            "channel",
            "queue",
            "contacts",
            "open",
            "agents",
            "service_level",
            "handle_seconds",
            "traffic_erlangs",
        ]
    )
    for i in range(p.fc.n):
        start = p.fc.interval(i).isoformat()
        for c, qu in keys:
            r = staffed.get((c, qu, i))
            contacts = f"{float(p.fc.series[(c, qu)][i]):.3f}"
            if r is None:  # the bot's own contacts: forecast, nobody staffed
                writer.writerow([start, c, qu, contacts, "", 0, "", "", ""])
                continue
            sl = "" if r.service_level is None else f"{r.service_level:.3f}"
            writer.writerow(
                [
                    start,
                    c,
                    qu,
                    contacts,
                    int(r.open),
                    r.agents,
                    sl,
                    f"{r.handle_seconds:.0f}",
                    f"{r.traffic:.3f}",
                ]
            )
    name = f"forecast-{q.weeks}w.csv"
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def setup(app: web.Application) -> None:
    app[FORECASTS] = ComputeCache()
    app[CHARTS] = ComputeCache()
    app.router.add_get("/agent/forecast", supervisor_page("forecast.html"))
    app.router.add_get("/agent/api/forecast", api_forecast)
    app.router.add_get("/agent/api/forecast.svg", api_chart)
    app.router.add_get("/agent/api/forecast.csv", api_csv)
