"""Build a ready dialogue manager from a bot directory (`bot.yaml`), the repository's defaults, or paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogue.backends import Backend
from dialogue.backends.build import build_backend
from dialogue.backends.demo import DemoBackend
from dialogue.bot import Bot, load_bot
from dialogue.bot_project import BotProject
from dialogue.engine import DialogueManager
from dialogue.escalation.engine import EscalationEngine
from dialogue.interpret import Understander
from dialogue.store import MemoryStore, SessionStore
from nlu.pipeline import NLU


@dataclass(frozen=True)
class BotPaths:
    flows: Path | None = None
    prompts: Path | None = None
    rules: Path | None = None
    model: Path | None = None
    entities: Path | None = None
    faq: Path | None = None
    intents: tuple[Path, ...] = ()
    lexicon: Path | None = None  # the bot's store and product names; None: the sample bot's

    @staticmethod
    def of(project: BotProject) -> BotPaths:
        return BotPaths(project.flows, project.prompts, project.escalation_rules, project.model,
                        project.entities, project.faq, project.intents, project.lexicon)


_NLU_CACHE: dict[tuple[Path | None, Path | None], NLU] = {}


def shared_nlu(model: Path | None = None, lexicon: Path | None = None) -> NLU:
    """One NLU per model and lexicon per process: the tagger and the weights load once. `lexicon`: the bot's
    store and product names (BotPaths.lexicon; the sample bot's when None)."""
    key = (model, lexicon)
    if key not in _NLU_CACHE:
        _NLU_CACHE[key] = NLU.load(model, lexicon)
    return _NLU_CACHE[key]


def load_paths(paths: BotPaths) -> Bot:
    return load_bot(paths.flows, paths.prompts, paths.entities, paths.faq, paths.intents)


def build_manager(
    paths: BotPaths | None = None,
    *,
    store: SessionStore | None = None,
    backend: Backend | None = None,
    nlu: Understander | None = None,
    backend_timeout_s: float = 3.0,
) -> DialogueManager:
    paths = paths or BotPaths()
    return DialogueManager(
        load_paths(paths),
        nlu or shared_nlu(paths.model, paths.lexicon),
        backend or DemoBackend(),
        store or MemoryStore(),
        EscalationEngine.load(paths.rules),
        backend_timeout_s=backend_timeout_s,
    )


def build_project_manager(
    project: BotProject,
    *,
    store: SessionStore | None = None,
    backend: Backend | None = None,
    nlu: Understander | None = None,
    backend_url: str | None = None,
    backend_token: str | None = None,
    backend_timeout_s: float = 3.0,
) -> DialogueManager:
    """The bot of a `bot.yaml`, with the backend it names (unless one is given)."""
    chosen = backend or build_backend(project.backend, project.root, url=backend_url, token=backend_token)
    return build_manager(BotPaths.of(project), store=store, backend=chosen, nlu=nlu,
                         backend_timeout_s=backend_timeout_s)
