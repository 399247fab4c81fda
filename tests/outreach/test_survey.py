"""The satisfaction survey: keypad 1-5 after a call, a rating from the chat widget, kept on the record."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from dialogue.api import SessionStart, UserTurn
from dialogue.engine import DialogueManager
from dialogue.records import records, write_jsonl
from dialogue.survey import chat_frame, parse_rating, summary
from tests.outreach.conftest import NOW
from tests.voice.conftest import ClientMaker, Phone, spoken, voice_app


@pytest.mark.parametrize(("text", "rating"), [
    ("5", 5), ("５", 5), ("4です", 4), ("評価：三", 3), ("満足度は2点です。", 2), ("1", 1),
    ("6", None), ("0", None), ("12345678", None), ("①駐車場はありますか", None), ("", None),
    ("3番の商品について教えてください", None),
])
def test_parse_rating(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating


async def test_a_caller_rates_the_call_on_the_keypad(manager: DialogueManager, aiohttp_client: ClientMaker) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(voice_app(manager))
    phone = Phone(client, "CA" + uuid.uuid4().hex)
    await phone.dial()
    await phone.say("梅田店の営業時間を教えてください")
    await phone.say("以上です")
    assert phone.twiml is not None and phone.twiml.find("Hangup") is None
    redirect = phone.twiml.find("Redirect")  # the call goes on to the survey instead of hanging up
    assert redirect is not None and redirect.text == "/survey/twilio" and redirect.get("method") == "POST"

    root = await phone.post(redirect.text, phone.params())
    assert root is not None
    gather = phone.gather()
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    assert "5、満足は4" in spoken(root)
    again = await phone.press("9")  # not a rating: asked once more
    assert "1から5のいずれか" in spoken(again)
    done = await phone.press("4")
    assert "ありがとうございました" in spoken(done) and done.find("Hangup") is not None
    [record] = await records(manager.store)
    assert record["conversation_id"] == phone.sid and record["satisfaction"] == 4 and record["channel"] == "voice"


async def test_no_valid_key_twice_leaves_the_record_unrated(manager: DialogueManager, aiohttp_client: ClientMaker) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(voice_app(manager))
    phone = Phone(client, "CA" + uuid.uuid4().hex)
    await phone.dial()
    await phone.hang_up()
    await phone.post("/survey/twilio", phone.params())
    await phone.press("0")
    done = await phone.press("#")
    assert done.find("Gather") is None and done.find("Hangup") is not None
    [record] = await records(manager.store)
    assert record["satisfaction"] is None


async def test_an_unsigned_survey_answer_is_refused(manager: DialogueManager, aiohttp_client: ClientMaker) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(voice_app(manager))
    phone = Phone(client, "CA" + uuid.uuid4().hex, token=None)
    assert await phone.post("/survey/twilio/answer", phone.params(Digits="5")) is None
    assert phone.status == 403


async def test_the_chat_widget_shows_the_frame_and_posts_a_rating(manager: DialogueManager,
                                                                 aiohttp_client: ClientMaker) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(voice_app(manager))
    sid, _ = await manager.start(SessionStart(channel="chat", now=NOW))
    assert (await client.post(f"/survey/{sid}", json={"rating": 5})).status == 404  # still talking to the bot
    await manager.handle(sid, UserTurn(text="梅田店の営業時間を教えてください"))
    await manager.hangup(sid)

    frame = await (await client.get(f"/survey/chat/{sid}")).json()
    assert frame == chat_frame(manager.bot, sid)
    assert frame["type"] == "survey" and [o["rating"] for o in frame["options"]] == [1, 2, 3, 4, 5]
    assert frame["options"][4]["label"] == "大変満足"
    for bad in ({"rating": 6}, {"rating": "5"}, {"rating": True}, [5]):
        assert (await client.post(f"/survey/{sid}", json=bad)).status == 400
    assert (await client.post(f"/survey/{sid}", data=b"{not json")).status == 400
    assert (await client.post("/survey/nobody", json={"rating": 3})).status == 404
    assert (await client.post(f"/survey/{sid}", json={"rating": 5})).status == 204

    [record] = await records(manager.store)
    assert record["satisfaction"] == 5

    class Lines:
        text = ""

        def write(self, s: str) -> int:
            self.text += s
            return len(s)

    out = Lines()
    write_jsonl([record], out)  # type: ignore[arg-type]
    assert '"satisfaction": 5' in out.text


def test_survey_kpis() -> None:
    rows: list[dict[str, Any]] = [{"channel": "voice", "satisfaction": 5}, {"channel": "voice", "satisfaction": 2},
            {"channel": "chat", "satisfaction": 4}, {"channel": "chat", "satisfaction": None},
            {"channel": "email", "satisfaction": None}]
    kpis = summary(rows)
    assert kpis["contacts"] == 5 and kpis["responses"] == 3 and kpis["response_rate"] == 0.6
    assert kpis["mean"] == 3.67 and kpis["csat"] == 0.667
    assert kpis["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert kpis["by_channel"]["voice"]["csat"] == 0.5 and kpis["by_channel"]["chat"]["response_rate"] == 0.5
