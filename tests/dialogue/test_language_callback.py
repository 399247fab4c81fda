"""A caller in a language the bot does not speak, outside the agents' hours: a callback from an agent who speaks
it, offered and booked in that language (issue 14), never Japanese re-prompts. Found with a blind writer's
foreign-language callers (dev29), who expected exactly that from the SPEC and the issue.

Each runs a case through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.bot import Bot
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("opening", "yes", "says"), [
    ("주문한 물건이 아직 안 왔어요.", "네, 부탁합니다", "한국어"),
    ("Tôi muốn hủy đơn hàng.", "có", "tiếng Việt"),
    ("Quero trocar um produto.", "sim, por favor", "português"),
    ("我的快递还没到，怎么办？", "好的", "中文"),
    ("Magandang gabi po, hindi pa dumating yung order ko.", "opo", "multilingual"),
    ("मेरो अर्डर कहाँ छ?", "हुन्छ", "बहुभाषी"),
])
async def test_out_of_hours_a_callback_is_offered_and_booked_in_their_language(tmp_path: Path, bot: Bot, nlu: NLU,
                                                                              opening: str, yes: str,
                                                                              says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: foreign language on a Sunday
  channel: voice
  caller: {{phone: "09055556666"}}
  now: "2026-12-06T15:00:00+09:00"
  turns:
    - user: "{opening}"
      expect: {{awaiting: confirm, says: "{says}"}}
    - user: "{yes}"
  expect: {{outcome: callback_scheduled, reason: null, slots: {{phone_number: "09055556666", date: "2026-12-07",
            time: "09:00"}}}}
""")
    assert result.passed, result.failures
    said = [t["text"] for t in result.transcript if t["speaker"] == "bot"][1:]
    assert not any("申し訳" in text or "お電話" in text for text in said), said  # no Japanese after the welcome


async def test_on_chat_without_a_caller_id_the_number_typed_is_the_one_called(tmp_path: Path, bot: Bot,
                                                                              nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: Chinese chat on a Sunday, number typed
  channel: chat
  caller: {}
  now: "2026-12-06T15:00:00+09:00"
  turns:
    - user: 请问有会说中文的客服吗？
      expect: {awaiting: "slot:phone_number", says: 请输入您的电话号码}
    - user: 080-1111-2222
  expect: {outcome: callback_scheduled, slots: {phone_number: "08011112222", date: "2026-12-07"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("answers", "outcome"), [
    (["không, cảm ơn"], "ended"),  # declined: the hours, in Vietnamese
    (["??", "..."], "ended"),  # not understood twice: the hours, not a third offer
    (["2"], "ended"),
    (["??", "1"], "callback_scheduled"),
])
async def test_a_declined_or_unanswered_offer_ends_with_the_hours_in_their_language(
        tmp_path: Path, bot: Bot, nlu: NLU, answers: list[str], outcome: str) -> None:
    turns = "\n".join(f'    - user: "{a}"' for a in answers)
    result = await _run(tmp_path, bot, nlu, f"""
- name: Vietnamese, offer answered
  channel: voice
  caller: {{phone: "09055556666"}}
  now: "2026-12-06T15:00:00+09:00"
  turns:
    - user: Tôi muốn hủy đơn hàng.
{turns}
  expect: {{outcome: {outcome}}}
""")
    assert result.passed, result.failures
    if outcome == "ended":
        last = [t["text"] for t in result.transcript if t["speaker"] == "bot"][-1]
        assert "giờ làm việc" in last, last
