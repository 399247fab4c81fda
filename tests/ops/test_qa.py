"""Quality checks (dialogue.qa) against the sample protocol, qa/protocol.yaml: one table row per rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dialogue.qa import Checker
from dialogue.qa_report import qa_report, summarize
from dialogue.qa_rules import load_protocol, protocol_problems
from dialogue.yaml_source import SourceError
from tests.ops.records import contact

GREET = ("bot", "お電話ありがとうございます。サクラマート、お客様窓口でございます。")
CLOSE = ("bot", "お問い合わせいただき、ありがとうございました。失礼いたします。")
ASK_ORDER = ("bot", "恐れ入りますが、8桁のご注文番号をお話しください。")
STATUS = ("bot", "ご注文番号12345678のワイヤレスイヤホンは、現在配送中です。")
ASK_PHONE = ("bot", "ご本人様確認のため、ご登録のお電話番号をお話しください。")
ANI = {"case_note": {"slots": {"verified": "true", "verified_by": "ani"}}}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], set[str]]] = [
    ("a clean bot call", (GREET, ("caller", "梅田店は何時までですか"),
                          ("bot", "梅田店の営業時間は、10時から20時まででございます。"), CLOSE), {}, set()),
    ("no company greeting", (("bot", "ご用件をお話しください。"), ("caller", "以上です"), CLOSE), {}, {"greeting"}),
    ("an agent who does not greet", (GREET, ("caller", "オペレーターお願い"), ("bot", "担当者におつなぎいたします。"),
                                     ("agent", "担当の佐藤です。"), ("agent", "ありがとうございました。")), {}, {"greeting"}),
    ("an agent who greets", (GREET, ("caller", "オペレーターお願い"), ("bot", "担当者におつなぎいたします。"),
                             ("agent", "お電話代わりました、担当の佐藤です。"), ("agent", "ありがとうございました。")), {}, set()),
    ("no closing", (GREET, ("caller", "以上です"), ("bot", "承りました。")), {}, {"closing"}),
    ("a handover is a closing", (GREET, ("caller", "人と話したい"), ("bot", "担当者におつなぎいたします。少々お待ちください。")),
     {}, set()),
    ("the caller left while asked", (GREET, ("caller", "渋谷店の場所"), ("bot", "ほかにご用件はございますか。")), {}, set()),
    ("order details before any check", (GREET, ("caller", "荷物が来ない"), ASK_ORDER, ("caller", "12345678"), STATUS, CLOSE),
     {}, {"identity"}),
    ("order details after a phone check", (GREET, ("caller", "荷物が来ない"), ASK_ORDER, ("caller", "12345678"), ASK_PHONE,
                                           ("caller", "09012345678"), STATUS, CLOSE), {}, set()),
    ("order details after a failed check", (GREET, ASK_PHONE, ("caller", "08011112222"),
                                            ("bot", "申し訳ございません。ご登録のお電話番号と一致いたしませんでした。"),
                                            STATUS, CLOSE), {}, {"identity"}),
    ("verified by caller id", (GREET, ("caller", "荷物が来ない"), ASK_ORDER, ("caller", "12345678"), STATUS, CLOSE), ANI, set()),
    ("said verified by phone, but never asked", (GREET, ("caller", "荷物が来ない"), STATUS, CLOSE),
     {"case_note": {"slots": {"verified": "true", "verified_by": "phone"}}}, {"identity"}),
    ("a complaint with no apology", (GREET, ("caller", "交換したケトルがまた壊れたんですよ"),
                                     ("bot", "担当者におつなぎいたします。")), {}, {"apology"}),
    ("a complaint with an apology", (GREET, ("caller", "交換したケトルがまた壊れたんですよ"),
                                     ("bot", "ご迷惑をおかけし、大変申し訳ございません。担当者におつなぎいたします。")), {}, set()),
    ("anger read by the NLU", (GREET, {"speaker": "caller", "text": "いつ来るんですか", "emotion": {"label": "anger"}},
                               ("bot", "ご注文番号をお話しください。")), {}, {"apology"}),
    ("abuse is warned, not apologised for", (GREET, ("caller", "ふざけるなバカ"),
                                             ("bot", "恐れ入りますが、そのようなお言葉はお控えください。"), CLOSE), {}, set()),
    ("a bare refusal", (GREET, ("caller", "今日届けて"), ("bot", "本日のお届けはできません。"), CLOSE), {}, {"bare_refusal"}),
    ("a refusal with an alternative", (GREET, ("caller", "キャンセルしたい"),
                                       ("bot", "配送中のためキャンセルはできません。"),
                                       ("bot", "お受け取り後に返品のお手続きをご利用いただけます。"), CLOSE), ANI, set()),
    ("タメ口 from an agent", (GREET, ("caller", "荷物どこ"), ("agent", "お待たせいたしました。今調べてるよ。"),
                           ("agent", "ありがとうございました。")), {}, {"plain_speech"}),
    ("blaming the customer", (GREET, ("caller", "届かない"), ("agent", "お待たせいたしました。お客様のせいで遅れております。"),
                              ("agent", "ありがとうございました。")), {}, {"blame"}),
]


@pytest.mark.parametrize(("name", "turns", "fields", "failed"), CASES, ids=[c[0] for c in CASES])
def test_rule(checker: Checker, name: str, turns: tuple[Any, ...], fields: dict[str, Any], failed: set[str]) -> None:
    record = contact(*[t for t in turns if isinstance(t, tuple)], **fields)
    for i, t in enumerate(turns):  # turns given as dicts carry NLU signals
        if isinstance(t, dict):
            record["transcript"].insert(i, t)
    score = checker.check(record)
    assert {e.rule for e in score.failed} == failed, [e.to_json() for e in score.failed]
    assert score.score == 100 - sum(getattr(checker.protocol, r).penalty for r in failed)


def test_evidence_names_the_turn(checker: Checker) -> None:
    score = checker.check(contact(GREET, ("caller", "荷物"), ASK_ORDER, ("caller", "12345678"), STATUS, CLOSE))
    (evidence,) = score.failed
    assert (evidence.rule, evidence.turn, evidence.speaker) == ("identity", 4, "bot")
    assert "配送中" in evidence.text and score.score == 70 and not score.passed
    assert "identity" in score.checked and "apology" not in score.checked  # no complaint: not applicable


@pytest.mark.parametrize(("back_after", "channel", "failed"), [
    (90, "voice", {"hold"}), (40, "voice", set()),
])
def test_hold_limit(checker: Checker, back_after: float, channel: str, failed: set[str]) -> None:
    record = contact(("agent", "お電話代わりました、佐藤です。", 0), ("caller", "注文を調べてほしい", 3),
                     ("agent", "お調べいたしますので、少々お待ちください。", 5), ("caller", "はい", 6),
                     ("agent", "お待たせいたしました。発送の準備中でございます。", 5 + back_after),
                     ("agent", "ありがとうございました。", 10 + back_after), channel=channel, **ANI)
    assert {e.rule for e in checker.check(record).failed} == failed  # the caller's はい is no silence: on hold


@pytest.mark.parametrize(("gap", "channel", "failed"), [
    (25, "voice", {"silence"}), (5, "voice", set()), (25, "chat", set()), (90, "chat", {"silence"}), (900, "email", set()),
])
def test_silence_limit(checker: Checker, gap: float, channel: str, failed: set[str]) -> None:
    record = contact(("bot", "こんにちは、サクラマートです。", 0), ("caller", "梅田店は何時まで", 10),
                     ("bot", "20時まででございます。", 10 + gap), ("bot", "ありがとうございました。", 12 + gap),
                     channel=channel)
    score = checker.check(record)
    assert {e.rule for e in score.failed} == failed
    if failed:
        assert score.failed[0].turn == 2 and f"{gap:.0f} s" in score.failed[0].why


def test_summaries_by_agent_flow_and_day(checker: Checker) -> None:
    good = contact(GREET, ("caller", "以上です"), CLOSE, conversation_id="a", agent="sato", intents=["store_hours"])
    bad = contact(GREET, ("caller", "荷物"), STATUS, CLOSE, conversation_id="b", agent="sato",
                  started_at="2026-11-21T00:30:00+09:00")
    bot = contact(GREET, ("caller", "以上です"), CLOSE, conversation_id="c", started_at="2026-11-20T15:30:00+00:00")
    summary = summarize(checker.check_all([good, bad, bot]))
    assert summary["contacts"] == 3 and summary["failed_rules"] == {"identity": 1}
    assert [(g["name"], g["contacts"], g["mean_score"]) for g in summary["by_agent"]] == [("(bot)", 1, 100.0), ("sato", 2, 85.0)]
    assert [g["name"] for g in summary["by_flow"]] == ["order_status", "store_hours"]
    # 2026-11-20 15:30 UTC is the 21st in Japan
    assert [(g["name"], g["contacts"]) for g in summary["by_day"]] == [("2026-11-20", 1), ("2026-11-21", 2)]
    assert qa_report([bad], checker)["contacts"][0]["failed"][0]["rule"] == "identity"


def test_protocol_errors_point_at_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "protocol.yaml"
    bad.write_text("pass_score: 80\nblame:\n  penalty: 25\n  expressions: [お客様のせい, '(unclosed']\n"
                   "hold:\n  limit_secs: 60\n  phrases: [少々]\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_protocol(bad)
    problems = "\n".join(err.value.problems)
    assert f"{bad}:4:" in problems and "not a valid regular expression" in problems
    assert f"{bad}:6:3: unknown key 'limit_secs'" in problems
    assert protocol_problems(bad) == err.value.problems  # what `ivr validate` prints
    assert protocol_problems(tmp_path / "absent.yaml") == []  # a bot without a protocol is fine


def test_the_shipped_protocol_loads() -> None:
    protocol = load_protocol()
    assert protocol.identity is not None and protocol.pass_score == 80
    assert protocol_problems() == []


def test_case_note_signals_mark_complaints_and_abuse(checker: Checker) -> None:
    turns = (GREET, ("caller", "荷物はいつ来るんですか"), ("bot", "恐れ入りますが、ご注文番号をお話しください。"),
             ("caller", "[DTMF 12345678]"), ("caller", "早くしろよ"), ("bot", "恐れ入りますが、ご注文番号をお話しください。"))
    angry = {"emotion": {"labels": ["anger", "neutral"]}, "harassment_events": []}
    (evidence,) = checker.check(contact(*turns, case_note=angry)).failed
    assert (evidence.rule, evidence.turn) == ("apology", 1)
    abusive = {"emotion": {"labels": ["neutral", "anger"]}, "harassment_events": [{"text": "早くしろよ"}]}
    assert checker.check(contact(*turns, case_note=abusive)).failed == ()
    misaligned = {"emotion": {"labels": ["anger"]}}  # one label for two spoken turns: not guessed at
    assert "apology" not in checker.check(contact(*turns, case_note=misaligned)).checked


def test_mail_replies_close_with_yoroshiku_and_go_to_the_registered_address(checker: Checker) -> None:
    mail = contact(("caller", "注文番号12345678の発送状況を教えてください。"),
                   ("agent", "お問い合わせいただきありがとうございます。ご注文番号12345678のご注文は配送中でございます。"
                             "今後ともサクラマートをよろしくお願いいたします。"), channel="email")
    score = checker.check(mail)
    assert score.failed == () and "identity" not in score.checked and "closing" in score.checked
