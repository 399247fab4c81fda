"""Anger in one sentence of a longer turn (dev45, 2026-12-06): 「ちょっと！…届かないんだけど！どうなってんだよ本当に！
…言ったよな！」 reads as anxiety 0.40 whole, the calm facts diluting the outburst; the sentence alone reads anger 0.90.
A turn of several sentences takes the strongest anger of one of them when it is strong; calm turns stay calm."""

from __future__ import annotations

import pytest

from nlu.pipeline import NLU


@pytest.mark.parametrize("text", [
    "もしもし！荷物がまだ来ないんですけど！どうなってんだよ本当に！明日使うって言ったよな！",
    "お世話になっております。先日注文した電気ケトルの件でお電話しました。ふざけんなよ、まだ届いてないじゃないか！",
])
def test_an_outburst_in_one_sentence_is_the_turns_anger(nlu: NLU, text: str) -> None:
    emotion = nlu.parse(text).emotion
    assert emotion.label == "anger" and emotion.score >= 0.85, emotion


@pytest.mark.parametrize("text", [
    "先週注文したケトルの件です。まだ届いていないようなので、状況を確認していただけますか。",
    "いつでもいいよ。ずっと家にいるからね。電話してくれればいいよ。",
    "領収書が欲しいんです。会社に出すので。宛名は会社名でお願いします。",
])
def test_calm_sentences_stay_calm(nlu: NLU, text: str) -> None:
    assert nlu.parse(text).emotion.scores["anger"] < 0.5, text


def test_exasperation_then_a_polite_question_is_the_whole_turns_reading(nlu: NLU) -> None:
    # the first sentence alone reads anger 0.99; the caller ends asking politely to be served (dev4's 「殺す気ですか
    # って感じですよ。…いつ届くんですか」 is answered, not handed over)
    emotion = nlu.parse("こんなに待たせるなんて、ふざけてるのかって思いましたよ。それで、注文したケトルはいつ届くんでしょうか").emotion
    assert emotion.scores["anger"] < 0.8, emotion


def test_a_sentence_without_an_exclamation_never_speaks_for_the_turn(nlu: NLU) -> None:
    # 「あ、届いてからなんですね。」 alone reads anger 0.88 (a head's noise on a short clause); not exclaimed, it is left
    # to the whole turn's reading
    assert nlu.parse("あ、お届けの日からなんですね。了解です、以上です").emotion.scores["anger"] < 0.8
