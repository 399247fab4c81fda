"""bot.yaml: a typed schema with file:line:col errors, and the backend it names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dialogue.backends import UnknownAction
from dialogue.backends.build import BackendConfigError, build_backend
from dialogue.backends.demo import DemoBackend
from dialogue.backends.static import StaticBackend
from dialogue.backends.webhook import WebhookBackend
from dialogue.bot_project import load_project
from dialogue.yaml_source import REPO_ROOT, SourceError


def bot_dir(tmp_path: Path, body: str) -> Path:
    for sub in ("flows", "prompts", "escalation_rules", "intents"):
        (tmp_path / sub).mkdir(exist_ok=True)
    (tmp_path / "bot.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    (tmp_path / "demo_data.yaml").write_text("orders: {}\n", encoding="utf-8")  # `backend: demo`'s records
    return tmp_path


def test_the_repository_root_is_the_sample_bot() -> None:
    project = load_project(REPO_ROOT)
    assert project.name == "サクラマート"
    assert project.flows == REPO_ROOT / "dialogue" / "flows" and project.model == REPO_ROOT / "models" / "default"
    assert project.backend.kind == "demo"
    assert isinstance(build_backend(project.backend, project.root), DemoBackend)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("name: x\nbackend: demo\nflow: flows\n", "bot.yaml:3:1: unknown key 'flow'"),
        ("name: x\nbackend: {demo: true, python: 'a:b'}\n", "exactly one of"),
        ("name: x\nbackend: {python: 'not an entry point'}\n", "is not 'package.module:factory'"),
        ("name: x\nbackend: {webhook: {url: 'ftp://x', actions: [a]}}\n", "is not an http:// or https:// URL"),
        ("name: x\nbackend: {webhook: {url: 'http://x', actions: [a], timeout_s: -1}}\n", "timeout_s"),
        ("name: x\nbackend: demo\nlanguages: [en]\n", "bot.yaml:3:1: languages: languages must include ja"),
        ("name: x\nbackend: demo\nlanguages: [ja, zh]\n", "bot.yaml:3:17: languages: 'zh' is not a language the bot can serve (ja, en"),
        ("name: x\nbackend: demo\nlanguages: [ja, ja]\n", "listed twice"),
        # English needs English prompts: the directory of this bot has none
        ("name: x\nbackend: demo\nlanguages: [ja, en]\n", "bot.yaml:3:17: languages: en: no prompts for it"),
        ("name: x\nbackend: demo\nflows: nowhere\n", "bot.yaml:3:8: flows:"),
        ("name: x\nbackend: demo\nintents: [intents, missing.yaml]\n", "intents: "),
        ("backend: demo\n", "missing required key 'name'"),
        ("name: x\nbackend: demo\n  bad: indent\n", "YAML syntax error"),
    ],
)
def test_a_bad_bot_yaml_points_at_the_spot(tmp_path: Path, body: str, where: str) -> None:
    with pytest.raises(SourceError) as info:
        load_project(bot_dir(tmp_path, body))
    assert any(where in p and p.startswith(str(tmp_path.resolve() / "bot.yaml")) for p in info.value.problems), (
        info.value.problems)


def test_english_is_served_where_the_bot_has_english_prompts(tmp_path: Path) -> None:
    root = bot_dir(tmp_path, "name: x\nbackend: demo\nlanguages: [ja, en]\n")
    (root / "prompts" / "main.yaml").write_text("how_can_i_help: ご用件をどうぞ。\n", encoding="utf-8")
    (root / "prompts" / "main_en.yaml").write_text("how_can_i_help_en: How can I help you?\n", encoding="utf-8")
    assert load_project(root).languages == ("ja", "en")
    assert load_project(REPO_ROOT).languages == ("ja", "en")  # the sample bot: prompts/sakura_en.yaml
    (root / "bot.yaml").write_text("name: x\nbackend: demo\n", encoding="utf-8")
    assert load_project(root).languages == ("ja",)  # the default


def test_a_directory_without_bot_yaml_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="ivr init"):
        load_project(tmp_path)


async def test_static_answers_are_copies(tmp_path: Path) -> None:
    project = load_project(bot_dir(tmp_path, "name: x\nbackend: {static: {hours: {result: ok, list: [1]}}}\n"))
    backend = build_backend(project.backend, project.root)
    assert isinstance(backend, StaticBackend) and backend.actions() == frozenset({"hours"})
    first = await backend.call("hours", {})
    first["list"].append(2)
    assert await backend.call("hours", {}) == {"result": "ok", "list": [1]}
    with pytest.raises(UnknownAction):
        await backend.call("other", {})


def test_the_webhook_takes_its_url_from_settings_and_its_token_from_the_environment(tmp_path: Path) -> None:
    project = load_project(bot_dir(tmp_path, """\
        name: x
        backend:
          webhook: {url: "http://prod.example/ivr", actions: [a, b], timeout_s: 1.5, retries: 1,
                    circuit_breaker: {failures: 3, reset_s: 10}}
        """))
    backend = build_backend(project.backend, project.root, url="http://127.0.0.1:1/ivr", token="t0ken")
    assert isinstance(backend, WebhookBackend)
    assert backend.url == "http://127.0.0.1:1/ivr" and backend.headers == {"Authorization": "Bearer t0ken"}
    assert (backend.timeout_s, backend.retries, backend.breaker.failures) == (1.5, 1, 3)


async def test_a_python_entry_point_in_the_bot_directory(tmp_path: Path) -> None:
    (tmp_path / "acme_backend.py").write_text(textwrap.dedent("""\
        class Acme:
            def __init__(self, greeting):
                self.greeting = greeting
            def actions(self):
                return frozenset({"hello"})
            async def call(self, action, args):
                return {"result": "ok", "text": self.greeting}

        def make(greeting):
            return Acme(greeting)
        """), encoding="utf-8")
    project = load_project(bot_dir(tmp_path, """\
        name: x
        backend: {python: "acme_backend:make", options: {greeting: こんにちは}}
        """))
    backend = build_backend(project.backend, project.root)
    assert await backend.call("hello", {}) == {"result": "ok", "text": "こんにちは"}


@pytest.mark.parametrize(
    ("target", "message"),
    [("no_such_module_xyz:make", "cannot import"), ("json:no_such_factory", "no callable"),
     ("json:dumps", "must return an object with actions")],
)
def test_a_python_entry_point_that_does_not_fit_is_refused(tmp_path: Path, target: str, message: str) -> None:
    options = ", options: {obj: 1}" if target == "json:dumps" else ""  # json.dumps(obj=1) is a str
    project = load_project(bot_dir(tmp_path, f"name: x\nbackend: {{python: '{target}'{options}}}\n"))
    with pytest.raises(BackendConfigError, match=message):
        build_backend(project.backend, project.root)
