"""Failure classes of the blind-written dev19 callers (benchmarks/conversations/dev19), with wordings of our own:
「どこかでなくなってたりしないですよね」 (a parcel gone missing) was heard as a death in the family, and the worried
caller was offered a person instead of the parcel's status; a death said in kana (「ははが なくなりまして」) still is
grief.
"""

from __future__ import annotations

import pytest

from dialogue import answer_words as words


@pytest.mark.parametrize("text", [
    "荷物が途中でなくなってたりしませんよね",
    "追跡が止まったままで、どっかでなくなってないか心配で",
    "ポイントがいつの間にかなくなってるんです",
])
def test_a_thing_gone_missing_is_no_bereavement(text: str) -> None:
    assert not words.DISTRESS.search(text) and not words.GRIEF.search(text) and not words.BEREAVED.search(text)


@pytest.mark.parametrize("text", ["ちちが せんげつ なくなりまして", "主人が先週なくなって", "母が亡くなりまして"])
def test_a_death_named_with_the_person_is_grief(text: str) -> None:
    assert words.DISTRESS.search(text) and words.GRIEF.search(text) and words.BEREAVED.search(text)


def test_a_parcel_of_a_family_member_gone_missing_is_no_bereavement() -> None:
    assert not words.GRIEF.search("父が頼んだ荷物がなくなってしまったみたいで")
