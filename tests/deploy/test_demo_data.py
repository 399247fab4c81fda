"""The demo backend's records are the bot's data (demo_data.yaml), checked at start-up with file:line:col."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue.backends.build import build_backend
from dialogue.backends.demo import SAMPLE_DATA, DemoBackend
from dialogue.backends.demo_data import load_demo_data
from dialogue.bot_project import load_project
from dialogue.yaml_source import REPO_ROOT, SourceError
from ivr.cli import main

GOOD = """\
orders:
  "87654321":
    phone: "03-1111-2222"
    status: shipped
    status_ja: 配送中
    carrier: 佐川急便
    item: 加湿器
    amount: 15800
    payment: クレジットカード
    eta: 2026-12-10
    cancellable: false
    returnable: false
stores:
  umeda:
    name: 梅田店
    open: "09:00"
    close: "22:00"
    closed_ja: 毎週木曜日定休
    address: 大阪府大阪市北区梅田一丁目1番1号
    station: JR大阪駅から徒歩1分
    parking: 駐車場はございません
products:
  kettle: {name: 電気ケトル, stock: store_only, stores: [umeda]}
"""


def company_bot(tmp_path: Path, data: str, backend: str = "demo") -> Path:
    """A company's bot that borrows the sample's flows, prompts, model and store names (lexicon: since each bot
    names its own stores, docs/deployment.md 1b) but has its own demo records."""
    root = tmp_path / "acme"
    root.mkdir()
    (root / "bot.yaml").write_text(
        textwrap.dedent(f"""\
        name: エーシーエム
        backend: {backend}
        flows: {REPO_ROOT / "dialogue" / "flows"}
        prompts: {REPO_ROOT / "prompts"}
        escalation_rules: {REPO_ROOT / "escalation_rules"}
        intents: [{REPO_ROOT / "nlu" / "data" / "intents"}]
        entities: {REPO_ROOT / "entities"}
        faq: {REPO_ROOT / "faq"}
        model: {REPO_ROOT / "models" / "default"}
        lexicon: {REPO_ROOT / "nlu" / "data" / "lexicon.yaml"}
        """),
        encoding="utf-8",
    )
    (root / "demo_data.yaml").write_text(data, encoding="utf-8")
    return root


def test_the_sample_bot_reads_its_records_from_its_yaml() -> None:
    project = load_project(REPO_ROOT)
    assert project.backend.demo_data == "demo_data.yaml" and SAMPLE_DATA == REPO_ROOT / "demo_data.yaml"
    data = load_demo_data(SAMPLE_DATA)
    # SPEC 3's records
    assert set(data.orders) >= {"12345678", "23456789", "34567890"}
    assert data.orders["12345678"].carrier == "ヤマト運輸" and data.orders["23456789"].cancellable
    assert set(data.stores) == {"shibuya", "umeda", "sapporo"}
    assert isinstance(build_backend(project.backend, project.root), DemoBackend)


async def test_a_company_s_records_are_answered_from_its_yaml(tmp_path: Path) -> None:
    project = load_project(company_bot(tmp_path, GOOD))
    backend = build_backend(project.backend, project.root)
    order = await backend.call("order_status", {"order_id": "8765-4321"})
    assert order == {
        "result": "ok",
        "status": "shipped",
        "status_ja": "配送中",
        "carrier": "佐川急便",
        "item": "加湿器",
        "amount": 15800,
        "payment": "クレジットカード",
        "eta": "2026-12-10",
        "cancellable": False,
        "returnable": False,
    }
    # the phone was written with hyphens; the caller's digits match it
    assert await backend.call("verify_caller", {"order_id": "87654321", "phone": "0311112222"}) == {
        "result": "ok",
        "by": "phone",
    }
    assert await backend.call("order_status", {"order_id": "12345678"}) == {"result": "not_found"}
    assert (await backend.call("store_info", {"store": "umeda"}))["close"] == "22:00"
    assert await backend.call("store_info", {"store": "shibuya"}) == {"result": "not_found"}
    assert (await backend.call("product_stock", {"product": "kettle"}))["stores_ja"] == "梅田店"
    # cancelling in one backend leaves the file's records (and the next backend's) as they were
    data = load_demo_data(project.root / "demo_data.yaml")
    first, second = DemoBackend(data), DemoBackend(data)
    first.orders["87654321"]["status"] = "cancelled"
    assert second.orders["87654321"]["status"] == "shipped"


def test_a_company_s_conversation_is_answered_from_its_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = company_bot(tmp_path, GOOD)
    cases = root / "tests" / "acme.yaml"
    cases.parent.mkdir()
    cases.write_text(
        textwrap.dedent("""\
        - name: the company's own order, verified by the phone number it gave
          opening: 注文した商品がまだ届かないんですけど
          now: "2026-12-08T10:00:00+09:00"
          answers: {order_id: {dtmf: "87654321"}, phone_number: {dtmf: "0311112222"}}
          expect: {intent: order_status, outcome: resolved, says: 加湿器は、現在配送中です。佐川急便にて}
        - name: the company's own opening hours
          opening: 梅田の店って何時までやってはるん
          expect: {intent: store_hours, outcome: resolved, says: 9時から22時まで、毎週木曜日定休}
        """),
        encoding="utf-8",
    )
    code = main(["test", "--bot", str(root), str(cases), "--json"])
    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["passed"] for r in results] == [True, True], (results, err)
    assert "2 passed, 0 failed" in err
    # the sample's order 12345678 is not this company's: the same suite with it fails
    cases.write_text(cases.read_text(encoding="utf-8").replace("87654321", "12345678"), encoding="utf-8")
    assert main(["test", "--bot", str(root), str(cases), "--json"]) == 1
    assert "1 passed, 1 failed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        # order numbers and phone numbers may start with 0: unquoted, YAML makes them numbers
        ('"87654321":', "87654321:", "2:3: orders: order number 87654321: write it in quotes ('87654321')"),
        (
            'phone: "03-1111-2222"',
            "phone: 0311112222",
            "3:5: orders.87654321.phone: write it in quotes ('0311112222')",
        ),
        (
            'phone: "03-1111-2222"',
            'phone: "3-1111"',
            "3:5: orders.87654321.phone: '3-1111' is not a Japanese phone number",
        ),
        ('"87654321":', '"A-1":', "2:3: orders: 'A-1' is not an order number"),
        (
            "status: shipped",
            "status: shiped",
            "4:5: orders.87654321.status: Input should be 'processing', 'shipped'",
        ),
        ("eta: 2026-12-10", "eta: 2026-13-10", "10:10: not a date (month must be in 1..12)"),
        ("amount: 15800", "amount: 15,800", "8:5: orders.87654321.amount: Input should be a valid integer"),
        ("    cancellable: false\n", "    cancelable: false\n", "11:5: unknown key 'cancelable'"),
        ("    returnable: false\n", "", "2:3: missing required key 'returnable'"),
        ('close: "22:00"', 'close: "25:00"', "17:5: stores.umeda.close: '25:00' is not a time of day"),
        (
            "stores: [umeda]",
            "stores: [umeda, namba]",
            "23:60: products: kettle: no store 'namba' under stores: (known: umeda)",
        ),
        ("stores: [umeda]", "stores: []", "23:32: products: kettle: store_only needs the stores"),
        ("eta: 2026-12-10", 'eta: "2026-12-32"', "10:5: orders.87654321.eta: '2026-12-32' is not a date"),
        ("    item: 加湿器\n", "   item: 加湿器\n", "YAML syntax error"),
    ],
)
def test_a_broken_file_points_at_the_spot(tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in GOOD
    path = tmp_path / "demo_data.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_demo_data(path)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:") and where in p for p in problems), problems
    if "quotes" in where:  # said once, in the designer's words, not again in pydantic's
        assert len(problems) == 1, problems


def test_an_empty_file_is_a_bot_with_no_records_yet(tmp_path: Path) -> None:
    path = tmp_path / "demo_data.yaml"
    path.write_text("# no records yet\n", encoding="utf-8")
    data = load_demo_data(path)
    assert (data.orders, data.stores, data.products) == ({}, {}, {})


def test_a_missing_file_is_reported_at_bot_yaml(tmp_path: Path) -> None:
    root = company_bot(tmp_path, GOOD, backend="{demo: records/demo.yaml}")
    with pytest.raises(SourceError) as info:
        load_project(root)
    (problem,) = info.value.problems
    assert problem.startswith(
        f"{root.resolve()}/bot.yaml:2:17: backend: demo: no demo data file {root.resolve()}/records/demo.yaml"
    ), problem
    (root / "records").mkdir()
    (root / "demo_data.yaml").rename(root / "records" / "demo.yaml")
    assert load_project(root).backend.demo_data == "records/demo.yaml"


BROKEN = ('"87654321":', "87654321:")


def test_ivr_validate_points_at_a_broken_demo_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = company_bot(tmp_path, GOOD.replace(*BROKEN))
    assert main(["validate", "--bot", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"{root.resolve()}/demo_data.yaml:2:3: orders: order number 87654321: write it in quotes" in out, (
        out
    )


def test_ivr_serve_refuses_to_start_with_a_broken_demo_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = company_bot(tmp_path, GOOD.replace(*BROKEN))
    assert main(["serve", "--bot", str(root), "--store", f"sqlite:///{tmp_path}/ivr.sqlite3"]) == 2
    err = capsys.readouterr().err
    assert f"ivr serve: {root.resolve()}/demo_data.yaml:2:3: orders: order number 87654321" in err, err
    assert "Traceback" not in err


def test_ivr_test_refuses_to_run_with_a_broken_demo_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = company_bot(tmp_path, GOOD.replace(*BROKEN))
    assert main(["test", "--bot", str(root), str(tmp_path)]) == 1
    assert f"{root.resolve()}/demo_data.yaml:2:3:" in capsys.readouterr().err


FUZZ_EXAMPLES = int(os.environ.get("IVR_FUZZ_EXAMPLES", "150"))
_INSERTS = [
    ":",
    "- ",
    "\t",
    "  ",
    "{",
    "[",
    "&a ",
    "*a",
    "? ",
    "'",
    '"',
    "\n",
    "0",
    "2026-13-40",
    "~",
    "-1",
    "true",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([GOOD, SAMPLE_DATA.read_text(encoding="utf-8")]))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["cut", "insert", "dup"]))
        if op == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        else:
            end = min(len(text), at + draw(st.integers(1, 120)))
            text = text[:end] + text[at:end] + text[end:]
    return text


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(mutated(), mutated(), st.text(max_size=200)))
def test_any_file_loads_or_is_refused_with_a_location(tmp_path: Path, text: str) -> None:
    path = tmp_path / "demo_data.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        data = load_demo_data(path)
    except SourceError as exc:
        assert exc.problems and all(
            re.match(rf"{re.escape(str(path))}:\d+:\d+: ", p) for p in exc.problems
        ), exc.problems
        return
    backend = DemoBackend(data)  # what loads, answers
    for order_id in data.orders:
        assert backend.orders[order_id]["phone"].isdigit()
