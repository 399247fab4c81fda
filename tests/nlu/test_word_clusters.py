"""Word clusters from chiVe vectors: words the examples never used share a feature with words they did."""

from __future__ import annotations

from nlu import features, word_clusters
from nlu.model import ModelBundle
from nlu.normalize import normalize
from nlu.tokenizer import tokenize


def _clusters_of(text: str) -> set[str]:
    norm = normalize(text)
    return {f for f in features.extract(norm.text, tokenize(norm.text), word_clusters.load()) if f.startswith("w:")}


def test_words_of_one_meaning_share_a_cluster() -> None:
    clusters = word_clusters.load()
    assert len(clusters) > 100_000
    assert clusters["引っ越し"] == clusters["転居"]
    assert clusters["届く"] == clusters["配達"]


def test_an_unseen_synonym_adds_the_known_words_feature() -> None:
    assert _clusters_of("転居することになりました") & _clusters_of("引っ越しすることになりました")


def test_models_without_clusters_get_no_cluster_features() -> None:
    norm = normalize("引っ越しするので解約したい")
    assert not [f for f in features.extract(norm.text, tokenize(norm.text)) if f.startswith("w:")]


def test_the_shipped_model_was_trained_with_clusters() -> None:
    assert ModelBundle.load().metadata.get("word_clusters") is True
