"""Knowledge-base questions as customers ask them (blind writers' dev41 and dev46, 2026-12-06):

- a belief checked or a worry, with a story around it (「先月買ったんですけど、返品って一ヶ月以内なら大丈夫なんですよね」):
  the story lowers the match below the knowledge base's bar, but the entry far ahead of the others answers
  (`FaqIndex.match_loose`, only for such turns: a plain question it half knows is a gap, not an answer);
- a question then a remark (「…どんくらいかかってまうん？ちょっと高いんちゃうかなって」): the sentence that asks is
  matched alone, Kansai words in standard form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("said", "answer"), [
    ("先月買ったんですけど、サイズが合わなくて。返品って一ヶ月以内なら大丈夫なんですよね", "8日"),
    ("コンビニ払いって手数料はかからないという認識で合ってますでしょうか。", "220円"),
    ("ぽいんとの きげんって いつまで だべか さいごに かったのは はるごろ だども", "1年"),
    ("送料ってどんくらいかかってまうん？ちょっと高いんちゃうかなって思てて", "550円"),
])
async def test_the_question_in_the_story_is_answered(tmp_path: Path, bot: Bot, nlu: NLU, said: str, answer: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: asked with a story
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: {said}
      expect: {{says: {answer}, awaiting: confirm}}
    - user: わかりました、ありがとうございます
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


async def test_a_question_the_knowledge_base_half_knows_is_not_answered_from_it(
        tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: the receipt's addressee
  channel: chat
  now: "2026-12-08T11:00:00+09:00"
  turns:
    - user: 領収書の宛名を会社名にしてもらうことはできますか
""")
    said = " ".join(t["text"] for t in result.transcript if t["speaker"] == "bot")
    assert "注文履歴" not in said, said  # the receipt entry (download it) answers another question
