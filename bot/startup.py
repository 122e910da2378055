"""What `panelbot run` checks and sets up before it hands over to python-telegram-bot: that
Telegram accepts the token (told in one line that never shows it), and where the webhook listens."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.config import ConfigError, Settings
from bot.telegram_http import AiohttpRequest

TOKEN_CHECK_SECONDS = 10.0


def check_token_accepted(settings: Settings) -> None:
    """Ask Telegram who the bot is. A refused token stops start-up with one plain line, rather
    than PTB's traceback, which names the token twice. Any other fault (no network yet) is left
    to PTB's own start-up, as before."""

    async def ask() -> None:
        request = AiohttpRequest(pool_size=1)
        # `async with` asks getMe on the way in and closes the connection on the way out,
        # even when the answer is a refusal.
        async with Bot(settings.token, base_url=settings.telegram_api_base_url, request=request):
            pass

    try:
        asyncio.run(asyncio.wait_for(ask(), TOKEN_CHECK_SECONDS))
    except InvalidToken:
        raise refused_token() from None
    except (TelegramError, OSError, TimeoutError):
        return


def refused_token() -> ConfigError:
    return ConfigError(
        "Telegram refused TELEGRAM_BOT_TOKEN: it was mistyped, or it was changed or revoked "
        "in @BotFather. Copy the current token from @BotFather into TELEGRAM_BOT_TOKEN."
    )


def webhook_options(settings: Settings) -> dict[str, Any]:
    """PTB's run_webhook arguments: this machine only unless PANELBOT_WEBHOOK_LISTEN says
    otherwise, the path of the public address (so a reverse proxy can pass it on as it is),
    and Telegram's secret header checked on every request."""
    return {
        "listen": settings.panelbot_webhook_listen,
        "port": settings.panelbot_webhook_port,
        "url_path": urlsplit(settings.panelbot_webhook_url).path.strip("/"),
        "webhook_url": settings.panelbot_webhook_url,
        "secret_token": settings.panelbot_webhook_secret.get_secret_value(),
    }
