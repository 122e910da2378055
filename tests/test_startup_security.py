"""Starting the bot for real, as an attacker or a careless operator would find it: a token
Telegram refuses is told in one plain line that never shows the token; webhook mode will not
start without a secret, listens on this machine only, and refuses forged updates."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.config import load_settings
from bot.emulator.server import BotApiEmulator
from bot.startup import webhook_options

pytestmark = pytest.mark.slow

REFUSED = "987654:AAE-refused-token-do-not-print"
TOKEN = "123456:WEBHOOK-test"
SECRET = "webhook-secret-0123456789abcdef"
MALLORY = 4242  # posts updates straight to the webhook, in anyone's name


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    env.pop("DATABASE_URL", None)
    return {**env, **values}


async def _run_to_the_end(workdir: Path, env: dict[str, str]) -> tuple[int, str, str]:
    # Asynchronous, so the emulator in this test's event loop can answer the subprocess.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the bot started instead of refusing to") from None
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_a_token_telegram_refuses_is_one_plain_line_without_the_token(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    emulator.refused_tokens.add(REFUSED)
    code, stdout, stderr = await _run_to_the_end(
        tmp_path,
        _env(
            TELEGRAM_BOT_TOKEN=REFUSED,
            TELEGRAM_API_BASE_URL=emulator.base_url,
            DATABASE_URL=database_url,
            PANELBOT_DATA_DIR=str(tmp_path / "data"),
        ),
    )
    assert code != 0
    secret_part = REFUSED.split(":")[1]
    assert secret_part not in stdout + stderr
    assert stderr.strip().splitlines() == [
        "panelbot: Telegram refused TELEGRAM_BOT_TOKEN: it was mistyped, or it was changed or "
        "revoked in @BotFather. Copy the current token from @BotFather into TELEGRAM_BOT_TOKEN."
    ]
    assert "Traceback" not in stdout + stderr


def test_the_settings_never_show_the_token_or_the_secrets() -> None:
    settings = load_settings(
        telegram_bot_token=REFUSED,
        panelbot_webhook_secret=SECRET,
        panelbot_reply_key="reply-key-" + "x" * 40,
        panelbot_reply_keys_old="old-key-one-0123456789,old-key-two-0123456789",
    )
    shown = f"{settings!r} {settings} {settings.model_dump()}"
    for secret in (REFUSED.split(":")[1], SECRET, "x" * 40, "old-key-one", "old-key-two"):
        assert secret not in shown
    assert settings.token == REFUSED


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("", "panelbot: PANELBOT_WEBHOOK_SECRET is not set. Webhook mode needs one"),
        ("short", "panelbot: PANELBOT_WEBHOOK_SECRET must be 16 to 256 letters"),
        ("has spaces in it, and more", "panelbot: PANELBOT_WEBHOOK_SECRET must be 16 to 256"),
    ],
)
async def test_webhook_mode_will_not_start_without_a_proper_secret(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path, secret: str, expected: str
) -> None:
    code, _stdout, stderr = await _run_to_the_end(
        tmp_path,
        _env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=emulator.base_url,
            DATABASE_URL=database_url,
            PANELBOT_DATA_DIR=str(tmp_path / "data"),
            PANELBOT_WEBHOOK_URL="https://bot.example.org/telegram",
            PANELBOT_WEBHOOK_SECRET=secret,
            PANELBOT_WEBHOOK_PORT=str(_free_port()),
        ),
    )
    assert code != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), stderr
    assert "secrets.token_urlsafe" in lines[0]  # and how to make one
    assert emulator.webhook() == {}  # nothing was registered with Telegram


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of sockets listening on `port`, from the kernel's own tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture
def webhook_bot(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> Iterator[tuple[int, Path]]:
    port = _free_port()
    log = tmp_path / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=_env(
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=emulator.base_url,
                DATABASE_URL=database_url,
                PANELBOT_DATA_DIR=str(tmp_path / "data"),
                PANELBOT_WEBHOOK_URL="https://bot.example.org/telegram",
                PANELBOT_WEBHOOK_SECRET=SECRET,
                PANELBOT_WEBHOOK_PORT=str(port),
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _forged_start(update_id: int) -> dict[str, object]:
    person = {"id": MALLORY, "is_bot": False, "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {**person, "type": "private"},
            "from": person,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_the_webhook_listens_on_this_machine_only_and_refuses_forged_updates(
    emulator: BotApiEmulator, webhook_bot: tuple[int, Path]
) -> None:
    port, log = webhook_bot
    emulator.add_user(MALLORY, "Mallory")
    assert await emulator.wait_for(lambda: emulator.webhook().get("url"), 60), log.read_text()
    for _ in range(300):  # the server may come up just after the webhook is registered
        if _listening_addresses(port):
            break
        await asyncio.sleep(0.1)
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, in the kernel's byte order

    address = f"http://127.0.0.1:{port}/telegram"
    async with aiohttp.ClientSession() as client:
        async with client.post(address, json=_forged_start(1)) as no_secret:
            assert no_secret.status == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "guessed-0123456789abcdef"}
        async with client.post(address, json=_forged_start(2), headers=wrong) as forged:
            assert forged.status == 403
        assert await emulator.wait_for(lambda: emulator.messages(MALLORY) or None, 1.0) is None

        # The same update with Telegram's secret is handled: the refusals above were the secret.
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with client.post(address, json=_forged_start(3), headers=right) as genuine:
            assert genuine.status == 200
    assert await emulator.wait_for(lambda: emulator.messages(MALLORY) or None, 15), log.read_text()


def test_the_webhook_listens_elsewhere_only_when_told_to() -> None:
    told = load_settings(
        panelbot_webhook_url="https://bot.example.org/hook/telegram",
        panelbot_webhook_secret=SECRET,
        panelbot_webhook_listen="0.0.0.0",
    )
    assert webhook_options(told)["listen"] == "0.0.0.0"
    assert webhook_options(told)["url_path"] == "hook/telegram"
    assert webhook_options(load_settings())["listen"] == "127.0.0.1"
