"""Settings read from the environment and an optional `.env` file, validated once at start-up."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.languages import LAUNCH_LANGUAGES

TELEGRAM_API = "https://api.telegram.org/bot"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_PLAIN_SCHEMES = {
    "sqlite://": "sqlite+aiosqlite://",
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
}


class ConfigError(Exception):
    """A configuration problem, worded for the person starting the bot (one line)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Secrets are SecretStr: printed as '**********' in any repr, log line or traceback.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = TELEGRAM_API
    telegram_file_base_url: str = ""
    database_url: str = ""
    panelbot_admins: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    panelbot_default_language: str = "en"
    panelbot_timezone: str = "Europe/London"
    panelbot_data_dir: Path = Path("data")
    # Webhook mode is optional; polling is the default. It needs a secret, and listens on this
    # machine only unless told otherwise: a reverse proxy in front serves HTTPS (README).
    panelbot_webhook_url: str = ""
    panelbot_webhook_secret: SecretStr = SecretStr("")
    panelbot_webhook_listen: str = "127.0.0.1"
    panelbot_webhook_port: int = 8443
    # The key that seals the ways back to anonymous messages (bot/services/route_keys.py):
    # this setting, else the key file in the data folder, made on first run. Old keys, comma
    # separated, still open and forget routes sealed with them.
    panelbot_reply_key: SecretStr = SecretStr("")
    panelbot_reply_keys_old: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    # How long a claimed outbox row stays with the process that claimed it. If that process
    # dies, another takes the row over after this long.
    panelbot_outbox_lease_seconds: float = Field(default=120.0, gt=0)
    # How many people's updates are handled at the same time (one person's always in order).
    panelbot_concurrent_updates: int = Field(default=16, ge=1, le=256)
    # Years an approved or paid claim is kept, without the member's name, after /forgetme.
    # UK practice is six years for payment records.
    panelbot_finance_retention_years: int = Field(default=6, ge=0, le=50)
    # How many megabytes of receipt files one member may have at a time.
    panelbot_receipt_quota_mb: int = Field(default=50, ge=1, le=10_000)
    # Anonymous answers and messages wait in memory and are written in groups (README,
    # "Anonymous feedback: what we promise"): how often the writer looks, and the hour (UTC)
    # of the daily write of whatever is still waiting.
    panelbot_anonymous_flush_seconds: float = Field(default=300.0, gt=0)
    panelbot_anonymous_daily_hour: int = Field(default=3, ge=0, le=23)

    @field_validator("panelbot_admins", mode="before")
    @classmethod
    def _parse_admins(cls, value: object) -> frozenset[int]:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "must be Telegram user ids (numbers) separated by commas"
                ) from None
        return frozenset(value)  # type: ignore[call-overload]

    @field_validator("panelbot_reply_keys_old", mode="before")
    @classmethod
    def _parse_old_keys(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(value)  # type: ignore[arg-type]

    @field_validator("panelbot_default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LAUNCH_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LAUNCH_LANGUAGES)}")
        return value

    @field_validator("panelbot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a time zone name like Europe/London") from None
        return value

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.panelbot_data_dir / 'panelbot.sqlite3'}"
        # Accept the plain forms people copy from their host and pick the async driver for them.
        for plain, driver in _PLAIN_SCHEMES.items():
            if self.database_url.startswith(plain):
                self.database_url = driver + self.database_url[len(plain) :]
                break
        if not self.telegram_file_base_url:
            base = self.telegram_api_base_url.rstrip("/")
            head, _, tail = base.rpartition("/")
            # https://api.telegram.org/bot -> https://api.telegram.org/file/bot
            self.telegram_file_base_url = f"{head}/file/{tail}" if head else f"{base}/file"
        return self

    @property
    def receipt_quota_bytes(self) -> int:
        return self.panelbot_receipt_quota_mb * 1024 * 1024

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.panelbot_timezone)

    def check_database_url(self) -> None:
        try:
            url = make_url(self.database_url)
        except ArgumentError:
            raise ConfigError(
                "DATABASE_URL is not a database address. Use sqlite+aiosqlite:///path/file.sqlite3 "
                "or postgresql+asyncpg://user@host/dbname."
            ) from None
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ConfigError(
                f"DATABASE_URL uses '{url.drivername}', which panelbot cannot use. "
                "Use sqlite+aiosqlite:/// or postgresql+asyncpg://."
            )

    @property
    def token(self) -> str:
        """The bot token itself, for the one place that talks to Telegram."""
        return self.telegram_bot_token.get_secret_value().strip()

    def check_token(self) -> None:
        token = self.token
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Get one from @BotFather in Telegram (see README), "
                "or try the bot in your browser first, with no token: make playground "
                "(or: panelbot playground)."
            )
        head, sep, tail = token.partition(":")
        if not (sep and head.isdigit() and tail):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (it should be like "
                "123456789:AAE...). Copy it again from @BotFather."
            )

    def check_webhook(self) -> None:
        """Webhook mode refuses to start without a secret: without one, anyone who finds the
        address can post updates in any member's or coordinator's name."""
        if not self.panelbot_webhook_url:
            return
        secret = self.panelbot_webhook_secret.get_secret_value()
        if not secret:
            raise ConfigError(
                "PANELBOT_WEBHOOK_SECRET is not set. Webhook mode needs one, so that only "
                "Telegram can send updates. Make one with: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not _WEBHOOK_SECRET.fullmatch(secret):
            raise ConfigError(
                "PANELBOT_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -. Make one "
                "with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )


# Telegram allows 1 to 256 of these characters; fewer than 16 could be guessed.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")

_ENV_NAMES = {
    "panelbot_admins": "PANELBOT_ADMINS",
    "panelbot_default_language": "PANELBOT_DEFAULT_LANGUAGE",
    "panelbot_timezone": "PANELBOT_TIMEZONE",
    "panelbot_data_dir": "PANELBOT_DATA_DIR",
    "panelbot_webhook_port": "PANELBOT_WEBHOOK_PORT",
    "panelbot_reply_keys_old": "PANELBOT_REPLY_KEYS_OLD",
    "panelbot_outbox_lease_seconds": "PANELBOT_OUTBOX_LEASE_SECONDS",
    "panelbot_concurrent_updates": "PANELBOT_CONCURRENT_UPDATES",
    "panelbot_anonymous_flush_seconds": "PANELBOT_ANONYMOUS_FLUSH_SECONDS",
    "panelbot_anonymous_daily_hour": "PANELBOT_ANONYMOUS_DAILY_HOUR",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise ConfigError with one human line instead of a validation traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "setting"
        name = _ENV_NAMES.get(field, field.upper())
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} {message}.") from None
