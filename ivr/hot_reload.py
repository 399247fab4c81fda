"""Hot reload for designers: save a flow or a prompt file and the running server answers with it.

A change is loaded and validated before it is swapped in (`DialogueManager.reload`), so a half-saved or
broken file never reaches a caller: the last good version keeps answering and each problem is logged as
`file:line:col: message`. Calls in progress continue on the new version at their next turn.

The demo backend's records (the bot's demo_data.yaml: orders, stores, products) reload the same way: an
edit is read and checked (`load_demo_data`) and swapped into the running backend; a broken edit keeps the
last good records and logs each problem as `file:line:col: message`.

So does the bot's lexicon (the store and product names the NLU recognises, and their English names in the
`_en` file next to it): an edit is read and checked (`load_lexicon`) and swapped into the running NLU
(`NLU.use_lexicon`), so the next turn of every call recognises a new name; a broken edit keeps the last good
names and logs each problem as `file:line:col: message`.

Configuration: `app[FLOWS_DIR]` / `app[PROMPTS_DIR]`, else `IVR_FLOWS_DIR` / `IVR_PROMPTS_DIR`, else the
directories the running bot was loaded from; `app[DEMO_DATA]`, else the file the demo backend was read from;
`app[LEXICON]`, else the file the running NLU's names were read from (`NLU.lexicon_source`).
`IVR_HOT_RELOAD=0` switches the watcher off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from watchfiles import Change, awatch

from dialogue.backends.demo import DemoBackend
from dialogue.backends.demo_data import load_demo_data
from dialogue.bot import DEFAULT_FLOWS_DIR, Bot, BotOrigin, load_bot
from dialogue.engine import DialogueManager
from dialogue.entity_types import DEFAULT_ENTITIES_DIR
from dialogue.faq import DEFAULT_FAQ_DIR
from dialogue.prompts import DEFAULT_PROMPTS_DIR
from dialogue.validate import check_bot, friendly
from dialogue.yaml_source import SourceError
from ivr.app_keys import MANAGER
from nlu.entities.lexicon import ENGLISH_SUFFIX, Lexicon, load_lexicon
from nlu.pipeline import NLU

log = logging.getLogger("ivr.hot_reload")
DEBOUNCE_MS = 300  # editors write a file in several steps; wait until they are done
TICK_MS = 500  # the watcher reports "no change" this often, which tells us it is running


@dataclass
class ReloadState:
    """What the watcher has done; read by tests and useful in a debugger."""

    flows_dir: Path
    prompts_dir: Path
    demo_data: Path | None = None  # the demo backend's records file, watched too
    lexicon: Path | None = None  # the NLU's store and product names (and its `_en` file), watched too
    version: int = 0  # successful reloads
    data_version: int = 0  # successful reloads of the demo data
    lexicon_version: int = 0  # successful reloads of the lexicon
    failures: int = 0  # changes refused because they did not validate
    problems: list[str] = field(default_factory=list)  # of the last refused change
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # set once the watcher runs
    settled: asyncio.Condition = field(default_factory=asyncio.Condition)  # notified after each attempt
    task: asyncio.Task[None] | None = None


FLOWS_DIR = web.AppKey("hot_reload_flows_dir", Path)
PROMPTS_DIR = web.AppKey("hot_reload_prompts_dir", Path)
DEMO_DATA = web.AppKey("hot_reload_demo_data", Path)
LEXICON = web.AppKey("hot_reload_lexicon", Path)
STATE = web.AppKey("hot_reload_state", ReloadState)


def setup(app: web.Application) -> None:
    """Watch the bot's flow and prompt directories while the app runs."""
    if os.environ.get("IVR_HOT_RELOAD", "1") == "0":
        return
    manager = app.get(MANAGER)
    bot = manager.bot if manager is not None else None
    flows = app.get(FLOWS_DIR) or _env("IVR_FLOWS_DIR") or _loaded_from(bot)[0] or DEFAULT_FLOWS_DIR
    prompts = app.get(PROMPTS_DIR) or _env("IVR_PROMPTS_DIR") or _loaded_from(bot)[1] or DEFAULT_PROMPTS_DIR
    backend = manager.backend if manager is not None else None
    demo = app.get(DEMO_DATA) or (backend.source if isinstance(backend, DemoBackend) else None)
    nlu = manager.nlu if manager is not None else None
    lexicon = app.get(LEXICON) or (nlu.lexicon_source if isinstance(nlu, NLU) else None)
    # the state is stored now: aiohttp deprecates changing an application's items once it has started
    app[STATE] = ReloadState(flows, prompts, demo, lexicon)
    app.cleanup_ctx.append(_watching)


def _env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _loaded_from(bot: Bot | None) -> tuple[Path | None, Path | None]:
    """Reload what is running: a bot built from other directories must not be replaced by the defaults."""
    if bot is None:
        return None, None
    flows = next((path.parent for path, _ in bot.sources.values()), None)
    where = next(iter(bot.prompts.sources.values()), None)  # "file:line:col"
    prompts = Path(where.rsplit(":", 2)[0]).parent if where else None
    return flows, prompts


async def _watching(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    state.task = asyncio.create_task(watch(app[MANAGER], state), name="hot-reload")
    yield
    state.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.task


def _is_yaml(change: Change, path: str) -> bool:
    return path.endswith((".yaml", ".yml"))


async def watch(manager: DialogueManager, state: ReloadState) -> None:
    """Reload on every change until cancelled; never raises, so a bad edit cannot stop the server."""
    files: list[asyncio.Task[None]] = []
    if state.demo_data is not None and isinstance(manager.backend, DemoBackend):
        demo = state.demo_data

        async def demo_once() -> None:
            await reload_demo_once(manager, state, demo)

        files.append(await _start_file_watch("the demo data", (demo,), demo_once, state))
    if state.lexicon is not None and isinstance(manager.nlu, NLU):
        lexicon = state.lexicon

        async def lexicon_once() -> None:
            await reload_lexicon_once(manager, state, lexicon)

        english = lexicon.with_name(lexicon.stem + ENGLISH_SUFFIX + lexicon.suffix)
        files.append(await _start_file_watch("the lexicon", (lexicon, english), lexicon_once, state))
    try:
        await _watch_bot(manager, state)
        await asyncio.gather(*files)  # no bot directory to watch, but the files are
    finally:
        for task in files:
            task.cancel()
        for task in files:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _start_file_watch(what: str, paths: tuple[Path, ...], reload: Callable[[], Awaitable[None]],
                            state: ReloadState) -> asyncio.Task[None]:
    running = asyncio.Event()
    task = asyncio.create_task(_watch_files(what, paths, reload, state, running), name=f"hot-reload {what}")
    await running.wait()  # `ready` means every watcher runs: an edit from now on is seen
    return task


async def _watch_bot(manager: DialogueManager, state: ReloadState) -> None:
    # entity types and the FAQ are the bot's data too: a change there reloads the bot like a flow does
    origin = manager.bot.origin
    extra: tuple[Path, ...] = (DEFAULT_ENTITIES_DIR, DEFAULT_FAQ_DIR) if state.prompts_dir == DEFAULT_PROMPTS_DIR else ()
    extra = tuple(d for d in (origin.entities, origin.faq) if d is not None) or extra  # a bot.yaml's own
    dirs = [d for d in (state.flows_dir, state.prompts_dir, *extra) if d.is_dir()]
    if not dirs:
        log.error("hot reload: none of %s, %s exists; not watching", state.flows_dir, state.prompts_dir)
        return
    log.info("hot reload: watching %s", ", ".join(map(str, dirs)))
    async for changes in awatch(
        *dirs, watch_filter=_is_yaml, debounce=DEBOUNCE_MS, rust_timeout=TICK_MS, yield_on_timeout=True
    ):
        state.ready.set()
        if not changes:
            continue
        try:
            await reload_once(manager, state)
        except Exception:  # a bug here must not end hot reload for the rest of the session
            log.exception("hot reload failed")
        async with state.settled:
            state.settled.notify_all()


async def _watch_files(what: str, paths: tuple[Path, ...], reload: Callable[[], Awaitable[None]],
                       state: ReloadState, running: asyncio.Event) -> None:
    """Watch these files (all in one folder) in their folder, not the folder's tree (the sample bot's is the
    repository), so that an editor that saves by writing a new file and renaming it over the old one is seen
    too."""
    folder = paths[0].parent
    if not folder.is_dir():
        log.error("hot reload: %s does not exist; not watching %s", folder, what)
        running.set()
        return
    log.info("hot reload: watching %s", ", ".join(map(str, paths)))
    names = {path.name for path in paths}

    def only_them(change: Change, changed: str) -> bool:
        return Path(changed).name in names

    async for changes in awatch(folder, watch_filter=only_them, recursive=False, debounce=DEBOUNCE_MS,
                                rust_timeout=TICK_MS, yield_on_timeout=True):
        running.set()
        if not changes:
            continue
        try:
            await reload()
        except Exception:  # a bug here must not end hot reload for the rest of the session
            log.exception("hot reload of %s failed", what)
        async with state.settled:
            state.settled.notify_all()


async def reload_demo_once(manager: DialogueManager, state: ReloadState, path: Path) -> bool:
    """Read and check the demo data file and swap it into the running demo backend; False (and the last good
    records kept) when there is any problem."""
    backend = manager.backend
    if not isinstance(backend, DemoBackend):
        return False
    try:
        data = await asyncio.to_thread(load_demo_data, path)
    except SourceError as exc:
        state.failures += 1
        state.problems = [friendly(p) for p in exc.problems]
        log.warning("hot reload: %d problem(s) in %s; the last good records keep running", len(exc.problems), path)
        for problem in state.problems:
            log.warning("%s", problem)
        return False
    if data is backend.data:
        return True  # saved without a change (the same bytes)
    backend.reload(data)
    state.data_version += 1
    state.problems = []
    log.info("hot reload: demo data version %d live (%d orders, %d stores, %d products)", state.data_version,
             len(data.orders), len(data.stores), len(data.products))
    return True


async def reload_lexicon_once(manager: DialogueManager, state: ReloadState, path: Path) -> bool:
    """Read and check the lexicon file (and its `_en` file) and swap the names into the running NLU; False
    (and the last good names kept) when there is any problem."""
    nlu = manager.nlu
    if not isinstance(nlu, NLU):
        return False
    lexicon, problems = await asyncio.to_thread(_read_lexicon, path)  # file reads: off the event loop
    if lexicon is None:
        state.failures += 1
        state.problems = problems
        log.warning("hot reload: %d problem(s) in %s; the last good names keep running", len(problems), path)
        for problem in problems:
            log.warning("%s", problem)
        return False
    state.problems = []
    if lexicon == nlu.lexicon:
        return True  # saved without a change to the names
    nlu.use_lexicon(lexicon)
    state.lexicon_version += 1
    log.info("hot reload: lexicon version %d live (%d stores, %d products)", state.lexicon_version,
             len(lexicon.entries.get("store", ())), len(lexicon.entries.get("product", ())))
    return True


def _read_lexicon(path: Path) -> tuple[Lexicon | None, list[str]]:
    if not path.is_file():  # removed, or mid-save: the names stay until a file is there again
        return None, [f"{path}:1:1: the lexicon file is not there (restart `ivr serve` for a bot without one)"]
    try:
        # not `lexicon_at`: it keeps the sample bot's names cached, and this edit must be read
        return load_lexicon(path), []
    except ValueError as exc:
        return None, str(exc).splitlines()


async def reload_once(manager: DialogueManager, state: ReloadState) -> bool:
    """Load, validate and swap in; False (and the old bot kept) when there is any problem."""
    actions = manager.backend.actions()
    # file reads and validation are blocking work: keep them off the event loop that serves calls
    bot, problems = await asyncio.to_thread(_load_checked, state.flows_dir, state.prompts_dir, actions,
                                            manager.bot.origin)
    if bot is None or problems:
        state.failures += 1
        state.problems = problems
        log.warning("hot reload: %d problem(s); the last good version keeps running", len(problems))
        for problem in problems:
            log.warning("%s", problem)
        return False
    manager.reload(bot)
    state.version += 1
    state.problems = []
    log.info("hot reload: version %d live (%d flows, %d prompts)", state.version, len(bot.flows),
             len(bot.prompts.templates))
    return True


def _load_checked(flows_dir: Path, prompts_dir: Path, actions: frozenset[str],
                  origin: BotOrigin) -> tuple[Bot | None, list[str]]:
    try:
        # a bot from a bot.yaml keeps its own entity types, FAQ and intents (not the sample bot's)
        bot = load_bot(flows_dir, prompts_dir, origin.entities, origin.faq, origin.intents)
    except SourceError as exc:
        return None, [friendly(p) for p in exc.problems]
    return bot, check_bot(bot, actions, prompts_dir, origin.intents or None)
