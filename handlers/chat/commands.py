"""The command menu Telegram shows, published in every launch language, and per chat: a
coordinator's (or admin's) chat lists their commands too, in their language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, MenuButtonCommands

from bot.context import PanelContext
from bot.db import Role
from bot.i18n import N_, resolve_language, translator
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
# After the members' list, for people who coordinate a panel (the order of /help's list).
COORDINATOR_COMMANDS = [
    ("members", N_("Who is in your panel and what they need")),
    ("newmeeting", N_("Plan a meeting and invite everyone")),
    ("broadcast", N_("Send news to your panel")),
    ("broadcasts", N_("News you sent, and news waiting to go")),
    ("attendance", N_("Who is coming to a meeting, and what they need")),
    ("review", N_("Check claims one at a time")),
    ("export", N_("Download claims for finance")),
    ("invite", N_("A new invite link")),
    ("jargon", N_("Words members asked about that I could not explain")),
    ("addterm", N_("Add your own explanation of a word")),
    ("checktext", N_("Check a message is easy to read")),
    ("newpoll", N_("Ask the panel a question")),
    ("results", N_("See the answers to your questions")),
    ("minanswers", N_("How many answers before results show")),
    ("helplines", N_("The help lines members see after feedback")),
]
ADMIN_COMMANDS = [("newpanel", N_("Make a new panel"))]


def commands_in(
    language: str, *, coordinator: bool = False, admin: bool = False
) -> list[BotCommand]:
    _ = translator(language)
    listed = COMMANDS + (COORDINATOR_COMMANDS if coordinator or admin else [])
    listed += ADMIN_COMMANDS if admin else []
    return [BotCommand(name, _(description)) for name, description in listed]


async def publish_commands(bot: Bot, default_language: str) -> None:
    """Telegram shows each person the list in their app's language, if we gave one."""
    await bot.set_my_commands(commands_in(default_language))
    for language in LAUNCH_LANGUAGES:
        await bot.set_my_commands(commands_in(language), language_code=language)
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())


async def publish_commands_for_chat(
    bot: Bot, chat_id: int, language: str, *, coordinator: bool = False, admin: bool = False
) -> None:
    """This chat's list, in `language` whatever their app's: members' commands, and for a
    coordinator or an admin theirs too."""
    commands = commands_in(language, coordinator=coordinator, admin=admin)
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def publish_commands_for_person(context: PanelContext, language: str | None = None) -> None:
    """The list for the person writing, as they are now: after they join, become a
    coordinator or change their language, and on /start (a role changed from the server's
    command line reaches them there)."""
    member = context.member
    if member is None:
        return
    coordinator = bool(member.roles & {Role.COORDINATOR, Role.ADMIN})
    chosen = language or resolve_language(member.language, None, member.panel_language)
    await publish_commands_for_chat(
        context.bot,
        member.telegram_id,
        chosen,
        coordinator=coordinator,
        admin=context.has_admin_rights(),
    )
