"""The e-mail channel end to end: real SMTP in (aiosmtpd on loopback), the real dialogue, SMTP out to a capture."""

from __future__ import annotations

import asyncio
import base64
import smtplib
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from dialogue.clock import TOKYO
from dialogue.engine import DialogueManager
from dialogue.records import records
from ivr.email_channel import InboundHandler, MailDesk
from ivr.mail_smtp import SmtpRelay, start_smtp
from tests.outreach.conftest import SUPPORT, MailRig

QUOTED_HISTORY = """
2026年12月1日(火) 10:00 サクラマート <support@sakura-mart.example.jp>:
> いつもサクラマートをご利用いただき、誠にありがとうございます。
> 梅田店の営業時間は10時から20時です。
"""


def jis_mail(body: str, subject: str, message_id: str, *, name: str = "山田 太郎", address: str = "taro@example.jp",
             in_reply_to: str | None = None, references: str | None = None) -> bytes:
    """A mail as Japanese mailers have long sent it: ISO-2022-JP body and encoded-word headers."""
    msg = MIMEText(body, "plain", "iso-2022-jp")
    msg["From"] = f"{Header(name, 'iso-2022-jp').encode()} <{address}>"
    msg["To"] = SUPPORT
    msg["Subject"] = Header(subject, "iso-2022-jp").encode()
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    return msg.as_bytes()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


async def test_a_thread_asks_for_the_phone_then_answers_and_records_email(rig: MailRig, manager: DialogueManager) -> None:
    body = ("サクラマート御中\n\nお世話になっております。山田です。\n注文番号12345678の商品がまだ届きません。\n"
            "確認をお願いします。\n\nよろしくお願いいたします。\n\n--------------------\n山田 太郎\n"
            "TEL: 090-1234-5678\n--------------------\n" + QUOTED_HISTORY)
    await rig.send(jis_mail(body, "注文の件", "<m1@example.jp>"))

    first = rig.sent.messages[0]
    assert first["Subject"] == "Re: 注文の件"
    assert first["In-Reply-To"] == "<m1@example.jp>"
    assert first["To"] == "taro@example.jp" and first["From"] == SUPPORT
    assert first["Auto-Submitted"] == "auto-replied"
    assert first.get_content_charset() == "iso-2022-jp"
    text = text_of(first)
    assert text.startswith("山田 太郎様\n\nいつもサクラマートをご利用いただき、誠にありがとうございます。")
    assert "お電話番号" in text and "本メールにご返信" in text
    assert "今後ともよろしくお願いいたします。" in text and text.rstrip().endswith("━━━━━━━━━━━━━━━━━━━━")
    assert "アンケート" not in text  # nothing is finished yet

    answer = "09012345678です。\n\n" + "\n".join("> " + line for line in text.splitlines())
    await rig.send(jis_mail(answer, "Re: 注文の件", "<m2@example.jp>", in_reply_to=first["Message-ID"],
                            references=f"<m1@example.jp> {first['Message-ID']}"))
    second = rig.sent.messages[1]
    assert second["In-Reply-To"] == "<m2@example.jp>"
    assert second["References"].split() == ["<m1@example.jp>", first["Message-ID"], "<m2@example.jp>"]
    text = text_of(second)
    assert "配送中" in text and "ヤマト運輸" in text
    assert "ほかにご用件" not in text  # a mail does not ask "anything else?"
    assert "1(不満)から5(大変満足)" in text

    [record] = await records(manager.store)
    assert record["channel"] == "email" and record["caller"] == "taro@example.jp"
    assert record["outcome"] == "resolved" and record["intents"][0] == "order_status"
    assert record["transcript"][0] == {"speaker": "caller", "at": record["transcript"][0]["at"],
                                       "text": "注文番号12345678の商品がまだ届きません。確認をお願いします。"}
    assert record["satisfaction"] is None

    await rig.send(jis_mail("５\n\n" + "> " + text.replace("\n", "\n> "), "Re: 注文の件", "<m3@example.jp>",
                            in_reply_to=second["Message-ID"],
                            references=f"<m1@example.jp> {first['Message-ID']} <m2@example.jp> {second['Message-ID']}"))
    [record] = await records(manager.store)
    assert record["satisfaction"] == 5
    assert "アンケートにご回答いただき" in text_of(rig.sent.messages[2])


async def test_shift_jis_headers_and_body_are_read(rig: MailRig) -> None:
    name = base64.b64encode("佐藤 花子".encode("cp932")).decode()
    subject = base64.b64encode("営業時間について".encode("cp932")).decode()
    body = "お世話になります。\r\n梅田店の営業時間を教えてください。①駐車場もあれば助かります。\r\n"
    raw = (f"From: =?Shift_JIS?B?{name}?= <hanako@example.jp>\r\nTo: {SUPPORT}\r\n"
           f"Subject: =?Shift_JIS?B?{subject}?=\r\nMessage-ID: <sj1@example.jp>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode() + body.encode("cp932")
    await rig.send(raw, sender="hanako@example.jp")
    reply = rig.sent.messages[0]
    assert reply["Subject"] == "Re: 営業時間について"
    text = text_of(reply)
    assert text.startswith("佐藤 花子様\n") and "梅田店" in text and "10時" in text
    assert rig.handler.results[-1].kind == "answered"


async def test_a_request_for_a_person_becomes_a_case_on_the_desk(rig: MailRig, manager: DialogueManager) -> None:
    msg = EmailMessage()
    msg["From"] = "Kenji Suzuki <kenji@example.com>"
    msg["To"] = SUPPORT
    msg["Subject"] = "対応について"
    msg["Message-ID"] = "<u1@example.com>"
    msg.set_content("御社の対応にはがっかりしました。責任者と話をさせてください。\n\n-- \n鈴木\n")
    await rig.send(msg, sender="kenji@example.com")

    text = text_of(rig.sent.messages[0])
    assert text.startswith("お客様\n")  # a romaji display name is not guessed into a Japanese addressee
    assert "担当者が確認のうえ、改めてご連絡いたします" in text and "アンケート" not in text
    [waiting] = await rig.agents.waiting()
    assert waiting.channel == "email" and waiting.caller == "kenji@example.com" and waiting.case_id
    note = await manager.case_note(waiting.case_id)
    # disappointment plus a manager asked for: a complaint (complex) or a plain request for a person
    assert note is not None and note["reason"] in ("human_request", "complex")
    [record] = await records(manager.store)
    assert record["channel"] == "email" and record["outcome"] == "handover"

    follow_up = EmailMessage()  # the customer writes again before an agent answered: it is for the agent
    follow_up["From"] = "kenji@example.com"
    follow_up["Subject"] = "Re: 対応について"
    follow_up["Message-ID"] = "<u2@example.com>"
    follow_up["In-Reply-To"] = rig.sent.messages[0]["Message-ID"]
    follow_up.set_content("至急連絡をください。注文番号は12345678です。\n\n> 担当者が確認のうえ")
    await rig.send(follow_up, sender="kenji@example.com")
    assert len(rig.sent.messages) == 1 and rig.handler.results[-1].kind == "to_agent"
    said = [m.text for m in await rig.agents.messages(waiting.id) if m.kind == "user"]
    assert said[-1] == "至急連絡をください。注文番号は12345678です。"

    # the agent answers in the console; the answer goes out by mail, once, whichever worker sees it first
    await rig.agents.accept(waiting.id, "agent1", "佐藤")
    await rig.agents.post(waiting.id, "agent1", "ご不便をおかけし、誠に申し訳ございません。本日中にお電話いたします。")
    other_worker = MailDesk(manager, SmtpRelay("127.0.0.1", 1), rig.desk.config, desk=rig.agents)
    assert await rig.desk.relay_agent_answers() == 1
    assert await rig.desk.relay_agent_answers() == 0 and await other_worker.relay_agent_answers() == 0
    answer = rig.sent.messages[1]
    assert answer["In-Reply-To"] == "<u2@example.com>" and answer["Subject"] == "Re: 対応について"
    text = text_of(answer)
    assert "本日中にお電話いたします。\n\n(担当: 佐藤)" in text and "アンケート" not in text


async def test_out_of_hours_a_case_waits_for_the_next_agent_instead_of_a_phone_callback(
        rig: MailRig, manager: DialogueManager) -> None:
    rig.desk.clock = lambda: datetime(2026, 12, 6, 22, 0, tzinfo=TOKYO)  # a Sunday night: nobody on duty
    msg = EmailMessage()
    msg["From"] = "鈴木 健二 <kenji@example.com>"
    msg["Subject"] = "至急"
    msg["Message-ID"] = "<night@example.com>"
    msg.set_content("オペレーターと話したいです。")
    await rig.send(msg, sender="kenji@example.com")
    text = text_of(rig.sent.messages[0])
    assert text.startswith("鈴木 健二様\n") and "担当者が確認のうえ、改めてご連絡いたします" in text
    assert "折り返しお電話" not in text and "おつなぎできません" not in text
    [waiting] = await rig.agents.waiting()
    assert waiting.channel == "email" and waiting.reason == "human_request"
    [record] = await records(manager.store)
    assert (record["channel"], record["outcome"], record["reason"]) == ("email", "handover", "human_request")
    assert record["case_note"]["outcome"] == "handover"


async def test_a_message_without_sender_is_recorded_and_spooled_not_answered(rig: MailRig, manager: DialogueManager) -> None:
    await rig.send(b"Subject: hello\r\nMessage-ID: <x1@example.jp>\r\n\r\nno header says who sent this\r\n")
    assert rig.sent.messages == []
    [record] = await records(manager.store)
    assert record["reason"] == "unreadable_mail" and "no From" in record["case_note"]["summary_ja"]
    assert rig.desk.config.spool is not None and len(list(rig.desk.config.spool.glob("*.eml"))) == 1


async def test_a_large_attachment_is_kept_for_an_agent_and_the_question_answered(rig: MailRig) -> None:
    msg = MIMEMultipart()
    msg["From"] = "taro@example.jp"
    msg["To"] = SUPPORT
    msg["Subject"] = "渋谷店"
    msg["Message-ID"] = "<big@example.jp>"
    msg.attach(MIMEText("渋谷店の営業時間を教えてください。", "plain", "utf-8"))
    attachment = MIMEApplication(b"\0" * (10 * 1024 * 1024), Name="receipt.pdf")
    attachment["Content-Disposition"] = 'attachment; filename="receipt.pdf"'
    msg.attach(attachment)
    await rig.send(msg.as_bytes())
    text = text_of(rig.sent.messages[0])
    assert "渋谷店" in text and "添付いただいたファイルは担当者が確認いたします" in text
    assert rig.handler.results[-1].conversation_id.startswith("mail-")


@pytest.mark.parametrize("header", ["Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: <news.example.jp>"])
async def test_automatic_mail_is_never_answered(rig: MailRig, header: str) -> None:
    raw = (f"From: taro@example.jp\r\nSubject: =?UTF-8?B?5LiN5Zyo?=\r\nMessage-ID: <ooo@example.jp>\r\n{header}\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n").encode() + "梅田店の営業時間を教えてください。".encode()
    await rig.send(raw)
    assert rig.sent.messages == [] and rig.handler.results[-1].kind == "ignored"


async def test_a_bounce_is_never_answered(rig: MailRig) -> None:
    await rig.send(b"From: MAILER-DAEMON@example.jp\r\nSubject: Undelivered\r\n\r\nDelivery failed\r\n",
                   sender="")
    assert rig.sent.messages == [] and rig.handler.results[-1].kind == "ignored"


async def test_a_message_over_the_size_limit_is_refused_in_the_smtp_dialogue(rig: MailRig) -> None:
    small = await start_smtp(InboundHandler(rig.desk), "127.0.0.1", 0, max_bytes=1024 * 1024)
    port = small.sockets[0].getsockname()[1]
    raw = b"From: taro@example.jp\r\nSubject: big\r\n\r\n" + b"a" * (2 * 1024 * 1024) + b"\r\n"

    def deliver() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("taro@example.jp", [SUPPORT], raw)

    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPServerDisconnected)) as err:
        await asyncio.to_thread(deliver)
    assert "552" in str(err.value) or isinstance(err.value, smtplib.SMTPServerDisconnected)
    small.close()
    await small.wait_closed()
