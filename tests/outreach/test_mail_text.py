"""Japanese business mail as text: quotes, signatures and formulas removed; replies threaded and composed."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogue.clock import TOKYO
from dialogue.mail_text import (
    addressee,
    body_charset,
    compose,
    own_words,
    parse_mail,
    reply_message,
    reply_subject,
    strip_quotes,
)

REQUEST = "注文番号12345678の商品がまだ届きません。"

# (what a customer wrote, what the NLU gets)
OWN_WORDS = [
    ("サクラマート御中\nお世話になっております。山田です。\n" + REQUEST + "\nよろしくお願いいたします。", REQUEST),
    ("ご担当者様\n\nいつもお世話になっております。\n" + REQUEST + "\n\n以上、よろしくお願いします。", REQUEST),
    (REQUEST + "\n\n-----Original Message-----\nFrom: support@sakura-mart.example.jp\n配送中です。", REQUEST),
    (REQUEST + "\n\n----- 元のメッセージ -----\n差出人: サクラマート\n", REQUEST),
    (REQUEST + "\n\nOn Tue, Dec 1, 2026 at 10:00 AM Sakura <support@sakura-mart.example.jp> wrote:\n> 以前の文", REQUEST),
    (REQUEST + "\n\nサクラマート お客様窓口様より：\n> 以前の文", REQUEST),
    (REQUEST + "\n\n2026年12月1日(火) 10:00 サクラマート <support@sakura-mart.example.jp>:\n> 以前の文", REQUEST),
    (REQUEST + "\n\n差出人: サクラマート <support@sakura-mart.example.jp>\n送信日時: 2026年12月1日\n件名: Re: 注文", REQUEST),
    ("＞ 引用された行\n" + REQUEST + "\n> もう一行", REQUEST),
    (REQUEST + "\n\n-- \n山田 太郎\nTEL 090-1234-5678", REQUEST),
    (REQUEST + "\n\n＝＝＝＝＝＝＝＝＝＝\n山田 太郎\n株式会社ヤマダ商事\n〒100-0001 東京都千代田区\n＝＝＝＝＝＝＝＝＝＝", REQUEST),
    (REQUEST + "\n山田 太郎\nmail: taro@example.jp", REQUEST + "山田 太郎。"),  # a name line stays: it may be the request
    ("はい、そうです。", "はい、そうです。"),  # a yes to the bot's question is kept
    ("09012345678です。", "09012345678です。"),  # an answer is no self-introduction
]


@pytest.mark.parametrize(("text", "words"), OWN_WORDS)
def test_own_words(text: str, words: str) -> None:
    assert own_words(text) == words


def test_quoted_lines_in_the_middle_are_dropped_and_the_rest_kept() -> None:
    assert strip_quotes("一行目\n> 引用\n二行目") == "一行目\n二行目"


@pytest.mark.parametrize(("subject", "reply"), [
    ("注文の件", "Re: 注文の件"), ("Re: 注文の件", "Re: 注文の件"), ("RE：Re: 注文", "Re: 注文"), ("", "Re: お問い合わせの件"),
])
def test_reply_subject(subject: str, reply: str) -> None:
    assert reply_subject(subject) == reply


def test_html_only_mail_is_read_without_its_quoted_blockquote() -> None:
    raw = ("From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@example.jp>\r\nMessage-ID: <h1@example.jp>\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n"
           "<html><body><p>梅田店の営業時間を教えてください。</p><blockquote>以前のメール</blockquote></body></html>").encode()
    mail = parse_mail(raw)
    assert mail.words == "梅田店の営業時間を教えてください。"
    assert addressee(mail) == "山田 太郎様"


def test_a_reply_is_iso_2022_jp_unless_it_holds_characters_outside_jis() -> None:
    assert body_charset("今後ともよろしくお願いいたします。") == "iso-2022-jp"
    assert body_charset("①のご注文") == "utf-8"
    mail = parse_mail(b"From: a@example.jp\r\nMessage-ID: <a@example.jp>\r\nReferences: <r0@example.jp>\r\n"
                      b"Subject: =?UTF-8?B?5ZWP44GE5ZCI44KP44Gb?=\r\n\r\nhi")
    text = compose("お客様", "いつもありがとうございます。", ["本文です。"], "今後ともよろしくお願いいたします。", "署名")
    msg = reply_message(mail, "support@sakura-mart.example.jp", text, now=datetime(2026, 12, 2, tzinfo=TOKYO),
                        message_id="<mail-1.ab@sakura-mart.example.jp>")
    assert msg["References"] == "<r0@example.jp> <a@example.jp>" and msg["Subject"] == "Re: 問い合わせ"
    assert msg.get_content_charset() == "iso-2022-jp" and b"\x1b$B" in msg.as_bytes()
    assert mail.thread_id == "<r0@example.jp>"
