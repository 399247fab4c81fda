"""The agent's case note: every field, JSON-ready, and a ten-second summary in polite Japanese."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from dialogue.bot import load_bot
from dialogue.escalation import ConversationRecord, HarassmentEvent, Trajectory, build_case_note
from dialogue.escalation.note_words import why_ja
from dialogue.notes import intent_labels, wording
from tests.escalation.factories import OPEN, emo

CALM = emo("neutral", 0.9)
MILD = emo("anger", 0.45, neutral=0.35)

# the sample bot's own words for ids and requests (entities/, prompts/): company facts live in its data
NAMES, TOPICS = wording(load_bot())


def _traj(*steps: tuple[Any, bool]) -> Trajectory:
    t = Trajectory()
    for e, failed in steps:
        t = t.update(e, failed=failed)
    return t


def record(**kw: Any) -> ConversationRecord:
    base: dict[str, Any] = {
        "session_id": "CA123",
        "channel": "voice",
        "caller_phone": "09012345678",
        "started_at": OPEN,
        "intents": ["greet", "order_status", "operator_request"],
        "slots": {"order_id": "12345678", "verified": True, "verified_by": "phone_number"},
        "trajectory": _traj((CALM, False), (CALM, True), (MILD, True), (MILD, False)),
        "outcome": "transferred",
        "reason": "human_request",
        "rule": "operator_request",
        "decision_why": "intent=operator_request (0.91)",
        "transcript": [
            ("bot", "お電話ありがとうございます。サクラマートです。"),
            ("caller", "注文した商品がまだ届かないんですけど"),
            ("bot", "注文番号を教えてください。"),
            ("caller", "責任者と話したい。"),
        ],
        "harassment_events": [],
    }
    base.update(kw)
    return ConversationRecord(**base)


def test_example_from_the_brief() -> None:
    note = build_case_note(record(), names=NAMES, topics=TOPICS)
    assert note.summary_ja == (
        "お客様は注文番号12345678の配送状況についてお問い合わせです。電話番号で本人確認済み。"
        "2回聞き返しがあり、途中から苛立ちが見られます(怒り)。『責任者と話したい』とのご要望で、担当者へ転送します。"
    )


# (case, record overrides, fragments the summary must contain)
SUMMARIES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "store hours, calm, resolved",
        {"intents": ["store_hours"], "slots": {"store": "umeda"}, "trajectory": _traj((CALM, False)), "outcome": "resolved", "reason": None},
        ["梅田店の営業時間についてお問い合わせです。", "落ち着いたご様子です。", "自動応答で解決しました。"],
    ),
    (
        "delivery change with a date",
        {"intents": ["delivery_change"], "slots": {"order_id": "12345678", "date": date(2026, 12, 3), "time": "15:00"}},
        ["注文番号12345678の再配達・お届け日時の変更(ご希望日12月3日 15:00)について"],
    ),
    (
        "angry from the start",
        {"trajectory": _traj((emo("anger", 0.9), False)), "reason": "emotion", "slots": {}},
        ["最初から強い苛立ちが見られます(怒り)。", "お気持ちに配慮し、担当者へ転送します。"],
    ),
    (
        "complaint with a legal threat",
        {"intents": ["complaint"], "reason": "complex", "decision_why": "keyword「消費者センター」",
         "transcript": [("caller", "消費者センターに言いますよ")]},
        ["お客様から苦情のお申し出です。", "法的措置や外部機関への言及があり、『消費者センターに言いますよ』とのお申し出で、担当者へ転送します。"],
    ),
    (
        "grief",
        {"trajectory": _traj((emo("sadness", 0.9), False), (emo("sadness", 0.9), False)), "reason": "emotion"},
        ["お気持ちが沈んでいるご様子です(悲しみ)。"],
    ),
    (
        "callback after hours",
        {"outcome": "callback_scheduled", "decision_why": "intent=operator_request; callback instead of transfer: general closed (Sunday)"},
        ["『責任者と話したい』とのご要望ですが、営業時間外のため折り返しのお電話を承りました。"],
    ),
    (
        "harassment ended",
        {
            "outcome": "ended",
            "reason": "harassment",
            "harassment_events": [
                HarassmentEvent(2, "insult", 0.95, "ばか", "warn"),
                HarassmentEvent(3, "unreasonable_demand", 0.9, "土下座しろ", "end"),
            ],
        },
        ["不適切な発言(暴言・過剰な要求)が2回あり、1回注意済みです。", "注意後も不適切な発言が続いたため、通話を終了しました。"],
    ),
    (
        "threat to supervisor",
        {"reason": "harassment", "harassment_events": [HarassmentEvent(1, "threat", 0.97, "名前をネットに晒す", "supervisor")]},
        ["不適切な発言(脅迫)が1回ありました。", "スーパーバイザーへ転送します。"],
    ),
    (
        "nothing understood",
        {"intents": [], "slots": {}, "reason": "repeated_failure", "trajectory": _traj((None, True), (None, True), (None, True))},
        ["ご用件はまだ伺えていません。", "3回聞き返しがありました。", "自動応答ではご用件を伺いきれなかったため"],
    ),
    ("not verified", {"slots": {"order_id": "12345678", "verified": False}}, ["本人確認は未了です。"]),
]


@pytest.mark.parametrize(("case", "kw", "fragments"), SUMMARIES, ids=[c[0] for c in SUMMARIES])
def test_summary(case: str, kw: dict[str, Any], fragments: list[str]) -> None:
    summary = build_case_note(record(**kw), names=NAMES, topics=TOPICS).summary_ja
    for f in fragments:
        assert f in summary, (case, summary)
    assert len(summary) < 200 and "None" not in summary and "{" not in summary


def test_to_json_round_trips() -> None:
    note = build_case_note(record(slots={"order_id": "12345678", "date": date(2026, 12, 3)}), names=NAMES, topics=TOPICS)
    out = json.loads(json.dumps(note.to_json(), ensure_ascii=False))
    assert out["intents"][-1] == "operator_request"
    assert out["intent"] == "order_status"  # a person asked for in a call about an order: still about the order
    assert out["slots"]["date"] == "2026-12-03"
    assert out["emotion"]["labels"] == ["neutral", "neutral", "anger", "anger"]
    assert out["transcript"][-1] == {"speaker": "caller", "text": "責任者と話したい。"}
    assert out["started_at"] == "2026-12-01T10:00:00+09:00"
    assert {"reason", "rule", "decision_why", "harassment_events", "summary_ja", "caller_phone", "session_id", "channel"} <= out.keys()


# -- what agents read: the actual problem, the history, fields in words -----------------------------------

LABELS = intent_labels(load_bot())
PROBLEMS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("a leaking kettle", {"intents": ["return_exchange"], "slots": {"order_id": "12345678", "product": "kettle"},
                          "problem": "届いたケトルから水が漏れているんです"},
     ["注文番号12345678の返品・交換について", "お客様のお話では『届いたケトルから水が漏れているんです』とのことです。"]),
    ("a double charge", {"intents": ["billing_inquiry"], "slots": {"amount": 3980},
                         "problem": "同じ注文で二重に請求されています"},
     ["ご請求内容(3,980円)について", "『同じ注文で二重に請求されています』"]),
    ("the third contact", {"history": {"count": 3, "same_matter": 3, "order_id": "12345678", "escalates": True,
                                       "previous": {"started_at": "2026-12-02T15:00:00+09:00",
                                                    "intents": ["order_status"], "order_id": "12345678",
                                                    "outcome": "handover", "disposition": "調査依頼"}}},
     ["今週3回目のお問い合わせです(注文番号12345678の件で3回目)。",
      "前回(12月2日)は注文番号12345678の配送状況についてで、担当者が対応しています(対応結果: 調査依頼)。"]),
    ("a flagged caller", {"flagged": True}, ["ハラスメントでスーパーバイザーが登録済みのお客様です。"]),
]


@pytest.mark.parametrize(("case", "kw", "fragments"), PROBLEMS, ids=[c[0] for c in PROBLEMS])
def test_the_summary_says_the_actual_problem(case: str, kw: dict[str, Any], fragments: list[str]) -> None:
    summary = build_case_note(record(**kw), names=NAMES, topics=TOPICS).summary_ja
    for f in fragments:
        assert f in summary, (case, summary)


def test_the_problem_is_not_quoted_twice() -> None:
    summary = build_case_note(record(problem="責任者と話したい。"), names=NAMES, topics=TOPICS).summary_ja
    assert summary.count("責任者と話したい") == 1


def test_fields_are_in_an_agent_s_words() -> None:
    angry = _traj((emo("anger", 0.94), False), (emo("anger", 0.9), False))
    note = build_case_note(record(
        trajectory=angry, reason="emotion", rule="strong_anger", decision_why="anger=0.94≥0.8; priority +1 (vip: caller_vip=True)",
        slots={"order_id": "12345678", "phone_number": "0312345678", "product": "kettle", "date": date(2026, 12, 3)},
    ), names=NAMES, topics=TOPICS, labels=LABELS).to_json()
    fields = {f["label"]: f["value"] for f in note["fields_ja"]}
    assert fields["感情"] == "強い怒り"
    assert fields["判断の根拠"] == "この発話の怒りの強さ0.94(基準0.8以上)"
    assert fields["注文番号"] == "12345678" and fields["商品"] == "電気ケトル" and fields["日付"] == "12月3日"
    assert fields["発信者番号"] == "090-1234-5678" and fields["お客様の電話番号"] == "03-1234-5678"
    assert fields["引き継ぎ理由"] == "感情の高まり" and fields["用件"].startswith("ご注文の配送状況")
    assert note["collected_phone"] == "03-1234-5678"
    shown = json.dumps(note["fields_ja"], ensure_ascii=False)
    for machine in ("strong_anger", "anger=", "slot:", "order_id", "≥", "None"):
        assert machine not in shown


@pytest.mark.parametrize(("why", "words"), [
    ("intent=operator_request (0.91)", "用件「オペレーターへのおつなぎ」(確信度0.91)"),
    ("consecutive_failures=3≥3", "連続して聞き取れなかった回数3回"),
    ("keyword「消費者センター」", "「消費者センター」という言葉"),
    ("harassment=threat (0.97), harassment_warnings=1≥1", "不適切な発言(脅迫)、注意済み1回"),
    ("intent=operator_request; callback instead of transfer: general closed (Sunday), opens 2026-12-07 09:00",
     "用件「オペレーターへのおつなぎ」、窓口の営業時間外(受付再開 12月7日 09:00)"),
    ("emotion=anger; callback instead of transfer: complaints wait 900s > max_wait_s 600s",
     "感情「怒り」、窓口の予想待ち時間900秒(上限600秒)"),
])
def test_why_in_words(why: str, words: str) -> None:
    assert why_ja(why, LABELS) == words
