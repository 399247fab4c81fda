"""`ivr init` and the deployment options of `ivr serve` (SPEC 7.5). Owned by the deployment work."""

from __future__ import annotations

import argparse


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """--bot, --store, --config for `ivr serve`."""


def add_init_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="write a new, minimal, working bot into DIR")
    init.add_argument("dir")


def run_init(args: argparse.Namespace) -> int:
    raise SystemExit("ivr init: not built yet")
