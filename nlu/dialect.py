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
)


def standard_form(text: str) -> str:
    """`text` with regional wish endings (and a few Kansai words of a question) in standard form; the same string
    when there are none."""
    text = _TOHOKU_ZU.sub("つ", _EASTERN_WISH.sub("たい", _KYUSHU_WISH.sub("たい", text)))
    for pattern, standard in _KANSAI:
        text = pattern.sub(standard, text)
    return text
