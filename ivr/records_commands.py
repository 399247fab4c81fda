"""`ivr records export|purge|synth` (SPEC 7.5, 7.7)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records = sub.add_parser("records", help="export, purge or synthesise conversation records")
    records.add_subparsers(dest="records_command", required=True)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("ivr records: not built yet")
