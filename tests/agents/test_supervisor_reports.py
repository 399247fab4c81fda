"""The supervisors' quality and forecast views of the console (ivr/qa_views.py, ivr/forecast_views.py)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogue.bot_project import load_project
from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.factory import BotPaths, build_manager
from dialogue.forecast import ForecastError
from dialogue.qa import Checker
from dialogue.qa_rules import DEFAULT_PROTOCOL, load_protocol
from dialogue.records import put_records
from dialogue.store import MemoryStore, SQLiteStore, StoredContact
from dialogue.synth import synthesize
from dialogue.yaml_source import REPO_ROOT
from ivr.forecast_views import FORECASTS
from ivr.ops_views import ComputeCache, read_records, records_state
from ivr.qa_views import CHECKER, QA_CACHE, mask_cards
from tests.agents.conftest import Client, agents_app, login

CARD = "4111111111111111"


def contact(cid: str, started_at: str, transcript: list[tuple[str, str]], *, agent: str | None = None,
            intents: tuple[str, ...] = ("billing_inquiry",)) -> dict[str, Any]:
    day = started_at[:10]
    return {"conversation_id": cid, "channel": "chat", "caller": None, "started_at": started_at,
            "ended_at": started_at[:14] + "59:00+09:00", "outcome": "handover" if agent else "resolved",
            "reason": "human_request" if agent else None, "queue": "billing" if agent else None,
            "intents": list(intents), "agent": agent, "disposition": "解決" if agent else None,
            "transcript": [{"speaker": who, "text": text, "at": f"{day}T{started_at[11:16]}:{n:02d}+09:00"}
                           for n, (who, text) in enumerate(transcript)]}


RUDE_AGENT = contact("qa-rude", "2026-11-20T10:00:00+09:00", [
    ("bot", "お問い合わせいただきありがとうございます。サクラマートでございます。ご用件をお話しください。"),
    ("caller", f"カードで払いたいです {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}"),
    ("agent", f"お待たせいたしました。担当の佐藤でございます。カード番号{CARD}で今調べてるよ。"),
    ("caller", "[DTMF 末尾4242]"),
    ("agent", "お問い合わせありがとうございました。失礼いたします。"),
], agent="alice")
POLITE_BOT = contact("qa-bot", "2026-11-21T15:00:00+09:00", [
    ("bot", "お問い合わせいただきありがとうございます。サクラマートでございます。ご用件をお話しください。"),
    ("caller", "梅田店の営業時間を教えてください"),
    ("bot", "梅田店の営業時間は10時から21時でございます。ご利用ありがとうございました。失礼いたします。"),
], intents=("store_hours",))
RUDE_END = datetime(2026, 11, 20, 12, 0, tzinfo=TOKYO)
LATER = contact("qa-later", "2026-11-25T09:00:00+09:00", [
    ("bot", "お問い合わせいただきありがとうございます。サクラマートでございます。ご用件をお話しください。"),
    ("caller", "梅田店って何時まで"),
    ("bot", "梅田店は21時までだよ。ご利用ありがとうございました。失礼いたします。"),
], intents=("store_hours",))


async def test_the_report_views_are_for_supervisors(app_client: Client) -> None:
    for path in ("/agent/api/qa", "/agent/api/forecast", "/agent/api/forecast.svg", "/agent/api/forecast.csv"):
        assert (await app_client.get(path)).status == 401, path
    for page in ("/agent/qa", "/agent/forecast"):
        resp = await app_client.get(page, allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/agent/login"
    await login(app_client)  # alice, an agent
    for path in ("/agent/api/qa", "/agent/api/forecast", "/agent/qa", "/agent/forecast"):
        assert (await app_client.get(path)).status == 403, path
    await login(app_client, "sam", "sam-pw")
    view = await app_client.get("/agent/qa")
    assert view.status == 200 and "応対品質チェック" in await view.text()
    assert "default-src 'self'" in view.headers["Content-Security-Policy"]
    for asset in ("qa.js", "forecast.js", "reports.css"):
        assert (await app_client.get(f"/agent/static/{asset}")).status == 200


async def test_qa_scores_each_contact_with_its_evidence_per_agent_flow_and_day(
        app_client: Client, manager: DialogueManager) -> None:
    await put_records(manager.store, [RUDE_AGENT, POLITE_BOT, LATER])
    await login(app_client, "sam", "sam-pw")
    resp = await app_client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21")
    assert resp.status == 200
    body = await resp.text()
    data = json.loads(body)
    assert (data["from"], data["to"], data["matching"]) == ("2026-11-20", "2026-11-21", 2)
    summary = data["summary"]
    assert summary["contacts"] == 2  # the 25th is outside the period
    assert [g["name"] for g in summary["by_agent"]] == ["(bot)", "alice"]
    assert [g["name"] for g in summary["by_flow"]] == ["billing_inquiry", "store_hours"]
    assert [g["name"] for g in summary["by_day"]] == ["2026-11-20", "2026-11-21"]
    alice = next(g for g in summary["by_agent"] if g["name"] == "alice")
    assert alice["failed_rules"] == {"plain_speech": 1}

    newest, rude = data["contacts"]  # newest first
    assert newest["conversation_id"] == "qa-bot" and newest["score"] == 100 and newest["failed"] == []
    assert rude["conversation_id"] == "qa-rude" and rude["score"] < 100
    [finding] = rude["failed"]
    assert (finding["rule"], finding["turn"], finding["speaker"]) == ("plain_speech", 2, "agent")
    assert "今調べてるよ" in finding["why"]
    # the card number the agent typed shows as its last four digits only, in the quote and the reason
    assert "末尾1111" in finding["text"] and "末尾1111" in finding["why"]
    assert CARD not in body and CARD[:4] + " " not in body

    only_alice = await (await app_client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21&agent=alice")).json()
    assert [c["conversation_id"] for c in only_alice["contacts"]] == ["qa-rude"]
    assert only_alice["summary"]["contacts"] == 2  # the summary stays the period's
    bot_only = await (await app_client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21&agent=(bot)")).json()
    assert [c["conversation_id"] for c in bot_only["contacts"]] == ["qa-bot"]
    failed = await (await app_client.get("/agent/api/qa?from=2026-11-20&to=2026-11-25&only=failed")).json()
    assert {c["conversation_id"] for c in failed["contacts"]} == {"qa-rude", "qa-later"}
    day = await (await app_client.get("/agent/api/qa?from=2026-11-20&to=2026-11-25&day=2026-11-25")).json()
    assert [c["conversation_id"] for c in day["contacts"]] == ["qa-later"]
    assert (await (await app_client.get("/agent/api/qa?from=2026-11-01&to=2026-11-30&limit=1")).json())["shown"] == 1


async def test_qa_scores_once_per_period_until_the_records_change(app_client: Client,
                                                                  manager: DialogueManager) -> None:
    await put_records(manager.store, [RUDE_AGENT])
    await login(app_client, "sam", "sam-pw")
    cache = app_client.app[QA_CACHE]
    url = "/agent/api/qa?from=2026-11-20&to=2026-11-21"
    first = await (await app_client.get(url)).json()
    again = await (await app_client.get(url + "&agent=alice")).json()
    assert first["summary"] == again["summary"] and cache.runs == 1
    await put_records(manager.store, [POLITE_BOT])
    # within a few seconds of the last answer the records are not read again (filters, reloads) ...
    assert (await (await app_client.get(url)).json())["summary"]["contacts"] == 1
    cache.fresh_s = 0.0  # ... after that, a new contact makes a new report
    assert (await (await app_client.get(url)).json())["summary"]["contacts"] == 2
    assert cache.runs == 2
    assert (await (await app_client.get(url)).json())["summary"]["contacts"] == 2
    assert cache.runs == 2  # read again, the same records: the report is the one made


async def test_a_sqlite_store_is_read_through_a_second_connection_in_a_thread(aiohttp_client: Any,
                                                                              tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "ivr.sqlite3")
    await put_records(store, [RUDE_AGENT, POLITE_BOT])
    rows, state = await read_records(store, until=datetime(2026, 11, 21, tzinfo=TOKYO))
    assert [r["conversation_id"] for r in rows] == ["qa-rude"]
    assert state == records_state(rows) and state == (await read_records(store, until=RUDE_END))[1]
    client: Client = await aiohttp_client(agents_app(build_manager(store=store)))
    await login(client, "sam", "sam-pw")
    data = await (await client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21")).json()
    assert [c["conversation_id"] for c in data["contacts"]] == ["qa-bot", "qa-rude"]


class DownStore(MemoryStore):
    """The records' database went away (a PostgreSQL restart, a full disk)."""

    async def contacts(self, since: datetime | None = None, *, only: str | None = None) -> list[StoredContact]:
        raise ConnectionRefusedError("connection refused")


async def test_a_store_that_does_not_answer_is_a_503_with_the_reason(aiohttp_client: Any) -> None:
    client: Client = await aiohttp_client(agents_app(build_manager(store=DownStore())))
    await login(client, "sam", "sam-pw")
    for path in ("/agent/api/qa", "/agent/api/forecast", "/agent/api/forecast.csv"):
        resp = await client.get(path)
        assert resp.status == 503, path
        assert "does not answer (ConnectionRefusedError)" in (await resp.json())["error"]


async def test_bad_qa_parameters_answer_400_with_the_reason(app_client: Client) -> None:
    await login(app_client, "sam", "sam-pw")
    for query, word in [("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-11-30&to=2026-11-01", "after"),
                        ("from=2024-01-01&to=2026-11-01", "366"), ("limit=0", "limit"), ("limit=abc", "limit"),
                        ("only=some", "only"), ("day=11/20", "day")]:
        resp = await app_client.get("/agent/api/qa?" + query)
        assert resp.status == 400, query
        assert word in (await resp.json())["error"], query


async def test_the_forecast_view_predicts_staffs_and_compares_with_the_naive_forecast(
        app_client: Client, manager: DialogueManager) -> None:
    await put_records(manager.store, synthesize(35, seed=3, per_day=40.0))
    await login(app_client, "sam", "sam-pw")
    resp = await app_client.get("/agent/api/forecast?weeks=1")
    assert resp.status == 200, await resp.text()
    data = await resp.json()
    assert data["selected"]["label"] == "すべての窓口" and len(data["intervals"]) == 7 * 48
    bt = data["summary"]["backtest"]
    assert 0 < bt["model_mape"] < 2 and 0 < bt["naive_mape"] < 2
    assert sum(i["contacts"] for i in data["intervals"]) > 7 * 20  # about 40 a day, minus the quiet Sunday
    assert max(i["agents"] for i in data["intervals"]) >= 1
    labels = {(o["channel"], o["queue"]): o["label"] for o in data["series_options"]}
    assert labels[("voice", "general")] == "電話・一般窓口"  # the queue's label from queues.yaml
    assert labels[("voice", "bot")] == "電話・自動応答で完結"

    general = await (await app_client.get("/agent/api/forecast?weeks=1&channel=voice&queue=general")).json()
    assert general["selected"]["label"] == "電話・一般窓口"
    assert sum(i["contacts"] for i in general["intervals"]) < sum(i["contacts"] for i in data["intervals"])
    bot = await (await app_client.get("/agent/api/forecast?weeks=1&queue=bot")).json()
    assert max(i["agents"] for i in bot["intervals"]) == 0  # nobody is staffed for the bot's own contacts

    svg = await app_client.get("/agent/api/forecast.svg?weeks=1&channel=voice&queue=general")
    assert svg.status == 200 and svg.content_type == "image/svg+xml"
    text = await svg.text()
    assert "<svg" in text and "電話・一般窓口" in text and "必要な人数" in text and "MAPE" in text

    got = await app_client.get("/agent/api/forecast.csv?weeks=1&channel=voice&queue=general")
    assert got.status == 200 and "attachment" in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await got.text())))
    assert len(rows) == 7 * 48 and {r["queue"] for r in rows} == {"general"}
    assert [int(r["agents"]) for r in rows] == [i["agents"] for i in general["intervals"]]
    # one fit for the JSON, the chart and the CSV of the same horizon and records
    assert app_client.app[FORECASTS].runs == 1


async def test_bad_forecast_parameters_and_short_history_are_4xx(app_client: Client,
                                                                 manager: DialogueManager) -> None:
    await login(app_client, "sam", "sam-pw")
    await put_records(manager.store, synthesize(10, seed=4, per_day=20.0))
    short = await app_client.get("/agent/api/forecast")
    assert short.status == 422 and "days" in (await short.json())["error"]
    for query, word in [("weeks=0", "weeks"), ("weeks=9", "weeks"), ("weeks=two", "weeks"),
                        ("service_level=1.5", "service_level"), ("answer_seconds=x", "answer_seconds")]:
        resp = await app_client.get("/agent/api/forecast?" + query)
        assert resp.status == 400, query
        assert word in (await resp.json())["error"], query
    await put_records(manager.store, synthesize(35, seed=4, per_day=20.0))
    for path in ("/agent/api/forecast", "/agent/api/forecast.svg", "/agent/api/forecast.csv"):
        resp = await app_client.get(path + "?weeks=1&queue=nowhere")
        assert resp.status == 400
        error = (await resp.json())["error"]
        assert "unknown queue 'nowhere'" in error and "general" in error
    assert (await app_client.get("/agent/api/forecast?weeks=1&channel=fax")).status == 400


async def test_a_computation_runs_off_the_event_loop_once_for_everyone_waiting() -> None:
    cache: ComputeCache[int] = ComputeCache()
    gate = threading.Event()
    calls = 0

    def slow() -> int:
        nonlocal calls
        calls += 1
        assert gate.wait(5)
        return 42

    first = asyncio.create_task(cache.get("k", "s1", slow))
    second = asyncio.create_task(cache.get("k", "s1", slow))
    await asyncio.sleep(0.05)
    assert not first.done()  # the loop went on while the computation waited in its thread
    gate.set()
    assert await first == await second == 42
    assert await cache.get("k", "s1", slow) == 42 and calls == 1 and cache.runs == 1

    def fails() -> int:
        raise ForecastError("only 3.0 days of contacts")

    for _ in range(2):  # an error is not kept: the next request tries again
        try:
            await cache.get("bad", "s1", fails)
        except ForecastError:
            pass
        else:
            raise AssertionError("the error did not reach the caller")
    assert cache.runs == 3


def test_card_numbers_show_as_their_last_four_digits() -> None:
    assert mask_cards(f"番号は{CARD}です") == "番号は末尾1111です"
    assert mask_cards("４１１１ １１１１ １１１１ １２３４ でお願いします") == "末尾1234 でお願いします"
    assert mask_cards("注文番号12345678、お電話09012345678") == "注文番号12345678、お電話09012345678"


NASTY = ["", " ", "\x00", "９", "1e3", "-1", "2026-02-30", "9999-12-31", "0001-01-01", "nan", "inf", "%",
         "a" * 500, "２０２６-１１-２０", "2026-11-20T10:00", "(bot)", "<script>"]


async def test_no_parameter_makes_a_report_fail_with_500(app_client: Client, manager: DialogueManager) -> None:
    await put_records(manager.store, synthesize(30, seed=6, per_day=10.0))
    await login(app_client, "sam", "sam-pw")
    for path, names in (("/agent/api/qa", ("from", "to", "limit", "only", "day", "agent", "flow")),
                        ("/agent/api/forecast.csv", ("weeks", "channel", "queue", "service_level", "answer_seconds"))):
        for name in names:
            for value in NASTY:
                resp = await app_client.get(path, params={name: value})
                assert resp.status < 500, (path, name, value, await resp.text())


async def test_the_qa_view_names_rules_and_requests_from_the_bots_data(aiohttp_client: Any, tmp_path: Path) -> None:
    """qa.js holds no names: the rules' labels come from the protocol (qa/protocol.yaml `label:`), the
    requests' from the bot's prompts (`label_<intent>`); a protocol with another label shows that one."""
    sample = build_manager()
    client = await aiohttp_client(agents_app(sample))
    await login(client, "sam", "sam-pw")
    labels = (await (await client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21")).json())["labels"]
    protocol = load_protocol()
    assert labels["rules"]["plain_speech"] == protocol.plain_speech.label == "タメ口"  # type: ignore[union-attr]
    assert labels["flows"]["store_hours"] == sample.bot.labels["store_hours"]
    assert labels["agents"]["alice"] == "佐藤"  # console users by their display names (IVR_AGENT_NAMES)

    changed = tmp_path / "protocol.yaml"
    changed.write_text(DEFAULT_PROTOCOL.read_text(encoding="utf-8").replace("label: タメ口", "label: 丁寧語でない話し方"),
                       encoding="utf-8")
    clinic = build_manager(BotPaths.of(load_project(REPO_ROOT / "bots" / "clinic")))
    app = agents_app(clinic)
    app[CHECKER]["checker"] = Checker(load_protocol(changed))
    client = await aiohttp_client(app)
    await login(client, "sam", "sam-pw")
    labels = (await (await client.get("/agent/api/qa?from=2026-11-20&to=2026-11-21")).json())["labels"]
    assert labels["rules"]["plain_speech"] == "丁寧語でない話し方"
    assert labels["flows"] == clinic.bot.labels and "store_hours" not in labels["flows"]
    assert "診察のご予約" in labels["flows"].values()
    script = (REPO_ROOT / "ivr" / "static" / "qa.js").read_text(encoding="utf-8")
    assert "タメ口" not in script and "配送状況" not in script  # no copy of the data's names in the page
