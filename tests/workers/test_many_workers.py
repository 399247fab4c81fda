"""Two `ivr serve` workers behind haproxy serve the same calls (SPEC 7.5, issue 12).

Real processes, real PostgreSQL (a fresh database) or Redis (its own database number), real haproxy
round-robin in front: Twilio webhooks alternate between workers, identical deliveries race each other,
a chat reconnects through the balancer, a worker is killed with -9 mid-call. Every caller turn must be
in the store exactly once and in order. Needs the servers of scripts/services.sh (never skipped).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from ivr.voice_common import APOLOGY
from tests.workers.cluster import (
    REDIS_BASE,
    REDIS_DB,
    TOKEN,
    Cluster,
    TwilioCaller,
    call_sid,
    caller_turns,
    drop_postgres,
    flush_redis,
    fresh_postgres,
)

pytestmark = pytest.mark.services
ORDER_CALL = ["注文した商品が届かない", "12345678", "09012345678", "以上です"]


@pytest.fixture(scope="module", params=["postgresql", "redis"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir: Path = tmp_path_factory.mktemp(f"cluster-{request.param}")
    dropped: str | None = None
    if request.param == "postgresql":
        url, dropped = asyncio.run(fresh_postgres())
    else:
        url = f"{REDIS_BASE}/{REDIS_DB}"
        asyncio.run(flush_redis(url))
    nodes = Cluster(url, workers=2, workdir=workdir)
    try:
        asyncio.run(nodes.start())
        yield nodes
    finally:
        nodes.stop()
        if dropped is not None:
            asyncio.run(drop_postgres(dropped))
        else:
            asyncio.run(flush_redis(url))


async def turns_served(cluster: Cluster, i: int) -> float:
    """Voice turns answered by worker i (its own /metrics, asked directly)."""
    async with aiohttp.ClientSession() as session, session.get(cluster.worker_base(i) + "/metrics") as resp:
        text = await resp.text()
    match = re.search(r'^ivr_turn_seconds_count\{channel="voice"\} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def assert_clean_logs(cluster: Cluster) -> None:
    bad = [line for line in cluster.worker_logs().splitlines()
           if '"level": "ERROR"' in line or "Traceback" in line]
    assert not bad, "\n".join(bad[:5])


async def test_calls_alternate_between_workers_with_racing_duplicates(cluster: Cluster) -> None:
    before = [await turns_served(cluster, i) for i in range(2)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        callers = [TwilioCaller(session, cluster.base, call_sid(7000 + n)) for n in range(6)]

        async def one_call(caller: TwilioCaller) -> None:
            await caller.dial()
            for said in ORDER_CALL:
                results = await caller.say(said, duplicates=2)  # three identical deliveries at once
                assert [r[0] for r in results] == [200, 200, 200], results
                assert [APOLOGY in r[1] for r in results] == [False, True, True], results  # one turn ran
            assert caller.ended, caller.last
            assert await caller.hang_up() == 204

        await asyncio.gather(*(one_call(c) for c in callers))
    for caller in callers:
        said = await caller_turns(cluster.store_url, caller.sid)
        assert said == ["注文した商品が届かない", "[DTMF 12345678]", "[DTMF 09012345678]", "以上です"], said
    after = [await turns_served(cluster, i) for i in range(2)]
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)  # both workers served turns
    assert_clean_logs(cluster)


async def test_a_replayed_webhook_is_refused_by_the_other_worker_too(cluster: Cluster) -> None:
    async with aiohttp.ClientSession() as session:
        caller = TwilioCaller(session, cluster.worker_base(0), call_sid(7100))
        await caller.dial()
        params = caller.turn_params("注文した商品が届かない")
        url = cluster.worker_base(0) + caller.action
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        first = await caller.post(caller.action, params)
        assert first[0] == 200
        # the very same signed request (same Host, same signature) at the other worker: the claim is in
        # the shared store, so it runs no second turn there either
        host = cluster.worker_base(0).removeprefix("http://")
        async with session.post(cluster.worker_base(1) + caller.action, data=params,
                                headers={"X-Twilio-Signature": signature, "Host": host}) as resp:
            assert resp.status == 200 and APOLOGY in await resp.text()  # no turn: "say it again"
    assert await caller_turns(cluster.store_url, caller.sid) == ["注文した商品が届かない"]


async def test_a_chat_reconnecting_through_the_balancer_resumes(cluster: Cluster) -> None:
    ws_url = cluster.base.replace("http://", "ws://") + "/chat/ws"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        ws = await session.ws_connect(ws_url)
        await ws.send_json({"type": "hello"})
        hello = json.loads((await ws.receive(timeout=10)).data)
        sid = hello["session_id"]
        await ws.receive(timeout=10)  # the greeting
        await ws.send_json({"type": "message", "text": "注文した商品が届かない"})
        assert "注文番号" in json.loads((await ws.receive(timeout=10)).data)["text"]
        await ws.close()
        for text, expected in (("12345678", "電話番号"), ("09012345678", None)):
            ws = await session.ws_connect(ws_url)  # the next connection goes to the other worker
            await ws.send_json({"type": "hello", "session_id": sid})
            resumed = json.loads((await ws.receive(timeout=10)).data)
            assert resumed["type"] == "session" and resumed["resumed"] is True, resumed
            await ws.send_json({"type": "message", "text": text})
            reply = json.loads((await ws.receive(timeout=10)).data)
            assert reply["type"] == "bot", reply
            if expected:
                assert expected in reply["text"], reply
            await ws.close()
    assert await caller_turns(cluster.store_url, sid) == ["注文した商品が届かない", "12345678", "09012345678"]


async def test_a_call_goes_on_when_its_worker_is_killed(cluster: Cluster) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        callers = [TwilioCaller(session, cluster.base, call_sid(7200 + n)) for n in range(4)]
        for caller in callers:
            await caller.dial()
            assert (await caller.say(ORDER_CALL[0]))[0][0] == 200
        cluster.kill(0)  # mid-call: SIGKILL, no goodbye
        try:
            for said in ORDER_CALL[1:]:
                for caller in callers:
                    status, body, _ = (await caller.say(said))[0]
                    assert status == 200, (status, body, cluster.tail())
            for caller in callers:
                assert caller.ended, caller.last
                said = await caller_turns(cluster.store_url, caller.sid)
                assert said == ["注文した商品が届かない", "[DTMF 12345678]", "[DTMF 09012345678]", "以上です"]
        finally:
            cluster.respawn(0)  # back to two workers for whatever runs next
            await cluster.wait_ready(cluster.worker_base(0), time.monotonic() + 120, None)


async def relay_turn(ws: aiohttp.ClientWebSocketResponse) -> str:
    """The bot's text frames up to the last one of its turn, joined."""
    said = ""
    while True:
        data = json.loads((await ws.receive(timeout=10)).data)
        said += data.get("token", "")
        if data["type"] != "text" or data.get("last"):
            return said


async def test_a_relay_call_on_one_worker_and_its_status_callback_on_the_other(cluster: Cluster) -> None:
    from dialogue.store_remote import store_from_url

    sid = call_sid(7300)
    ws_url = cluster.worker_base(0).replace("http://", "ws://") + "/voice/relay/ws"
    signature = RequestValidator(TOKEN).compute_signature(ws_url, {})
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(ws_url, headers={"X-Twilio-Signature": signature})
        await ws.send_json({"type": "setup", "callSid": sid, "from": "+81312345678"})
        assert "サクラマート" in await relay_turn(ws)
        await ws.send_json({"type": "prompt", "voicePrompt": "注文した商品が届かない", "last": True})
        assert "注文番号" in await relay_turn(ws)
        # the caller hangs up: Twilio's status callback reaches the other worker
        other = TwilioCaller(session, cluster.worker_base(1), sid)
        assert (await other.post("/voice/twilio/status", other.params(CallStatus="completed")))[0] == 204
        # a late prompt on the first worker's socket finds the call ended there too: no turn runs
        await ws.send_json({"type": "prompt", "voicePrompt": "12345678", "last": True})
        assert json.loads((await ws.receive(timeout=10)).data)["type"] == "end"
        await ws.close()
    store = store_from_url(cluster.store_url)
    try:
        state = await store.load(sid)
    finally:
        await store.close()
    assert state is not None and state.ended and state.outcome == "abandoned"
    assert await caller_turns(cluster.store_url, sid) == ["注文した商品が届かない"]
