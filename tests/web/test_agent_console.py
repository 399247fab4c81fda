"""The agent console: login, signed cookies, the JSON API and the KPIs."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from dialogue.engine import DialogueManager
from ivr.agent_console import COOKIE, ConsoleAuth, User, awaiting_ja, compute_kpis, parse_users

from .conftest import converse

Client = TestClient[Any, Any]
ORDER_RESOLVED = ["注文した商品が届かない", "12345678", "09012345678", "以上です"]
WANTS_A_PERSON = ["注文した商品が届かない", "オペレーターと話したい"]
ABUSE = ["バカ野郎", "土下座しろ"]
XSS = ['<img src=x onerror="alert(1)">', "オペレーターと話したい"]
API = ["/agent/api/me", "/agent/api/cases", "/agent/api/cases/CASE-x", "/agent/api/kpis", "/agent/api/live",
       "/agent/api/supervisor"]


async def login(client: Client, name: str, password: str) -> int:
    resp = await client.post("/agent/login", data={"username": name, "password": password}, allow_redirects=False)
    return resp.status


@pytest.mark.parametrize("path", API)
async def test_api_needs_a_login(client: Client, path: str) -> None:
    resp = await client.get(path)
    assert resp.status == 401 and (await resp.json())["error"] == "login required"


async def test_console_page_redirects_to_login(client: Client) -> None:
    resp = await client.get("/agent", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/agent/login"
    page = await client.get("/agent/login")
    assert page.status == 200 and 'name="password"' in await page.text()


@pytest.mark.parametrize(("name", "password"), [("alice", "wrong"), ("alice", ""), ("mallory", "alice-pw"),
                                                ("ALICE", "alice-pw")])
async def test_wrong_credentials_are_rejected(client: Client, name: str, password: str) -> None:
    assert await login(client, name, password) == 401
    assert COOKIE not in {c.key for c in client.session.cookie_jar}
    assert (await client.get("/agent/api/me")).status == 401


async def test_login_then_logout(client: Client) -> None:
    assert await login(client, "alice", "alice-pw") == 303
    # the names of colleagues the desk's events mention (no IVR_AGENT_NAMES here: their logins)
    me = await (await client.get("/agent/api/me")).json()
    assert {k: me[k] for k in ("name", "role", "display_name", "names")} == {
        "name": "alice", "role": "agent", "display_name": "alice", "names": {"alice": "alice", "sam": "sam"}}
    assert me["queue_labels"]["general"] == "一般窓口"  # the bot's own names (escalation_rules/queues.yaml)
    assert (await client.get("/agent")).status == 200
    resp = await client.post("/agent/logout", allow_redirects=False)
    assert resp.status == 303
    assert (await client.get("/agent/api/me")).status == 401


async def test_cross_site_login_is_refused(client: Client) -> None:
    resp = await client.post("/agent/login", data={"username": "alice", "password": "alice-pw"},
                             headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert resp.status == 403


def tampered(token: str) -> list[str]:
    payload, _, mac = token.partition(".")
    forged = ConsoleAuth(b"another secret", parse_users("alice:x:supervisor")).sign(User("alice", "x", "supervisor"))
    return [payload + "." + mac[:-1] + ("0" if mac[-1] != "0" else "1"), payload + ".", payload, forged,
            forged.partition(".")[0] + "." + mac, "", "...", "ü.ü"]


async def test_tampered_cookies_are_rejected(client: Client) -> None:
    assert await login(client, "alice", "alice-pw") == 303
    token = next(c.value for c in client.session.cookie_jar if c.key == COOKIE)
    for bad in tampered(token):
        client.session.cookie_jar.clear()
        resp = await client.get("/agent/api/me", cookies={COOKIE: bad})
        assert resp.status == 401, bad


def test_cookie_expires_and_follows_the_user_list() -> None:
    auth = ConsoleAuth(b"s", parse_users("alice:pw:agent"))
    token = auth.sign(auth.users["alice"], now=1_000_000)
    assert auth.verify(token, now=1_000_100) == auth.users["alice"]
    assert auth.verify(token, now=1_000_000 + 9 * 3600) is None
    demoted = ConsoleAuth(b"s", parse_users("alice:pw:supervisor"))
    assert demoted.verify(token, now=1_000_100) is None


@pytest.mark.parametrize("raw", ["alice", "alice:pw", "alice:pw:admin", ":pw:agent", "alice::agent", ","])
def test_bad_user_lists_fail_loudly(raw: str) -> None:
    with pytest.raises(ValueError, match="IVR_AGENT_USERS"):
        parse_users(raw)


def test_passwords_may_contain_colons_and_demo_accounts_are_the_default() -> None:
    assert parse_users("bob:a:b:c:agent")["bob"].password == "a:b:c"
    auth = ConsoleAuth.from_env({})
    assert auth.check("agent", "agent") is not None and auth.check("supervisor", "supervisor") is not None
    assert auth.check("agent", "supervisor") is None


async def test_cases_most_recent_first_with_transcript_on_demand(client: Client, manager: DialogueManager) -> None:
    first = await converse(manager, ORDER_RESOLVED)
    second = await converse(manager, WANTS_A_PERSON)
    await login(client, "alice", "alice-pw")
    cases = (await (await client.get("/agent/api/cases")).json())["cases"]
    assert [c["case_id"] for c in cases] == [second, first]
    assert cases[0]["outcome"] == "transferred" and cases[0]["reason"] == "human_request"
    assert cases[0]["intent"] == "order_status" and cases[0]["emotion_peak"] == "neutral"
    assert cases[0]["summary_ja"] and "transcript" not in cases[0]
    note = await (await client.get(f"/agent/api/cases/{second}")).json()
    assert [t["text"] for t in note["transcript"] if t["speaker"] == "caller"] == WANTS_A_PERSON
    assert (await client.get("/agent/api/cases/CASE-unknown")).status == 404


async def test_harassment_is_for_supervisors_only(client: Client, manager: DialogueManager) -> None:
    abuse = await converse(manager, ABUSE)
    await converse(manager, ORDER_RESOLVED)
    await login(client, "alice", "alice-pw")
    cases = (await (await client.get("/agent/api/cases")).json())["cases"]
    assert abuse not in [c["case_id"] for c in cases]
    assert (await client.get(f"/agent/api/cases/{abuse}")).status == 404
    assert (await client.get("/agent/api/supervisor")).status == 403
    await login(client, "sam", "sam-pw")
    supervisor = await (await client.get("/agent/api/supervisor")).json()
    assert [c["case_id"] for c in supervisor["harassment"]] == [abuse]
    assert supervisor["harassment"][0]["reason"] == "harassment"
    assert (await client.get(f"/agent/api/cases/{abuse}")).status == 200


async def test_kpis_from_case_notes(client: Client, manager: DialogueManager) -> None:
    for lines in (ORDER_RESOLVED, ORDER_RESOLVED, WANTS_A_PERSON, ABUSE):
        await converse(manager, lines)
    await login(client, "alice", "alice-pw")
    kpis = await (await client.get("/agent/api/kpis")).json()
    assert kpis["calls"] == 4 and kpis["resolved_by_bot_pct"] == 50.0 and kpis["transferred_pct"] == 25.0
    assert kpis["by_reason"] == {"human_request": 1, "harassment": 1}
    assert kpis["harassment"] == 1 and kpis["by_channel"] == {"chat": 4}


def test_kpis_of_nothing() -> None:
    assert compute_kpis([])["resolved_by_bot_pct"] == 0.0


async def test_live_conversations(client: Client, manager: DialogueManager) -> None:
    from dialogue.api import SessionStart, UserTurn

    sid, _ = await manager.start(SessionStart(channel="chat"))
    await manager.handle(sid, UserTurn(text="注文した商品が届かない"))
    await login(client, "alice", "alice-pw")
    live = (await (await client.get("/agent/api/live")).json())["live"]
    assert [(s["session_id"], s["awaiting"], s["last_caller_text"]) for s in live] == [
        (sid, "slot:order_id", "注文した商品が届かない")]
    assert live[0]["awaiting_ja"] == "注文番号"  # what the console shows, not `slot:order_id`


@pytest.mark.parametrize(("awaiting", "shown"), [("slot:phone_number", "電話番号"), ("confirm", "確認(はい・いいえ)"),
                                                 ("anything_else", "ほかのご用件の有無"), ("menu", "メニューの選択"),
                                                 ("slot:coupon_code", "coupon_code"), ("something_new", "—")])
def test_what_the_bot_waits_for_in_words(awaiting: str, shown: str) -> None:
    assert awaiting_ja(awaiting) == shown


async def test_caller_text_is_served_as_json_and_pages_never_embed_it(client: Client, manager: DialogueManager) -> None:
    case_id = await converse(manager, XSS)
    await login(client, "alice", "alice-pw")
    resp = await client.get(f"/agent/api/cases/{case_id}")
    assert resp.content_type == "application/json" and XSS[0] in str(await resp.json())
    page = await client.get("/agent")
    assert "onerror" not in await page.text() and "default-src 'self'" in page.headers["Content-Security-Policy"]
    js = await (await client.get("/agent/static/agent.js")).text()
    assert "innerHTML" not in js and "textContent" in js
