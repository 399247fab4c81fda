"""One settings object: defaults < TOML < IVR_* environment < flags; secrets from the environment only."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.yaml_source import REPO_ROOT
from ivr.cli import main
from ivr.settings import Settings, SettingsError, load_settings, redact_url


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ivr.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_what_ivr_serve_always_did() -> None:
    settings, secrets = load_settings(None, environ={})
    assert (settings.host, settings.port, settings.store) == ("127.0.0.1", 8080, "sqlite:///var/ivr.sqlite3")
    assert settings.bot == REPO_ROOT and secrets.values == {}


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    config = toml(tmp_path, 'port = 9000\nhost = "0.0.0.0"\nlog_level = "DEBUG"\nbot = "mybot"\nhot_reload = false\n')
    settings, _ = load_settings(config, environ={"IVR_PORT": "9100", "IVR_HOT_RELOAD": "1"}, flags={"host": None})
    assert settings.port == 9100  # the environment beats the file
    assert settings.host == "0.0.0.0" and settings.log_level == "DEBUG"
    assert settings.bot == (tmp_path / "mybot").resolve()  # relative to the file, like bot.yaml's paths
    assert settings.hot_reload is True
    settings, _ = load_settings(config, environ={"IVR_PORT": "9100"}, flags={"port": 9200})
    assert settings.port == 9200  # a flag beats both


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('twilio_auth_token = "abc"\n', "secret"),
        ('agent_password = "hunter2"\n', "secrets come from the environment only"),
        ('store = "postgresql://ivr:pw@db/ivr"\n', "holds a password"),
        ('colour = "blue"\n', "unknown setting 'colour'"),
        ('port = "8080"\n', "port: Input should be a valid integer"),
        ("port = 70000\n", "port: Input should be less than or equal to 65535"),
        ('store = "mysql://db/ivr"\n', "is not a store URL"),
        ('store = "sqlite:///"\n', "expected sqlite:///"),
        ('backend_url = "ftp://x"\n', "not an http:// or https:// URL"),
        ("port = \n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_with_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as info:
        load_settings(toml(tmp_path, text), environ={})
    assert "\n" not in str(info.value) and str(tmp_path) in str(info.value)
    assert "hunter2" not in str(info.value) and ":pw@" not in str(info.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [({"IVR_PORT": "eighty"}, "IVR_PORT='eighty'"), ({"IVR_HOT_RELOAD": "maybe"}, "expected 1 or 0"),
     ({"IVR_STORE": "oracle://x"}, "not a store URL"), ({"IVR_LOG_LEVEL": "LOUD"}, "IVR_LOG_LEVEL")],
)
def test_a_bad_variable_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(None, environ=env)


def test_secrets_come_from_the_environment_and_never_show() -> None:
    settings, secrets = load_settings(None, environ={"IVR_BACKEND_TOKEN": "s3cret", "IVR_STORE": "redis://:pw@h:6379/0"})
    assert secrets.get("IVR_BACKEND_TOKEN") == "s3cret" and "s3cret" not in repr(secrets)
    assert settings.store == "redis://:pw@h:6379/0"  # a password in the environment is fine
    assert redact_url(settings.store) == "redis://:***@h:6379/0"


def test_toml_values_reach_the_channels_through_their_variables() -> None:
    env = Settings(public_url="https://ivr.example.jp", hot_reload=False).channel_environment()
    assert env == {"IVR_PUBLIC_URL": "https://ivr.example.jp", "IVR_HOT_RELOAD": "0"}
    assert Settings().channel_environment() == {}  # defaults leave IVR_VOICE_CONFIG's values alone
    env = Settings(twilio_workflow_sid="WW1", mail_listen="127.0.0.1:2525", outbound_interval_s=5).channel_environment()
    assert env == {"TWILIO_WORKFLOW_SID": "WW1", "IVR_MAIL_LISTEN": "127.0.0.1:2525", "IVR_OUTBOUND_INTERVAL_S": "5.0"}


def test_every_option_is_in_the_documented_table() -> None:
    doc = (REPO_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    from ivr.settings import SECRETS, env_name

    missing = [f for f in Settings.model_fields if f"| `{f}` | `{env_name(f)}` |" not in doc]
    missing += [var for var in SECRETS if f"| `{var}` |" not in doc]
    assert missing == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bot", "/nonexistent/bot"], "/nonexistent/bot: no such bot directory"),
        (["--store", "foo://x"], "is not a store URL"),
        (["--store", "sqlite:///a.db", "--db", "b.db"], "not both"),
        (["--port", "0"], "--port: Input should be greater than or equal to 1"),
        (["--config", "/nonexistent.toml"], "no such config file"),
    ],
)
def test_ivr_serve_refuses_a_bad_start_without_a_traceback(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("ivr serve: ")


def test_ivr_serve_points_at_broken_yaml_in_a_bot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bot.yaml").write_text("name: x\nbackend: {webhok: {url: http://x}}\n", encoding="utf-8")
    assert main(["serve", "--bot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path.resolve()}/bot.yaml:2:" in err and "unknown key 'webhok'" in err


def test_ivr_serve_with_no_flag_serves_the_sample_bot_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from dialogue.backends.demo import DemoBackend
    from dialogue.store import SQLiteStore
    from ivr import server

    for var in ("IVR_PORT", "IVR_HOST", "IVR_BOT", "IVR_STORE"):
        monkeypatch.delenv(var, raising=False)
    seen: dict[str, object] = {}

    def fake_run_server(manager: object, settings: Settings, bot_name: str, secrets: object) -> int:
        seen.update(manager=manager, settings=settings, name=bot_name)
        return 0

    monkeypatch.setattr(server, "run_server", fake_run_server)
    assert main(["serve"]) == 0
    settings = seen["settings"]
    assert isinstance(settings, Settings) and (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert seen["name"] == "サクラマート"
    manager = seen["manager"]
    assert isinstance(manager.store, SQLiteStore) and manager.store.path == Path("var/ivr.sqlite3")  # type: ignore[attr-defined]
    assert isinstance(manager.backend, DemoBackend) and len(manager.bot.flows) >= 16  # type: ignore[attr-defined]
