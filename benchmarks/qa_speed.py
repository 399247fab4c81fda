"""Quality checks per second: score N synthetic contacts (bot and agent calls, some breaking the protocol)
against qa/protocol.yaml and print contacts/s and rules checked/s.

    .venv/bin/python benchmarks/qa_speed.py [--contacts 10000] [--store URL]

With --store, the contacts are the store's records (e.g. after `ivr records synth`) instead.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.qa import Checker, rules_checked  # noqa: E402

START = datetime.fromisoformat("2026-11-02T09:00:00+09:00")
BOT_CALL = [
    ("bot", "お電話ありがとうございます。サクラマート、お客様窓口でございます。ご用件をお話しください。"),
    ("caller", "注文した商品がまだ届かないんですけど"),
    ("bot", "恐れ入りますが、8桁のご注文番号をお話しいただくか、ボタンで入力してください。"),
    ("caller", "いちにさんよん ごーろくななはち"),
    ("bot", "ご本人様確認のため、ご注文時にご登録のお電話番号をお話しいただくか、ボタンで入力してください。"),
    ("caller", "[DTMF 09012345678]"),
    ("bot", "ご注文番号12345678のワイヤレスイヤホンは、現在配送中です。ヤマト運輸にてお届けしており、11月25日(水)にお届けの予定です。"),
    ("bot", "ほかにご用件はございますか。"),
    ("caller", "以上です"),
    ("bot", "お問い合わせいただき、ありがとうございました。失礼いたします。"),
]
AGENT_CALL = [
    ("bot", "お電話ありがとうございます。サクラマート、お客様窓口でございます。ご用件をお話しください。"),
    ("caller", "交換してもらったケトルがまた壊れたんですよ"),
    ("bot", "ご迷惑をおかけしてしまい、大変申し訳ございません。担当者におつなぎいたします。少々お待ちください。"),
    ("agent", "お電話代わりました、担当の佐藤でございます。このたびはご迷惑をおかけし申し訳ございません。"),
    ("caller", "もう三回目なんですけど"),
    ("agent", "確認いたしますので、少々お待ちください。"),
    ("caller", "はい"),
    ("agent", "お待たせいたしました。新しい商品をお送りし、返送用の伝票もお付けいたします。"),
    ("caller", "わかりました"),
    ("agent", "お電話ありがとうございました。失礼いたします。"),
]
BREACHES = [  # the turns an agent gets wrong: {index: (speaker, text)}
    {7: ("agent", "お待たせいたしました。新しいのを送るよ。")},  # タメ口
    {7: ("agent", "それはできません。")},  # a bare refusal
    {7: ("agent", "お客様のせいで壊れたのではないでしょうか。")},  # blame
    {3: ("agent", "はい、佐藤です。")},  # no greeting
    {2: ("bot", "担当者におつなぎいたします。"), 3: ("agent", "お電話代わりました、佐藤です。")},  # no apology
]


def synthetic(n: int, seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        agent = rng.random() < 0.4
        turns = list(AGENT_CALL if agent else BOT_CALL)
        if agent and rng.random() < 0.3:
            for k, turn in rng.choice(BREACHES).items():
                turns[k] = turn
        start = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 28))
        clock, transcript = 0.0, []
        for speaker, text in turns:
            clock += rng.uniform(1, 8) if speaker != "agent" or "お待たせ" not in text else rng.uniform(20, 90)
            transcript.append({"speaker": speaker, "text": text, "at": (start + timedelta(seconds=clock)).isoformat()})
        out.append({
            "conversation_id": f"q{i}", "channel": rng.choice(("voice", "voice", "chat")), "caller": None,
            "started_at": start.isoformat(), "outcome": "handover" if agent else "resolved", "reason": None,
            "queue": "general" if agent else None, "intents": ["complaint" if agent else "order_status"],
            "transcript": transcript, "case_note": None, "agent": rng.choice(("sato", "suzuki", "tanaka")) if agent else None,
        })
    return out


async def from_store(url: str) -> list[dict[str, Any]]:
    from dialogue.records import records
    from dialogue.store_remote import store_from_url

    store = store_from_url(url)
    try:
        return await records(store)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--store", default=None)
    args = parser.parse_args()
    contacts = asyncio.run(from_store(args.store)) if args.store else synthetic(args.contacts)
    checker = Checker()
    checker.check_all(contacts[:100])  # warm the regex caches
    began = time.perf_counter()
    scores = checker.check_all(contacts)
    took = time.perf_counter() - began
    checked = rules_checked(scores)
    broken = Counter(e.rule for s in scores for e in s.failed)
    print(f"{len(scores)} contacts, {sum(len(r.get('transcript') or ()) for r in contacts)} turns, "
          f"{checked} rules checked in {took:.2f} s")
    print(f"contacts/s: {len(scores) / took:.0f}")
    print(f"rules checked/s: {checked / took:.0f}")
    print(f"mean score {sum(s.score for s in scores) / max(1, len(scores)):.1f}; failed: {dict(broken.most_common())}")


if __name__ == "__main__":
    main()
