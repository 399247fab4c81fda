"""What `ivr forecast` writes (forecast.csv, staffing.csv, forecast.png) and the console's JSON summary."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dialogue.forecast import Forecast, forecast
from dialogue.staffing import StaffRow, default_hours, handle_times, staffing


def write_forecast_csv(fc: Forecast, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["interval_start", "channel", "queue", "contacts"])
        for (channel, queue), values in fc.series.items():
            for i, v in enumerate(values):
                out.writerow([fc.interval(i).isoformat(), channel, queue, f"{v:.3f}"])


def write_staffing_csv(fc: Forecast, rows: Sequence[StaffRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(
            [
                "interval_start",
                "channel",
                "queue",
                "open",
                "contacts",
                "handle_seconds",
                "traffic_erlangs",
                "agents",
                "service_level",
            ]
        )
        for r in rows:
            sl = "" if r.service_level is None else f"{r.service_level:.3f}"
            out.writerow(
                [
                    fc.interval(r.interval).isoformat(),
                    r.channel,
                    r.queue,
                    int(r.open),
                    f"{r.contacts:.3f}",
                    f"{r.handle_seconds:.0f}",
                    f"{r.traffic:.3f}",
                    r.agents,
                    sl,
                ]
            )


def agents_per_interval(fc: Forecast, rows: Sequence[StaffRow]) -> list[int]:
    total = [0] * fc.n
    for r in rows:
        total[r.interval] += r.agents
    return total


def plan(
    records: Iterable[Mapping[str, Any]],
    weeks: int = 2,
    backtest_weeks: int = 2,
    level: float = 0.8,
    target_s: float = 20.0,
) -> tuple[Forecast, list[StaffRow]]:
    """The forecast and its staffing in one call (the console's view); raises ForecastError."""
    records = list(records)
    fc = forecast(records, weeks, backtest_weeks)
    return fc, staffing(fc, handle_times(records), level, target_s, default_hours())


@dataclass(frozen=True)
class ChartWords:
    """The chart's labels: English for the CLI's file, Japanese for the console (ivr/forecast_views.py)."""

    actual: str = "actual"
    model: str = "model (MAPE {mape:.3f})"
    naive: str = "seasonal naive (MAPE {mape:.3f})"
    backtest_title: str = "Backtest on the held-out weeks: contacts per 30 min (Japan time)"
    contacts: str = "forecast contacts"
    forecast_title: str = "Forecast: contacts per 30 min and agents needed (Japan time)"
    contacts_axis: str = "contacts per 30 min"
    agents: str = "agents needed"
    agents_axis: str = "agents"
    day_format: str = "%m/%d\n%a"


def draw_panels(
    fig: Any, fc: Forecast, contacts: Iterable[float], agents_needed: Iterable[int], words: ChartWords
) -> None:
    """Two panels on `fig`: the backtest (actual, model, seasonal naive) and the forecast with agents needed.

    Each panel's title sits on the left and its legend on the right of the band above the plot, outside the
    data area, so no line is ever hidden (tests/ops/test_forecast.py measures it); matplotlib's constrained
    layout makes room for both and for the agents' axis on the right."""
    import matplotlib.dates as mdates

    fig.set_layout_engine("constrained")
    bt = fc.backtest
    top, bottom = fig.subplots(2, 1)
    # Japan wall-clock times on the axis (matplotlib would show aware times in UTC)
    held = [(bt.start + timedelta(minutes=30 * i)).replace(tzinfo=None) for i in range(len(bt.actual))]
    top.plot(held, bt.actual, color="black", linewidth=0.8, label=words.actual)
    top.plot(held, bt.model, color="tab:blue", linewidth=0.8, label=words.model.format(mape=bt.model_mape))
    top.plot(
        held,
        bt.naive,
        color="tab:orange",
        linewidth=0.8,
        alpha=0.7,
        label=words.naive.format(mape=bt.naive_mape),
    )
    top.set_title(words.backtest_title.format(weeks=bt.weeks), loc="left")
    top.set_ylabel(words.contacts_axis)
    _legend_above(top, *top.get_legend_handles_labels())
    ahead = [fc.interval(i).replace(tzinfo=None) for i in range(fc.n)]
    bottom.plot(ahead, contacts, color="tab:blue", linewidth=0.8, label=words.contacts)
    bottom.set_title(words.forecast_title, loc="left")
    bottom.set_ylabel(words.contacts_axis)
    agents = bottom.twinx()
    agents.step(ahead, agents_needed, color="tab:green", linewidth=0.8, where="post", label=words.agents)
    agents.set_ylabel(words.agents_axis)
    lines = bottom.get_legend_handles_labels()[0] + agents.get_legend_handles_labels()[0]
    # on the twin: the axes drawn last, so the legend is never under the agents' line either
    _legend_above(agents, lines, [str(x.get_label()) for x in lines])
    for ax in (top, bottom):
        # matplotlib.dates has no annotations for these two constructors
        ax.xaxis.set_major_locator(mdates.DayLocator())  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter(words.day_format))  # type: ignore[no-untyped-call]


def _legend_above(ax: Any, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """The legend in one row just above the plot's top right corner, where the title (on the left) leaves room."""
    ax.legend(
        handles,
        labels,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=len(labels),
        frameon=False,
        borderaxespad=0.2,
        handlelength=1.5,
        columnspacing=1.2,
    )


def render_chart(fc: Forecast, rows: Sequence[StaffRow], fmt: str = "png") -> bytes:
    """Two panels: the backtest (actual, model, seasonal naive) and the forecast with agents needed;
    `fmt` png or svg."""
    buffer = io.BytesIO()
    chart_figure(fc, rows).savefig(buffer, format=fmt, dpi=100)
    return buffer.getvalue()


def chart_figure(fc: Forecast, rows: Sequence[StaffRow]) -> Any:
    """The CLI's chart (English labels) as a matplotlib Figure on the Agg canvas: no pyplot, no display."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 8))
    FigureCanvasAgg(fig)
    draw_panels(fig, fc, fc.total(), agents_per_interval(fc, rows), ChartWords())
    return fig


def write_outputs(fc: Forecast, rows: Sequence[StaffRow], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "forecast.csv", out_dir / "staffing.csv", out_dir / "forecast.png"]
    write_forecast_csv(fc, paths[0])
    write_staffing_csv(fc, rows, paths[1])
    paths[2].write_bytes(render_chart(fc, rows))
    return paths


def forecast_summary(fc: Forecast, rows: Sequence[StaffRow]) -> dict[str, Any]:
    """JSON-able: the backtest figures, and per day and per series the contacts and peak agents."""
    per_day: dict[str, dict[str, float]] = defaultdict(lambda: {"contacts": 0.0, "peak_agents": 0})
    agents = agents_per_interval(fc, rows)
    for i, contacts in enumerate(fc.total()):
        day = per_day[fc.interval(i).date().isoformat()]
        day["contacts"] += float(contacts)
        day["peak_agents"] = max(day["peak_agents"], agents[i])
    return {
        "start": fc.start.isoformat(),
        "intervals": fc.n,
        "backtest": {
            "weeks": fc.backtest.weeks,
            "start": fc.backtest.start.isoformat(),
            "model_mape": round(fc.backtest.model_mape, 4),
            "naive_mape": round(fc.backtest.naive_mape, 4),
        },
        "series": [
            {"channel": c, "queue": q, "contacts": round(float(v.sum()), 1)}
            for (c, q), v in fc.series.items()
        ],
        "days": [
            {"date": d, "contacts": round(v["contacts"], 1), "peak_agents": int(v["peak_agents"])}
            for d, v in sorted(per_day.items())
        ],
    }
