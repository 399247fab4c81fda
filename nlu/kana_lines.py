"""A caller's line typed or recognised all in katakana (half-width ｻｯﾎﾟﾛﾃﾝ ｴｲｷﾞｮｳｼﾞｶﾝ ｵｼｴﾃ), read as hiragana.

Every training line is also trained as its hiragana reading (`training.kana_variant`), so hiragana speech is what
the models know; katakana-only text tokenises as unknown loanwords (store_hours 0.50 against 0.96 in hiragana). A
line with any hiragana or kanji keeps its katakana: they are then loanwords and names (ケトル, ヤマト). Applied to
whole caller lines only (`NLU.parse`), after normalisation, never to keywords or names.
"""

from __future__ import annotations

import re

import jaconv

from nlu.normalize import apply_edits
from nlu.types import Normalized

_KATAKANA_RUN = re.compile(r"[ァ-ヶ]+")
_HIRA_OR_KANJI = re.compile(r"[ぁ-ゖ\u4e00-\u9fff々]")
KATAKANA_LINE_MIN = 4  # katakana letters in a line before it is read as all-kana speech (not ケトル alone)


def read_as_kana(norm: Normalized) -> Normalized:
    text = norm.text
    runs = list(_KATAKANA_RUN.finditer(text))
    if _HIRA_OR_KANJI.search(text) or sum(len(m.group()) for m in runs) < KATAKANA_LINE_MIN:
        return norm
    edits = [(m.start(), m.end(), jaconv.kata2hira(m.group())) for m in runs]
    out, offs = apply_edits(text, list(norm.offsets[:-1]), edits)
    return Normalized(out, (*offs, norm.offsets[-1]))
