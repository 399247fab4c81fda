"""The customer's own words of a mail: each failure the 30 customer mails found (tests/email/data)."""

from __future__ import annotations

from dialogue.mail_text import own_words, subject_words


def test_a_sentence_the_mailer_wrapped_stays_one_sentence_and_the_label_colon_goes() -> None:
    text = ("サクラマート御中\n\nお世話になっております。株式会社山田商事の山田でございます。\n"
            "先日注文いたしました商品（注文番号：12345678）の配送状況を\nお知らせいただけますでしょうか。\n"
            "お忙しいところ恐れ入りますが、何卒よろしくお願い申し上げます。\n")
    assert own_words(text) == "先日注文いたしました商品（注文番号12345678）の配送状況をお知らせいただけますでしょうか。"


def test_thanks_for_the_last_answer_is_dropped_before_the_request() -> None:
    text = "ご回答ありがとうございます。\n注文番号は２３４５６７８９です。キャンセルをお願いします。\n"
    assert own_words(text) == "注文番号は２３４５６７８９です。キャンセルをお願いします。"
    assert own_words("ご丁寧にありがとうございました。解決しました。") == "ご丁寧にありがとうございました。解決しました。"


def test_a_request_that_names_a_phone_number_is_not_a_signature() -> None:
    text = "メールではなく電話で担当の方と直接お話ししたいです。\n09012345678 に折り返しお電話いただけますか。\n"
    assert "09012345678" in own_words(text)
    assert own_words("返品したいです。\nよろしくお願いします。\nTEL: 090-1234-5678\n") == "返品したいです。"


def test_the_company_line_above_the_addressee_is_not_the_request() -> None:
    text = "株式会社サクラマート\nご担当者様\n\n領収書を発行いただけますでしょうか。\n"
    assert own_words(text) == "領収書を発行いただけますでしょうか。"


def test_a_subject_only_mail_reads_its_subject_but_not_a_reply_subject_or_a_placeholder() -> None:
    assert subject_words("ポイントの有効期限を教えてください") == "ポイントの有効期限を教えてください。"
    assert subject_words("【至急】返品について") == "返品について。"
    assert subject_words("Re: 【サクラマート】お問い合わせについて") == ""
    assert subject_words("(no subject)") == "" and subject_words("無題") == ""
