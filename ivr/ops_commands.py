"""`ivr qa report` and `ivr forecast` (SPEC 7.7)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_STORE = "sqlite:///var/ivr.sqlite3"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    qa = sub.add_parser("qa", help="quality checks on every contact")
    qsub = qa.add_subparsers(dest="qa_command", required=True)
    report = qsub.add_parser("report", help="score each contact against the protocol (qa/protocol.yaml)")
    report.add_argument("--store", default=DEFAULT_STORE, help=f"records store URL (default {DEFAULT_STORE})")
    report.add_argument("--since", default=None, help="ISO-8601 time: contacts started at or after it")
    report.add_argument("--json", action="store_true", help="one JSON object per contact")
    report.add_argument("--protocol", type=Path, default=None, help="protocol YAML (default qa/protocol.yaml)")
    fc = sub.add_parser("forecast", help="forecast contacts and staffing")
    fc.add_argument("--store", default=DEFAULT_STORE, help=f"records store URL (default {DEFAULT_STORE})")
    fc.add_argument("--weeks", type=int, default=2, help="weeks to forecast (default 2)")
    fc.add_argument("--out", type=Path, default=Path("forecast"), help="directory for the CSVs and the chart")
    fc.add_argument("--backtest-weeks", type=int, default=2, help="final weeks held out for the backtest")
    fc.add_argument("--service-level", type=float, default=0.8, help="share answered in time (default 0.8)")
    fc.add_argument("--answer-seconds", type=float, default=20.0, help="within this many seconds (default 20)")


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"--since {text!r}: expected an ISO-8601 time such as 2026-11-01T00:00:00+09:00") from None
    if when.tzinfo is None:
        from dialogue.clock import TOKYO

        when = when.replace(tzinfo=TOKYO)  # a bare date or time is Japan time, as the centre works
    return when


def _load(store_url: str, since: datetime | None) -> list[dict[str, Any]]:
    from dialogue.records import RecordsUnavailable, records
    from dialogue.store import SQLiteStore
    from dialogue.store_remote import store_from_url

    try:
        store = store_from_url(store_url)
    except ValueError as exc:
        raise SystemExit(f"cannot read records from {store_url}: {exc}") from None
    if isinstance(store, SQLiteStore) and not store.path.exists():
        raise SystemExit(f"cannot read records from {store_url}: no database at {store.path} "
                         f"(`ivr serve` writes {DEFAULT_STORE} by default)")

    async def read() -> list[dict[str, Any]]:
        try:
            return await records(store, since)
        finally:
            await store.close()

    try:
        return asyncio.run(read())
    except (RecordsUnavailable, ValueError, OSError, TimeoutError) as exc:
        raise SystemExit(f"cannot read records from {store_url}: {exc}") from None
    except Exception as exc:  # a database error: one line, not a traceback
        if type(exc).__module__.split(".")[0] in ("asyncpg", "sqlite3"):
            raise SystemExit(f"cannot read records from {store_url}: {exc}") from None
        raise


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def qa_line(score: Mapping[str, Any]) -> str:
    head = (f"{score['started_at'] or '-'} {score['conversation_id']} {score['channel'] or '-'} "
            f"agent={score['agent'] or '(bot)'} flow={score['flow'] or '(none)'} score={score['score']}")
    if not score["failed"]:
        return f"{head} OK"
    fails = "; ".join(f"{e['rule']}@{e['turn']} {e['speaker']} 「{_short(e['text'])}」 ({e['why']})"
                      for e in score["failed"])
    return f"{head} FAIL {fails}"


def _groups(title: str, groups: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = [f"by {title}:"]
    for g in groups:
        rules = ", ".join(f"{r} {n}" for r, n in g["failed_rules"].items()) or "-"
        lines.append(f"  {g['name']}: {g['contacts']} contacts, mean {g['mean_score']}, "
                     f"passed {g['passed_rate']:.0%}, failed: {rules}")
    return lines


def run_qa(args: argparse.Namespace) -> int:
    from dialogue.qa import Checker
    from dialogue.qa_report import qa_report
    from dialogue.qa_rules import load_protocol
    from dialogue.yaml_source import SourceError

    try:
        checker = Checker(load_protocol(args.protocol))
    except SourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    report = qa_report(_load(args.store, _since(args.since)), checker)
    for contact in report["contacts"]:
        print(json.dumps(contact, ensure_ascii=False) if args.json else qa_line(contact))
    if not args.json:
        s = report["summary"]
        if not s["contacts"]:
            print("no contacts in the records for this period")
            return 0
        print(f"{s['contacts']} contacts, mean score {s['mean_score']}, passed {s['passed_rate']:.0%}, "
              f"{s['rules_checked']} rules checked")
        for title, key in (("agent", "by_agent"), ("flow", "by_flow"), ("day", "by_day")):
            print("\n".join(_groups(title, s[key])))
    return 0


def run_forecast(args: argparse.Namespace) -> int:
    from dialogue.escalation.errors import RuleError
    from dialogue.forecast import ForecastError, forecast
    from dialogue.forecast_output import forecast_summary, write_outputs
    from dialogue.staffing import default_hours, handle_times, staffing

    if args.weeks < 1 or args.backtest_weeks < 1:
        raise SystemExit("--weeks and --backtest-weeks must be at least 1")
    if not 0 < args.service_level < 1 or args.answer_seconds <= 0:
        raise SystemExit("--service-level is a fraction between 0 and 1, --answer-seconds a positive number")
    records = _load(args.store, None)
    try:
        fc = forecast(records, args.weeks, args.backtest_weeks)
    except ForecastError as exc:
        raise SystemExit(f"ivr forecast: {exc}") from None
    try:
        hours = default_hours()
    except RuleError as exc:
        raise SystemExit(f"ivr forecast: {exc}") from None
    rows = staffing(fc, handle_times(records), args.service_level, args.answer_seconds, hours)
    paths = write_outputs(fc, rows, args.out)
    summary = forecast_summary(fc, rows)
    for s in summary["series"]:
        print(f"{s['channel']}/{s['queue']}: {s['contacts']} contacts in {args.weeks} weeks")
    print("wrote " + ", ".join(str(p) for p in paths))
    print(f"backtest MAPE: model {fc.backtest.model_mape:.3f}, seasonal naive {fc.backtest.naive_mape:.3f}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.command == "qa":
        return run_qa(args)
    return run_forecast(args)
