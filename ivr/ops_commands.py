"""`ivr qa report` and `ivr forecast` (SPEC 7.7)."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    qa = sub.add_parser("qa", help="quality checks on every contact")
    qa.add_subparsers(dest="qa_command", required=True)
    sub.add_parser("forecast", help="forecast contacts and staffing")


def run(args: argparse.Namespace) -> int:
    raise SystemExit("not built yet")
