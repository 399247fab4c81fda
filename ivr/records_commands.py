"""`ivr records export|purge|synth` (SPEC 7.5, 7.7): conversation records out of, and into, a store."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

DEFAULT_STORE = "sqlite:///var/ivr.sqlite3"  # the store `ivr serve` writes to by default
TOKYO = ZoneInfo("Asia/Tokyo")
T = TypeVar("T")


class _Usage(Exception):
    """A bad argument: its message goes to stderr, and the exit status is 2 (as argparse's own)."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records = sub.add_parser("records", help="export, purge or synthesise conversation records")
    commands = records.add_subparsers(dest="records_command", required=True)
    store_help = f"store URL: sqlite:///PATH or postgresql://... (default {DEFAULT_STORE})"

    export = commands.add_parser("export", help="write conversations with their case notes to stdout")
    export.add_argument("--store", default=DEFAULT_STORE, help=store_help)
    export.add_argument("--since", help="only conversations started at or after this ISO-8601 time or date "
                        "(Japan time when it has no offset)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                        help="JSON Lines (one object per contact, the default) or CSV with a header")
    export.add_argument("--redact", action="store_true",
                        help="mask phone numbers, addresses, names, card numbers and e-mail addresses")

    purge = commands.add_parser("purge", help="delete conversations older than DAYS and print how many went")
    purge.add_argument("--store", default=DEFAULT_STORE, help=store_help)
    purge.add_argument("--older-than", dest="older_than", required=True, type=_days, metavar="DAYS",
                       help="delete conversations started more than DAYS days ago")

    synth = commands.add_parser("synth", help="write N days of realistic synthetic contacts ending today (JST)")
    synth.add_argument("--store", default=DEFAULT_STORE, help=store_help)
    synth.add_argument("--days", required=True, type=_positive_int, metavar="N", help="how many days, ending today")
    synth.add_argument("--seed", type=int, default=0, metavar="S", help="random seed: the same seed, the same contacts")
    synth.add_argument("--per-day", dest="per_day", type=_positive_float, default=240.0, metavar="M",
                       help="mean contacts on an ordinary day (default 240)")
    synth.add_argument("--bot", type=Path, default=None, metavar="DIR",
                       help="the bot whose contacts they are: its bot.yaml, synth.yaml, demo data, entities and "
                            "queues (default: the sample bot)")


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"days must be a number >= 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1 or value > 3660:
        raise argparse.ArgumentTypeError(f"expected 1 to 3660, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError(f"expected a number above 0 (at most 100000), got {text!r}")
    return value


def parse_since(text: str | None) -> datetime | None:
    """An ISO-8601 date or time; one without an offset is Japan time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Usage(f"--since: expected an ISO-8601 date or time (2026-11-01 or 2026-11-01T09:00:00+09:00), "
                     f"got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


def run(args: argparse.Namespace) -> int:
    try:
        command: Callable[[argparse.Namespace], int] = {"export": _export, "purge": _purge, "synth": _synth}[
            args.records_command
        ]
        return command(args)
    except _Usage as exc:
        print(f"ivr records {args.records_command}: error: {exc}", file=sys.stderr)
        return 2


def _with_store(url: str, work: Callable[..., Awaitable[T]], *, create: bool = False) -> T:
    from dialogue.records import RecordsUnavailable, record_store
    from dialogue.store import SQLiteStore
    from dialogue.store_remote import store_from_url

    try:
        store = store_from_url(url)
        record_store(store)
    except (ValueError, RecordsUnavailable) as exc:
        if url.lower().startswith(("redis", "rediss", "unix")):
            raise _Usage(f"{url}: Redis keeps live session state only; records are kept in SQLite or "
                         "PostgreSQL: give --store sqlite:///PATH or --store postgresql://...") from None
        raise _Usage(str(exc)) from None
    if isinstance(store, SQLiteStore) and not create and not store.path.exists():
        raise _Usage(f"{url}: no database at {store.path} (a typo? `ivr serve` writes {DEFAULT_STORE} by default)")

    async def go() -> T:
        try:
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except (OSError, TimeoutError) as exc:
        raise SystemExit(f"ivr records: cannot reach the store {url}: {exc}") from None
    except Exception as exc:  # a database error: one line, not a traceback
        if type(exc).__module__.split(".")[0] in ("asyncpg", "sqlite3"):
            raise SystemExit(f"ivr records: store {url}: {exc}") from None
        raise


def _export(args: argparse.Namespace) -> int:
    from dialogue.records import records, redacted, write_csv, write_jsonl

    since = parse_since(args.since)
    rows = _with_store(args.store, lambda store: records(store, since))
    if args.redact:
        rows = [redacted(r) for r in rows]
    writer = write_csv if args.format == "csv" else write_jsonl
    try:
        count = writer(rows, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(f"exported {count} conversations", file=sys.stderr)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from dialogue.records import purge

    cut = datetime.now(UTC) - timedelta(days=args.older_than)
    removed = _with_store(args.store, lambda store: purge(store, cut))
    print(f"removed {removed} conversations started before {cut.astimezone(TOKYO).isoformat(timespec='seconds')}")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from dialogue.records import put_records
    from dialogue.store import SessionStore
    from dialogue.synth import synthesize
    from dialogue.yaml_source import SourceError

    try:
        contacts = synthesize(args.days, args.seed, per_day=args.per_day, bot=args.bot)
    except SourceError as exc:
        raise _Usage("the bot's data has problems:\n" + "\n".join(exc.problems)) from None

    async def write(store: SessionStore) -> int:
        total = 0
        for i in range(0, len(contacts), 5000):  # a transaction per batch: bounded memory in the database
            total += await put_records(store, contacts[i : i + 5000])
        return total

    written = _with_store(args.store, write, create=True)
    first = contacts[0]["started_at"][:10] if contacts else "-"
    print(f"wrote {written} synthetic contacts ({args.days} days from {first}, seed {args.seed}) to {args.store}")
    return 0
