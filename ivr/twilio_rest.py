"""The `twilio` package's REST client on the server's event loop: outbound calls and messages
(ivr/outbound_channel.py) and moving a held caller the moment an agent accepts them (ivr/voice_hold.py)."""

from __future__ import annotations

import logging

from aiohttp import ClientSession, ClientTimeout, encode_basic_auth
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

log = logging.getLogger("ivr.twilio")


class TwilioHttp(AsyncHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """The `twilio` client's asyncio transport on one aiohttp session. Twilio's own (AsyncTwilioHttpClient)
    passes aiohttp a BasicAuth object, which aiohttp 3.14 deprecates; this sends the header itself."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        super().__init__(log, True, timeout_s)
        self.session = ClientSession()

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None,
                      timeout: float | None = None,  # noqa: ASYNC109 (the name twilio's client calls it by)
                      allow_redirects: bool = False) -> Response:
        sent = dict(headers or {})
        if auth is not None:
            sent["Authorization"] = encode_basic_auth(*auth)
        query = {k: str(v) for k, v in (params or {}).items()}
        async with self.session.request(method.upper(), url, params=query, data=data, headers=sent,
                                        timeout=ClientTimeout(total=timeout or self.timeout),
                                        allow_redirects=allow_redirects) as resp:
            return Response(resp.status, await resp.text(), resp.headers)

    async def close(self) -> None:
        await self.session.close()


def rest_client(account_sid: str, auth_token: str, api_url: str | None,
                timeout_s: float = 10.0) -> tuple[Client, TwilioHttp]:
    """Twilio's REST client and its transport (close the transport when done); create it in a running loop.
    `api_url`: another address of Twilio's API (a regional edge, a stand-in in tests)."""
    http = TwilioHttp(timeout_s)
    client = Client(account_sid, auth_token, http_client=http)
    if api_url:
        client.api.base_url = api_url.rstrip("/")
    return client, http
