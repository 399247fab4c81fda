"""Contacts per 30-minute interval for the coming weeks, per channel and queue (issue 16).

One Poisson GLM (statsmodels) per series, on counts per interval in Japan time, with these effects:
time of day for each kind of day (working day, Saturday, Sunday or holiday), the weekday, national
holidays (jpholiday), and the year-end break (12/29-1/3). Older weeks weigh less (a half-life in
`var_weights`), so the level follows recent volume without a trend term that would run off. A backtest
holds out the final weeks and compares the model with the seasonal-naive forecast (the last observed
week repeated), by MAPE over the held-out intervals that had contacts.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import jpholiday
import numpy as np
import statsmodels.api as sm
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from dialogue.clock import TOKYO

SLOT_SECONDS = 1800
SLOTS_PER_DAY = 48
WEEK = 7 * SLOTS_PER_DAY
HALF_LIFE_DAYS = 42.0
BOT_QUEUE = "bot"  # contacts the bot closed alone: forecast, but nobody is staffed for them
Key = tuple[str, str]  # (channel, queue)
Floats = NDArray[np.float64]


class ForecastError(ValueError):
    """Not enough (or no usable) history; the message says what is needed."""


def min_days(backtest_weeks: int) -> int:
    """Two weeks to fit on, plus the weeks held out for the backtest."""
    return 7 * (backtest_weeks + 2)


def year_end(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def _day_kind(day: date) -> int:
    """0 a working weekday, 1 Saturday, 2 Sunday, a national holiday or the year-end break."""
    if day.weekday() == 6 or jpholiday.is_holiday(day) or year_end(day):
        return 2
    return 1 if day.weekday() == 5 else 0


def design(start: datetime, n: int) -> Floats:
    """Regressors of `n` intervals from `start` (Tokyo): time of day per kind of day (the intercepts),
    Tuesday..Friday against Monday, holiday and year-end flags."""
    x = np.zeros((n, 3 * SLOTS_PER_DAY + 4 + 2))
    days = {}
    for i in range(n):
        t = start + timedelta(seconds=SLOT_SECONDS * i)
        day = t.date()
        if day not in days:
            days[day] = (_day_kind(day), day.weekday(), bool(jpholiday.is_holiday(day)), year_end(day))
        kind, weekday, holiday, ye = days[day]
        slot = (t.hour * 60 + t.minute) // 30
        x[i, kind * SLOTS_PER_DAY + slot] = 1.0
        if kind == 0 and 1 <= weekday <= 4:
            x[i, 3 * SLOTS_PER_DAY + weekday - 1] = 1.0
        x[i, -2] = float(holiday and weekday < 6)
        x[i, -1] = float(ye)
    return x


@dataclass(frozen=True)
class History:
    """Counts per interval per (channel, queue), from `start` (a Tokyo interval boundary)."""

    start: datetime
    counts: dict[Key, Floats]

    @property
    def n(self) -> int:
        return len(next(iter(self.counts.values()))) if self.counts else 0

    @property
    def days(self) -> float:
        return self.n / SLOTS_PER_DAY

    def total(self) -> Floats:
        return np.asarray(np.sum(list(self.counts.values()), axis=0)) if self.counts else np.zeros(0)


def series_key(record: Mapping[str, Any]) -> Key:
    return (str(record.get("channel") or "unknown"), str(record.get("queue") or BOT_QUEUE))


def history(records: Iterable[Mapping[str, Any]], now: datetime | None = None) -> History:
    """Bucket contacts by start time into 30-minute intervals (Japan time), in whole days: from the first
    record's day to the last one's, but never today (a day not over yet would read as a quiet one)."""
    stamps: list[tuple[Key, datetime]] = []
    for r in records:
        try:
            when = datetime.fromisoformat(str(r.get("started_at")))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=TOKYO)
        stamps.append((series_key(r), when.astimezone(TOKYO)))
    if not stamps:
        raise ForecastError("no contacts with a start time in the records")
    start = min(t for _, t in stamps).replace(hour=0, minute=0, second=0, microsecond=0)
    end = max(t for _, t in stamps).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    today = (now or datetime.now(TOKYO)).astimezone(TOKYO).replace(hour=0, minute=0, second=0, microsecond=0)
    end = max(start, min(end, today))
    n = int((end - start).total_seconds()) // SLOT_SECONDS
    counts: dict[Key, Floats] = {}
    for key, t in stamps:
        i = int((t - start).total_seconds()) // SLOT_SECONDS
        if i < n:
            counts.setdefault(key, np.zeros(n))[i] += 1.0
    if not counts:
        raise ForecastError("no contacts before today in the records")
    return History(start, dict(sorted(counts.items())))


@dataclass(frozen=True)
class Model:
    coef: Floats
    used: NDArray[np.bool_]  # columns fitted; time-of-day cells with no contacts at all stay at zero

    def predict(self, x: Floats) -> Floats:
        dead = (x[:, : 3 * SLOTS_PER_DAY] * ~self.used[: 3 * SLOTS_PER_DAY]).sum(axis=1) > 0
        mean = np.exp(np.clip(x[:, self.used] @ self.coef, -50, 50))
        return np.where(dead, 0.0, mean)


@dataclass(frozen=True)
class Groups:
    """Intervals with the same regressors share one rate: fitting their weighted mean count with the
    summed weight is the same Poisson likelihood, on a few hundred rows instead of thousands. Found once
    per design, shared by every series."""

    unique: Floats
    inverse: NDArray[np.intp]

    @staticmethod
    def of(x: Floats) -> Groups:
        unique, inverse = np.unique(x, axis=0, return_inverse=True)
        return Groups(unique, inverse.ravel())


def fit(y: Floats, groups: Groups) -> Model:
    """Poisson GLM with recency weights (older weeks weigh less); time-of-day cells with no contacts at
    all are left out, as they have no finite rate."""
    cells = groups.unique[:, : 3 * SLOTS_PER_DAY]
    size = len(groups.unique)
    alive = (cells.T @ np.bincount(groups.inverse, weights=y, minlength=size)) > 0
    age_days = (len(y) - 1 - np.arange(len(y))) / SLOTS_PER_DAY
    weights = 0.5 ** (age_days / HALF_LIFE_DAYS)
    weight = np.bincount(groups.inverse, weights=weights, minlength=size)
    total = np.bincount(groups.inverse, weights=weights * y, minlength=size)
    keep = (cells[:, alive].sum(axis=1) > 0) & (weight > 0)
    used = np.concatenate([alive, groups.unique[keep, 3 * SLOTS_PER_DAY:].any(axis=0)])
    # one BLAS thread: these matrices are small, and threads fighting over shared cores cost 30x
    with threadpool_limits(1), warnings.catch_warnings():
        # a holiday seen once with no contacts drives its coefficient far down: that is the answer
        warnings.simplefilter("ignore")
        glm = sm.GLM(total[keep] / weight[keep], groups.unique[keep][:, used], family=sm.families.Poisson(),
                     var_weights=weight[keep])
        try:
            result = glm.fit(wls_method="qr")  # fast; fails only where two effects cannot be told apart
        except np.linalg.LinAlgError:
            result = glm.fit()  # the pseudo-inverse picks one split of the effects; the rates are the same
    return Model(np.asarray(result.params, dtype=float), used)


def seasonal_naive(y: Floats, horizon: int) -> Floats:
    """The last observed week, repeated."""
    last = y[-WEEK:]
    return np.resize(last, horizon).astype(float)


def mape(actual: Floats, predicted: Floats) -> float:
    """Mean absolute percentage error over intervals with contacts (a fraction)."""
    seen = actual > 0
    if not seen.any():
        return float("nan")
    return float(np.mean(np.abs(actual[seen] - predicted[seen]) / actual[seen]))


@dataclass(frozen=True)
class Backtest:
    weeks: int
    start: datetime
    actual: Floats
    model: Floats
    naive: Floats

    @property
    def model_mape(self) -> float:
        return mape(self.actual, self.model)

    @property
    def naive_mape(self) -> float:
        return mape(self.actual, self.naive)


@dataclass(frozen=True)
class Forecast:
    start: datetime
    series: dict[Key, Floats]  # expected contacts per interval
    backtest: Backtest

    @property
    def n(self) -> int:
        return len(next(iter(self.series.values()))) if self.series else 0

    def interval(self, i: int) -> datetime:
        return self.start + timedelta(seconds=SLOT_SECONDS * i)

    def total(self) -> Floats:
        return np.asarray(np.sum(list(self.series.values()), axis=0)) if self.series else np.zeros(0)


def backtest(hist: History, weeks: int) -> Backtest:
    held = weeks * WEEK
    cut = hist.n - held
    groups = Groups.of(design(hist.start, cut))
    x_held = design(hist.start + timedelta(seconds=SLOT_SECONDS * cut), held)
    model, naive = np.zeros(held), np.zeros(held)
    for y in hist.counts.values():
        if y[:cut].sum() == 0:
            continue
        model += fit(y[:cut], groups).predict(x_held)
        naive += seasonal_naive(y[:cut], held)
    return Backtest(weeks, hist.start + timedelta(seconds=SLOT_SECONDS * cut), hist.total()[cut:], model, naive)


def forecast(records: Iterable[Mapping[str, Any]], weeks: int = 2, backtest_weeks: int = 2,
             now: datetime | None = None) -> Forecast:
    """Fit on all the history, predict `weeks` weeks after its last interval, and backtest on the final
    `backtest_weeks` weeks; raises ForecastError with too little history."""
    if weeks < 1 or backtest_weeks < 1:
        raise ForecastError("weeks must be at least 1")
    hist = history(records, now)
    need = min_days(backtest_weeks)
    if hist.days < need:
        raise ForecastError(
            f"only {hist.days:.1f} days of contacts in the records; at least {need} days are needed "
            f"(2 weeks to fit and {backtest_weeks} held out for the backtest)")
    check = backtest(hist, backtest_weeks)
    start = hist.start + timedelta(seconds=SLOT_SECONDS * hist.n)
    horizon = weeks * WEEK
    groups, x_next = Groups.of(design(hist.start, hist.n)), design(start, horizon)
    series = {key: fit(y, groups).predict(x_next) for key, y in hist.counts.items() if y.sum() > 0}
    return Forecast(start, series, check)
