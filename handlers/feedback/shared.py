"""What the feedback forms share: their buttons' data, the words every one of them says, and
the help lines shown after a message is sent (also by /helplines)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Message

from bot.i18n import N_, Translator
from bot.services.feedback_settings import Helpline
from handlers import forms
from handlers.forms import Form

NOTHING_SENT = N_("OK. Nothing was sent.")
WORDS_OR_VOICE = N_("Please type your message, or send a voice note.")
VOICE_NOTE = N_("You can also send a voice note.")
VOICE_KNOWN = N_("A voice note can be known by your voice. Words are safer.")
# Built-in urgent help for UK panels; a panel can set its own with /helplines.
DEFAULT_HELPLINES = (
    N_("Samaritans, any time, day or night: call 116 123 (free)."),
    N_("NHS 111, for urgent health help: call 111."),
    N_("In an emergency, call 999."),
)
# Anonymous messages wait in memory to be written with others (bot.services.anonymous_writes).
HELD_NOTE = N_(
    "Until then, only the bot's memory holds it. If the bot stops first, your message is "
    "lost. We cannot tell you, because we keep nothing that leads to you."
)


def number(value: str) -> int | None:
    """A feedback or panel id from a button or a step, or None if it is not one."""
    return int(value) if value.isdecimal() and value.isascii() and len(value) < 19 else None


def stop_only(t: Translator, form: Form) -> InlineKeyboardMarkup:
    """The keyboard under a one-step form's question: the engine's Stop (so is /cancel)."""
    return InlineKeyboardMarkup([forms.stop_buttons(t, form)])


def words_or_voice(message: Message) -> tuple[str | None, str | None] | None:
    """(text, voice note file id) of a message that has either, else None."""
    voice = message.voice.file_id if message.voice else None
    if not (message.text and message.text.strip()) and voice is None:
        return None
    return message.text, voice


def helpline_lines(t: Translator, lines: list[Helpline] | None) -> list[str]:
    header = t("If you need help now:")
    if lines is None:
        return [header, *(t(line) for line in DEFAULT_HELPLINES)]
    return [header, *(t.quote(f"{escape(h.name)}: {escape(h.number)}") for h in lines)]
