"""Builds tests/email/data/NN.eml from cases.yaml (run: .venv/bin/python tests/email/data/build.py)."""

from __future__ import annotations

from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

HERE = Path(__file__).parent


def _text(body: str, charset: str, cte: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype)
    part.set_param("charset", charset)
    payload = body.encode(charset)
    if cte == "base64":
        import base64

        part.set_payload(base64.encodebytes(payload).decode("ascii"))
    elif cte == "quoted-printable":
        import quopri

        part.set_payload(quopri.encodestring(payload).decode("ascii"))
    else:
        part.set_payload(payload.decode("ascii", "surrogateescape"))
    part["Content-Transfer-Encoding"] = cte
    return part


def build(case: dict[str, Any]) -> bytes:
    charset = case["charset"]
    cte = case["cte"]
    body = case["body"] or ""
    text = _text(body, charset, cte, "html" if case.get("html_only") else "plain")
    if case.get("attachment"):
        att = case["attachment"]
        msg: Message = MIMEMultipart(boundary=f"==case{case['id']}==")
        msg.attach(text)
        blob = MIMEApplication(b"\xff\xd8" + b"\0" * att["size"], _subtype=att["type"].split("/")[1])
        blob.replace_header("Content-Type", att["type"])
        blob.add_header("Content-Disposition", "attachment", filename=att["name"])
        msg.attach(blob)
    else:
        msg = text
    hcs = "iso-2022-jp" if charset in ("iso-2022-jp", "shift_jis") else "utf-8"
    msg["From"] = case["from"] if case["from"].startswith("=?") else _addr(case["from"], hcs)
    msg["To"] = "support@sakuramart.example"
    if case.get("subject"):
        msg["Subject"] = Header(case["subject"], hcs).encode()
    msg["Date"] = formatdate(1795000000 + int(case["id"]) * 3600, localtime=False)
    msg["Message-ID"] = f"<case{case['id']}@customer.example>"
    if case.get("in_reply_to"):
        msg["In-Reply-To"] = case["in_reply_to"]
        msg["References"] = case["in_reply_to"]
    return msg.as_bytes()


def _addr(addr: str, cs: str) -> str:
    from email.utils import formataddr, parseaddr

    name, mail = parseaddr(addr)
    return formataddr((name, mail), charset=cs) if name else mail


if __name__ == "__main__":
    for case in yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8")):
        (HERE / f"{case['id']}.eml").write_bytes(build(case))
