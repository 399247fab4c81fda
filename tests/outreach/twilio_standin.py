"""A local stand-in of Twilio's REST API: checks what the `twilio` client sends, answers as Twilio does,
and plays each call back to the webhooks it was given (answered by a person or a machine, busy, no answer),
signed with the account's auth token."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web
from twilio.request_validator import RequestValidator

ACCOUNT = "AC" + "0" * 32
TOKEN = "test-auth-token-0123456789abcdef"  # made up: tests never see a real secret


@dataclass
class TwilioStandIn:
    script: dict[str, list[str]] = field(default_factory=dict)  # callee -> what each attempt does
    calls: list[dict[str, str]] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    twiml: list[str] = field(default_factory=list)  # what our answer webhook returned, call by call
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    redirects: list[dict[str, str]] = field(default_factory=list)  # live calls moved (POST Calls/{sid}.json)
    live: dict[str, dict[str, str]] = field(default_factory=dict)  # CallSid -> its params, for calls tests dial in

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json", self._call)
        app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json", self._message)
        app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{{sid}}.json", self._update)
        return app

    def _authorised(self, request: web.Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == expected

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response({"code": code, "message": message, "status": status}, status=status)

    async def _call(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        form = {k: str(v) for k, v in (await request.post()).items()}
        missing = [k for k in ("To", "From", "Url") if not form.get(k)]
        if missing:
            return self._error(400, 21205, f"missing {missing}")
        if not form["To"].startswith("+81") or len(form["To"]) < 12:
            return self._error(400, 21211, f"Invalid 'To' Phone Number: {form['To']}")
        sid = "CA" + uuid.uuid4().hex
        self.calls.append({**form, "Sid": sid})
        task = asyncio.create_task(self._play(form, sid))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return web.json_response({"sid": sid, "account_sid": ACCOUNT, "to": form["To"], "from": form["From"],
                                  "status": "queued"}, status=201)

    async def _message(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not form.get("Body") or not form.get("To", "").startswith("+"):
            return self._error(400, 21604, "A 'To' phone number and a 'Body' are required")
        sid = "SM" + uuid.uuid4().hex
        self.messages.append({**form, "Sid": sid})
        return web.json_response({"sid": sid, "account_sid": ACCOUNT, "to": form["To"], "status": "queued"},
                                 status=201)

    async def _update(self, request: web.Request) -> web.Response:
        """Modify a live call: with `Url`, Twilio leaves the call's current TwiML (a queue included) and
        fetches that URL, as a POST signed like any webhook; an unknown or ended call is a 404."""
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        sid = request.match_info["sid"]
        if sid not in self.live:
            return self._error(404, 20404, f"The requested resource /Calls/{sid}.json was not found")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not form.get("Url") or form.get("Method", "POST") != "POST":
            return self._error(400, 21205, f"a POST 'Url' is required, got {form}")
        self.redirects.append({**form, "Sid": sid})
        async with ClientSession() as session:
            status, body = await self._post(session, form["Url"], {**self.live[sid], "CallSid": sid,
                                                                   "CallStatus": "in-progress"})
        if status != 200:
            self.problems.append(f"redirect webhook said {status}: {body}")
        self.twiml.append(body)
        return web.json_response({"sid": sid, "account_sid": ACCOUNT, "status": "in-progress"})

    async def _play(self, form: dict[str, str], sid: str) -> None:
        plan = self.script.get(form["To"]) or ["human"]
        attempt = plan.pop(0) if len(plan) > 1 else plan[0]
        base = {"CallSid": sid, "AccountSid": ACCOUNT, "From": form["From"], "To": form["To"], "Direction": "outbound-api"}
        async with ClientSession() as session:
            if attempt in ("human", "machine"):
                answered = {**base, "CallStatus": "in-progress",
                            "AnsweredBy": "human" if attempt == "human" else "machine_end_beep"}
                status, body = await self._post(session, form["Url"], answered)
                if status != 200:
                    self.problems.append(f"answer webhook said {status}: {body}")
                self.twiml.append(body)
                final = "completed"
            else:
                final = attempt
            if form.get("StatusCallback"):
                status, body = await self._post(session, form["StatusCallback"], {**base, "CallStatus": final})
                if status >= 300:
                    self.problems.append(f"status webhook said {status}: {body}")

    @staticmethod
    async def _post(session: ClientSession, url: str, params: dict[str, str]) -> tuple[int, str]:
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        async with session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as resp:
            return resp.status, await resp.text()

    async def idle(self) -> None:
        """Until every call played so far has posted its webhooks."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))

    def payload(self, to: str) -> dict[str, Any]:
        return next(c for c in self.calls if c["To"] == to)
