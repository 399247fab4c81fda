"""`ivr chat`: the bot in a terminal. One caller line in, the bot's reply out; scriptable through pipes.

Lines starting with `/` are call events: `/dtmf 12345678`, `/silence`, `/hangup`.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from dialogue.api import BotReply, CallerInfo, Conversations, SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from ivr.deploy_commands import StartupError, build_for, open_project
from ivr.settings import SettingsError, load_settings

MAX_LINE = 100_000
UNREADABLE = "申し訳ございません、メッセージを読み取れませんでした。恐れ入りますが、もう一度ご入力ください。"


def _show(reply: BotReply, out: TextIO) -> None:
    for prompt in reply.prompts:
        out.write(f"bot> {prompt.text}\n")
    if reply.handover is not None and reply.handover.kind == "transfer":
        h = reply.handover
        out.write(f"[transfer queue={h.queue} reason={h.reason} case={h.case_id}]\n")
    if reply.ended:
        out.write(f"[call ended: outcome={reply.outcome}]\n")
    out.flush()


def _turn_of(line: str) -> UserTurn | None:
    if line.startswith("/dtmf"):
        return UserTurn(dtmf=line[5:].strip())
    if line == "/silence":
        return UserTurn(no_input=True)
    return UserTurn(text=line)


async def converse(manager: Conversations, start: SessionStart, stdin: BinaryIO, out: TextIO) -> str | None:
    sid, reply = await manager.start(start)
    _show(reply, out)
    loop = asyncio.get_running_loop()
    while not reply.ended:
        raw = await loop.run_in_executor(None, stdin.readline)
        if not raw:
            await manager.hangup(sid)
            break
        try:
            line = raw[:MAX_LINE * 4].decode("utf-8").strip()[:MAX_LINE]
        except UnicodeDecodeError:
            line = ""
        # on the phone an empty line is what the recogniser heard: nothing (the caller's silence, as /silence)
        if not line and raw.strip(b"\r\n \t") == b"" and start.channel == "voice":
            line = "/silence"
        # an unreadable or empty line is not the caller's silence on a chat: ask again, lose nothing
        if not line or not line.isprintable() and not line.replace("\t", "").strip():
            out.write(f"bot> {UNREADABLE}\n")
            out.flush()
            continue
        if line == "/hangup":
            await manager.hangup(sid)
            break
        turn = _turn_of(line)
        if turn is None:
            continue
        reply = await manager.handle(sid, turn)
        _show(reply, out)
    state = await manager.view(sid)
    return state.outcome if state else None


async def _converse_then_close(manager: DialogueManager, start: SessionStart) -> str | None:
    try:
        return await converse(manager, start, sys.stdin.buffer, sys.stdout)
    finally:
        close = getattr(manager.backend, "close", None)  # a webhook backend's HTTP session
        if close is not None:
            await close()


def run_chat(channel: str, phone: str | None, now: str | None, bot: Path | None = None) -> int:
    if bot is None:
        manager = build_manager()
    else:
        try:
            settings, secrets = load_settings()
            project = open_project(bot, lambda m: print(m, file=sys.stderr, flush=True))
            manager = build_for(project, None, settings, secrets)
        except (SettingsError, StartupError) as exc:
            for problem in str(exc).splitlines():
                print(f"ivr chat: {problem}", file=sys.stderr)
            return 2
    start = SessionStart(
        channel="voice" if channel == "voice" else "chat",
        caller=CallerInfo(phone=phone),
        now=datetime.fromisoformat(now) if now else None,
    )
    outcome = asyncio.run(_converse_then_close(manager, start))
    sys.stdout.write(f"[outcome: {outcome}]\n")
    return 0
