"""Personal data masked in exports and logs: phone numbers, card numbers, e-mail addresses, postal codes,
addresses and personal names, in Japanese as callers say it and ASR writes it.

Patterns, not a library: the one Japanese PII package on PyPI (besshouka) is an early alpha, and the
general ones (Presidio and the like) need a spaCy Japanese model downloaded at run time. Numbers are found
on the NLU's normalised text, so 090-1234-5678, ０９０１２３４５６７８, 〇九〇… and ぜろきゅうぜろ… are one
phone number, then masked at their place in the original text (the normaliser keeps an offset map).
Names are found by their context (山田太郎様, 名前は…, …と申します); a name said bare is not found.
Over-masking (a carrier called 佐川さん) is the safe side of the trade.

Logs also carry connection URLs (`postgresql://ivr:secret@db.internal:5432/ivr` in a driver's error): their
password is masked as a credential ([パスワード]) and the rest kept, so that an operator still reads which
host failed; `user@host` inside a URL is not an e-mail address.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from nlu.normalize import normalize

PHONE = "[電話番号]"
CARD = "[カード番号]"
EMAIL = "[メール]"
POSTAL = "[郵便番号]"
ADDRESS = "[住所]"
NAME = "[氏名]"
SECRET = "[パスワード]"

# record and case-note fields whose whole value is personal (a name slot, the caller id)
SENSITIVE_KEYS = frozenset({
    "name", "caller_name", "full_name", "customer_name", "phone", "phone_number", "caller", "caller_phone",
    "caller_id", "from", "to", "address", "postal_code", "email", "mail", "card", "card_number",
})  # fmt: skip

# fields that hold ids, times and labels, never free text: left as they are (and not worth the time)
PLAIN_KEYS = frozenset({
    "at", "speaker", "started_at", "ended_at", "conversation_id", "case_id", "session_id", "intent", "intents",
    "outcome", "reason", "queue", "channel", "label", "kind", "rule", "action", "disposition", "agent", "type",
})  # fmt: skip

_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|"
    "富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|"
    "鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|"
    "鹿児島県|沖縄県"
)
_SEP = r"[-‐−–ー―(),.、の ]"  # between digit groups, after normalisation (NFKC has folded the full-width ones)
# not inside an id (a CallSid or a uuid: CA09012345678abc...), but after TEL
_DIGIT_RUN = re.compile(rf"(?:(?<![0-9A-Za-z])|(?<=TEL|tel|Tel))\+?\d(?:{_SEP}{{0,2}}\d)*(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# a URL's authority with user info (scheme://user[:password]@host): the password is a secret, the rest not
# (a password with a raw '@' in it runs to the last '@', as URL parsers read it)
_URL_USERINFO = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@?#]*(?::(?P<pw>[^\s/?#]*))?@[^\s/?#@]*")
# key=value credentials in a DSN's query or a libpq connection string (password=..., ?password=...)
_KEY_SECRET = re.compile(r"(?i)(?<![A-Za-z0-9_])(?:password|passwd|pwd)=(?P<pw>[^\s&;'\"]+)")
_POSTAL = re.compile(r"(?:〒|郵便番号(?:は|が)?)\s*\d{3}-?\d{4}|(?<![\d-])\d{3}-\d{4}(?![\d-])")
_KANJI = r"[\u4e00-\u9fff々〆ヶ]"
# an address: a prefecture, or a city/ward/town name, then what follows up to a pause, if it holds a
# block number (1丁目, 2番地, 3号, 1-2-3)
_ADDR_CHAR = r"(?:[^\s、。,.!?！？「」()ぁ-ゖ]|[ぁ-ゖ]+(?=[市区町村郡]))"  # no particles: …3号に住んでます
_BLOCK = r"(?:\d+丁目|\d+番地?|\d+号|\d+(?:-\d+){1,3})"
_ADDRESS = re.compile(
    rf"(?:{_PREFECTURES}){_ADDR_CHAR}*?(?:[市区町村郡]|{_BLOCK}){_ADDR_CHAR}*"
    rf"|{_KANJI}{{1,6}}[市区町村郡]{_ADDR_CHAR}*?{_BLOCK}{_ADDR_CHAR}*"
)
# words before 様/さん that are no one's name
_NOT_NAMES = (
    "客|皆|奥|旦那|神|仏|王|担当者?|業者|配達員|運転手|店員|係|係員|同|各位|会員|利用者|社員|先生|医者|"
    "隣|近所|息子|娘|母|父|兄|姉|弟|妹|大家|管理人|宅配|郵便屋|オペレーター|スタッフ|ドライバー"
)
_HONORIFIC = re.compile(
    rf"(?<![\u4e00-\u9fffァ-ヶー])(?!(?:{_NOT_NAMES})(?:様|さま|さん|殿|氏))"
    rf"(?:{_KANJI}{{1,4}}(?:[ 　]?{_KANJI}{{1,3}})?|[ァ-ヶ][ァ-ヶー]{{1,7}}(?:[ 　]?[ァ-ヶ][ァ-ヶー]{{1,7}})?)"
    rf"(?=(?:様|さま|さん|殿|氏)(?![々子式相方]))"
)
_SAID_NAME = re.compile(  # the name is the group `n`
    rf"(?:名前は|名義は|氏名は|なまえは)[ 　]*(?P<n>(?:{_KANJI}|[ぁ-ゖァ-ヶー]){{2,10}}?)(?=です|でございます|と申|と言|といい|$|[、。 ])"
    rf"|(?P<m>(?:{_KANJI}|[ァ-ヶー]){{1,8}}(?:[ 　](?:{_KANJI}|[ァ-ヶー]){{1,6}})?)(?=と申します|ともうします|と申す)"
    rf"|(?<![ぁ-ゖ])(?P<k>[ぁ-ゖ]{{2,10}})(?=ともうします)"
    # an e-mail's signature: the name after the closing formula, at the end
    rf"|(?:よろしくお願い(?:いた)?します|よろしくお願い申し上げます|敬具)[。!！\s　]*(?P<s>(?:{_KANJI}|[ァ-ヶー]){{2,8}})[ 　]*$"
)


def redact(text: str) -> str:
    """`text` with every phone number, card number, e-mail address, postal code, address and personal name
    replaced by a bracketed label ([電話番号], [カード番号], [メール], [郵便番号], [住所], [氏名])."""
    if not text:
        return text
    return _redact_cached(text) if len(text) <= 200 else _redact(text)


@lru_cache(maxsize=32768)
def _redact_cached(text: str) -> str:
    # the bot's prompts, agents' set phrases and case-note transcripts repeat line for line across an export
    return _redact(text)


def _redact(text: str) -> str:
    spans = sorted(_spans(text), key=lambda s: (s[0], -s[1]))
    out: list[str] = []
    end = 0
    for start, stop, label in spans:
        if start < end:  # inside a span already masked (a postal code inside an address)
            continue
        out += [text[end:start], label]
        end = stop
    out.append(text[end:])
    return "".join(out)


def redact_value(value: Any, key: str | None = None) -> Any:
    """A JSON value with its texts redacted; values under personal keys (name, phone, address, ...) masked
    whole."""
    if key is not None and key.lower() in SENSITIVE_KEYS and value not in (None, "", [], {}):
        return NAME if key.lower() in ("name", "caller_name", "full_name", "customer_name") else "[個人情報]"
    if isinstance(value, str):
        return value if key in PLAIN_KEYS else redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, key if key in PLAIN_KEYS else None) for v in value]
    return value


def _spans(text: str) -> Iterator[tuple[int, int, str]]:
    urls: list[tuple[int, int]] = []
    if "://" in text or "=" in text:
        for found in (*_URL_USERINFO.finditer(text), *_KEY_SECRET.finditer(text)):
            if found.group("pw"):
                yield found.start("pw"), found.end("pw"), SECRET
            if found.re is _URL_USERINFO:
                urls.append(found.span())
    norm = normalize(text)
    for match in _EMAIL.finditer(norm.text):
        start, end = norm.span(*match.span())
        if not any(u_start <= start < u_end for u_start, u_end in urls):  # postgres@127.0.0.1 is no address
            yield start, end, EMAIL
    for match in _ADDRESS.finditer(norm.text):
        yield (*norm.span(*match.span()), ADDRESS)
    for match in _POSTAL.finditer(norm.text):
        yield (*norm.span(*match.span()), POSTAL)
    for match in _DIGIT_RUN.finditer(norm.text):
        label = _number_kind(match.group())
        if label:
            yield (*norm.span(*match.span()), label)
    # names on the original text: normalisation may drop the spaces inside 山田 太郎
    for match in _HONORIFIC.finditer(text):
        yield (match.start(), match.end(), NAME)
    for match in _SAID_NAME.finditer(text):
        group = next(g for g in ("n", "m", "k", "s") if match.group(g))
        yield (match.start(group), match.end(group), NAME)


def _number_kind(run: str) -> str | None:
    digits = re.sub(r"\D", "", run)
    if 13 <= len(digits) <= 19 and (_luhn(digits) or re.fullmatch(r"\d{4}(?:\D{1,2}\d{4}){3}", run)):
        return CARD
    if run.startswith("+81") and 9 <= len(digits) - 2 <= 10:
        return PHONE
    if digits.startswith("0") and 10 <= len(digits) <= 11:
        return PHONE
    return None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


class RedactingFilter(logging.Filter):
    """Masks personal data in log records: attach it to the handlers (`install_log_redaction`) so that
    records from every logger, the libraries' included, pass through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: leave it to the handler to report
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        # fields given with `extra=` (structured logs print them too), e.g. a caller's number
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in PLAIN_KEYS and not name.endswith(("id", "sid")) \
                    and isinstance(value, str) and value:
                setattr(record, name, redact(value))
        return True


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def install_log_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add one RedactingFilter to every handler of `logger` (the root logger by default); returns it."""
    target = logger or logging.getLogger()
    found = next((f for h in target.handlers for f in h.filters if isinstance(f, RedactingFilter)), None)
    shared = found or RedactingFilter()
    for handler in target.handlers:
        if shared not in handler.filters:
            handler.addFilter(shared)
    return shared
