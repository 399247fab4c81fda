"""The e-mail channel: customer mail in over SMTP, understood by the same dialogue, answered by mail.

A mail thread is one conversation (its id comes from the thread's first Message-ID; our replies carry the
session in their own Message-ID, so a customer's answer to a question continues that session). Routine
requests are answered in business-mail style from the bot's prompts (prompts/outreach.yaml); anything the
bot hands over becomes a case on the agents' desk with its case note. Every received message is written to
the spool directory before it is read, so a message that breaks the parser is still there for a person.

Enabled when `IVR_MAIL_LISTEN=host:port` is set: the server listens for SMTP there (put it on loopback
behind the company's MTA) and sends replies through `IVR_MAIL_RELAY` (host:port) from `IVR_MAIL_FROM`.
See docs/outreach.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Literal

from aiohttp import web

from dialogue.api import CallerInfo, SessionStart, UserTurn
from dialogue.clock import TOKYO
from dialogue.crm import flagged_route
from dialogue.customer_keys import customer_key
from dialogue.desk import MAX_MESSAGE_CHARS, OPEN, Contact, Desk
from dialogue.engine import DialogueManager
from dialogue.interpret import CONFIDENT
from dialogue.mail_text import (
    InboundMail,
    MailError,
    addressee,
    addressee_en,
    compose,
    conversation_id,
    parse_mail,
    reply_message,
)
from dialogue.mail_threads import MailThreads, ThreadHead, mail_threads_for
from dialogue.records import put_records, record_of
from dialogue.state import AwaitOffer
from dialogue.store import RecordStore, aware
from dialogue.survey import parse_rating, record_rating
from ivr.app_keys import MANAGER
from ivr.mail_smtp import MailConfig, Sender, SmtpRelay, start_smtp
from ivr.survey_channel import count_rating

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?\n]*")

log = logging.getLogger("ivr.email")
MailKind = Literal["answered", "asked", "handover", "to_agent", "agent", "rating", "unreadable", "ignored"]
RELAY_INTERVAL_S = 5.0  # how often agents' answers to e-mail cases are looked for
UNCLEAR_MAIL = "unclear_mail"  # the reason of a mail the bot could not read surely: a person answers it
RELAY_LOOKBACK_S = 3600.0  # an answer posted just before the agent closed the case still goes out


@dataclass(frozen=True)
class MailResult:
    conversation_id: str
    kind: MailKind
    reply: EmailMessage | None
    sent: bool = False


class MailDesk:
    """Processes one received message: understand, answer or hand over, reply, record."""

    def _asking_words(self, words: str, now: datetime) -> str:
        """The sentence that asks, when only it is sure of what the whole mail means; else the whole mail.

        A mail says more than a caller's turn (「梅田店の営業時間を教えてください。駐車場もあれば助かります。」): the
        extra sentences can leave the whole text just short of a sure reading, and the reply would ask
        「…のお問い合わせでよろしいでしょうか」 by mail. When one sentence alone reads the same intent surely, the
        dialogue answers that sentence; the whole mail stays in the thread and the record."""
        whole = self.manager.nlu.parse(words, now)
        if whole.intent.confidence >= CONFIDENT or whole.harassment.detected:
            # abuse anywhere in the mail is answered as such: 「バカじゃないの？」 alone is a sure complaint, but the
            # mail that says it also says 「死ね」
            return words
        sentences: list[str] = [s for s in _SENTENCE.findall(words) if s.strip()]
        for sentence in sentences:
            alone = self.manager.nlu.parse(sentence, now)
            if alone.intent.name == whole.intent.name and alone.intent.confidence >= CONFIDENT:
                return sentence
        return words

    def __init__(self, manager: DialogueManager, sender: Sender, config: MailConfig, *, desk: Desk | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.manager, self.sender, self.config, self.desk = manager, sender, config, desk
        self.clock = clock or (lambda: datetime.now(TOKYO))
        self.threads: MailThreads = mail_threads_for(manager.store)

    def _prompt(self, key: str, language: str = "ja", **values: Any) -> str:
        """The bot's mail wording, in the customer's language where the bot has it (`<key>_<language>`)."""
        bot = self.manager.bot
        if language != "ja" and bot.prompts.has(f"{key}_{language}"):
            key = f"{key}_{language}"
        company_key = f"company_name_{language}" if bot.prompts.has(f"company_name_{language}") else "company_name"
        company = bot.prompts.render(company_key, "chat", {}).text if bot.prompts.has(company_key) else ""
        return bot.prompts.render(key, "chat", {"company": company, **values}).text

    async def _language(self, sid: str) -> str:
        """The language the conversation is in (an English mail is answered in English, frame and all)."""
        state = await self.manager.state(sid)
        return state.language if state is not None else "ja"

    async def process(self, raw: bytes) -> MailResult:
        self._spool(raw)
        try:
            mail = parse_mail(raw)
        except MailError as exc:
            return await self._unreadable(raw, str(exc))
        if mail.automatic or mail.sender == self.config.sender.lower():
            log.info("mail %s from %s is automatic (auto-reply, bounce, list): kept in the spool, not answered",
                     mail.message_id, mail.sender)
            return MailResult(conversation_id(mail.thread_id), "ignored", None)
        answered, open_session = await self._answered_session(mail)
        if answered is not None and await self._with_agents(answered, mail):
            return MailResult(answered, "to_agent", None)
        rating = parse_rating(mail.words) if answered else None
        if answered is not None and rating is not None and not open_session:
            if await record_rating(self.manager.store, answered, rating):
                count_rating("email", rating)
            return await self._reply(mail, answered, "rating", [self._prompt("mail_rating_thanks")], survey=False)
        sid = answered if answered is not None and open_session else await self._new_session_id(mail)
        if not mail.words:
            return await self._reply(mail, sid, "unreadable", [self._prompt("mail_unreadable")], survey=False)
        now = self.clock()
        if not open_session:
            await self.manager.start(SessionStart(channel="chat", caller=CallerInfo(extra={"email": mail.sender}),
                                                  now=now, session_id=sid))
        reply = await self.manager.handle(sid, UserTurn(text=self._asking_words(mail.words, now) if not open_session
                                                        else mail.words))
        said = [_for_mail(self._mail_wording(p.text)) for p in reply.prompts if not self._is_anything_else(p.text)]
        lang = await self._language(sid)
        notes = [self._prompt("mail_attachments", lang)] if mail.attachments else []
        offered, reason = await self._callback_offer(sid)
        if offered:
            # by mail nobody has to be on the line: the case waits for the next agent, not for a phone call
            view = await self.manager.view(sid)
            await self.manager.hangup(sid)
            queue = await self._hand_over(sid, mail, None, reason, 0, (view.case_id if view else None) or sid)
            await self.threads.remember(sid, ThreadHead.of(mail))
            await self._as_email(sid, mail, outcome="handover", reason=reason, queue=queue)
            return await self._reply(mail, sid, "handover", [self._prompt("mail_handover", lang), *notes], survey=False, language=lang)
        if await self._awaits_clarify(sid):
            # 「…のお問い合わせでよろしいでしょうか」 is a spoken yes/no a mail cannot answer in one turn: the FAQ answers
            # when it is sure of the mail, else a person reads it (a case with its note, as other hand-overs)
            hit = self._faq_for(mail.words, now)
            await self.manager.hangup(sid)
            view = await self.manager.view(sid)  # the case id is given when the conversation ends
            if hit is not None:
                await self._as_email(sid, mail)
                return await self._reply(mail, sid, "answered", [_for_mail(hit), *notes], survey=True, language=lang)
            queue = await self._hand_over(sid, mail, None, UNCLEAR_MAIL, 0, (view.case_id if view else None) or sid)
            await self.threads.remember(sid, ThreadHead.of(mail))
            await self._as_email(sid, mail, outcome="handover", reason=UNCLEAR_MAIL, queue=queue)
            return await self._reply(mail, sid, "handover", [self._prompt("mail_handover", lang), *notes], survey=False, language=lang)
        if reply.handover is not None and reply.handover.kind == "transfer":
            queue = await self._hand_over(sid, mail, reply.handover.queue, reply.handover.reason,
                                          reply.handover.priority, reply.handover.case_id)
            await self.threads.remember(sid, ThreadHead.of(mail))
            await self._as_email(sid, mail, **({"queue": queue} if queue != reply.handover.queue else {}))
            return await self._reply(mail, sid, "handover", [self._prompt("mail_handover", lang), *notes], survey=False, language=lang)
        if reply.ended or reply.expect.awaiting == "anything_else":
            if not reply.ended:
                await self.manager.hangup(sid)  # the request is done; "anything else?" is asked by a new mail
            await self._as_email(sid, mail)
            return await self._reply(mail, sid, "answered", [*said, *notes], survey=True, language=lang)
        return await self._reply(mail, sid, "asked", [*said, self._prompt("mail_reply_needed", lang), *notes], survey=False, language=lang)

    # -- threads and sessions ----------------------------------------------------------------------

    async def _answered_session(self, mail: InboundMail) -> tuple[str | None, bool]:
        """The session whose reply this mail answers (our Message-IDs name it), and whether it is open."""
        for ref in reversed([*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])]):
            m = re.fullmatch(r"<(mail-[0-9a-f-]+)\.[0-9a-f]+@(.+)>", ref)
            if m and m.group(2) == self.config.domain:
                view = await self.manager.view(m.group(1))
                if view is not None:
                    return m.group(1), not view.ended
        return None, False

    async def _new_session_id(self, mail: InboundMail) -> str:
        """Keyed on the thread; a new request in a thread whose conversation ended gets its own session."""
        base = conversation_id(mail.thread_id)
        if await self.manager.view(base) is None:
            return base
        return f"{base}-{hashlib.blake2b(mail.message_id.encode(), digest_size=4).hexdigest()}"

    async def _with_agents(self, sid: str, mail: InboundMail) -> bool:
        """A customer writing again while their case waits for (or is with) a person: the words go to the
        desk, where the agent reads them; the bot does not answer in between."""
        if self.desk is None:
            return False
        contact = await self.desk.contact(sid)
        if contact is None or contact.status not in OPEN:
            return False
        await self.desk.user_said(sid, mail.words or mail.text.strip()[:MAX_MESSAGE_CHARS])
        await self.threads.remember(sid, ThreadHead.of(mail))  # the agent's answer replies to this mail
        return True

    async def relay_agent_answers(self) -> int:
        """Mail what agents wrote on e-mail cases, each message once (across workers), as a reply to the
        customer's latest mail of the thread; how many went out."""
        if self.desk is None:
            return 0
        recent = await self.desk.recent(("closed",), since=time.time() - RELAY_LOOKBACK_S)
        sent = 0
        for contact in [*await self.desk.open_contacts(), *recent]:
            if contact.channel != "email":
                continue
            for message in await self.desk.messages(contact.id):
                if message.kind != "agent" or not message.text.strip():
                    continue
                head = await self.threads.claim(contact.id, message.seq)
                if head is None:
                    continue
                signoff = self._prompt("mail_agent_signoff", agent=message.author_name or "")
                await self._reply(head.as_mail(), contact.id, "agent", [message.text, signoff], survey=False)
                sent += 1
        return sent

    async def _callback_offer(self, sid: str) -> tuple[bool, str | None]:
        """Whether the bot is offering a phone callback (no agent on duty now), and why a person was needed."""
        state = await self.manager.state(sid)
        aw = state.awaiting if state is not None else None
        if isinstance(aw, AwaitOffer) and aw.offer == "callback":
            return True, aw.reason
        return False, None

    async def _awaits_clarify(self, sid: str) -> bool:
        state = await self.manager.state(sid)
        return state is not None and isinstance(state.awaiting, AwaitOffer) and state.awaiting.offer == "clarify"

    def _faq_for(self, words: str, now: datetime) -> str | None:
        """The FAQ's answer (chat wording) to the mail, when the knowledge base is sure of one."""
        parse = self.manager.nlu.parse(words, now)
        hit = self.manager.bot.faq.match(parse.normalized, parse.tokens)
        return hit.answer("chat") if hit is not None else None

    def _mail_wording(self, text: str) -> str:
        """A phone prompt the bot also words for mail (`<key>_mail`, `<key>_mail_en` for `<key>_en`): the mail
        wording instead (harassment_warning says 「通話を終了」, which a mail cannot do)."""
        book = self.manager.bot.prompts
        for mail_key in book.templates:
            if not mail_key.endswith(("_mail", "_mail_en")):
                continue
            english = mail_key.endswith("_mail_en")
            key = mail_key.removesuffix("_mail_en") + "_en" if english else mail_key.removesuffix("_mail")
            if any(text == t for texts in book.templates.get(key, {}).values() for t in texts):
                return book.render(mail_key, "chat", {}).text
        return text

    def _is_anything_else(self, text: str) -> bool:
        variants = self.manager.bot.prompts.templates.get("anything_else", {})
        return any(text == t for texts in variants.values() for t in texts)

    # -- replies, records, the desk ---------------------------------------------------------------

    async def _reply(self, mail: InboundMail, sid: str, kind: MailKind, paragraphs: Sequence[str], *,
                     survey: bool, language: str = "ja") -> MailResult:
        if survey and self.manager.bot.prompts.has("survey_mail_line"):
            paragraphs = [*paragraphs, self._prompt("survey_mail_line", language)]
        english = language == "en" and self.manager.bot.prompts.has("mail_greeting_en")
        text = compose(addressee_en(mail) if english else addressee(mail), self._prompt("mail_greeting", language),
                       paragraphs, self._prompt("mail_closing", language), self._prompt("mail_signature", language))
        message = reply_message(mail, self.config.sender, text, now=self.clock(),
                                message_id=f"<{sid}.{secrets.token_hex(6)}@{self.config.domain}>")
        try:
            async with asyncio.timeout(30):
                await self.sender.send(message)
        except Exception:
            log.exception("reply to %s (%s) not sent; it is logged here and the contact is recorded", mail.sender, sid)
            return MailResult(sid, kind, message, sent=False)
        log.info("mail %s from %s: %s, reply sent", mail.message_id, mail.sender, kind)
        return MailResult(sid, kind, message, sent=True)

    async def _hand_over(self, sid: str, mail: InboundMail, queue: str | None, reason: str | None, priority: int,
                         case_id: str | None) -> str:
        """Queue the mail for a person; the queue it went to. A sender a supervisor flagged for harassment goes
        to the supervisor queue, as a flagged caller does (the dialogue knows a caller by phone, not by the
        address the mail came from)."""
        sender = customer_key(mail.sender)
        queue, priority = await flagged_route(self.manager.customers, [sender] if sender else [], queue or "general",
                                              priority)
        chosen = queue or "general"
        if self.desk is not None:
            await self.desk.enqueue(Contact(id=sid, channel="email", queue=chosen, reason=reason, priority=priority,
                                            queued_at=time.time(), case_id=case_id, caller=mail.sender))
        return chosen

    async def _as_email(self, sid: str, mail: InboundMail, **fields: Any) -> None:
        """The finished conversation's record says e-mail and the sender's address (the dialogue ran it as
        text), without the chat greeting the customer never saw; `fields` override record fields."""
        store = self.manager.store
        view = await self.manager.view(sid)
        if not isinstance(store, RecordStore) or view is None:
            return
        for contact in await store.contacts(aware(view.started_at)):
            if contact.state.get("id") != sid:
                continue
            record = record_of(contact)
            transcript = record["transcript"]
            while transcript and transcript[0]["speaker"] == "bot":
                transcript.pop(0)
            if "outcome" in fields and isinstance(record.get("case_note"), dict):
                record["case_note"] = _handed_over({**record["case_note"], "outcome": fields["outcome"],
                                                    "reason": fields.get("reason")})
            await put_records(store, [{**record, "channel": "email", "caller": mail.sender, **fields}])
            return

    async def _unreadable(self, raw: bytes, why: str) -> MailResult:
        """A message that is no mail (no sender, broken structure): a record for a person, no reply."""
        sid = "mail-" + hashlib.blake2b(raw, digest_size=10).hexdigest()
        now = self.clock().isoformat(timespec="seconds")
        preview = raw[:2000].decode("utf-8", errors="replace")
        log.warning("unreadable mail %s: %s", sid, why)
        record = {"conversation_id": sid, "channel": "email", "caller": None, "started_at": now, "ended_at": now,
                  "outcome": "handover", "reason": "unreadable_mail", "queue": "general", "intents": [],
                  "transcript": [{"speaker": "caller", "text": preview, "at": now}],
                  "case_note": {"summary_ja": f"読み取れないメールを受信しました({why})。原文はスプールに保存しています。",
                                "reason": "unreadable_mail"}}
        if isinstance(self.manager.store, RecordStore):
            await put_records(self.manager.store, [record])
        return MailResult(sid, "unreadable", None)

    def _spool(self, raw: bytes) -> None:
        if self.config.spool is None:
            return
        try:
            self.config.spool.mkdir(parents=True, exist_ok=True)
            name = f"{time.strftime('%Y%m%d%H%M%S')}-{hashlib.blake2b(raw, digest_size=8).hexdigest()}.eml"
            (self.config.spool / name).write_bytes(raw)
        except OSError:
            log.exception("could not spool a received mail to %s", self.config.spool)


# a mail handed over after the dialogue was closed reads as the hang-up it was, not as the case it is
_ABANDONED = "お客様が途中で通話を終了されました。"
_HANDED_OVER = "担当者へ転送します。"
_REASON_JA = {UNCLEAR_MAIL: "自動応答ではご用件を確定できないメール"}


def _handed_over(note: dict[str, Any]) -> dict[str, Any]:
    """The note of a mail handed over by the channel (the dialogue ended it as abandoned): its summary and
    fields say that a person takes the case over, and why."""
    if note.get("outcome") != "handover":
        return note
    summary = str(note.get("summary_ja") or "")
    if summary.endswith(_ABANDONED):
        note["summary_ja"] = summary.removesuffix(_ABANDONED) + _HANDED_OVER
    fields = [f for f in note.get("fields_ja") or [] if f.get("label") not in ("結果", "引き継ぎ理由")]
    fields.append({"label": "結果", "value": "担当者へ転送"})
    reason = _REASON_JA.get(str(note.get("reason")))
    if reason:
        fields.append({"label": "引き継ぎ理由", "value": reason})
    note["fields_ja"] = fields
    return note


def _for_mail(text: str) -> str:
    """Chat wording read in a mail: the customer answers by replying, not by typing into a box."""
    return text.replace("とご入力ください", "とご返信ください").replace("をご入力ください", "をご返信にてお知らせください")


# -- SMTP in ---------------------------------------------------------------------------------------

class InboundHandler:
    """aiosmtpd handler: every accepted message is processed in the server's own event loop."""

    def __init__(self, desk: MailDesk) -> None:
        self.desk = desk
        self.results: list[MailResult] = []  # the latest few, for tests and the log

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        try:
            result = await self.desk.process(data)
        except Exception:
            # spooled before processing: nothing is lost, and the sender must not retry forever
            log.exception("processing a received mail failed; it is in the spool")
            return "250 OK: accepted"
        self.results = [*self.results[-99:], result]
        return "250 OK: accepted"


MAIL_HANDLER = web.AppKey("mail_handler", InboundHandler)


def setup(app: web.Application) -> None:
    try:
        config = MailConfig.from_env()
    except ValueError as exc:
        log.error("e-mail channel not started: %s", exc)
        return
    if config is None or config.listen is None:
        return
    from ivr.desk_app import ensure_desk

    host, port = config.listen
    handler = InboundHandler(MailDesk(app[MANAGER], SmtpRelay(*config.relay), config, desk=ensure_desk(app)))
    app[MAIL_HANDLER] = handler

    async def relay() -> None:
        while True:
            try:
                await handler.desk.relay_agent_answers()
            except Exception:
                log.exception("mailing agents' answers failed; trying again next round")
            await asyncio.sleep(RELAY_INTERVAL_S)

    async def serve(app: web.Application) -> AsyncIterator[None]:
        server = await start_smtp(handler, host, port, max_bytes=config.max_bytes)
        relaying = asyncio.create_task(relay())
        log.info("e-mail channel: SMTP on %s:%d, replies via %s:%d", host, port, *config.relay)
        yield
        relaying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relaying
        server.close()
        await server.wait_closed()

    app.cleanup_ctx.append(serve)
