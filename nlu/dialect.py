"""Regional verb endings the intent head has seen little of, put in standard form for a second reading:
Kyushu 「知りたか(と)」 and Kanto/Tohoku 「頼みてえ」 (「たのみでえ」) are 知りたい / 頼みたい, and Tohoku's voiced
つ (「にもづ」「さいはいたづ」) is つ. Only the wish ending, after a verb's
stem (り, み, き, ...), so that 高か, 聞いてえらい or まってえな are left as they are. The pipeline reads the
standard form too and keeps whichever reading is surer (nlu/pipeline.py)."""

from __future__ import annotations

import re

# the last kana of a verb's continuative stem (知り, 頼み, 聞き, 話し, 食べ, 来) before the wish ending
_STEM = "いきしちにひみりぎじびぴえけせてねへめれげぜでべぺ"
# (not the polite past asked: いくらでしたか, ありましたか, 届きましたか)
_KYUSHU_WISH = re.compile(rf"(?<!でし)(?<!まし)(?<=[{_STEM}])たか(?=と|ね|ばい|けど|です|ん|っちゃ|$|[、。 ,.!?])")
_EASTERN_WISH = re.compile(rf"(?<=[{_STEM}])[てで]え(?=ん|よ|な|の|けど|だ|です|$|[、。 ,.!?])")
# Tohoku voices つ between vowels (にもづ 荷物, さいはいたづ 再配達) and て after a stem (たのみでえ): in kana as spoken
_TOHOKU_ZU = re.compile(r"(?<=[ぁ-ゖ])づ")


# Kansai words a question is asked with (「ポイントってどんくらいで切れてまうん？」): how much, and the completive
# てしまう (切れてまう, 消えてもうた), after a verb's て form only
_KANSAI = (
    (re.compile(r"どんくらい|どんぐらい"), "どのくらい"),
    (re.compile(r"どんだけ"), "どれだけ"),
    (re.compile(r"(?<=[てで])(まう|もう)(?=ん|の|や|よ|か|$|[、。 ,.!?？])"), "しまう"),
    (re.compile(r"(?<=[てで])(もうた|もた)(?=ん|の|や|よ|わ|$|[、。 ,.!?？])"), "しまった"),
    # the copula's conditional (「コンビニ払いやったら？」): だったら
    (re.compile(r"(?<=[^っ])やったら(?=[?？。、 ]|$)"), "だったら"),
)


# Tohoku and Kanto words of a question (「おらほの近くさ店あっぺか」: is there a store near us?)
_EASTERN = (
    (re.compile(r"あっぺか|あっぺが|あんべか"), "ありますか"),
    (re.compile(r"あっぺ(?=[?？。、 ]|$)"), "あるでしょう"),
    (re.compile(r"おらほ|おらえ"), "うち"),
    (re.compile(r"(?<=近く)さ(?=[^ぁ-ゖ])|(?<=ちかく)さ(?=[^ぁ-ゖ])"), "に"),
)


# the wish in business keigo (「配送日時の変更をお願いしたく、ご連絡いたしました」): the wish said plainly
_KEIGO = (
    (re.compile(r"たく[、,\s]*(ご?連絡|ごれんらく|れんらく|お?電話|おでんわ|でんわ)(を)?(いたしました|しました|差し上げました|"
                r"さしあげました|させていただきました|いたしております|した次第です|いたした次第です)"), "たいです"),
)


# business loanwords for the words the intents were taught (「オーダーのステータスをチェックしたい」「デリバリーをリスケ」)
_LOANWORDS = (
    (re.compile(r"オーダー"), "注文"),
    (re.compile(r"チェック"), "確認"),
    (re.compile(r"デリバリー"), "配達"),
    (re.compile(r"リスケジュール|リスケ"), "日程変更"),
    (re.compile(r"(?<!オンライン)ストック"), "在庫"),
    (re.compile(r"オープン"), "開店"),
    (re.compile(r"クローズ"), "閉店"),
    (re.compile(r"リターン"), "返品"),
    (re.compile(r"エクスチェンジ"), "交換"),
    (re.compile(r"(?<!オンライン)(ショップ|ストア)"), "店"),
    (re.compile(r"コネクト"), "接続"),
    (re.compile(r"ペイメント"), "支払い"),
)


def standard_form(text: str) -> str:
    """`text` with regional wish endings (and a few Kansai words of a question, and business loanwords) in standard
    form; the same string when there are none."""
    text = _TOHOKU_ZU.sub("つ", _EASTERN_WISH.sub("たい", _KYUSHU_WISH.sub("たい", text)))
    for pattern, standard in (*_KANSAI, *_EASTERN, *_KEIGO, *_LOANWORDS):
        text = pattern.sub(standard, text)
    return text
