"""Regional verb endings the intent head has seen little of, put in standard form for a second reading:
Kyushu 「知りたか(と)」 and Kanto/Tohoku 「頼みてえ」 are 知りたい / 頼みたい. Only the wish ending, after a verb's
stem (り, み, き, ...), so that 高か, 聞いてえらい or まってえな are left as they are. The pipeline reads the
standard form too and keeps whichever reading is surer (nlu/pipeline.py)."""

from __future__ import annotations

import re

# the last kana of a verb's continuative stem (知り, 頼み, 聞き, 話し, 食べ, 来) before the wish ending
_STEM = "いきしちにひみりぎじびぴえけせてねへめれげぜでべぺ"
_KYUSHU_WISH = re.compile(rf"(?<=[{_STEM}])たか(?=と|ね|ばい|けど|です|ん|っちゃ|$|[、。 ,.!?])")
_EASTERN_WISH = re.compile(rf"(?<=[{_STEM}])てえ(?=ん|よ|な|の|けど|だ|です|$|[、。 ,.!?])")


def standard_form(text: str) -> str:
    """`text` with regional wish endings in standard form; the same string when there are none."""
    return _EASTERN_WISH.sub("たい", _KYUSHU_WISH.sub("たい", text))
