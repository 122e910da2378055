"""The member's home: big reply-keyboard buttons, so nobody has to type a command."""

from __future__ import annotations

from typing import Any

from telegram import Message, ReplyKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Role
from bot.i18n import N_, Translator, resolve_language, translator

MEETINGS = N_("Meetings")
EXPLAIN = N_("Explain a word")
FEEDBACK = N_("Give feedback")
EXPENSES = N_("Expenses")
SETTINGS = N_("Settings")
HELP = N_("Help")
LAYOUT = [[MEETINGS, EXPLAIN], [FEEDBACK, EXPENSES], [SETTINGS, HELP]]
SEND_NEWS = N_("Send news")
COORDINATOR_LAYOUT = [[SEND_NEWS]]  # added for people who coordinate a panel


def menu_keyboard(t: Translator, *, coordinator: bool = False) -> ReplyKeyboardMarkup:
    layout = LAYOUT + (COORDINATOR_LAYOUT if coordinator else [])
    return ReplyKeyboardMarkup(
        [[t(label) for label in row] for row in layout],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=t("Tap a button"),
    )


def _label_for(text: str) -> str | None:
    """The menu entry whose label, in this person's language, is `text`."""
    member = current_member()
    language = resolve_language(member.language if member else None, None, None)
    easy = bool(member and member.easy_read)
    for t in {translator(language, easy), translator("en")}:
        for row in LAYOUT + COORDINATOR_LAYOUT:
            for label in row:
                if t(label) == text.strip():
                    return label
    return None


class _MenuButton(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(message.text) and _label_for(message.text or "") is not None


async def show_menu(update: Update, context: PanelContext) -> None:
    t = context.t
    member = context.member
    if member is None or member.consent != "given":
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            t("To join a panel, open the invite link from your coordinator.")
        )
        return
    from handlers import broadcasts

    coordinator = member.is_admin or bool(member.roles & {Role.COORDINATOR, Role.ADMIN})
    await update.effective_chat.send_message(  # type: ignore[union-attr]
        t("Here is your menu. Tap a button."),
        reply_markup=menu_keyboard(t, coordinator=coordinator),
    )
    await broadcasts.show_latest(update, context)


async def on_menu_button(update: Update, context: PanelContext) -> None:
    from handlers import preferences, start

    assert update.effective_message is not None
    label = _label_for(update.effective_message.text or "")
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
