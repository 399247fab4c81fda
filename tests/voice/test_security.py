"""Webhook security: Twilio's signature scheme, replays, sizes and malformed bodies (SPEC 7.3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from dialogue.engine import DialogueManager
from ivr.voice_common import APOLOGY, VoiceConfig
from tests.voice.conftest import TOKEN, ClientMaker, Phone, call_sid, spoken, voice_app

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


def doc_params(caller: str) -> dict[str, str]:
    return {"CallSid": "CA1234567890ABCDE", "Caller": caller, "Digits": "1234", "From": caller, "To": "+18005551212"}


# Twilio's worked example (auth token "12345"): the current webhook-security page uses +14158675310;
# the older page and twilio-node's own test suite use +14158675309.
@pytest.mark.parametrize(("caller", "signature"), [
    ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),
    ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
])
def test_documented_signature_vector(caller: str, signature: str) -> None:
    validator = RequestValidator("12345")
    assert validator.compute_signature(DOC_URL, doc_params(caller)) == signature
    assert validator.validate(DOC_URL, doc_params(caller), signature)
    assert not validator.validate(DOC_URL, {**doc_params(caller), "Digits": "9999"}, signature)


async def test_unsigned_and_badly_signed_requests_get_403_and_run_no_turn(aiohttp_client: ClientMaker,
                                                                          manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    unsigned = Phone(client, call_sid(20), token=None)
    assert await unsigned.post("/voice/twilio", unsigned.params()) is None and unsigned.status == 403
    forged = Phone(client, call_sid(20), token="not-the-token")
    assert await forged.post("/voice/twilio", forged.params()) is None and forged.status == 403
    assert await manager.state(call_sid(20)) is None


async def test_tampered_parameter_is_refused(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(21))
    await phone.dial()
    url = str(client.make_url("/voice/twilio/turn?seq=x"))
    params = phone.params(SpeechResult="オペレーター")
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    resp = await client.post("/voice/twilio/turn?seq=x", data={**params, "SpeechResult": "キャンセル"},
                             headers={"X-Twilio-Signature": signature})
    assert resp.status == 403


async def test_replayed_request_is_refused(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(22))
    await phone.dial()
    action = phone.gather().get("action", "")
    params = phone.params(SpeechResult="注文した商品が届かない")
    assert await phone.post(action, params) is not None
    # the same Gather result again runs no turn; the caller (if any) is asked to say it again
    again = await phone.post(action, params)
    assert again is not None and APOLOGY in spoken(again) and again.find("Gather") is not None
    state = await manager.state(phone.sid)
    assert state is not None and state.intents == ("order_status",)
    status = phone.params(CallStatus="completed")
    assert await phone.post("/voice/twilio/status", status) is None and phone.status == 204
    assert await phone.post("/voice/twilio/status", status) is None and phone.status == 409


async def test_oversized_and_malformed_bodies(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager))
    phone = Phone(client, call_sid(23))
    assert (await phone.post("/voice/twilio", phone.params(Junk="x" * 20_000))) is None and phone.status == 413
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    resp = await client.post("/voice/twilio", data=b"\xff\xfe=%%%", headers=form)
    assert resp.status == 400
    resp = await client.post("/voice/twilio", json={"CallSid": call_sid(23)})
    assert resp.status == 400
    bad_sid = Phone(client, "CA-not-a-sid")
    assert await bad_sid.post("/voice/twilio", bad_sid.params()) is None and bad_sid.status == 400


async def test_without_token_only_loopback_is_served(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    client = await aiohttp_client(voice_app(manager, VoiceConfig()))
    phone = Phone(client, call_sid(24), token=None)
    assert await phone.dial() is not None
    resp = await client.post("/voice/twilio", data=Phone(client, call_sid(25)).params(),
                             headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.status == 403


async def test_signature_over_the_public_url_behind_a_proxy(aiohttp_client: ClientMaker, manager: DialogueManager) -> None:
    cfg = VoiceConfig(auth_token=TOKEN, trust_forwarded=True)
    client = await aiohttp_client(voice_app(manager, cfg))
    params = Phone(client, call_sid(26)).params()
    signature = RequestValidator(TOKEN).compute_signature("https://ivr.example.co.jp/voice/twilio", params)
    headers = {"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.co.jp"}
    assert (await client.post("/voice/twilio", data=params, headers=headers)).status == 200
    # the same headers are not honoured unless the deployment says it sits behind its own proxy
    client2 = await aiohttp_client(voice_app(manager))
    params = Phone(client2, call_sid(27)).params()
    signature = RequestValidator(TOKEN).compute_signature("https://ivr.example.co.jp/voice/twilio", params)
    headers["X-Twilio-Signature"] = signature
    assert (await client2.post("/voice/twilio", data=params, headers=headers)).status == 403


def test_config_file_outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "voice.json"
    path.write_text('{"auth_token": "from-file", "public_base_url": "https://ivr.example.jp", "queue_digits": {"general": "1"}}')
    monkeypatch.setenv("IVR_VOICE_CONFIG", str(path))
    cfg = VoiceConfig.from_env()
    assert cfg.auth_token == "from-file" and cfg.public_base_url == "https://ivr.example.jp"
    assert cfg.queue_digits == {"general": "1"}
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "from-env")
    assert VoiceConfig.from_env().auth_token == "from-env"  # the environment wins over the file
