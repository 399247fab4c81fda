"""Contact history in the console: a customer's profile and the harassment flag (dialogue/crm.py).

`GET /agent/api/customers/{id}`: every past call, chat, e-mail and callback of the customer (id: a phone
number in any common form, or an e-mail address), newest first, with the week's repeat count and the flag.
`POST /agent/api/customers/{id}/flag` `{"flagged": true|false, "note": "..."}`: agents and supervisors may
flag a caller for harassment; only a supervisor may clear a flag. A flagged caller's next hand-overs go to
the supervisor queue (dialogue.crm.protected_handover). Ordinary agents do not read the summaries of
harassment contacts (the same policy as the case-note list).
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from dialogue.clock import TOKYO
from dialogue.crm import Customers, customer_key, profile
from ivr.agent_api import _body, _error, _text
from ivr.agent_console import _json, api_user
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK

CUSTOMERS = web.AppKey("customers", Customers)
MAX_FLAG_NOTE_CHARS = 500


def _key(request: web.Request) -> str:
    key = customer_key(request.match_info["customer"])
    if key is None:
        raise _error(400, "the customer id must be a phone number (e.g. 09012345678) or an e-mail address")
    return key


async def api_customer(request: web.Request) -> web.Response:
    user = await api_user(request)
    key = _key(request)
    customers = request.app[CUSTOMERS]
    found = profile(key, await customers.history(key), await customers.flag(key), datetime.now(TOKYO))
    if not user.supervisor:
        for c in found["contacts"]:
            if c["reason"] == "harassment":
                c["summary_ja"] = None  # kasu-hara policy: the abuse stays with supervisors
    return _json(found)


async def api_flag(request: web.Request) -> web.Response:
    user = await api_user(request)
    data = await _body(request)
    key = _key(request)
    flagged = data.get("flagged", True)
    if not isinstance(flagged, bool):
        raise _error(400, "'flagged' must be true or false")
    note = _text(data, "note", MAX_FLAG_NOTE_CHARS, required=False) or ""
    if not flagged and not user.supervisor:
        raise _error(403, "only a supervisor may clear a harassment flag")
    flag = await request.app[CUSTOMERS].set_flag(key, flagged, user.name, note)
    return _json({"customer_id": key, "flag": flag.to_json()})


def setup(app: web.Application) -> None:
    """The history for the console, and for the dialogue manager (repeat openings, flags, case notes)."""
    manager = app[MANAGER]
    app[CUSTOMERS] = Customers(manager.store, app[DESK])
    manager.customers = app[CUSTOMERS]
    app.router.add_get("/agent/api/customers/{customer}", api_customer)
    app.router.add_post("/agent/api/customers/{customer}/flag", api_flag)

