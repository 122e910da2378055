"""The floor for bench/updates.py: a minimal python-telegram-bot bot that answers every message
and every tap, touching no database. Run: python bench/echo_bot.py TOKEN BASE_URL"""

from __future__ import annotations

import sys
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters


async def echo_text(update: Update, context: Any) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await update.effective_chat.send_message(update.effective_message.text or "?")


async def echo_tap(update: Update, context: Any) -> None:
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await update.effective_chat.send_message("ok")


def main(token: str, base_url: str) -> None:
    app = Application.builder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.ALL, echo_text))
    app.add_handler(CallbackQueryHandler(echo_tap))
    app.run_polling(poll_interval=0, timeout=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
