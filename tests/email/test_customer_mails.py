"""30 customer mails (tests/email/data/cases.yaml) through the real path: SMTP in, the dialogue, SMTP out."""

from __future__ import annotations

import os
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from dialogue.engine import DialogueManager
from dialogue.records import records
from tests.outreach.conftest import MailRig

DATA = Path(__file__).parent / "data"
CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
# what the right reply says, read by a person on the first run (an order's status asks for the registered phone
# number first: the bot's identity check, as on the phone), and whether agents get a case
PHONE = "ご登録のお電話番号"
LATER = "担当者が確認のうえ"
JUDGED: dict[str, tuple[str, bool]] = {
    "01": (PHONE, False), "02": (PHONE, False), "03": (PHONE, False), "04": (PHONE, False),
    "05": ("お客様のご都合による返品", False), "06": ("ポイントの有効期限は", False), "07": ("10時から21時", False),
    "08": (PHONE, False), "09": (LATER, True), "10": ("お控えください", False), "11": ("phone number", False),
    "12": ("ご用件を本文にご記入", False), "13": (PHONE, False), "14": (PHONE, False), "15": ("12月上旬", False),
    "16": ("代金引換", False), "17": (LATER, True), "18": (PHONE, False), "19": (PHONE, False), "20": ("提携駐車場", False),
    "21": (PHONE, False), "22": ("ギフト包装", False), "23": ("ご希望の日にち", False), "24": (LATER, True),
    "25": ("梅田店", False), "26": (LATER, True), "27": (PHONE, False), "28": ("アンケート", False),
    "29": (LATER, True), "30": ("見つかりませんでした", False),
}
# still wrong after the fixes (the report lists them)
WEAK: dict[str, str] = {}
DUMP = os.environ.get("EMAIL_DUMP")  # a folder: each case's reply and case note written there, to read


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_customer_mail(case: dict[str, Any], rig: MailRig, manager: DialogueManager) -> None:
    raw = (DATA / f"{case['id']}.eml").read_bytes()
    await rig.send(raw, sender="customer@example.jp")
    result = rig.handler.results[-1]
    reply = rig.sent.messages[0] if rig.sent.messages else None
    text = _text(reply) if reply is not None else ""
    waiting = await rig.agents.waiting()
    note: list[dict[str, Any]] = [r["case_note"] for r in await records(manager.store) if r.get("case_note")]
    if DUMP:
        out = Path(DUMP) / f"{case['id']}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"kind={result.kind} waiting={[(w.queue, w.case_id) for w in waiting]}\n"
                       f"subject={reply['Subject'] if reply else None} charset={reply.get_content_charset() if reply else None}\n"
                       f"note={note}\n---\n{text}", encoding="utf-8")
    right, first = JUDGED[case["id"]]
    if case["id"] in WEAK:
        pytest.xfail(WEAK[case["id"]])
    assert reply is not None, "no reply"
    if case["charset"] == "us-ascii" and re.search(r"[A-Za-z]{4,}", case["body"]) and not re.search(
            r"[\u3040-\u30ff\u4e00-\u9fff]", case["body"]):
        # an English mail is answered in English, frame and all: no Japanese salutation or formula in it
        assert text.splitlines()[0].startswith("Dear "), text[:40]
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), text
    else:
        assert text.splitlines()[0].endswith("様"), text[:40]
    assert right in text, text
    assert "通話" not in text, text  # phone wording (harassment_warning) has mail wording by mail
    assert first == bool(waiting), waiting
    if first:  # the case note a person reads says what the mail asked
        assert note, "no case note"
        for word in case["expect"].get("has", []):
            assert str(word) in text or str(word) in str(note[-1].get("problem")), (word, note[-1])
    if case["id"] == "26":  # a polite request to delete one's personal data is no harassment
        assert [w.queue for w in waiting] == ["general"], waiting
        assert not note[-1]["harassment_events"] and note[-1]["rule"] != "harassment_warn", note[-1]
        assert "お控えください" not in text, text


async def test_the_thread_goes_on_when_the_customer_answers_the_identity_question(rig: MailRig) -> None:
    """Mail 03 (a reply that thanks first, then cancels 23456789): the phone number by reply finishes it."""
    await rig.send((DATA / "03.eml").read_bytes(), sender="customer@example.jp")
    first = rig.sent.messages[0]
    assert "ご登録のお電話番号" in _text(first)
    answer = EmailMessage()
    answer["From"] = "鈴木一郎 <ichiro.suzuki@outlook.jp>"
    answer["To"] = "support@sakura-mart.example.jp"
    answer["Subject"] = "Re: " + str(first["Subject"])
    answer["Message-ID"] = "<case03-2@customer.example>"
    answer["In-Reply-To"] = first["Message-ID"]
    answer["References"] = f"<case03@customer.example> {first['Message-ID']}"
    answer.set_content("080-9876-5432です。\n\n" + "\n".join("> " + line for line in _text(first).splitlines()))
    await rig.send(answer, sender="customer@example.jp")
    second = _text(rig.sent.messages[1])
    assert rig.sent.messages[1]["In-Reply-To"] == "<case03-2@customer.example>"
    assert second.startswith("鈴木一郎様") and "ご注文番号23456789の電気ケトルをキャンセルいたします" in second, second
