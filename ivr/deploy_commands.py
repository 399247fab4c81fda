"""`ivr init` and the deployment options of `ivr serve` (SPEC 7.5): a bot directory, a store URL, settings.

Start-up problems (a bad setting, a missing bot, broken YAML, no model) end the command with one clear line
per problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from dialogue.backends.build import BackendConfigError
from dialogue.bot_project import BOT_FILE, BotProject, load_project
from dialogue.engine import DialogueManager
from dialogue.factory import build_project_manager
from dialogue.store import SessionStore
from dialogue.store_remote import store_from_url
from dialogue.yaml_source import REPO_ROOT, SourceError
from ivr.settings import Secrets, Settings, SettingsError, load_settings, redact_url
from nlu.data_io import DataError
from nlu.model import ModelError

STARTER = REPO_ROOT / "bots" / "starter"  # the bot `ivr init` copies (its model is trained at init)
START_FAILED = 2


class StartupError(Exception):
    """Why the bot cannot start; each line is one problem."""


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """--bot, --store, --config for `ivr serve`."""
    serve.add_argument("--bot", type=Path, default=None, help="bot directory with bot.yaml (default: サクラマート)")
    serve.add_argument("--store", default=None,
                       help="sqlite:///PATH (default sqlite:///var/ivr.sqlite3), postgresql://..., redis://...")
    serve.add_argument("--config", type=Path, default=None, help="TOML settings file (docs/deployment.md)")


def add_bot_argument(parser: argparse.ArgumentParser) -> None:
    """--bot for `ivr chat` and `ivr test`."""
    parser.add_argument("--bot", type=Path, default=None, help="bot directory with bot.yaml (default: サクラマート)")


def add_init_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="write a new, minimal, working bot into DIR")
    init.add_argument("dir", type=Path)


def _fail(command: str, problems: list[str]) -> int:
    for problem in problems:
        print(f"{command}: {problem}", file=sys.stderr)
    return START_FAILED


def ensure_model(project: BotProject, log: Callable[[str], None]) -> None:
    """Train the bot's model from its intent examples when the directory has none (a fresh checkout)."""
    if (project.model / "metadata.json").is_file():
        return
    from nlu.training import train

    log(f"{project.name}: no trained model in {project.model}; training one from {', '.join(map(str, project.intents))}")
    bundle, target = train(list(project.intents), project.model)
    log(f"{project.name}: trained {len(bundle.intent.labels)} intents on {bundle.metadata['examples']} examples -> {target}")


def open_project(bot: Path | None, log: Callable[[str], None] = lambda _m: None) -> BotProject:
    """The bot directory's project, its model trained if missing; StartupError with every problem."""
    try:
        project = load_project(bot or REPO_ROOT)
        ensure_model(project, log)
    except SourceError as exc:
        raise StartupError("\n".join(exc.problems)) from exc
    except (DataError, ModelError) as exc:
        raise StartupError(str(exc)) from exc
    return project


def build_for(project: BotProject, store: SessionStore | None, settings: Settings | None = None,
              secrets: Secrets | None = None) -> DialogueManager:
    settings = settings or Settings()
    try:
        return build_project_manager(
            project, store=store, backend_url=settings.backend_url,
            backend_token=secrets.get("IVR_BACKEND_TOKEN") if secrets else None,
            backend_timeout_s=settings.backend_timeout_s,
        )
    except SourceError as exc:
        raise StartupError("\n".join(exc.problems)) from exc
    except (ModelError, BackendConfigError) as exc:
        raise StartupError(str(exc)) from exc


def run_serve(args: argparse.Namespace) -> int:
    if args.store is not None and args.db is not None:
        return _fail("ivr serve", ["give --store or --db (the same as --store sqlite:///PATH), not both"])
    store_flag = args.store or (f"sqlite:///{args.db}" if args.db is not None else None)
    flags = {"host": args.host, "port": args.port, "bot": args.bot, "store": store_flag}
    try:
        settings, secrets = load_settings(args.config, flags=flags)
    except SettingsError as exc:
        return _fail("ivr serve", [str(exc)])
    # channel modules (and the NLU's device choice) read their options from the environment: values from
    # the TOML file reach them too, before anything is built
    os.environ.update(settings.channel_environment())
    try:
        store = store_from_url(settings.store)
    except ValueError as exc:
        return _fail("ivr serve", [f"--store {redact_url(settings.store)}: {exc}"])
    try:
        project = open_project(settings.bot, lambda m: print(m, file=sys.stderr, flush=True))
        manager = build_for(project, store, settings, secrets)
    except StartupError as exc:
        return _fail("ivr serve", str(exc).splitlines())
    from ivr.server import run_server

    return run_server(manager, settings, project.name, secrets)


def run_init(args: argparse.Namespace) -> int:
    target: Path = args.dir
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return _fail("ivr init", [f"{target} is not empty: give a new or empty directory (nothing was written)"])
    if not (STARTER / BOT_FILE).is_file():
        return _fail("ivr init", [f"the starter bot is missing from this installation ({STARTER})"])
    created = not target.exists()
    try:
        shutil.copytree(STARTER, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("models", "__pycache__", ".gitignore"))
        project = open_project(target, lambda m: print(m, flush=True))
    except (OSError, StartupError) as exc:
        # leave nothing half-written behind: the directory is as it was (new, or empty)
        for child in target.iterdir() if target.is_dir() else ():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if created and target.is_dir():
            target.rmdir()
        return _fail("ivr init", str(exc).splitlines())
    print(f"wrote a new bot '{project.name}' to {target}\n"
          f"  ivr chat --bot {target}                  talk to it\n"
          f"  ivr test --bot {target} {target}/tests     run its conversation tests\n"
          f"  ivr serve --bot {target}                 serve it (chat widget, voice webhooks, agent console)")
    return 0
