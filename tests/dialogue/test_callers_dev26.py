"""Classes the blind set dev26 (the details of calls about orders) found on its first run, one test each: a
drawn-out 「はーい」 to 「ほかにご用件は」 taken for "there is more"; 「なんえん いじょうで そうりょう むりょう でしたっけ」
ending the call (以上 read as "that is all"); the other of two orders, or the one meant instead, given after the
answer and not understood.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize("closing", ["はーい", "はぁい", "はーい〜"])
async def test_a_drawn_out_hai_after_the_answer_is_asked_about_not_taken_for_more(tmp_path: Path, bot: Bot,
                                                                                   nlu: NLU, closing: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: store hours, then a drawn-out はーい
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: さっぽろてんって なんじまで あいてますか
      expect: {{awaiting: anything_else}}
    - user: {closing}
      expect: {{says: 終了してもよろしいでしょうか}}
    - user: はい
  expect: {{outcome: resolved}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize("asked", ["なんえん いじょうで そうりょう むりょう でしたっけ", "何円以上で送料無料になりますか"])
async def test_ijou_of_an_amount_asked_about_is_no_closing(tmp_path: Path, bot: Bot, nlu: NLU, asked: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: stock, then the free-shipping threshold
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
    - user: ワイヤレスイヤホン いま ありますか
      expect: {{awaiting: anything_else}}
    - user: {asked}
      expect: {{says: 送料は無料}}
""")
    assert result.passed, result.failures
    assert result.outcome != "ended"


@pytest.mark.parametrize(("channel", "first", "second", "order"), [
    ("voice", "ちゅうもんを ふたつ してるんですけど どっちも いま どうなってるか ききたくて",
     "はい それと もうひとつが さんよんごろく ななはちきゅう れい です", "34567890"),
    ("chat", "返品したいです。注文番号は12345678、電話は090-1234-5678です",
     "あ、イヤホンじゃなくてケトルのほうでした。34567890です", "34567890"),
])
async def test_the_other_order_given_after_the_answer_gets_the_same_request(
        tmp_path: Path, bot: Bot, nlu: NLU, channel: str, first: str, second: str, order: str) -> None:
    opening = [first] if channel == "chat" else [first, "まず いちにさんよん ごろくななはち"]
    turns = "\n".join(f"    - user: {t}" for t in opening)
    result = await _run(tmp_path, bot, nlu, f"""
- name: two orders
  channel: {channel}
  caller: {{phone: "09012345678"}}
  now: "2026-11-05T10:00:00+09:00"
  turns:
{turns}
      expect: {{awaiting: anything_else}}
    - user: {second}
      expect: {{says: ご注文番号{order}}}
""")
    assert result.passed, result.failures
