"""Build a ready dialogue manager from the repository's defaults (or the paths given)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogue.backends import Backend
from dialogue.backends.demo import DemoBackend
from dialogue.bot import load_bot
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


_NLU_CACHE: dict[Path | None, NLU] = {}


def shared_nlu(model: Path | None = None) -> NLU:
    """One NLU per model per process: the tagger and the weights load once."""
    if model not in _NLU_CACHE:
        _NLU_CACHE[model] = NLU.load(model)
    return _NLU_CACHE[model]


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
        load_bot(paths.flows, paths.prompts),
        nlu or shared_nlu(paths.model),
        backend or DemoBackend(),
        store or MemoryStore(),
        EscalationEngine.load(paths.rules),
        backend_timeout_s=backend_timeout_s,
    )
