"""The command menu Telegram shows, published in every launch language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, MenuButtonCommands

from bot.i18n import N_, translator
from bot.languages import LAUNCH_LANGUAGES

COMMANDS = [
    ("start", N_("Start, or see the main menu")),
    ("menu", N_("Show the big buttons")),
    ("meetings", N_("Your meetings")),
    ("claim", N_("Claim expenses or paid time")),
    ("expenses", N_("Your claims")),
    ("settings", N_("Change your answers")),
    ("explain", N_("Explain a word")),
    ("feedback", N_("Tell us what you think")),
    ("help", N_("See what I can do")),
    ("language", N_("Change the language")),
    ("mydata", N_("See what we keep about you")),
    ("forgetme", N_("Delete your data")),
]


def commands_in(language: str) -> list[BotCommand]:
    _ = translator(language)
    return [BotCommand(name, _(description)) for name, description in COMMANDS]


async def publish_commands(bot: Bot, default_language: str) -> None:
    """Telegram shows each person the list in their app's language, if we gave one."""
    await bot.set_my_commands(commands_in(default_language))
    for language in LAUNCH_LANGUAGES:
        await bot.set_my_commands(commands_in(language), language_code=language)
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())


async def publish_commands_for_chat(bot: Bot, chat_id: int, language: str) -> None:
    """After someone picks a language that differs from their app's, show the menu in it."""
    await bot.set_my_commands(commands_in(language), scope=BotCommandScopeChat(chat_id))
