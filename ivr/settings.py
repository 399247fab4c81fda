"""Every option of `ivr serve` in one typed object: defaults < TOML file (--config) < `IVR_*` environment
variables < command-line flags. Secrets come from the environment only; a TOML file that holds one is refused
(config files get committed, copied and attached to tickets; the environment is where a deployment keeps
secrets). docs/deployment.md has the table of every option.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dialogue.yaml_source import REPO_ROOT

ENV_PREFIX = "IVR_"
STORE_SCHEMES = ("sqlite", "postgresql", "postgres", "redis", "rediss", "unix", "memory")
# secrets: environment variable -> what it is. Never read from a file, never printed.
SECRETS = {
    "TWILIO_AUTH_TOKEN": "Twilio auth token (webhook signatures)",
    "IVR_STREAM_TOKEN": "bearer token of GET /voice/stream",
    "IVR_CONSOLE_SECRET": "key that signs agent-console login cookies",
    "IVR_AGENT_USERS": "agent accounts with their passwords",
    "IVR_BACKEND_TOKEN": "bearer token sent to the webhook backend",
}
_SECRET_WORDS = re.compile(r"password|passwd|secret|token|api_?key|credential|users", re.IGNORECASE)


class SettingsError(Exception):
    """A setting is wrong; the message is one line that says which, where, and what to do."""


class Settings(BaseModel):
    """The non-secret options. Field names are the TOML keys; `IVR_<NAME>` is each one's variable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    bot: Path = REPO_ROOT  # a directory with bot.yaml; the sample bot サクラマート by default
    store: str = "sqlite:///var/ivr.sqlite3"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    backend_url: str | None = None  # replaces the webhook URL of bot.yaml (one bot, several environments)
    backend_timeout_s: float = Field(default=3.0, gt=0, le=60)  # the longest a turn waits for its backend
    hot_reload: bool = True
    public_url: str | None = None  # https://ivr.example.co.jp: the address Twilio signs
    trust_forwarded: bool = False  # honour X-Forwarded-Proto/Host (only behind our own proxy)
    tts_voice: str = "Polly.Mizuki"
    retention_days: int | None = Field(default=None, ge=1)  # records older than this may be purged
    # read by the channel modules themselves, from the environment (see `channel_environment`)
    log_format: Literal["json", "text"] = "json"
    nlu_device: Literal["auto", "numpy", "cpu", "cuda"] = "auto"  # where a transformer model runs
    agent_sip: str | None = None  # sip:{queue}@pbx.example.jp: transfers dial the agent PBX
    agent_names: str | None = None  # "user:表示名,...": the names customers see for agents
    twilio_account_sid: str | None = None
    twilio_workflow_sid: str | None = None  # TaskRouter workflow for transfers
    twilio_api_url: str | None = None  # another Twilio API base (a test double)
    outbound_from: str | None = None  # the number outbound calls come from
    outbound_interval_s: float = Field(default=30.0, gt=0, le=3600)
    mail_listen: str | None = None  # host:port of the SMTP listener (the e-mail channel is off without it)
    mail_relay: str | None = None  # host:port replies are sent through (default 127.0.0.1:25)
    mail_from: str | None = None  # the address replies are sent from
    mail_spool: str | None = None  # directory for mail that could not be sent yet

    @field_validator("store")
    @classmethod
    def _store_url(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower() if "://" in v else ""
        if scheme not in STORE_SCHEMES:
            raise ValueError(f"{redact_url(v)!r} is not a store URL (sqlite:///PATH, postgresql://..., redis://...)")
        if scheme == "sqlite" and not v.lower().startswith("sqlite:///") or v.lower() == "sqlite:///":
            raise ValueError(f"{v!r}: expected sqlite:///relative/path.db or sqlite:////absolute/path.db")
        return v

    @field_validator("backend_url", "public_url", "twilio_api_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"{v!r} is not an http:// or https:// URL")
        return v

    def channel_environment(self) -> dict[str, str]:
        """Options the channel modules read from the environment themselves (voice, e-mail, logging, hot
        reload): a value from the TOML file reaches them this way. Defaults are left out, so that a
        channel's own configuration (IVR_VOICE_CONFIG) still applies where no setting was given."""
        default = Settings()
        env: dict[str, str] = {}
        for field in CHANNEL_OPTIONS:
            value = getattr(self, field)
            if value is None or value == getattr(default, field):
                continue
            env[env_name(field)] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return env


@dataclass(frozen=True)
class Secrets:
    """Secrets from the environment; repr never shows them."""

    values: Mapping[str, str]

    def get(self, var: str) -> str | None:
        return self.values.get(var) or None

    def __repr__(self) -> str:
        return f"Secrets({sorted(self.values)})"

    @staticmethod
    def from_env(environ: Mapping[str, str]) -> Secrets:
        return Secrets({k: environ[k] for k in SECRETS if environ.get(k)})


# options that channel modules read from the environment themselves
CHANNEL_OPTIONS = (
    "hot_reload", "public_url", "trust_forwarded", "tts_voice", "log_format", "nlu_device", "agent_sip",
    "agent_names", "twilio_account_sid", "twilio_workflow_sid", "twilio_api_url", "outbound_from",
    "outbound_interval_s", "mail_listen", "mail_relay", "mail_from", "mail_spool",
)
# Twilio's own names for its identifiers (as in Twilio's documentation and tools)
_ENV_NAMES = {"twilio_account_sid": "TWILIO_ACCOUNT_SID", "twilio_workflow_sid": "TWILIO_WORKFLOW_SID"}


def env_name(field: str) -> str:
    return _ENV_NAMES.get(field, ENV_PREFIX + field.upper())


def redact_url(url: str) -> str:
    """A store URL fit for a log line: the password replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    return field, str(err["msg"]).removeprefix("Value error, ")


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    known = set(Settings.model_fields)
    for key, value in data.items():
        if key not in known and (_SECRET_WORDS.search(key) or key.upper() in SECRETS):
            where = key.upper() if key.upper() in SECRETS else "one of " + ", ".join(SECRETS)
            raise SettingsError(f"{path}: '{key}' looks like a secret: secrets come from the environment only "
                                f"({where}), never from a file")
        if key not in known:
            raise SettingsError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
        if key == "store" and isinstance(value, str) and _has_password(value):
            raise SettingsError(f"{path}: 'store' holds a password: set the URL in the environment (IVR_STORE)")
    if isinstance(data.get("bot"), str):
        data["bot"] = (path.parent / data["bot"]).resolve()  # relative to the file, like bot.yaml's paths
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        field, msg = _first_problem(exc)
        raise SettingsError(f"{path}: {field}: {msg}") from exc
    return data


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in Settings.model_fields:
        raw = environ.get(env_name(field))
        if raw is None or raw == "":
            continue
        if field in ("hot_reload", "trust_forwarded"):
            low = raw.strip().lower()
            if low not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise SettingsError(f"{env_name(field)}={raw!r}: expected 1 or 0 (true/false)")
            out[field] = low in ("1", "true", "yes", "on")
            continue
        try:
            # environment values are text: let pydantic read "8080" as a number here (lax mode)
            value = Settings.model_validate({field: raw}, strict=False)
        except ValidationError as exc:
            _, msg = _first_problem(exc)
            raise SettingsError(f"{env_name(field)}={raw!r}: {msg}") from exc
        out[field] = getattr(value, field)
    return out


def load_settings(config: Path | None = None, environ: Mapping[str, str] | None = None,
                  flags: Mapping[str, Any] | None = None) -> tuple[Settings, Secrets]:
    """Defaults < TOML < environment < flags (None = not given). Raises SettingsError (one line)."""
    import os

    env = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    if config is not None:
        merged.update(_from_toml(config))
    merged.update(_from_env(env))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        settings = Settings.model_validate(merged, strict=False)
    except ValidationError as exc:
        field, msg = _first_problem(exc)
        raise SettingsError(f"--{field.replace('_', '-')}: {msg}") from exc
    return settings, Secrets.from_env(env)
