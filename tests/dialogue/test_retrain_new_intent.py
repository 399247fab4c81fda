"""The designer's case for real: add an intent, retrain, run the shipped conversation suite; no conversation
changes (see test_retrain_robustness.py: a retrained classifier cannot turn an answer into something else)."""

from __future__ import annotations

import pytest

from nlu.pipeline import NLU
from tests.dialogue.cases import shipped_suite_results

NEW_INTENT = """intent: gift_wrapping
examples:
  - ギフト包装をお願いしたいんですが
  - プレゼント用に包んでもらえますか
  - ラッピングはできますか
  - のしをつけてもらえますか
  - 贈り物なので包装してほしいです
"""


async def test_a_model_retrained_with_one_more_intent_changes_no_conversation(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The designer's case for real: add an intent, retrain, run the shipped suite."""
    from nlu.data_io import DEFAULT_INTENT_DATA  # noqa: PLC0415 - training imports scikit-learn; only here
    from nlu.training import train  # noqa: PLC0415

    work = tmp_path_factory.mktemp("retrain")
    (work / "gift_wrapping.yaml").write_text(NEW_INTENT, encoding="utf-8")
    _, out = train([DEFAULT_INTENT_DATA, work / "gift_wrapping.yaml"], work / "model")
    retrained = NLU.load(out)
    assert "gift_wrapping" in {r.name for r in retrained.parse("ラッピングをお願いしたい").ranking}
    results = await shipped_suite_results(retrained)
    assert all(results.values()), [name for name, ok in results.items() if not ok]
