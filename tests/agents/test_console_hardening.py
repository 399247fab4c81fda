"""The console login from issue 12's outside probe: malformed bodies, a failure limit, a real logout."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ivr.agent_console import COOKIE, LOGIN_MAX_FAILURES, LoginThrottle
from tests.agents.conftest import login

Client = TestClient[Any, Any]


@pytest.mark.parametrize(("body", "content_type"), [
    (b"username=\xff\xfe&password=\xff", "application/x-www-form-urlencoded"),
    (b"--xx\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--xx--", "multipart/form-data"),
    (b"garbage without a boundary", "multipart/form-data; boundary=zz"),
    (b"--zz\r\nno headers here\r\n", "multipart/form-data; boundary=zz"),
])
async def test_malformed_login_bodies_are_400(app_client: Client, body: bytes, content_type: str) -> None:
    resp = await app_client.post("/agent/login", data=body, headers={"Content-Type": content_type})
    assert resp.status in (400, 401), await resp.text()  # never a 500
    if b"\xff" in body or "boundary" not in content_type:
        assert resp.status == 400


async def test_repeated_failures_lock_the_name_for_a_while(app_client: Client) -> None:
    for _ in range(LOGIN_MAX_FAILURES):
        resp = await app_client.post("/agent/login", data={"username": "alice", "password": "guess"})
        assert resp.status == 401
    locked = await app_client.post("/agent/login", data={"username": "alice", "password": "alice-pw"},
                                   allow_redirects=False)
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
    assert "しばらくしてから" in await locked.text()
    await login(app_client, "sam", "sam-pw")  # another name from the same address is not locked out


async def test_the_window_slides() -> None:
    throttle = LoginThrottle(max_failures=2, window_s=60)
    key = ("alice", "127.0.0.1")
    await throttle.failed(key, now=0)
    await throttle.failed(key, now=30)
    assert await throttle.retry_after(key, now=31) == 30
    assert await throttle.retry_after(key, now=61) == 0  # the first failure left the window
    await throttle.succeeded(key)
    assert await throttle.retry_after(key, now=31) == 0


async def test_logout_revokes_the_cookie_on_the_server(app_client: Client) -> None:
    await login(app_client)
    token = next(c.value for c in app_client.session.cookie_jar if c.key == COOKIE)
    assert (await app_client.get("/agent/api/me")).status == 200
    assert (await app_client.post("/agent/logout", allow_redirects=False)).status == 303
    app_client.session.cookie_jar.clear()
    stolen = await app_client.get("/agent/api/me", cookies={COOKIE: token})
    assert stolen.status == 401
    assert (await app_client.get("/agent", cookies={COOKIE: token}, allow_redirects=False)).status == 302
    await login(app_client)  # a new login works
    assert (await app_client.get("/agent/api/me")).status == 200
