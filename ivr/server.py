"""`ivr serve`: one aiohttp application hosting every channel.

Channels get the dialogue manager through `app[MANAGER]`; each channel module adds its own routes with
a `setup(app)` function, so this file stays a list of what is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from types import ModuleType

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dialogue.engine import DialogueManager
from dialogue.records import housekeeping
from ivr.app_keys import MANAGER
from ivr.metrics import REGISTRY
from ivr.settings import Secrets, Settings, redact_url

log = logging.getLogger("ivr.server")


async def healthz(request: web.Request) -> web.Response:
    manager = request.app[MANAGER]
    return web.json_response({"status": "ok", "flows": len(manager.bot.flows)})


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def create_app(manager: DialogueManager) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)  # webhook bodies are small; refuse floods
    app[MANAGER] = manager
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for module in _channel_modules():
        module.setup(app)
    return app


def _channel_modules() -> list[ModuleType]:

    names = ["ivr.metrics", "ivr.guards", "ivr.voice_twilio", "ivr.voice_hold", "ivr.voice_pay", "ivr.voice_relay", "ivr.voice_stream", "ivr.web_chat", "ivr.rasa_socketio", "ivr.agent_console",
             "ivr.hot_reload", "ivr.outbound_channel", "ivr.email_channel", "ivr.survey_channel",
             "ivr.callback_form"]
    modules: list[ModuleType] = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def _housekeeping(manager: DialogueManager, retention_days: int | None) -> Callable[[web.Application],
                                                                                 AsyncIterator[None]]:
    """Calls nobody hung up are closed as `abandoned`, records past the retention period purged, for as
    long as the server runs (a first sweep at start-up closes what a crash left open)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(housekeeping(manager.store, retention_days=retention_days))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx


def run_server(manager: DialogueManager, settings: Settings, bot_name: str, secrets: Secrets) -> int:
    """Serve until interrupted; the settings were checked and the bot loaded before this is called."""
    from ivr.logging_setup import configure as configure_logging  # JSON lines with the conversation id

    configure_logging(settings.log_level)
    if not secrets.get("TWILIO_AUTH_TOKEN"):
        log.warning("TWILIO_AUTH_TOKEN is not set: voice webhooks accept unsigned requests from loopback only")
    log.info("bot %s from %s, store %s", bot_name, settings.bot, redact_url(settings.store))
    os.umask(0o077)  # every file the server writes (SQLite, mail spool, desk) is private to its user
    app = create_app(manager)
    app.cleanup_ctx.append(_housekeeping(manager, settings.retention_days))
    # the models, the bot and the tagger's dictionary are loaded for good: moved out of the collector's
    # reach, a full collection no longer walks them mid-turn (they made the slowest turns of a load test)
    gc.collect()
    gc.freeze()
    host, port = settings.host, settings.port
    print(f"{bot_name} bot: open http://{host}:{port}/ (chat widget), http://{host}:{port}/agent (console)",
          flush=True)
    web.run_app(app, host=host, port=port, print=None, backlog=1024)
    return 0
