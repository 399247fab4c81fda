"""The backend a `bot.yaml` names: demo, static answers, an HTTP webhook, or a Python entry point."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from dialogue.backends import Backend
from dialogue.backends.demo import DemoBackend
from dialogue.backends.demo_data import DEMO_DATA_FILE, load_demo_data
from dialogue.backends.static import StaticBackend
from dialogue.backends.webhook import CircuitBreaker, WebhookBackend
from dialogue.bot_project import BackendSpec


class BackendConfigError(ValueError):
    """The backend of a bot.yaml cannot be built (an entry point that does not import, a bad factory)."""


def build_backend(spec: BackendSpec, root: Path, *, url: str | None = None, token: str | None = None) -> Backend:
    """`url` replaces the webhook URL of bot.yaml (one bot, several environments); `token`, a secret from
    the environment, is sent as `Authorization: Bearer`."""
    if spec.static is not None:
        return StaticBackend(spec.static)
    if spec.webhook is not None:
        hook = spec.webhook
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        breaker = CircuitBreaker(hook.circuit_breaker.failures, hook.circuit_breaker.reset_s)
        return WebhookBackend(url or hook.url, frozenset(hook.actions), timeout_s=hook.timeout_s,
                              retries=hook.retries, headers=headers, breaker=breaker)
    if spec.python is not None:
        return _entry_point(spec.python, spec.options, root)
    # the demo's records are the bot's own data file (checked by load_project; read once per file version)
    path = root / (spec.demo_data or DEMO_DATA_FILE)
    return DemoBackend(load_demo_data(path), source=path)


def _entry_point(target: str, options: dict[str, Any], root: Path) -> Backend:
    module_name, factory_name = target.split(":", 1)
    # a company's module may sit in the bot's directory, next to its bot.yaml
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendConfigError(f"backend python: cannot import {module_name!r}: {exc}") from exc
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise BackendConfigError(f"backend python: {module_name} has no callable {factory_name!r}")
    backend = factory(**options)
    if not callable(getattr(backend, "call", None)) or not callable(getattr(backend, "actions", None)):
        raise BackendConfigError(f"backend python: {target}() must return an object with actions() and call()")
    return backend  # type: ignore[no-any-return]
