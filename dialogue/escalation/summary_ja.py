"""The agent's ten-second summary, in polite Japanese, from templates (no LLM: predictable, testable).

One sentence each for: what the call is about, identity check, how the call went (failures, emotion),
harassment, and why and how it is handed over. Sentences with nothing to say are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dialogue.escalation.trajectory import Trajectory

if TYPE_CHECKING:  # only for annotations: case_note imports this module at run time
    from dialogue.escalation.case_note import ConversationRecord, HarassmentEvent

# conversation acts and handover requests are not what the call is "about"
_NOT_TOPICS = frozenset({"greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope", "operator_request"})
_HARASSMENT_JA = {"insult": "暴言", "threat": "脅迫", "sexual": "性的な発言", "unreasonable_demand": "過剰な要求"}
_EMOTION_JA = {"anger": "怒り", "anxiety": "不安", "sadness": "悲しみ"}
_QUOTE_MAX = 30
_PROBLEM_MAX = 40
_END_PUNCT = re.compile(r"[。、!?!?\s]+$")
IRRITATED = 0.4  # call-level anger from which an agent should be told


def _date_ja(iso: str) -> str:
    try:
        return f"{int(iso[5:7])}月{int(iso[8:10])}日"
    except ValueError:
        return iso


def _topic(intent: str, slots: Mapping[str, Any], names: Mapping[str, str], topics: Mapping[str, str]) -> str:
    # the bot's own words for its requests (prompts: summary_topic_<intent>); "{order}" becomes
    # 「注文番号12345678の」 when the slot is known, 「ご注文の」 otherwise
    template = topics.get(intent, intent)
    order = f"注文番号{slots['order_id']}の" if slots.get("order_id") else "ご注文の"
    store = f"{names.get(str(slots['store']), slots['store'])}の" if slots.get("store") else "店舗の"
    product = f"{names.get(str(slots['product']), slots['product'])}の" if slots.get("product") else "商品の"
    when = ""
    if slots.get("date"):
        when = f"(ご希望日{_date_ja(str(slots['date']))}{' ' + str(slots['time']) if slots.get('time') else ''})"
    amount = f"({int(slots['amount']):,}円)" if isinstance(slots.get("amount"), int) else ""
    try:
        return template.format(order=order, store=store, product=product, when=when, amount=amount)
    except (KeyError, IndexError, ValueError):
        return template  # a designer's placeholder this summary does not know: the words as written


def _topic_sentence(intents: Sequence[str], slots: Mapping[str, Any], names: Mapping[str, str],
                    topics: Mapping[str, str]) -> str:
    asked = list(dict.fromkeys(i for i in intents if i not in _NOT_TOPICS))
    complaint = "complaint" in asked
    others = [_topic(i, slots, names, topics) for i in asked if i != "complaint"]
    about = "と".join(others[:2]) + ("など" if len(others) > 2 else "")
    if complaint:
        return f"お客様から{about}に関する苦情のお申し出です。" if about else "お客様から苦情のお申し出です。"
    if about:
        return f"お客様は{about}についてお問い合わせです。"
    if "operator_request" in intents:
        return "お客様はご用件を伝える前に担当者との会話をご希望です。"
    return "ご用件はまだ伺えていません。"


def _problem_clause(problem: str | None) -> str:
    """The caller's own words for what is wrong (「ケトルから水が漏れている」, 「二重に請求されている」): an intent
    says what kind of request it is, the words say what actually happened."""
    if not problem:
        return ""
    q = _END_PUNCT.sub("", problem.strip())
    q = q if len(q) <= _PROBLEM_MAX else q[: _PROBLEM_MAX - 1] + "…"
    return f"お客様のお話では『{q}』とのことです。" if q else ""


_PAST_OUTCOME = {"resolved": "自動応答で解決しています", "handover": "担当者が対応しています",
                 "transferred": "担当者が対応しています", "callback": "折り返しのお電話を承っています",
                 "callback_scheduled": "折り返しのお電話を承っています", "abandoned": "途中で終了しています",
                 "ended": "自動応答で終了しています"}


def history_sentence(history: Mapping[str, Any] | None, names: Mapping[str, str], topics: Mapping[str, str]) -> str:
    """「今週3回目のお問い合わせです。前回(12月2日)は注文番号12345678の配送状況についてで、担当者が対応しています。」"""
    if not history or int(history.get("count") or 0) < 2:
        return ""
    out = f"今週{history['count']}回目のお問い合わせです"
    same = int(history.get("same_matter") or 0)
    if same >= 2 and history.get("order_id"):
        out += f"(注文番号{history['order_id']}の件で{same}回目)"
    out += "。"
    prev = history.get("previous")
    if isinstance(prev, Mapping):
        slots = {"order_id": prev.get("order_id")} if prev.get("order_id") else {}
        asked = [i for i in dict.fromkeys(prev.get("intents") or ()) if i not in _NOT_TOPICS]
        about = "と".join(_topic(i, slots, names, topics) for i in asked[:2])
        day = _date_ja(str(prev.get("started_at") or ""))
        done = _PAST_OUTCOME.get(str(prev.get("outcome")), "")
        disposition = f"(対応結果: {prev['disposition']})" if prev.get("disposition") else ""
        if about:
            out += f"前回({day})は{about}についてで、{done}{disposition}。" if done else f"前回({day})は{about}についてでした。"
        elif done:
            out += f"前回({day})は{done}{disposition}。"
    return out


def _identity_sentence(slots: Mapping[str, Any]) -> str:
    if "verified" not in slots:
        return ""
    if slots["verified"] in (False, "false", "", None):
        return "本人確認は未了です。"
    by = "発信者番号" if slots.get("verified_by") == "ani" else "電話番号"
    return f"{by}で本人確認済み。"


def _mood(traj: Trajectory) -> str:
    """How the caller feels, with the label in brackets for agents who scan."""
    turns = traj.turns
    angry = [t for t in turns if t.label == "anger" or t.anger_level >= IRRITATED]
    if angry:
        if traj.anger_level < IRRITATED and traj.trend == "falling":
            return "一時苛立ちが見られましたが、現在は落ち着いています(怒り)"
        since = "最初から" if angry[0] is turns[0] else "途中から"
        strong = "強い苛立ち" if traj.anger_level >= 0.7 or traj.peak_score >= 0.8 else "苛立ち"
        return f"{since}{strong}が見られます(怒り)"
    upset = [t for t in turns if t.label in ("sadness", "anxiety") or t.distress_level >= IRRITATED]
    if upset:
        label = traj.peak if traj.peak in ("sadness", "anxiety") else upset[-1].label
        feeling = "お気持ちが沈んでいるご様子です" if label == "sadness" else "ご不安なご様子です"
        return f"{feeling}({_EMOTION_JA.get(label, label)})"
    return "落ち着いたご様子です" if turns else ""


def _course_sentence(traj: Trajectory) -> str:
    mood = _mood(traj)
    n = traj.failures
    out = ""
    if n and mood:
        calm = mood.startswith("落ち着いた")
        out = f"{n}回聞き返しがあり{'ましたが' if calm else ''}、{mood}。"
    elif n:
        out = f"{n}回聞き返しがありました。"
    elif mood:
        out = f"{mood}。"
    if traj.repetitions:
        out += "「さっきも言った」など、同じ説明の繰り返しへのご指摘があります。"
    return out


def _harassment_sentence(events: Sequence[HarassmentEvent]) -> str:
    if not events:
        return ""
    kinds = "・".join(dict.fromkeys(_HARASSMENT_JA.get(e.kind or "", "不適切な発言") for e in events))
    warned = sum(1 for e in events if e.action == "warn")
    if warned:
        return f"不適切な発言({kinds})が{len(events)}回あり、{warned}回注意済みです。"
    return f"不適切な発言({kinds})が{len(events)}回ありました。"


def _quote(transcript: Sequence[tuple[str, str]]) -> str:
    said = [text.strip() for who, text in transcript if who == "caller" and text.strip()]
    if not said:
        return ""
    q = _END_PUNCT.sub("", said[-1])
    return q if len(q) <= _QUOTE_MAX else q[: _QUOTE_MAX - 1] + "…"


def _handover_sentence(r: ConversationRecord) -> str:
    why = r.decision_why or ""
    outcome = {
        "transferred": "スーパーバイザーへ転送します" if r.reason == "harassment" else "担当者へ転送します",
        "callback_scheduled": "折り返しのお電話を承りました",
        "ended": "通話を終了しました",
        "resolved": "自動応答で解決しました",
        "abandoned": "お客様が途中で通話を終了されました",
    }.get(r.outcome, r.outcome)
    if r.outcome == "callback_scheduled":
        if "closed" in why:
            outcome = "営業時間外のため" + outcome
        elif "wait" in why:
            outcome = "窓口が混み合っているため" + outcome
    quote = _quote(r.transcript)
    if quote and r.problem and quote == _END_PUNCT.sub("", r.problem.strip())[:_QUOTE_MAX - 1]:
        quote = ""  # already quoted as the problem
    if quote and r.problem and _END_PUNCT.sub("", r.problem.strip()).startswith(quote.rstrip("…")):
        quote = ""
    if r.outcome == "callback_scheduled":
        # "because you asked for a person ... we took a callback" reads as a contrast, not a cause
        asked = r.reason in ("human_request", "complex") and quote
        return (f"『{quote}』とのご要望ですが、" if asked else "") + f"{outcome}。"
    if r.reason == "human_request":
        lead = f"『{quote}』とのご要望で、" if quote else "担当者との会話をご希望のため、"
    elif r.reason == "complex":
        legal = "法的措置や外部機関への言及があり、" if ("legal_threat" in why or "keyword" in why) else ""
        lead = legal + (f"『{quote}』とのお申し出で、" if quote else "")
    else:
        lead = {
            "emotion": "お気持ちに配慮し、",
            "repeated_failure": "自動応答ではご用件を伺いきれなかったため、",
            "backend_error": "システム障害で照会ができないため、",
            "harassment": "注意後も不適切な発言が続いたため、" if r.outcome == "ended" else "カスタマーハラスメント対応のため、",
        }.get(r.reason or "", "")
    return f"{lead}{outcome}。"


def summarize(r: ConversationRecord, names: Mapping[str, str], topics: Mapping[str, str] | None = None) -> str:
    """One short paragraph for the agent."""
    parts = (
        "ハラスメントでスーパーバイザーが登録済みのお客様です。" if r.flagged else "",
        history_sentence(r.history, names, topics or {}),
        _topic_sentence(r.intents, r.slots, names, topics or {}),
        _problem_clause(r.problem),
        _identity_sentence(r.slots),
        _course_sentence(r.trajectory),
        _harassment_sentence(r.harassment_events),
        _handover_sentence(r),
    )
    return "".join(p for p in parts if p)
