"""Personal data masked in realistic Japanese: what callers say, what ASR writes, what e-mails hold."""

from __future__ import annotations

import io
import logging

import pytest

from dialogue.redact import RedactingFilter, install_log_redaction, redact, redact_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電話番号は090-1234-5678です", "電話番号は[電話番号]です"),
        ("０９０１２３４５６７８にお願いします", "[電話番号]にお願いします"),
        ("ぜろきゅうぜろ いちにさんよん ごーろくななはち です", "[電話番号] です"),
        ("ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチ", "[電話番号]"),
        ("〇九〇の一二三四の五六七八です", "[電話番号]です"),
        ("固定は03-1234-5678、携帯は080 9876 5432", "固定は[電話番号]、携帯は[電話番号]"),
        ("+81 90 1234 5678 から掛けてます", "[電話番号] から掛けてます"),
        ("〒123-4567 東京都渋谷区神南一丁目2番3号 サクラビル101です", "[郵便番号] [住所]です"),
        ("郵便番号は1234567です", "[郵便番号]です"),
        ("大阪市北区梅田3-1-1に住んでます", "[住所]に住んでます"),
        ("住所は北海道札幌市中央区北1条西2丁目です", "住所は[住所]です"),
        ("山田太郎様のご注文ですね", "[氏名]様のご注文ですね"),
        ("佐藤 一郎さんからのお電話です", "[氏名]さんからのお電話です"),
        ("スズキさんでいらっしゃいますね", "[氏名]さんでいらっしゃいますね"),
        ("えーと、やまだたろうともうします", "えーと、[氏名]ともうします"),
        ("鈴木と申しますが、注文の件で", "[氏名]と申しますが、注文の件で"),
        ("名前は鈴木花子です", "名前は[氏名]です"),
        ("カードは4111 1111 1111 1111です", "カードは[カード番号]です"),
        ("カード番号4111-1111-1111-1111で払いました", "カード番号[カード番号]で払いました"),
        ("メールはtaro.yamada@example.co.jpです", "メールは[メール]です"),
        ("よろしくお願いいたします。木村恵子", "よろしくお願いいたします。[氏名]"),
        ("TEL09012345678", "TEL[電話番号]"),
    ],
)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ご注文番号12345678のご注文は配送中でございます。",  # an order number is no personal data
        "お客様、大変お待たせいたしました。",
        "皆様のご来店をお待ちしております。様子を見てください。",
        "渋谷店の営業時間は10時から21時でございます。",
        "代金引換の手数料は330円でございます。",
        "お届けは2026-12-05の14:00-16:00です",
        "call CA09012345678abcdef0123456789abcd ended",  # ids hold digit runs that are no phone numbers
        "chat 0a1b09012345678f9e8d7c6b5a4f3e2d",
        "東京都内の店舗は渋谷店です",
        "",
    ],
)
def test_ordinary_words_stay(text: str) -> None:
    assert redact(text) == text


def test_values_under_personal_keys_are_masked_whole() -> None:
    note = {"case_id": "CASE-1", "caller_phone": "09012345678", "slots": {"name": "やまだ", "order_id": "12345678",
            "address": "札幌市中央区北1条西2丁目"}, "transcript": [{"speaker": "caller", "text": "090-1234-5678です"}],
            "summary_ja": "山田様より、ご注文12345678の配送状況のお問い合わせ。", "turns": 3}  # fmt: skip
    masked = redact_value(note)
    assert masked["caller_phone"] == "[個人情報]" and masked["slots"]["name"] == "[氏名]"
    assert masked["slots"]["order_id"] == "12345678" and masked["slots"]["address"] == "[個人情報]"
    assert masked["transcript"][0]["text"] == "[電話番号]です"
    assert masked["summary_ja"] == "[氏名]様より、ご注文12345678の配送状況のお問い合わせ。"
    assert masked["turns"] == 3 and masked["case_id"] == "CASE-1"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.kept: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append(record)


def test_the_log_filter_masks_messages_their_arguments_and_extra_fields() -> None:
    stream = io.StringIO()
    printed, kept = logging.StreamHandler(stream), Keep()
    logger = logging.getLogger("test.redact")
    logger.handlers, logger.propagate = [printed, kept], False
    try:
        shared = install_log_redaction(logger)
        assert install_log_redaction(logger) is shared and printed.filters == kept.filters == [shared]  # once
        logger.warning("caller %s said %r", "09012345678", "山田太郎と申します")
        logger.warning("turn %d of %s", 3, "CA0123")
        logger.warning("caller id", extra={"caller": "+81 90 1234 5678", "conversation_id": "CA09012345678"})
    finally:
        logger.handlers = []
    lines = stream.getvalue().splitlines()
    assert lines[:2] == ["caller [電話番号] said '[氏名]と申します'", "turn 3 of CA0123"]
    extra = kept.kept[2]
    assert extra.caller == "[電話番号]" and extra.conversation_id == "CA09012345678"  # type: ignore[attr-defined]
    assert isinstance(shared, RedactingFilter)


@pytest.mark.parametrize(("text", "expected"), [
    # a DSN's user and host are no e-mail address: an operator must read which database failed
    ("could not connect to postgresql://postgres@127.0.0.1:5432/ivr",
     "could not connect to postgresql://postgres@127.0.0.1:5432/ivr"),
    ("store postgresql://ivr:s3cret@db.internal:5432/ivr?sslmode=require is down",
     "store postgresql://ivr:[パスワード]@db.internal:5432/ivr?sslmode=require is down"),
    ("postgresql://ivr:p@ss@db.internal/ivr", "postgresql://ivr:[パスワード]@db.internal/ivr"),  # a raw '@'
    ("redis://:hunter2@cache.internal:6379/0 timed out", "redis://:[パスワード]@cache.internal:6379/0 timed out"),
    ("postgresql://ivr@db/ivr?password=hunter2&sslmode=require",
     "postgresql://ivr@db/ivr?password=[パスワード]&sslmode=require"),
    ("dsn: host=db user=ivr password=hunter2 dbname=ivr", "dsn: host=db user=ivr password=[パスワード] dbname=ivr"),
    # an address outside a URL is still an address
    ("返信先 taro@example.jp、接続先 postgresql://postgres@127.0.0.1/ivr",
     "返信先 [メール]、接続先 postgresql://postgres@127.0.0.1/ivr"),
])
def test_connection_urls_keep_their_host_and_lose_their_password(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_log_filter_masks_a_dsn_password_in_an_argument() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.redact.dsn")
    logger.handlers, logger.propagate = [logging.StreamHandler(stream)], False
    try:
        install_log_redaction(logger)
        logger.warning("store %s: %s", "postgresql://ivr:s3cret@127.0.0.1:5432/ivr", "connection refused")
    finally:
        logger.handlers = []
    assert stream.getvalue() == "store postgresql://ivr:[パスワード]@127.0.0.1:5432/ivr: connection refused\n"
