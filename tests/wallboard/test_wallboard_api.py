"""The wallboard API: supervisors only, figures that move when an agent closes a contact, CSV export."""

from __future__ import annotations

from datetime import datetime

from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.records import put_records
from ivr.wallboard import BOARD_CACHE
from tests.agents.conftest import Client, app_client, hand_over, login, manager  # noqa: F401
from tests.crm.conftest import past


async def test_roles_and_bad_period(app_client: Client) -> None:  # noqa: F811
    assert (await app_client.get("/agent/api/wallboard")).status == 401
    await login(app_client)
    assert (await app_client.get("/agent/api/wallboard")).status == 403
    assert (await app_client.get("/agent/wallboard")).status == 403
    await login(app_client, "sam", "sam-pw")
    resp = await app_client.get("/agent/api/wallboard?period=1y")
    assert resp.status == 400 and "period" in (await resp.json())["error"]
    assert (await app_client.get("/agent/wallboard")).status == 200


async def test_closing_a_contact_moves_the_figures(app_client: Client, manager: DialogueManager) -> None:  # noqa: F811
    now = datetime.now(TOKYO)
    await put_records(manager.store, [{**past("old", 0), "started_at": now.replace(microsecond=0).isoformat(),
                                       "ended_at": now.replace(microsecond=0).isoformat(), "outcome": "resolved",
                                       "reason": None, "queue": None}])
    await login(app_client, "sam", "sam-pw")
    before = (await (await app_client.get("/agent/api/wallboard?period=all")).json())["kpis"]
    async with app_client.ws_connect("/chat/ws") as ws:
        await hand_over(ws)
        queue = (await (await app_client.get("/agent/api/queue")).json())["queue"]
        cid = queue[0]["conversation_id"]
        assert (await app_client.post(f"/agent/api/conversations/{cid}/accept")).status == 200
        assert (await app_client.post(f"/agent/api/conversations/{cid}/messages", json={"text": "お待たせいたしました"})).status == 201
        resp = await app_client.post(f"/agent/api/conversations/{cid}/close", json={"disposition": "解決"})
        assert resp.status == 200
    app_client.server.app[BOARD_CACHE].clear()  # the board is cached for a few seconds
    board = await (await app_client.get("/agent/api/wallboard?period=all")).json()
    after = board["kpis"]
    assert after["answered"] == before["answered"] + 1 and after["handovers"] == before["handovers"] + 1
    assert after["asa_seconds"] is not None and after["aht_seconds"] is not None and after["service_level"] == 1.0
    assert board["kpis"]["handovers_by_reason"] == {"human_request": 1}
    csv = await app_client.get("/agent/api/wallboard.csv?period=all")
    assert csv.status == 200 and csv.headers["Content-Disposition"].startswith("attachment")
    lines = (await csv.text()).splitlines()
    assert lines[0] == "section,key,value" and "kpis,answered,1" in lines


def test_stuck_steps_read_as_the_bot_names_them(manager: DialogueManager) -> None:  # noqa: F811
    from dialogue.kpis import MENU_STEP
    from ivr.wallboard import step_ja

    bot = manager.bot
    flow = bot.flow_for("order_status")
    assert flow is not None
    title = bot.labels["order_status"]
    assert step_ja(bot, flow.flow) == title  # the flow had started, no step yet
    assert step_ja(bot, f"{flow.flow}/lookup") == f"{title} — ご案内の途中"  # a look-up, not a question
    verify = bot.flows["verify_order"]  # the order number is asked there (called by order_status)
    asks = next(s for s in verify.steps if s.ask == "order_id")
    assert step_ja(bot, f"verify_order/{asks.id}").endswith(" — 注文番号の聞き取り")
    assert "verify_order" not in step_ja(bot, f"verify_order/{asks.id}")
    assert step_ja(bot, MENU_STEP) == MENU_STEP  # already words
    assert step_ja(bot, "gone_flow/ask_x") == "gone_flow/ask_x"  # a flow the bot no longer has: its id
