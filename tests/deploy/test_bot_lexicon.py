"""A bot's own store and product names (`lexicon:` in bot.yaml, default lexicon.yaml in its directory)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from dialogue.bot_project import load_project
from dialogue.factory import BotPaths, build_project_manager, shared_nlu
from dialogue.yaml_source import REPO_ROOT, SourceError
from ivr.cli import main
from nlu.entities.lexicon import DEFAULT_PATH, default_lexicon, lexicon_at
from nlu.pipeline import NLU, TOKYO

STARTER = REPO_ROOT / "bots" / "starter"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO)
KOBE = """\
stores:
  kobe:
    name: 神戸店
    variants: [神戸, 元町の店]
    readings: [コウベ]
  nagoya: 名古屋店
products:
  fan: {name: 扇風機, descriptions: [風を送る]}
"""
KOBE_EN = "stores:\n  kobe: [Kobe, Motomachi]\nproducts:\n  fan: [electric fan]\n"


def second_bot(tmp_path: Path, lexicon: str | None = KOBE, english: str | None = KOBE_EN, extra: str = "") -> Path:
    """The starter bot with other store names, and the sample bot's model (no training in a unit test)."""
    root = tmp_path / "kobe_bot"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns("models", "lexicon*.yaml"))
    bot_yaml = root / "bot.yaml"
    text = bot_yaml.read_text(encoding="utf-8").replace("model: models/default", f"model: {REPO_ROOT / 'models' / 'default'}")
    bot_yaml.write_text(text + extra, encoding="utf-8")
    if lexicon is not None:
        (root / "lexicon.yaml").write_text(lexicon, encoding="utf-8")
    if english is not None:
        (root / "lexicon_en.yaml").write_text(english, encoding="utf-8")
    return root


def heard(nlu: NLU, text: str) -> set[tuple[str, object]]:
    return {(e.type, e.value) for e in nlu.parse(text, MONDAY).entities if e.type in ("store", "product")}


def test_a_second_bot_recognises_its_own_names_and_not_the_sample_bots(tmp_path: Path) -> None:
    project = load_project(second_bot(tmp_path))
    assert project.lexicon == project.root / "lexicon.yaml"
    manager = build_project_manager(project)  # what `ivr serve --bot` and `ivr chat --bot` build
    nlu = manager.nlu
    assert isinstance(nlu, NLU)
    assert heard(nlu, "神戸店の営業時間を教えてください") == {("store", "kobe")}
    assert heard(nlu, "こうべのお店って何時まで") == {("store", "kobe")}  # kana: matched in katakana
    assert heard(nlu, "名古屋店は土曜日もやってますか") == {("store", "nagoya")}
    assert heard(nlu, "風を送るやつが壊れました") == {("product", "fan")}
    assert heard(nlu, "Is the electric fan in stock at Motomachi?") == {("product", "fan"), ("store", "kobe")}
    # サクラマート's stores and products are not this company's
    assert heard(nlu, "渋谷店の営業時間を教えてください") == set()
    assert heard(nlu, "梅田のお店でケトルを買いました") == set()
    assert heard(nlu, "is the kettle in stock at Shibuya") == set()
    # `ivr test --bot` builds its NLU from the same paths
    assert shared_nlu(BotPaths.of(project).model, BotPaths.of(project).lexicon) is nlu


def test_the_sample_bot_keeps_its_lexicon() -> None:
    project = load_project(REPO_ROOT)
    assert project.lexicon == DEFAULT_PATH
    assert lexicon_at(project.lexicon) is default_lexicon() is lexicon_at(None)
    nlu = shared_nlu(BotPaths.of(project).model, project.lexicon)
    assert heard(nlu, "渋谷店の営業時間を教えてください") == {("store", "shibuya")}
    assert heard(nlu, "梅田のお店でケトルを買いました") == {("store", "umeda"), ("product", "kettle")}
    assert heard(nlu, "神戸店の営業時間を教えてください") == set()


def test_a_bot_without_a_lexicon_has_no_store_or_product_names(tmp_path: Path) -> None:
    clinic = load_project(REPO_ROOT / "bots" / "clinic")
    assert clinic.lexicon is not None and not clinic.lexicon.exists()
    nlu = shared_nlu(None, clinic.lexicon)  # the sample model, the clinic's (empty) lexicon
    assert heard(nlu, "渋谷店の営業時間を教えてください") == set()
    assert heard(nlu, "ケトルが壊れました") == set()
    project = load_project(second_bot(tmp_path, lexicon=None, english=None))
    assert heard(shared_nlu(None, project.lexicon), "神戸店と渋谷店") == set()


def test_the_lexicon_is_wherever_bot_yaml_says(tmp_path: Path) -> None:
    root = second_bot(tmp_path, lexicon=None, english=None, extra="lexicon: names/stores.yaml\n")
    (root / "names").mkdir()
    (root / "names" / "stores.yaml").write_text(KOBE, encoding="utf-8")
    (root / "names" / "stores_en.yaml").write_text(KOBE_EN, encoding="utf-8")
    project = load_project(root)
    nlu = shared_nlu(None, project.lexicon)
    assert heard(nlu, "神戸店 and the Motomachi store") == {("store", "kobe")}


@pytest.mark.parametrize(("lexicon", "english", "extra", "where"), [
    (KOBE.replace("    readings: [コウベ]", "    reading: [コウベ]"), KOBE_EN, "",
     "lexicon.yaml:5:5: stores: kobe: unknown key 'reading' (name, variants, readings, descriptions)"),
    (KOBE.replace("[神戸, 元町の店]", "神戸"), KOBE_EN, "", "lexicon.yaml:4:15: stores: kobe: variants: a list of words"),
    (KOBE.replace("products:", "goods:"), KOBE_EN, "", "lexicon.yaml:7:1: unknown key 'goods' (stores, products)"),
    (KOBE + "numbers:\n  order_id: {digits: 9}\n", KOBE_EN, "", "lexicon.yaml:9:1: numbers: the lengths of order"),
    (KOBE.replace("[神戸, 元町の店]", "[神戸, 元町の店"), KOBE_EN, "", "lexicon.yaml:5:13: YAML syntax error"),
    (KOBE.replace("  nagoya: 名古屋店", "  nagoya: [名古屋店]"), KOBE_EN, "", "lexicon.yaml:6:11: stores: nagoya: a name, or a map"),
    ("- kobe\n", KOBE_EN, "", "lexicon.yaml:1:1: expected `stores:` and `products:` maps"),
    (KOBE, KOBE_EN.replace("  kobe:", "  osaka:"), "", "lexicon_en.yaml:2:3: stores: 'osaka' is not in the lexicon"),
    (None, KOBE_EN, "", "lexicon_en.yaml:1:1: English names without the lexicon they name"),
    (KOBE, KOBE_EN, "lexicon: stores.yaml\n", "bot.yaml:17:10: lexicon: "),
])  # fmt: skip
def test_a_bad_lexicon_is_refused_at_its_place(tmp_path: Path, lexicon: str | None, english: str, extra: str,
                                               where: str) -> None:
    root = second_bot(tmp_path, lexicon, english, extra)
    with pytest.raises(SourceError) as err:
        load_project(root)
    assert any(p.startswith(str(root)) and where in p for p in err.value.problems), err.value.problems


def test_validate_and_test_refuse_a_bad_lexicon(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = second_bot(tmp_path, KOBE.replace("[神戸, 元町の店]", "神戸"))
    assert main(["validate", "--bot", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"{root / 'lexicon.yaml'}:4:15: stores: kobe: variants: a list of words" in out
    assert main(["test", "--bot", str(root), str(root / "tests")]) == 1
    err = capsys.readouterr().err
    assert f"{root / 'lexicon.yaml'}:4:15:" in err and "Traceback" not in err
