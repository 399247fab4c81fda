"""The `ivr` command: chat, serve, test, validate, graph, and the NLU tools."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _nlu_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlu = sub.add_parser("nlu", help="NLU tools: parse, train, eval")
    nsub = nlu.add_subparsers(dest="nlu_command", required=True)
    parse = nsub.add_parser("parse", help="read utterances on stdin, write SPEC 7.1 JSON lines")
    parse.add_argument("--model", type=Path, default=None)
    parse.add_argument("--now", default=None, help="ISO-8601 clock for relative dates (default: now, Tokyo)")
    _bot_option(parse, "its model and its store and product names")
    train = nsub.add_parser("train", help="train a model directory")
    train.add_argument("--data", type=Path, action="extend", nargs="+", default=None)
    train.add_argument("--out", type=Path, default=None)
    train.add_argument("--backend", default="linear", help="linear (default) or transformer")
    train.add_argument("--base-model", type=Path, default=None,
                       help="transformer: fine-tune this local Hugging Face checkpoint (nothing is downloaded)")
    train.add_argument("--preset", default=None, help="transformer size: tiny (smoke tests), cpu (default), gpu")
    _bot_option(train, "its intent examples, written to its model directory")
    ev = nsub.add_parser("eval", help="accuracy, per-intent P/R/F1, confusions, per-style figures")
    ev.add_argument("--data", type=Path, action="extend", nargs="+", default=None)
    ev.add_argument("--model", type=Path, default=None)
    ev.add_argument("--json", action="store_true")
    _bot_option(ev, "its model and its store and product names; --data is then required")


def _bot_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--bot", type=Path, default=None,
                        help=f"bot directory with bot.yaml: {what} (default: the sample bot's)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivr", description="Japanese call-center bot: any bot directory (bot.yaml); the sample bot by default")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="talk to the bot in the terminal (stdin/stdout)")
    chat.add_argument("--channel", choices=("chat", "voice"), default="chat")
    chat.add_argument("--phone", default=None, help="caller id (ANI) to present")
    chat.add_argument("--now", default=None, help="fixed ISO-8601 clock")
    from ivr import deploy_commands

    deploy_commands.add_bot_argument(chat)
    serve = sub.add_parser("serve", help="start the aiohttp server")
    # None = not given: the settings (--config, IVR_* variables) or their defaults decide
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--db", type=Path, default=None, help="SQLite session store (= --store sqlite:///PATH)")
    deploy_commands.add_serve_arguments(serve)
    deploy_commands.add_init_parser(sub)
    from ivr import records_commands

    records_commands.add_parser(sub)
    from ivr import ops_commands

    ops_commands.add_parsers(sub)
    test = sub.add_parser("test", help="run conversation tests (YAML)")
    test.add_argument("paths", nargs="+", type=Path)
    test.add_argument("--json", action="store_true")
    test.add_argument("--coverage", action="store_true", help="print flow/step/transition coverage")
    deploy_commands.add_bot_argument(test)
    validate = sub.add_parser("validate", help="check flows, prompts, intents and escalation rules")
    validate.add_argument("--flows", type=Path, default=None)
    validate.add_argument("--prompts", type=Path, default=None)
    validate.add_argument("--rules", type=Path, default=None)
    validate.add_argument("--entities", type=Path, default=None, help="entity types (default: entities/)")
    validate.add_argument("--bot", type=Path, default=None, help="check the bot in DIR (its bot.yaml's paths)")
    graph = sub.add_parser("graph", help="draw a flow as SVG or PNG")
    graph.add_argument("flow")
    graph.add_argument("--out", type=Path, default=None)
    graph.add_argument("--format", choices=("svg", "png", "dot"), default="svg")
    _nlu_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # `ivr qa report | head`: the reader has what it wanted; no traceback, and none from the flush at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "chat":
        from ivr.terminal import run_chat

        return run_chat(args.channel, args.phone, args.now, bot=args.bot)
    if cmd == "serve":
        from ivr import deploy_commands

        return deploy_commands.run_serve(args)
    if cmd == "init":
        from ivr import deploy_commands

        return deploy_commands.run_init(args)
    if cmd == "records":
        from ivr import records_commands

        return records_commands.run(args)
    if cmd in ("qa", "forecast"):
        from ivr import ops_commands

        return ops_commands.run(args)
    if cmd == "test":
        from ivr.conversation_tests import run_tests

        return run_tests(args.paths, as_json=args.json, coverage=args.coverage, bot=args.bot)
    if cmd == "validate":
        from ivr.designer import run_validate

        if args.bot is not None:
            from ivr.designer import run_validate_bot

            return run_validate_bot(args.bot)
        return run_validate(args.flows, args.prompts, args.rules, args.entities)
    if cmd == "graph":
        from ivr.designer import run_graph

        return run_graph(args.flow, args.out, args.format)
    if cmd == "nlu":
        from ivr import nlu_commands

        return nlu_commands.run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
