"""The big menu buttons' words, shared: the menu shows them, and the form engine must know a tap
on one from an answer typed into a form (a tap always does what the button says)."""

from __future__ import annotations

from functools import cache

from telegram import ReplyKeyboardMarkup

from bot.db import Role
from bot.i18n import N_, Translator, translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services.members import MemberView

MEETINGS = N_("Meetings")
EXPLAIN = N_("Explain a word")
FEEDBACK = N_("Give feedback")
EXPENSES = N_("Expenses")
SETTINGS = N_("Settings")
HELP = N_("Help")
LAYOUT = [[MEETINGS, EXPLAIN], [FEEDBACK, EXPENSES], [SETTINGS, HELP]]
SEND_NEWS = N_("Send news")
COORDINATOR_LAYOUT = [[SEND_NEWS]]  # added for people who coordinate a panel
LABELS = frozenset(label for row in LAYOUT + COORDINATOR_LAYOUT for label in row)


def menu_keyboard(t: Translator, *, coordinator: bool = False) -> ReplyKeyboardMarkup:
    layout = LAYOUT + (COORDINATOR_LAYOUT if coordinator else [])
    return ReplyKeyboardMarkup(
        [[t(label) for label in row] for row in layout],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=t("Tap a button"),
    )


def label_for(text: str, member: MemberView | None = None) -> str | None:
    """The menu entry whose words are `text`, in any launch language, full or easy read: a
    keyboard sent before a language change still shows the old words, and must still work.
    (`member` is kept for callers that have one; every language is checked anyway.)"""
    return _all_labels().get(text.strip())


@cache
def _all_labels() -> dict[str, str]:
    words: dict[str, str] = {}
    for language in LAUNCH_LANGUAGES:
        for easy in (False, True):
            t = translator(language, easy)
            for label in LABELS:
                words.setdefault(t(label), label)
    return words


def keyboard_for(t: Translator, member: MemberView | None) -> ReplyKeyboardMarkup:
    """The menu as this person should see it: coordinators get "Send news" too."""
    coordinator = bool(
        member and (member.is_admin or member.roles & {Role.COORDINATOR, Role.ADMIN})
    )
    return menu_keyboard(t, coordinator=coordinator)
