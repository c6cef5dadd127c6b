"""All configuration of the product, in one place.

Every value comes from the environment (or a `.env` file at the project root) and has a default
that runs on one machine with SQLite and local files. `python settings.py` prints the resolved
values as `KEY=value` lines; `make run` writes them to `build/runtime.env`, which the process
supervisor and Rasa's `endpoints.yml` read, so the Rasa side never restates a default.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent


def _load_dotenv(path: Path) -> dict[str, str]:
    """Read KEY=value lines; the real environment always wins over the file."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _persistent_secret(path: Path) -> str:
    """A random token created once and kept under var/, so a fresh machine runs without setup."""
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


@dataclass(frozen=True)
class Settings:
    """Resolved configuration, typed and checked once at start. Field names are the environment
    variable names; a bad value (RETENTION_DAYS=abc, RETRIEVAL_MODE=magic) stops the process with a
    SettingsError naming it, instead of failing later in whatever code reads it first."""

    SHARED_DIR: str  # reference material beside the checkout (tests, benchmarks, default imports)
    VAR_DIR: str  # runtime data: databases, logs, secrets
    BUILD_DIR: str  # generated artefacts: index, models, spaCy pipeline
    KNOWLEDGE_IMPORT_DIRS: str  # os.pathsep-separated folders of official texts to import
    RETRIEVAL_MODE: str  # fusion | bm25 | dense
    DENSE_MODEL: str  # "trained" (built here from our data) or a local sentence-transformers path
    RERANK: str  # "off" or "on": re-score the top hits by token overlap with the best paragraph
    INDEX_RELOAD_SECONDS: float  # how often the action server looks for a newer index
    INDEX_DIR: str  # built index versions (CURRENT, v-*/, cache/)
    KNOWLEDGE_OVERLAY_DIR: str  # what curators published in the console: FAQ versions, uploaded documents
    RASA_PORT: int
    ACTION_PORT: int
    CONSOLE_PORT: int
    RASA_TOKEN: str  # token of Rasa's HTTP API
    REST_TOKEN: str  # token of the REST channel for trusted back ends ("" = loopback clients only)
    MAX_MESSAGE_CHARS: int  # longest message any channel accepts; longer ones get a "too long" reply
    ACTION_ENDPOINT: str
    TRACKER_DIALECT: str  # sqlite | postgresql
    TRACKER_DB: str  # file path for sqlite, database name for postgresql
    TRACKER_HOST: str
    TRACKER_PORT: int | None
    TRACKER_USER: str
    TRACKER_PASSWORD: str
    TRACKER_SSLMODE: str  # libpq sslmode of a PostgreSQL tracker ("" = the driver's default, prefer)
    LOCK_STORE: str  # in_memory | redis (needed for several Rasa replicas)
    LOCK_LEASE_SECONDS: float  # a replica that dies holding a conversation's lock frees it after this long
    REDIS_HOST: str  # Redis: lock store and, when LOCK_STORE=redis, the channels' shared state
    REDIS_PORT: int
    REDIS_DB: int
    REDIS_PASSWORD: str
    REDIS_TLS: str  # "on": connect with TLS (rediss://)
    REDIS_KEY_PREFIX: str  # prepended to every key, so several deployments can share one Redis
    APP_DB_URL: str  # application database (unanswered questions, later bookings and cases)
    RETENTION_DAYS: int
    CONSOLE_SESSION_IDLE_MINUTES: float  # a console login ends after this long without a request
    CONSOLE_SESSION_MAX_HOURS: float  # … and after this long in any case
    CONSOLE_COOKIE_SECURE: str  # "on" behind HTTPS: the session cookie is then sent over HTTPS only
    CONSOLE_UPLOAD_MAX_MB: float  # largest document a curator may upload
    LOG_LEVEL: str
    TIMEZONE: str  # local time of the union: office hours, booking days
    OFFICE_HOURS: str  # when officers answer, e.g. 09:00-18:00
    OFFICE_DAYS: str  # ISO weekdays, e.g. 1-5 (Monday to Friday)
    NOTIFY_WEBHOOK_URL: str  # POSTed a JSON notice for every new case ("" = off)
    SMTP_HOST: str  # e-mail notices to officers when set
    SMTP_PORT: int
    SMTP_USER: str
    SMTP_PASSWORD: str
    SMTP_FROM: str
    SMTP_TO: str  # comma-separated officer addresses
    RASA_URL: str  # where the console and officer API reach Rasa's HTTP API
    WECHAT_TOKEN: str  # WeChat Official Account: server token ("" = channel refuses every request)
    WECHAT_AES_KEY: str  # EncodingAESKey (43 characters) for safe mode ("" = plain mode only)
    WECHAT_APPID: str
    WECHAT_SECRET: str  # AppSecret, for the access token of the customer-service message API
    WECHAT_API_BASE: str  # base URL of the WeChat API (tests point it at a local server)
    WECHAT_REPLY_BUDGET: float  # seconds a turn may take for a passive reply (WeChat waits 5 s)
    WECHAT_DEDUPE_TTL: float  # seconds a MsgId is remembered, and how old a signed request may be (replays)
    WECOM_CORP_ID: str  # WeCom (企业微信) app callback: CorpID
    WECOM_SECRET: str  # the app's Secret, for the message API
    WECOM_AGENT_ID: str  # the app's AgentId
    WECOM_TOKEN: str  # callback Token ("" = channel refuses every request)
    WECOM_AES_KEY: str  # callback EncodingAESKey (WeCom callbacks are always encrypted)
    WECOM_API_BASE: str  # base URL of the WeCom API

    @property
    def redis_url(self) -> str:
        """One URL for every Redis client (lock store, channel state, socket.io manager), with the
        password quoted so that any character in it survives."""
        scheme = "rediss" if self.REDIS_TLS == "on" else "redis"
        auth = f":{quote(self.REDIS_PASSWORD, safe='')}@" if self.REDIS_PASSWORD else ""
        return f"{scheme}://{auth}{self.REDIS_HOST}:{self.REDIS_PORT}/{self.REDIS_DB}"

    @property
    def index_dir(self) -> Path:
        return Path(self.INDEX_DIR)

    @property
    def overlay_dir(self) -> Path:
        return Path(self.KNOWLEDGE_OVERLAY_DIR)

    @property
    def import_dirs(self) -> list[Path]:
        return [Path(p) for p in self.KNOWLEDGE_IMPORT_DIRS.split(os.pathsep) if p]


def _defaults(env: dict[str, str]) -> dict[str, str]:
    shared = env.get("SHARED_DIR") or str(ROOT.parent / "shared")
    var = env.get("VAR_DIR") or str(ROOT / "var")
    build = env.get("BUILD_DIR") or str(ROOT / "build")
    imports = os.pathsep.join(str(Path(shared) / sub) for sub in ("corpus/laws", "seeds"))
    return {
        "SHARED_DIR": shared,
        "VAR_DIR": var,
        "BUILD_DIR": build,
        "KNOWLEDGE_IMPORT_DIRS": imports,
        "RETRIEVAL_MODE": "fusion",
        "DENSE_MODEL": "trained",
        "RERANK": "off",
        "INDEX_RELOAD_SECONDS": "2",
        "INDEX_DIR": str(Path(build) / "index"),
        "KNOWLEDGE_OVERLAY_DIR": str(Path(var) / "knowledge"),
        "RASA_PORT": "5005",
        "ACTION_PORT": "5055",
        "CONSOLE_PORT": "8000",
        "RASA_TOKEN": "",
        "REST_TOKEN": "",
        "MAX_MESSAGE_CHARS": "2000",
        "ACTION_ENDPOINT": "",
        "TRACKER_DIALECT": "sqlite",
        "TRACKER_DB": str(Path(var) / "tracker.db"),
        "TRACKER_HOST": "",
        "TRACKER_PORT": "",
        "TRACKER_USER": "",
        "TRACKER_PASSWORD": "",
        "TRACKER_SSLMODE": "",
        "LOCK_STORE": "in_memory",
        "LOCK_LEASE_SECONDS": "3",
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
        "REDIS_TLS": "off",
        "REDIS_KEY_PREFIX": "wra:",
        "APP_DB_URL": f"sqlite:///{Path(var) / 'app.db'}",
        "RETENTION_DAYS": "180",
        "CONSOLE_SESSION_IDLE_MINUTES": "30",
        "CONSOLE_SESSION_MAX_HOURS": "10",
        "CONSOLE_COOKIE_SECURE": "off",
        "CONSOLE_UPLOAD_MAX_MB": "20",
        "LOG_LEVEL": "INFO",
        "TIMEZONE": "Asia/Shanghai",
        "OFFICE_HOURS": "09:00-18:00",
        "OFFICE_DAYS": "1-5",
        "NOTIFY_WEBHOOK_URL": "",
        "SMTP_HOST": "",
        "SMTP_PORT": "587",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_FROM": "",
        "SMTP_TO": "",
        "RASA_URL": "",
        "WECHAT_TOKEN": "",
        "WECHAT_AES_KEY": "",
        "WECHAT_APPID": "",
        "WECHAT_SECRET": "",
        "WECHAT_API_BASE": "https://api.weixin.qq.com/",
        "WECHAT_REPLY_BUDGET": "4.0",
        "WECHAT_DEDUPE_TTL": "300",
        "WECOM_CORP_ID": "",
        "WECOM_SECRET": "",
        "WECOM_AGENT_ID": "",
        "WECOM_TOKEN": "",
        "WECOM_AES_KEY": "",
        "WECOM_API_BASE": "https://qyapi.weixin.qq.com/",
    }


CHOICES = {  # settings that take one of a few words; anything else is refused at start
    "RETRIEVAL_MODE": ("fusion", "bm25", "dense"),
    "RERANK": ("off", "on"),
    "CONSOLE_COOKIE_SECURE": ("off", "on"),
    "TRACKER_DIALECT": ("sqlite", "postgresql"),
    "LOCK_STORE": ("in_memory", "redis"),
    "REDIS_TLS": ("off", "on"),
    "TRACKER_SSLMODE": ("", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "LOG_LEVEL": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
}


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names the variable and the value."""


def _typed(name: str, raw: str, kind: str) -> object:
    """One value parsed to its field's type, or a SettingsError that says which and why."""
    if name in CHOICES and raw not in CHOICES[name]:
        raise SettingsError(f"{name}={raw!r}: must be one of {', '.join(CHOICES[name])}")
    if kind == "str":
        return raw
    if kind == "int | None" and raw == "":
        return None
    try:
        return int(raw) if kind.startswith("int") else float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: must be a {'whole number' if kind.startswith('int') else 'number'}") \
            from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Environment over `.env` over defaults; secrets and derived values filled in last."""
    env = {**_load_dotenv(ROOT / ".env"), **os.environ}
    values = _defaults(env)
    values.update({k: env[k] for k in values if env.get(k)})
    if not values["RASA_TOKEN"]:
        values["RASA_TOKEN"] = _persistent_secret(Path(values["VAR_DIR"]) / "secrets" / "rasa_token")
    if not values["RASA_URL"]:
        values["RASA_URL"] = f"http://localhost:{values['RASA_PORT']}"
    if not values["ACTION_ENDPOINT"]:
        values["ACTION_ENDPOINT"] = f"http://localhost:{values['ACTION_PORT']}/webhook"
    kinds = {f.name: str(f.type) for f in fields(Settings)}
    return Settings(**{name: _typed(name, str(raw), kinds[name]) for name, raw in values.items()})


def as_env_lines(settings: Settings) -> list[str]:
    """KEY=value lines that read back to the same settings (None as empty)."""
    return [f"{f.name}={'' if getattr(settings, f.name) is None else getattr(settings, f.name)}"
            for f in fields(settings)]


if __name__ == "__main__":
    print("\n".join(as_env_lines(get_settings())))
