"""Start-up configuration: clear one-line errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def run_panelbot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_token_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    result = run_panelbot(tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0]
    assert "BotFather" in lines[0]
    assert "make playground" in lines[0] and "panelbot playground" in lines[0]


def test_bad_database_url_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    result = run_panelbot(tmp_path, TELEGRAM_BOT_TOKEN="1:abc", DATABASE_URL="mysql://x@y/z")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("panelbot: DATABASE_URL")


def test_unreachable_database_prints_one_line(tmp_path: Path) -> None:
    result = run_panelbot(
        tmp_path,
        TELEGRAM_BOT_TOKEN="1:abc",
        DATABASE_URL="postgresql://nobody@127.0.0.1:9/none",
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert "cannot open the database" in lines[0]


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PANELBOT_ADMINS=11, 22\nPANELBOT_TIMEZONE=Europe/Warsaw\n")
    monkeypatch.chdir(tmp_path)
    for name in ("PANELBOT_ADMINS", "PANELBOT_TIMEZONE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.panelbot_admins == frozenset({11, 22})
    assert settings.panelbot_timezone == "Europe/Warsaw"
    assert settings.database_url.startswith("sqlite+aiosqlite:///data/")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("panelbot_admins", "12,abc", "PANELBOT_ADMINS must be Telegram user ids"),
        ("panelbot_timezone", "Mars/Olympus", "PANELBOT_TIMEZONE is not a time zone"),
        ("panelbot_default_language", "fr", "PANELBOT_DEFAULT_LANGUAGE must be one of"),
    ],
)
def test_bad_values_name_the_variable(field: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(**{field: value})


def test_file_url_is_derived_from_api_url() -> None:
    settings = load_settings(telegram_api_base_url="http://127.0.0.1:8081/bot")
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"
    default = load_settings(telegram_api_base_url="https://api.telegram.org/bot")
    assert default.telegram_file_base_url == "https://api.telegram.org/file/bot"


def test_plain_database_urls_get_the_async_driver() -> None:
    settings = load_settings(database_url="postgres://u@h/db")
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
