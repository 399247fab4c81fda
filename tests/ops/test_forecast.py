"""Forecast (dialogue.forecast) and staffing (dialogue.staffing) on records made here with a known pattern."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from dialogue.acd import erlang_c
from dialogue.clock import TOKYO
from dialogue.forecast import (
    SLOTS_PER_DAY,
    WEEK,
    Forecast,
    ForecastError,
    Groups,
    design,
    fit,
    forecast,
    history,
    year_end,
)
from dialogue.forecast_output import chart_figure, forecast_summary, plan, render_chart
from dialogue.staffing import agents_needed, default_hours, handle_times, service_level, staffing

FIRST = datetime(2026, 10, 5, tzinfo=TOKYO)  # a Monday; 11/3 and 11/23 are national holidays


def synthetic(days: int, seed: int = 7) -> list[dict[str, Any]]:
    """Voice contacts for the general queue: a midday peak, Mondays busier, weekends and holidays quiet."""
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = []
    for d in range(days):
        day = FIRST + timedelta(days=d)
        off = day.weekday() == 6 or day.date() in (date(2026, 11, 3), date(2026, 11, 23))
        level = 0.2 if off else 0.6 if day.weekday() == 5 else 1.3 if day.weekday() == 0 else 1.0
        for slot in range(SLOTS_PER_DAY):
            rate = level * (12 * math.exp(-((((slot / 2) - 13) / 3) ** 2)) + 0.3)
            for _ in range(rng.poisson(rate)):
                at = day + timedelta(minutes=30 * slot + float(rng.uniform(0, 30)))
                out.append(
                    {
                        "conversation_id": f"c{len(out)}",
                        "channel": "voice",
                        "queue": "general",
                        "started_at": at.isoformat(),
                        "handle_seconds": 240.0,
                    }
                )
    return out


@pytest.fixture(scope="module")
def eight_weeks() -> list[dict[str, Any]]:
    return synthetic(56)


def test_the_model_beats_seasonal_naive_over_a_holiday(eight_weeks: list[dict[str, Any]]) -> None:
    fc = forecast(eight_weeks, weeks=2, backtest_weeks=2)
    bt = fc.backtest
    assert bt.start == FIRST + timedelta(weeks=6) and len(bt.actual) == 2 * WEEK
    # the held-out weeks hold 11/23, a Monday holiday: last week's Monday is no guide, the model knows
    assert 0 < bt.model_mape < bt.naive_mape
    holiday = slice(WEEK + 20, WEEK + 30)  # 10:00-15:00 on 11/23
    assert bt.model[holiday].sum() < 0.5 * bt.naive[holiday].sum()
    assert fc.start == FIRST + timedelta(weeks=8) and fc.n == 2 * WEEK
    total = fc.series[("voice", "general")]
    monday_noon, saturday_noon = total[26], total[5 * SLOTS_PER_DAY + 26]
    assert monday_noon > 1.5 * saturday_noon > 0


def test_too_little_history_says_how_many_days_are_needed() -> None:
    with pytest.raises(ForecastError, match=r"only 2\d\.\d days .* at least 28 days are needed"):
        forecast(synthetic(21))
    with pytest.raises(ForecastError, match="no contacts"):
        forecast([])


def test_history_buckets_by_japan_time_in_whole_days_before_today() -> None:
    records = [
        {"channel": "chat", "queue": None, "started_at": "2026-11-20T15:10:00+00:00"},
        {"channel": "chat", "queue": None, "started_at": "2026-11-21T00:45:00+09:00"},
    ]
    hist = history(records, now=datetime(2026, 12, 1, tzinfo=TOKYO))
    assert hist.start == datetime(2026, 11, 21, tzinfo=TOKYO) and hist.n == SLOTS_PER_DAY
    assert list(hist.counts) == [("chat", "bot")] and list(hist.counts[("chat", "bot")][:3]) == [
        1.0,
        1.0,
        0.0,
    ]
    with pytest.raises(ForecastError, match="before today"):  # the day is not over: it is no history yet
        history(records, now=datetime(2026, 11, 21, 12, tzinfo=TOKYO))


def test_year_end_break_and_holidays_are_effects() -> None:
    assert year_end(date(2026, 12, 29)) and year_end(date(2027, 1, 3)) and not year_end(date(2027, 1, 4))
    x = design(datetime(2026, 12, 28, tzinfo=TOKYO), 7 * SLOTS_PER_DAY)
    per_day = x[::SLOTS_PER_DAY]
    assert list(per_day[:, -1]) == [0, 1, 1, 1, 1, 1, 1]  # 12/29-1/3
    assert list(per_day[:, -2]) == [0, 0, 0, 0, 1, 0, 0]  # 1/1 (a Friday)
    sunday_like = per_day[:, 2 * SLOTS_PER_DAY]  # slot 00:00 of the "Sunday or holiday" profile
    assert list(sunday_like) == [0, 1, 1, 1, 1, 1, 1]


def test_erlang_c_textbook_values() -> None:
    # 100 calls in 30 minutes, 3 minutes each: 10 erlangs
    assert erlang_c(11, 10) == pytest.approx(0.6821, abs=1e-3)
    assert erlang_c(13, 10) == pytest.approx(0.2853, abs=1e-3)
    assert service_level(13, 10, 180, 20) < 0.8 <= service_level(14, 10, 180, 20)
    assert agents_needed(100, 180) == 14
    assert agents_needed(0, 180) == 0 and erlang_c(10, 10) == 1.0


def test_staffing_uses_measured_handle_times(eight_weeks: list[dict[str, Any]]) -> None:
    records = [*eight_weeks, {"channel": "chat", "queue": None, "started_at": "2026-11-20T10:00:00+09:00"}]
    times = handle_times(records)
    assert times[("voice", "general")] == 240.0 and ("chat", "bot") not in times
    fc = forecast(records, weeks=1)
    rows = staffing(fc, times)
    assert {(r.channel, r.queue) for r in rows} == {("voice", "general")}  # the bot's contacts need nobody
    peak = max(rows, key=lambda r: r.contacts)
    assert peak.agents == agents_needed(peak.contacts, 240.0) and peak.service_level is not None
    assert peak.service_level >= 0.8 and peak.agents > peak.traffic


def test_console_view_summary_and_svg_chart(eight_weeks: list[dict[str, Any]]) -> None:
    fc, rows = plan(eight_weeks, weeks=1)
    summary = forecast_summary(fc, rows)
    assert summary["start"] == "2026-11-30T00:00:00+09:00" and summary["intervals"] == WEEK
    assert summary["backtest"]["model_mape"] < summary["backtest"]["naive_mape"]
    assert [d["date"] for d in summary["days"]][:2] == ["2026-11-30", "2026-12-01"]
    monday, sunday = summary["days"][0], summary["days"][6]
    assert monday["contacts"] > 3 * sunday["contacts"] and monday["peak_agents"] > sunday["peak_agents"]
    assert render_chart(fc, rows, "svg").lstrip().startswith(b"<?xml")


def test_closed_queues_need_nobody_and_mail_is_spread_over_open_hours(
    eight_weeks: list[dict[str, Any]],
) -> None:
    hours = default_hours()
    fc = forecast(eight_weeks, weeks=1)  # from Monday 11/30
    rows = {r.interval: r for r in staffing(fc, handle_times(eight_weeks), hours=hours)}
    monday_1pm, monday_2am, sunday_1pm = rows[26], rows[4], rows[6 * SLOTS_PER_DAY + 26]
    assert monday_1pm.open and monday_1pm.agents >= 2
    assert not monday_2am.open and monday_2am.agents == 0 and monday_2am.service_level is None
    assert not sunday_1pm.open and sunday_1pm.agents == 0 and sunday_1pm.contacts > 0  # they become callbacks
    saturday = datetime(2026, 12, 5, tzinfo=TOKYO)  # open 10:00-17:00; Sunday closed
    mail = Forecast(saturday, {("email", "general"): np.full(2 * SLOTS_PER_DAY, 1.0)}, fc.backtest)
    staffed = staffing(mail, {("email", "general"): 600.0}, hours=hours)
    # a day of mail is 48 x 600 s = 16 agent-intervals of work, spread over the 14 open intervals
    assert [r.agents for r in staffed if r.open] == [2] * 14 and sum(r.agents for r in staffed) == 28


def test_effects_that_cannot_be_told_apart_still_fit() -> None:
    # the year-end flag and the holiday flag on the same rows only: qr fails, the pseudo-inverse does not
    x = np.zeros((4, 3 * SLOTS_PER_DAY + 6))
    x[:, 0] = 1.0
    x[2:, -1] = x[2:, -2] = 1.0
    model = fit(np.array([2.0, 3.0, 1.0, 0.0]), Groups.of(x))
    assert np.allclose(model.predict(x), [2.5, 2.5, 0.5, 0.5], rtol=1e-3)  # recency weights: nearly the means


def legend_clashes(fig: Any) -> list[str]:
    """Each legend of `fig`, after a draw, against every plot's data area, every title and the figure's edge:
    what overlaps, in words (empty when the layout is clean)."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    plots = [ax for ax in fig.axes if ax.get_legend() is not None or ax.lines]
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends, "no legend drawn"
    page = fig.bbox
    out = []
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in plots:
            if box.overlaps(ax.get_window_extent(renderer)):  # the axes' patch: the data area
                out.append(
                    f"legend {legend.texts[0].get_text()!r} over the plot {ax.get_title(loc='left')!r}"
                )
            for title in (ax.title, ax._left_title, ax._right_title):
                if title.get_text() and box.overlaps(title.get_window_extent(renderer)):
                    out.append(f"legend {legend.texts[0].get_text()!r} over the title {title.get_text()!r}")
        if not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1):
            out.append(f"legend {legend.texts[0].get_text()!r} cut off by the figure's edge")
    return out


def test_the_legends_leave_the_plots_clear(eight_weeks: list[dict[str, Any]]) -> None:
    import matplotlib

    from ivr.forecast_views import CHART_FONTS, Plan, series_label
    from ivr.forecast_views import chart_figure as console_figure

    fc, rows = plan(eight_weeks, weeks=2)
    assert legend_clashes(chart_figure(fc, rows)) == []  # `ivr forecast`'s PNG, English labels
    p = Plan(fc, tuple(rows), forecast_summary(fc, rows), "test")
    keys = list(fc.series)
    style = {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 11,
        "font.sans-serif": CHART_FONTS,
    }
    with matplotlib.rc_context(style):  # the console's SVG, Japanese labels, as draw_chart sets them
        assert legend_clashes(console_figure(p, keys, series_label(keys, keys))) == []
        assert legend_clashes(console_figure(p, keys, "電話・ご注文とお支払いに関するお問い合わせ")) == []


def test_the_clash_check_sees_a_legend_on_the_plot(eight_weeks: list[dict[str, Any]]) -> None:
    fig = chart_figure(*plan(eight_weeks, weeks=1))
    fig.axes[0].legend(loc="upper right")  # where the chart had it before: on the lines
    assert any("over the plot" in clash for clash in legend_clashes(fig))
