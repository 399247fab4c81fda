"""Japanese business mail as text: parse a received message, keep the customer's own words, write the reply.

Pure functions over the stdlib `email` package (policy.default decodes RFC 2047 headers in any charset).
Bodies are decoded here rather than by `get_content()`, because Japanese mailers label cp932 text as
Shift_JIS and JIS X 0212 text as ISO-2022-JP: the supersets read what the labels promise and more.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from html.parser import HTMLParser

MAX_BODY_CHARS = 4000  # what the NLU reads of one mail: an inquiry, not a document
# labels Japanese mailers use, and the codec that reads what they really send
_CODECS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
           "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext", "euc-jp": "euc_jis_2004"}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# where quoted history starts: everything from this line on is an earlier message
_QUOTE_HEADERS = (
    re.compile(r"^\s*-{2,}\s*(Original Message|元のメッセージ|Forwarded message|転送メッセージ)\s*-{2,}", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted header block
    re.compile(r"wrote\s*[:：]\s*$", re.I),  # On Tue, 1 Dec 2026 at 10:00, Taro <taro@example.jp> wrote:
    re.compile(r"(さんは書きました|のメッセージ|が書きました)\s*[:：]?\s*$"),
    re.compile(r"^.{1,80}様より\s*[:：]?\s*$"),  # 山田太郎様より：
    re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日.{0,40}<[^>]+@[^>]+>.{0,10}[:：]\s*$"),  # Gmail (Japanese)
    re.compile(r"^\s*\d{4}[/-]\d{1,2}[/-]\d{1,2}.{0,40}<[^>]+@[^>]+>.{0,10}[:：]\s*$"),
    re.compile(r"^\s*(From|差出人)\s*[:：].*@"),  # Outlook's header block of the quoted message
)
_QUOTED_LINE = re.compile(r"^\s*[>＞|｜]")
# a signature starts at "-- " or at a rule of decoration characters, near the end of the mail
_SIG_RULE = re.compile(r"^\s*(--\s*|[-=_~*#─━＝＿～〜※◆◇■□●○★☆・･]{5,})\s*$")
_SIG_MAX_LINES = 12
_CONTACT_LINE = re.compile(r"(TEL|Tel|tel|FAX|Fax|電話|携帯|E-?mail|Mail|〒|https?://|@)")
# a sentence, not a contact line: 「09012345678 に折り返しお電話いただけますか。」 is a request
_SENTENCE_END = re.compile(r"[。？！?!]\s*$|(ください|ますか|ません|です|ます|たい)\s*$")
# a line the mailer wrapped mid-sentence: it ends in a particle or a comma, the sentence goes on below
_WRAPPED = re.compile(r"[をがにはのとでへもや、，,]\s*$")
# business-mail formulas that carry no request (an NLU would read them as a greeting or thanks)
_ADDRESS_LINE = re.compile(r"^\s*.{0,40}(御中|ご担当者様|ご担当者さま|ご担当様|担当者様|各位)\s*$")
_FORMULAS = re.compile(
    r"^(いつも)?(大変)?お世話に(なっております|なります|なってます)|^(はじめまして|初めまして|突然のご連絡失礼いたします)"
    r"|^(どうぞ|何卒|なにとぞ)?(よろしく|宜しく)お願い(いた|致)?します|^以上[、,]?(よろしく|宜しく)お願い"
    r"|^以上(です|となります)?$|^.{1,20}と申します$"
    r"|^[^\d０-９]{0,30}(よろしく|宜しく)お願い(いた|致)?(します|申し上げます)$|^[^\d０-９]{1,30}でございます$"
)
# thanks for the last answer before the request (「ご回答ありがとうございます。注文番号は…」): dropped when more follows
_LABEL_COLON = re.compile(r"(番号|電話|TEL|Tel|tel)\s*[:：]\s*(?=[\d０-９])")
_THANKS = re.compile(r"^[^\d０-９]{0,20}(ご回答|ご返信|お返事|ご連絡|ご対応|ご案内|ご返答)[^\d０-９]{0,12}ありがとうございま(す|した)$")
_PLACEHOLDER_SUBJECTS = frozenset({"", "(no subject)", "no subject", "無題", "件名なし", "(件名なし)", "お問い合わせ",
                                   "問い合わせ", "お問合せ", "質問", "ご質問"})
_SELF_INTRO = re.compile(r"^[^\d０-９、,。]{1,10}(?<!たい)(?<!ない)(?<!した)です$")  # 山田です。 before the request (not はい、そうです)
_ROBOTS = frozenset({"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply"})
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")


class MailError(ValueError):
    """A message that cannot be read as a mail (no sender, not a message at all)."""


@dataclass(frozen=True, slots=True)
class InboundMail:
    message_id: str
    sender: str  # the address, lower-cased
    sender_name: str  # the display name ("山田 太郎"), or ""
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str  # the decoded body, quotes and all
    words: str  # the customer's own words: quotes, signature and formulas removed
    attachments: tuple[tuple[str, int], ...] = ()  # (file name, bytes) of parts not read
    charset: str = "utf-8"  # of the body as received: replies go back in a charset the sender reads
    automatic: bool = False  # an auto-reply, a bounce or list mail: never answered (no mail loops)

    @property
    def thread_id(self) -> str:
        """The first message of the thread: what every message of one conversation shares."""
        return self.references[0] if self.references else self.in_reply_to or self.message_id


def conversation_id(thread_id: str) -> str:
    return "mail-" + hashlib.blake2b(thread_id.encode("utf-8"), digest_size=10).hexdigest()


# -- reading ---------------------------------------------------------------------------------------

def parse_mail(raw: bytes) -> InboundMail:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it raises is a broken message
        raise MailError(f"not a mail message: {exc}") from exc
    if not isinstance(msg, EmailMessage):
        raise MailError("not a mail message")
    sender_name, sender = _sender(msg)
    if not sender:
        raise MailError("the message has no From address")
    text, charset, attachments = _body(msg)
    message_id = _ids(_header(msg, "Message-ID"))
    return InboundMail(
        message_id=message_id[0] if message_id else make_msgid(domain="unknown.invalid"),
        sender=sender, sender_name=sender_name, subject=_header(msg, "Subject").strip(),
        in_reply_to=next(iter(_ids(_header(msg, "In-Reply-To"))), None),
        references=tuple(_ids(_header(msg, "References"))), text=text,
        words=own_words(text) or subject_words(_header(msg, "Subject")),
        attachments=tuple(attachments), charset=charset, automatic=_automatic(msg, sender),
    )


def _automatic(msg: EmailMessage, sender: str) -> bool:
    """RFC 3834: no automatic answer to automatic mail (out-of-office, bounces, mailing lists)."""
    submitted = _header(msg, "Auto-Submitted").strip().lower()
    precedence = _header(msg, "Precedence").strip().lower()
    local = sender.split("@", 1)[0]
    return (bool(submitted) and submitted != "no" or precedence in ("bulk", "list", "junk")
            or bool(_header(msg, "List-Id")) or local in _ROBOTS)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header whose encoded words do not decode: read it as nothing
        return ""
    return str(value) if value is not None else ""


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _sender(msg: EmailMessage) -> tuple[str, str]:
    pairs = getaddresses([_header(msg, "Reply-To") or _header(msg, "From")])
    for name, address in pairs:
        if "@" in address:
            name = name.strip()
            return ("" if "@" in name else name), address.strip().lower()
    return "", ""


def _decode(part: EmailMessage) -> tuple[str, str]:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    label = (part.get_content_charset() or "").lower()
    if not label:
        for guess in ("utf-8", "iso2022_jp_ext", "cp932"):  # unlabelled Japanese: try what it likely is
            try:
                return data.decode(guess), "utf-8" if guess == "utf-8" else "iso-2022-jp"
            except UnicodeDecodeError:
                continue
        label = "utf-8"
    try:
        return data.decode(_CODECS.get(label, label), errors="replace"), label
    except LookupError:
        return data.decode("utf-8", errors="replace"), "utf-8"


def _body(msg: EmailMessage) -> tuple[str, str, list[tuple[str, int]]]:
    plain: EmailMessage | None = None
    html: EmailMessage | None = None
    attachments: list[tuple[str, int]] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment" or part.get_filename():
            payload = part.get_payload(decode=True)
            attachments.append((part.get_filename() or "(名前なし)", len(payload) if isinstance(payload, bytes) else 0))
        elif part.get_content_type() == "text/plain" and plain is None:
            plain = part
        elif part.get_content_type() == "text/html" and html is None:
            html = part
    if plain is not None:
        text, charset = _decode(plain)
    elif html is not None:
        markup, charset = _decode(html)
        text = _html_text(markup)
    else:
        text, charset = "", "utf-8"
    return text.replace("\r\n", "\n").replace("\r", "\n"), charset, attachments


class _TextOfHtml(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "blockquote"})

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "blockquote":
            self.quote += 1
        if tag in self._BREAKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "blockquote" and self.quote:
            self.quote -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.quote:  # quoted history in HTML mail is a <blockquote>
            self.out.append(data)


def _html_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    return "".join(parser.out)


# -- the customer's own words ------------------------------------------------------------------------

def strip_quotes(text: str) -> str:
    """The new part of a reply: quoted lines and the quoted history below a quote header removed."""
    kept: list[str] = []
    for line in text.split("\n"):
        if any(p.search(line) for p in _QUOTE_HEADERS):
            break
        if not _QUOTED_LINE.match(line):
            kept.append(line)
    return "\n".join(kept).strip()


def strip_signature(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        # a rule near the end, or "-- ": what follows is the signature (a rule in the middle is decoration)
        if _SIG_RULE.match(line) and (line.strip() == "--" or len(lines) - i <= _SIG_MAX_LINES):
            lines = lines[:i]
            break
    while lines and (not lines[-1].strip() or _CONTACT_LINE.search(lines[-1]) and len(lines[-1]) < 80
                     and not _SENTENCE_END.search(lines[-1])):
        lines.pop()  # contact lines at the end without a rule above them
    return "\n".join(lines).strip()


def own_words(text: str) -> str:
    """What the customer asks, as one text for the NLU: no quotes, signature, salutations or formulas."""
    lines = strip_signature(strip_quotes(text)).split("\n")
    head = next((i for i, line in enumerate(lines[:4]) if _ADDRESS_LINE.match(line)), None)
    if head is not None:  # 「株式会社サクラマート」 above 「ご担当者様」: the addressee, not the request
        lines = lines[head + 1:]
    joined: list[str] = []
    for line in lines:
        if joined and _WRAPPED.search(joined[-1]) and line.strip():
            joined[-1] = joined[-1].rstrip() + line.strip()
        else:
            joined.append(line)
    sentences: list[str] = []
    for line in joined:
        if _ADDRESS_LINE.match(line):
            continue
        for m in _SENTENCE.finditer(line):
            sentence = m.group(0).strip()
            if sentence and not _FORMULAS.search(sentence.rstrip("。！？!? ")):
                sentences.append(sentence if sentence[-1] in "。！？!?" else sentence + "。")
    if len(sentences) > 1 and _SELF_INTRO.match(sentences[0].rstrip("。！？!? ")):
        sentences.pop(0)
    while len(sentences) > 1 and _THANKS.match(sentences[0].rstrip("。！？!? ")):
        sentences.pop(0)
    # 「注文番号：12345678」 as forms write it: the label's colon goes, the number reads as 「注文番号12345678」
    return _LABEL_COLON.sub(r"\1", "".join(sentences))[:MAX_BODY_CHARS]


def subject_words(subject: str) -> str:
    """A mail whose request is all in the subject (「ポイントの有効期限を教えてください」, empty body): the subject.

    Not a reply's or forward's subject (the thread's topic, not a new request), nor a placeholder (無題)."""
    bare = subject.strip()
    if re.match(r"^\s*(re|fw|fwd|ｒｅ|ＲＥ|Ｒｅ)\s*[:：]", bare, re.I):
        return ""
    bare = re.sub(r"【[^】]*】|\[[^\]]*\]", "", bare).strip()
    if bare.lower() in _PLACEHOLDER_SUBJECTS:
        return ""
    return bare if bare[-1:] in "。！？!?" else bare + "。"


def addressee(mail: InboundMail) -> str:
    """宛名: 山田 太郎様 from the display name; お客様 when the sender gave none (or only romaji)."""
    name = re.sub(r"\s*(様|さま|殿)$", "", mail.sender_name).strip()
    if not name or not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name):
        return "お客様"
    return f"{name}様"


def addressee_en(mail: InboundMail) -> str:
    """The salutation of an English reply: 「Dear John Smith,」 from the display name, else 「Dear Customer,」."""
    name = re.sub(r"\s*(様|さま|殿)$", "", mail.sender_name).strip()
    return f"Dear {name}," if name else "Dear Customer,"


# -- writing -----------------------------------------------------------------------------------------

def reply_subject(subject: str) -> str:
    bare = re.sub(r"^\s*((re|ｒｅ|Ｒｅ|RE|Re)\s*[:：]\s*)+", "", subject, flags=re.I).strip()
    return f"Re: {bare or 'お問い合わせの件'}"


def compose(addressee: str, greeting: str, paragraphs: Iterable[str], closing: str, signature: str) -> str:
    """A business mail: 宛名, 挨拶, 本文, 結び, 署名, each separated by a blank line."""
    body = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    return f"{addressee}\n\n{greeting.strip()}\n\n{body}\n\n{closing.strip()}\n\n{signature.strip()}\n"


def reply_message(mail: InboundMail, sender: str, text: str, *, now: datetime, message_id: str) -> EmailMessage:
    """The reply to `mail`, threaded (In-Reply-To, References) and in ISO-2022-JP when it can be."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = mail.sender
    msg["Subject"] = reply_subject(mail.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["In-Reply-To"] = mail.message_id
    msg["References"] = " ".join([*mail.references, mail.message_id][-20:])
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: other robots do not answer this one
    msg.set_content(text, charset=body_charset(text))
    return msg


def body_charset(text: str) -> str:
    """ISO-2022-JP, which every Japanese mailer reads, unless the text holds a character outside JIS."""
    try:
        text.encode("iso-2022-jp")
    except UnicodeEncodeError:
        return "utf-8"
    return "iso-2022-jp"
