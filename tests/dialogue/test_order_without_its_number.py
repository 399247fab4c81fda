"""A caller without the order number (「今ちょっと見当たらなくて」, found by a blind writer's dev31, 2026-12-06).

The answers notes call it an answer: offer another identifier. The orders of the phone the caller rings from are
looked up (the caller id verifies them, SPEC 3): one order is confirmed, several are named and the caller picks
one by its item or its number; without a caller id (chat), when someone else ordered (「家族に任せていたので」), or
with nothing the caller's words pick, a person looks it up, as before. Each runs through the SPEC 7.2 runner on the sample bot with the real NLU.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.backends.demo import DemoBackend
from dialogue.bot import Bot
from dialogue.prompt_formats_en import term
from nlu.pipeline import NLU
from tests.dialogue.cases import run_case as _run


@pytest.mark.parametrize(("choice", "order_id", "says"), [
    ("けとるの ほうです", "34567890", "電気ケトル"),
    ("いや、けとるのほう", "34567890", "電気ケトル"),
    ("ワイヤレスイヤホンです", "12345678", "ワイヤレスイヤホン"),
    # a correction in one breath: the item after the marker is the one meant (found in ivr chat)
    ("いや、いやほんやのうて けとるのほうや", "34567890", "電気ケトル"),
    ("いや、けとるやのうて いやほんのほうや", "12345678", "ワイヤレスイヤホン"),
    # found in the meantime: the number said at the question is the one meant
    ("あ、ありました、めーるに。いちにさんよん、ごーろくななはち です", "12345678", "12345678"),
])
async def test_several_orders_are_named_and_the_caller_picks_one(tmp_path: Path, bot: Bot, nlu: NLU, choice: str,
                                                                 order_id: str, says: str) -> None:
    result = await _run(tmp_path, bot, nlu, f"""
- name: no order number, two orders on the caller's phone (SPEC 3's)
  channel: voice
  caller: {{phone: "09012345678"}}
  now: "2026-12-11T18:30:00+09:00"
  turns:
    - user: ちゅうもんした しなものの じょうきょうを しりたいんですが
      expect: {{awaiting: "slot:order_id"}}
    - user: えっと、いま ちょっと みあたらなくて
      expect: {{awaiting: "slot:which_order", says: "ワイヤレスイヤホン、電気ケトルのご注文がございました"}}
    - user: {choice}
      expect: {{says: "{says}"}}
  expect: {{intent: order_status, slots: {{order_id: "{order_id}", verified_by: ani}}}}
""")
    assert result.passed, result.failures


async def test_one_order_is_confirmed_and_the_request_goes_on(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    result = await _run(tmp_path, bot, nlu, """
- name: no order number, one order on the caller's phone
  channel: voice
  caller: {phone: "08098765432"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 注文をキャンセルしたいんですが
    - user: すみません、注文番号わからないです
      expect: {awaiting: confirm, says: "電気ケトルのご注文がございました。こちらのご注文についてでよろしいでしょうか"}
    - user: はい
      expect: {awaiting: confirm, says: "ご注文番号23456789の電気ケトルをキャンセルいたします"}
    - user: はい、お願いします
  expect: {intent: cancel_order, outcome: resolved, slots: {order_id: "23456789"}}
""")
    assert result.passed, result.failures


@pytest.mark.parametrize(("channel", "caller", "turns", "says"), [
    # chat has no caller id: the registered phone is asked for; without it, a person looks the order up
    ("chat", "{}", ["番号がわかりません", "電話番号もわかりません"], "担当者がお名前やお電話番号からお調べいたします"),
    # nothing the caller says picks one of the orders
    ("voice", '{phone: "09012345678"}', ["番号がわかりません", "えーと、なんだったかな、本です"],
     "お話しのご注文を確かめることができませんでした"),
    # someone else ordered: the caller cannot tell the item either (the answers notes' 「家族に任せていたので」)
    ("voice", '{phone: "09012345678"}', ["番号ですか…家族に任せていたのでわからないんです"], "担当者がお名前やお電話番号から"),
    ("voice", '{phone: "09012345678"}', ["番号はちょっとわからないねえ、孫に任せてたから"], "担当者がお名前やお電話番号から"),
    # the one order found is not the one meant
    ("voice", '{phone: "08098765432"}', ["番号がわかりません", "いいえ、違います"], "担当者がお名前やお電話番号から"),
])
async def test_a_person_looks_it_up_when_the_phone_does_not_find_it(tmp_path: Path, bot: Bot, nlu: NLU, channel: str,
                                                                     caller: str, turns: list[str], says: str) -> None:
    said = "".join(f"\n    - user: {t}" for t in turns[:-1])
    # a person who can look it up is offered (agents are in): the caller takes the offer
    offered = "お名前やお電話番号から" in says
    awaiting = ", awaiting: confirm" if offered else ""
    taken = "\n    - user: はい、お願いします" if offered else ""
    result = await _run(tmp_path, bot, nlu, f"""
- name: looked up by a person
  channel: {channel}
  caller: {caller}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 注文の配送状況を知りたいです{said}
    - user: {turns[-1]}
      expect: {{says: "{says}"{awaiting}}}{taken}
  expect: {{outcome: transferred, reason: complex}}
""")
    assert result.passed, result.failures


async def test_the_backend_picks_by_the_longest_shared_run_and_never_by_chance() -> None:
    backend = DemoBackend()
    mine = {"caller_phone": "090-1234-5678"}
    assert (await backend.call("find_orders", mine))["result"] == "several"
    # いや shares イヤ with イヤホン, ケトル shares more with 電気ケトル
    picked = await backend.call("find_orders", {**mine, "choice": "いや、けとるのほう"})
    assert (picked["result"], picked["order_id"]) == ("one", "34567890")
    assert (await backend.call("find_orders", {**mine, "choice": "いや"}))["result"] == "no_match"
    # another caller's order number is never picked from this phone's orders
    assert (await backend.call("find_orders", {**mine, "choice": "23456789"}))["result"] == "no_match"
    assert (await backend.call("find_orders", {"caller_phone": "0311112222"}))["result"] == "not_found"
    assert (await backend.call("find_orders", {"caller_phone": ""}))["result"] == "no_phone"


def test_a_list_the_backend_joined_reads_as_english() -> None:
    terms = {"ワイヤレスイヤホン": "wireless earphones", "電気ケトル": "electric kettle"}
    assert term("ワイヤレスイヤホン、電気ケトル、本", terms) == "wireless earphones, electric kettle and 本"
    assert term("電気ケトル", terms) == "electric kettle"


async def test_an_unpaid_order_is_said_to_wait_for_its_payment(tmp_path: Path, bot: Bot, nlu: NLU) -> None:
    # found by asking after the toothbrush: 「現在発送のお支払い待ちです」 read the status into the processing line
    result = await _run(tmp_path, bot, nlu, """
- name: an unpaid order's status
  channel: voice
  caller: {phone: "09077778888"}
  now: "2026-12-08T10:00:00+09:00"
  turns:
    - user: 注文番号45678901の状況を知りたいです
      expect: {awaiting: anything_else, says: 現在お支払い待ちとなっております}
""")
    assert result.passed, result.failures
    assert not any("発送のお支払い待ち" in t["text"] for t in result.transcript)
