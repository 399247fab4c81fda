"""An address read aloud, written down as an agent would: 「じんなん いちのにのさん」 is じんなん1-2-3, not
じんなん123 (the normaliser joins digit groups because の separates the groups of a phone number)."""

from __future__ import annotations

import re

from nlu.normalize import normalize

_KANA = {"いち": 1, "に": 2, "さん": 3, "よん": 4, "ご": 5, "ろく": 6, "なな": 7, "しち": 7, "はち": 8, "きゅう": 9}
_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ONE = r"(?:いち|に|さん|よん|ご|ろく|なな|しち|はち|きゅう)"
# a block, lot or house number: 1 to 4 digits, 1 to 99 in kanji or kana (じゅうに, にじゅうさん)
_NUM = rf"(?:[0-9０-９]{{1,4}}|[一二三四五六七八九]?十?[一二三四五六七八九]|[一二三四五六七八九]?十|{_ONE}?じゅう{_ONE}?|{_ONE})"
# two to four of them joined by の: 丁目-番地-号; what follows must end the number (not 一ノ瀬, いちのみや)
_BLOCKS = re.compile(rf"(?<![0-9０-９]){_NUM}(?:[のノ]{_NUM}){{1,3}}(?=$|[ 、。,.\s]|です|で|ね|番|号|の?[ァ-ヺ一-龥])")


def _value(word: str) -> int:
    if word.isdigit():
        return int(word.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    for table, ten in ((_KANJI, "十"), (_KANA, "じゅう")):
        if ten in word:
            tens, _, ones = word.partition(ten)
            return _one(tens, table, 1) * 10 + _one(ones, table, 0)
    return _one(word, _KANJI, 0) or _one(word, _KANA, 0)


def _one(word: str, table: dict[str, int], empty: int) -> int:
    return table.get(word, empty) if word else empty


def _hyphenated(match: re.Match[str]) -> str:
    parts = re.split(r"[のノ]", match.group())
    return "-".join(str(_value(p)) for p in parts)


def address_as_written(text: str) -> str:
    """The caller's words, normalised, with 「いちのにのさん」「1の2の3」「一の二の三」 as 1-2-3, and a kanji number
    before 丁目, 番(地) or 号 in figures (一丁目二番三号 is 1丁目2番3号: the normaliser leaves 二番 alone, which
    elsewhere is "the second")."""
    return normalize(_HOUSE_PART.sub(_in_figures, _BLOCKS.sub(_hyphenated, text))).text


_KANJI_NUM = r"(?:[一二三四五六七八九]?十?[一二三四五六七八九]|[一二三四五六七八九]?十)"
_HOUSE_PART = re.compile(rf"(?<![一-龥]){_KANJI_NUM}(?=丁目|番地|番|号)|(?<=[0-9丁目番地])(?:{_KANJI_NUM})(?=番地|番|号)")


def _in_figures(match: re.Match[str]) -> str:
    return str(_value(match.group()))


# the parts of an address a caller reads out: a prefecture, city, ward, town or village, and a house number
_PLACE = re.compile(r"[都道府県市区町村郡]|(?:と|ふ|けん|し|く|ちょう|まち|むら)(?=[ 、,\s])")
_HOUSE = re.compile(r"丁目|ちょうめ|番地|ばんち")
# typed in chat: 「渋谷2-21-1」「2－21－1」
_TYPED_BLOCKS = re.compile(r"[0-9０-９]{1,4}(?:[-－‐−][0-9０-９]{1,4}){1,3}")


def looks_like_address(text: str) -> bool:
    """「とうきょうと しながわく おおい いちのにのさん」 said where a postal code was asked: a place and a house number."""
    return _PLACE.search(text) is not None and (_BLOCKS.search(text) is not None or _HOUSE.search(text) is not None
                                                or _TYPED_BLOCKS.search(text) is not None)
