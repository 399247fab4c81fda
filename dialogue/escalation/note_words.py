"""The case note's fields in the words an agent reads: 「強い怒り」 for `strong_anger`, 「注文番号」 for
`slot:order_id`, 「怒りの強さ0.94(基準0.8以上)」 for `anger=0.94≥0.8`, phone numbers with hyphens.

The machine values stay in the note (rules are tuned with them); `fields_ja` is what the console shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: case_note imports this module at run time
    from dialogue.escalation.case_note import CaseNote

# SPEC 5's entity types and the sample flows' free-text slots; a bot's other slots show under their own name
SLOT_LABELS = {"order_id": "注文番号", "phone_number": "電話番号", "postal_code": "郵便番号", "date": "日付",
               "time": "時刻", "store": "店舗", "product": "商品", "amount": "金額", "name": "お名前",
               "address": "ご住所"}
_HIDDEN_SLOTS = frozenset({"verified", "verified_by", "phone_number"})
REASON_JA = {"human_request": "お客様のご希望", "emotion": "感情の高まり", "complex": "複雑な案件",
             "repeated_failure": "自動応答で聞き取れない状態の繰り返し", "backend_error": "システム障害",
             "harassment": "ハラスメント", "language": "日本語以外でのお問い合わせ"}
OUTCOME_JA = {"transferred": "担当者へ転送", "handover": "担当者へ転送", "callback_scheduled": "折り返し予約",
              "callback": "折り返し予約", "resolved": "自動応答で解決", "ended": "自動応答が終了",
              "abandoned": "お客様が途中で終了"}
EMOTION_JA = {"anger": "怒り", "anxiety": "不安", "sadness": "悲しみ", "neutral": "平静"}
_HARASSMENT_JA = {"insult": "暴言", "threat": "脅迫", "sexual": "性的な発言", "unreasonable_demand": "過剰な要求"}
_TREND_JA = {"rising": "高まっている", "falling": "落ち着いてきている", "steady": "横ばい"}
_CHANNEL_JA = {"voice": "電話", "chat": "チャット", "email": "メール"}
_CMP = {"≥": "以上", "<": "未満", ">": "超", "≤": "以下"}


def phone_ja(number: Any) -> str | None:
    """0312345678 -> 03-1234-5678, 09012345678 -> 090-1234-5678 (the grouping an agent dials)."""
    digits = re.sub(r"\D", "", str(number or ""))
    if len(digits) == 11 and digits.startswith("0"):
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10 and digits.startswith("0"):
        head = 2 if digits[1] in "36" else 3  # 03 Tokyo, 06 Osaka; other areas: 3-digit codes
        return f"{digits[:head]}-{digits[head:6]}-{digits[6:]}"
    return str(number) if number else None


def collected_phone(slots: Mapping[str, Any]) -> str | None:
    """The number the caller gave the bot (a callback, an identity check), as an agent reads it."""
    return phone_ja(slots.get("phone_number")) if slots.get("phone_number") else None


def _value(slot: str, value: Any) -> str:
    text = str(value)
    if slot == "date" and re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return f"{int(text[5:7])}月{int(text[8:10])}日"
    if slot == "amount" and isinstance(value, int):
        return f"{value:,}円"
    return text


def _cmp(name: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"{name}{m['v']}(基準{m['t']}{_CMP[m['op']]})"


def _why_rules(labels: Mapping[str, str]) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    num = r"(?P<v>[\d.]+)(?P<op>[≥<>≤])(?P<t>[\d.]+)"
    rules: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (r"^intent=(?P<i>\w+) \((?P<c>[\d.]+)\)$", lambda m: f"用件「{labels.get(m['i'], m['i'])}」(確信度{m['c']})"),
        (rf"^intent_confidence={num}$", _cmp("用件の確信度")),
        (rf"^anger_level={num}$", _cmp("通話全体の怒り")),
        (rf"^distress_level={num}$", _cmp("通話全体の不安・悲しみ")),
        (rf"^(?P<e>anger|anxiety|sadness|neutral)={num}$",
         lambda m: f"この発話の{EMOTION_JA[m['e']]}の強さ{m['v']}(基準{m['t']}{_CMP[m['op']]})"),
        (r"^emotion=(?P<e>\w+)$", lambda m: f"感情「{EMOTION_JA.get(m['e'], m['e'])}」"),
        (r"^trend=(?P<e>\w+)$", lambda m: f"感情が{_TREND_JA.get(m['e'], m['e'])}"),
        (r"^language=(?P<e>\w+)$", lambda m: f"言語「{m['e']}」"),
        (r"^harassment(?:_kind)?=(?P<k>\w+)(?: \([\d.]+\))?$",
         lambda m: f"不適切な発言({_HARASSMENT_JA.get(m['k'], m['k'])})"),
        (rf"^harassment_score={num}$", _cmp("不適切な発言の確からしさ")),
        (r"^harassment_warnings=(?P<v>\d+)≥\d+$", lambda m: f"注意済み{m['v']}回"),
        (r"^failed_turns=(?P<v>\d+)≥\d+$", lambda m: f"聞き取れなかった回数{m['v']}回"),
        (r"^consecutive_failures=(?P<v>\d+)≥\d+$", lambda m: f"連続して聞き取れなかった回数{m['v']}回"),
        (r"^(?:keyword|pattern)「(?P<w>.*)」$", lambda m: f"「{m['w']}」という言葉"),
        (r"^caller_vip=True$", lambda m: "VIPのお客様"),
        (r"^backend_error=True$", lambda m: "システム障害"),
        (r"^channel=(?P<c>\w+)$", lambda m: f"チャネル「{_CHANNEL_JA.get(m['c'], m['c'])}」"),
        (r"^intent=(?P<i>\w+)$", lambda m: f"用件「{labels.get(m['i'], m['i'])}」"),
        (r"^callback instead of transfer: \S+ closed \([^)]*\)(?:, opens \d{4}-(?P<mo>\d\d)-(?P<d>\d\d) (?P<t>[\d:]+))?$",
         lambda m: "窓口の営業時間外" + (f"(受付再開 {int(m['mo'])}月{int(m['d'])}日 {m['t']})" if m["mo"] else "")),
        (r"^callback instead of transfer: \S+ wait (?P<w>\d+)s > max_wait_s (?P<m>\d+)s$",
         lambda m: f"窓口の予想待ち時間{m['w']}秒(上限{m['m']}秒)"),
        (r"^queue closed.*$", lambda m: "窓口の営業時間外"),
        (r"^priority [+-]\d+ .*$", lambda m: ""),  # boosts: the priority column says it
    ]
    return [(re.compile(p), f) for p, f in rules]


def why_ja(why: str | None, labels: Mapping[str, str] | None = None) -> str | None:
    """`anger=0.94≥0.8; queue closed` -> 「この発話の怒りの強さ0.94(基準0.8以上)、窓口の営業時間外」."""
    if not why:
        return None
    rules = _why_rules(labels or {})
    out: list[str] = []
    # conditions are joined with ", " and reasons with "; "; a callback fallback is one reason with commas
    parts = (p.strip() for chunk in why.split(";")
             for p in ([chunk] if "callback instead of transfer" in chunk else chunk.split(", ")))
    for part in parts:
        if not part:
            continue
        words = next((f(m) for rx, f in rules if (m := rx.match(part))), part)
        if words and words not in out:
            out.append(words)
    return "、".join(out) or None


def emotion_ja(emotion: Mapping[str, Any] | Any) -> str:
    """「強い怒り」「怒り」「不安」「平静」: the call's feeling in one phrase."""
    get = emotion.get if isinstance(emotion, Mapping) else (lambda k, d=None: getattr(emotion, k, d))
    peak = str(get("peak", "neutral") or "neutral")
    anger = float(get("anger_level", 0.0) or 0.0)
    if peak == "anger" or anger >= 0.4:
        return "強い怒り" if anger >= 0.7 or float(get("peak_score", 0.0) or 0.0) >= 0.8 else "怒り"
    return EMOTION_JA.get(peak, peak)


def fields_ja(note: CaseNote, labels: Mapping[str, str], names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """[{label, value}] in the order an agent scans them."""
    rows: list[tuple[str, str | None]] = []
    if note.flagged:
        rows.append(("要注意", "ハラスメントでスーパーバイザーが登録したお客様です"))
    history = note.history or {}
    if history.get("count", 0) > 1:
        same = history.get("same_matter", 0)
        rows.append(("過去のお問い合わせ", f"今週{history['count']}回目" + (f"(同じ件で{same}回目)" if same > 1 else "")))
    if note.caller_phone or note.channel == "voice":  # a chat has no caller id to miss
        rows.append(("発信者番号", phone_ja(note.caller_phone) or "通知なし"))
    rows.append(("お客様の電話番号", collected_phone(note.slots)))
    topics = [labels.get(i, i) for i in dict.fromkeys(note.intents)
              if i not in ("greet", "thanks", "goodbye", "affirm", "deny", "repeat", "out_of_scope")]
    rows.append(("用件", "、".join(topics) or "未確認"))
    if note.problem:
        rows.append(("お客様のお話", f"「{note.problem}」"))
    for slot, value in note.slots.items():
        if slot not in _HIDDEN_SLOTS and value not in (None, ""):
            shown = (names or {}).get(str(value), value) if slot in ("store", "product") else value
            rows.append((SLOT_LABELS.get(slot, slot), _value(slot, shown)))
    if "verified" in note.slots:
        by = "発信者番号" if note.slots.get("verified_by") == "ani" else "電話番号"
        rows.append(("本人確認", f"済み({by})" if note.slots["verified"] not in (False, "false", "", None) else "未了"))
    rows.append(("感情", emotion_ja(note.trajectory)))
    rows.append(("結果", OUTCOME_JA.get(note.outcome, note.outcome)))
    if note.reason:
        rows.append(("引き継ぎ理由", REASON_JA.get(note.reason, note.reason)))
    rows.append(("判断の根拠", why_ja(note.decision_why, labels)))
    return [{"label": k, "value": v} for k, v in rows if v]
