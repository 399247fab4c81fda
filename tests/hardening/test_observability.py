"""What operators see: time per stage, no-matches per flow step, readiness, JSON logs with the call's id."""

from __future__ import annotations

import io
import json
import logging
import re

from dialogue.api import SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.factory import build_manager
from dialogue.store_remote import PostgresStore
from ivr import logging_setup, metrics
from ivr.server import create_app
from tests.voice.conftest import ClientMaker, Phone, call_sid, voice_app


def sample(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(want)}\}} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


async def test_every_stage_is_timed_and_no_matches_are_counted_per_step(aiohttp_client: ClientMaker,
                                                                        manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    before = await (await client.get("/metrics")).text()
    phone = Phone(client, call_sid(950))
    await phone.dial()
    await phone.say("注文した商品が届かない")
    await phone.say("ふにゃふにゃ")  # not an order number: a no-match at the order-number step
    after = await (await client.get("/metrics")).text()
    for stage in metrics.STAGES:
        if stage == "backend":
            continue  # asking for an order number calls no backend yet
        assert sample(after, "ivr_stage_seconds_count", stage=stage) > sample(before, "ivr_stage_seconds_count",
                                                                              stage=stage), stage
    state = await manager.state(phone.sid)
    assert state is not None and state.position is not None
    labels = {"flow": state.position.flow, "step": state.position.step}
    assert sample(after, "ivr_no_match_total", **labels) == sample(before, "ivr_no_match_total", **labels) + 1


async def test_backend_time_is_measured(manager: DialogueManager) -> None:
    metrics.instrument(manager)
    metrics.instrument(manager)  # twice: still one wrapper
    before = metrics.STAGE_SECONDS.labels("backend")._sum.get()  # type: ignore[attr-defined]
    await manager.backend.call("order_status", {"order_number": "12345678"})
    assert metrics.STAGE_SECONDS.labels("backend")._sum.get() > before  # type: ignore[attr-defined]
    # timed(with_conversation(handle)): two layers, however often the app is built around one manager
    assert not hasattr(manager.handle.__wrapped__.__wrapped__, "__wrapped__")  # type: ignore[attr-defined]


async def test_readyz_answers_ready_then_503_when_the_store_is_down(aiohttp_client: ClientMaker,
                                                                     manager: DialogueManager) -> None:
    client = await aiohttp_client(create_app(manager))
    resp = await client.get("/readyz")
    assert resp.status == 200 and (await resp.json())["checks"] == {"model": "ok", "store": "ok", "locks": "ok"}
    down = build_manager(store=PostgresStore("postgresql://postgres@127.0.0.1:9/nowhere", timeout_s=1.0))
    client = await aiohttp_client(create_app(down))
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 503 and body["status"] == "unavailable"
    assert body["checks"]["model"] == "ok" and body["checks"]["store"] != "ok"


async def test_json_logs_carry_the_conversation_id(manager: DialogueManager) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        logging_setup.configure(logging.INFO, json_lines=True, stream=stream)
        metrics.instrument(manager)
        probe = logging.getLogger("dialogue.test_probe")
        original = manager.backend.call

        async def noisy(action: str, args: dict[str, object]) -> dict[str, object]:
            probe.info("backend asked for %s (call 090-1234-5678)", action)
            return await original(action, args)

        manager.backend.call = noisy  # type: ignore[method-assign]
        sid, _ = await manager.start(SessionStart(channel="chat", session_id="chat-log-1"))
        for text in ("注文した商品が届かない", "12345678", "09012345678"):
            await manager.handle(sid, UserTurn(text=text))
        probe.info("outside any call")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line["logger"] == "dialogue.test_probe"]
    assert mine and mine[0]["conversation_id"] == "chat-log-1" and mine[0]["level"] == "INFO"
    assert "090-1234-5678" not in mine[0]["message"]  # the records helper's redaction filter is on
    assert mine[-1]["message"] == "outside any call" and mine[-1]["conversation_id"] is None
