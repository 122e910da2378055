"""The member's home: big reply-keyboard buttons, so nobody has to type a command."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext
from handlers.chat.menu_labels import (
    EXPENSES,
    EXPLAIN,
    FEEDBACK,
    HELP,
    MEETINGS,
    SEND_NEWS,
    SETTINGS,
    keyboard_for,
    label_for,
)


class _MenuButton(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(message.text) and label_for(message.text or "") is not None


async def show_menu(update: Update, context: PanelContext) -> None:
    t = context.t
    member = context.member
    if member is None or member.consent != "given":
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            t("To join a panel, open the invite link from your coordinator.")
        )
        return
    from handlers import broadcasts

    await update.effective_chat.send_message(  # type: ignore[union-attr]
        t("Here is your menu. Tap a button."), reply_markup=keyboard_for(t, member)
    )
    await broadcasts.show_latest(update, context)


async def on_menu_button(update: Update, context: PanelContext) -> None:
    from handlers import start
    from handlers.joining import preferences

    assert update.effective_message is not None
    label = label_for(update.effective_message.text or "")
    if label == MEETINGS:
        from handlers import meetings

        await meetings.meetings_command(update, context)
    elif label == EXPLAIN:
        from handlers import glossary

        await glossary.ask_for_word(update, context)
    elif label == FEEDBACK:
        from handlers import feedback

        await feedback.start(update, context)
    elif label == EXPENSES:
        from handlers import claims

        await claims.start_claim(update, context)
    elif label == SETTINGS:
        await preferences.show_settings(update, context)
    elif label == HELP:
        await start.help_command(update, context)
    elif label == SEND_NEWS:
        from handlers import broadcasts

        await broadcasts.new_broadcast(update, context)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("menu", show_menu),
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & _MenuButton(), on_menu_button),
    ]
