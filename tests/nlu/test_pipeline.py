"""The NLU pipeline as a whole: script-independent understanding, uncertainty, n-best, training."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlu.pipeline import NLU
from nlu.training import train


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("注文した商品がまだ届きません", "order_status"),
        ("ちゅうもんしたしょうひんがまだとどきません", "order_status"),
        ("チューモンしたショーヒンがまだトドきません", "order_status"),
        ("梅田店は何時まで開いていますか", "store_hours"),
        ("うめだのおみせなんじまでやってる", "store_hours"),
        ("オペレーターにつないでください", "operator_request"),
        ("注文をキャンセルしたい", "cancel_order"),
        ("パスワードを忘れてしまいました", "account_login"),
    ],
)
def test_kanji_kana_and_katakana_transcripts_mean_the_same(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.parse(text).intent.name == intent


def test_gibberish_is_reported_as_unsure(nlu: NLU) -> None:
    parsed = nlu.parse("ぽにょぽにょぷーぺけ")
    assert parsed.low_confidence or parsed.intent.name == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("バーカ", "insult"),  # short, but a lexicon word
        ("殺すぞ", "threat"),
        ("だから あれだって", None),  # short, no lexicon word: not enough to go on
        ("今度の日曜日", None),
        ("胸が痛みます", None),
        ("ネットにお前の名前晒すからな", "threat"),
        ("ざけんなよ、いつ届くんだよ", None),  # rage at the situation, not at the agent
    ],
)
def test_harassment_needs_evidence_aimed_at_the_agent(nlu: NLU, text: str, kind: str | None) -> None:
    h = nlu.parse(text).harassment
    assert (h.kind if h.detected else None) == kind, h


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x07", "a" * 100_000, "ｱｲｳ!!??¥$%&"])
def test_odd_input_gives_a_safe_result(nlu: NLU, text: str) -> None:
    parsed = nlu.parse(text)
    assert parsed.intent.name
    assert 0.0 <= parsed.intent.confidence <= 1.0


def test_train_from_jsonl_writes_a_model_with_metadata(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    rows = [{"text": t, "intent": "weather/find"} for t in ("明日の天気は", "雨は降りますか", "気温を教えて")]
    rows += [{"text": t, "intent": "alarm/set_alarm"} for t in ("7時にアラーム", "目覚ましをセットして", "朝6時に起こして")]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    # a few emotion lines: the shipped emotion set would add half a minute of CI and test nothing more here
    feelings = tmp_path / "emotion.jsonl"
    feelings.write_text("".join(json.dumps({"text": t, "emotion": e, "harassment": h}, ensure_ascii=False) + "\n"
                                for t, e, h in [("ふざけるな", "anger", None), ("ばかやろう", "anger", "insult"),
                                                ("心配です", "anxiety", None), ("ありがとう", "neutral", None)]),
                        encoding="utf-8")
    bundle, out = train([data], tmp_path / "model", emotion_data=[feelings])
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["intents"] == ["alarm/set_alarm", "weather/find"]
    assert len(meta["data_sha256"]) == 64 and meta["versions"]["fugashi"]
    model = NLU.load(out)
    assert model.parse("明後日の天気はどう").intent.name == "weather/find"
    assert bundle.intent.labels == model.model.intent.labels


@pytest.mark.parametrize("text", ["もう1週間も待ってるんですけど、殺す気ですかｗ 注文したイヤホンまだ？",
                                  "まだ届かないんですけど(笑)"])
def test_a_typed_laugh_takes_the_edge_off_anger(nlu: NLU, text: str) -> None:
    laughing = nlu.parse(text)
    plain = nlu.parse(re.sub(r"ｗ|\(笑\)", "", text))
    assert laughing.emotion.scores["anger"] < 0.8
    assert laughing.emotion.scores["anger"] <= plain.emotion.scores["anger"]


def test_a_laugh_does_not_hide_abuse(nlu: NLU) -> None:
    assert nlu.parse("使えねえなバカｗ").harassment.detected
