"""The one asking code: a row of the questions table (bot/services/questions.py) as a message
with big buttons, the same when joining (mode "j") and in /settings (mode "s")."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.db import Member
from bot.i18n import N_, P_, Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import member_requests
from bot.services.profile import InvalidAnswer
from bot.services.questions import Kind, Question
from handlers.chat.common import button, reply
from handlers.chat.languages import language_rows
from handlers.joining.buttons import JoiningAnswer, SettingsAnswer

JOINING, SETTINGS = "j", "s"
WHY, OTHER, DONE = "why", "other", "done"  # button values every question understands
TELEGRAM_NAME, KEPT_NAME = "tg", "kept"  # "Call me ..." with their Telegram or saved name

NOT_WORDS = N_("Please type your answer in words. Or tap a button.")
TAP_A_BUTTON = N_("Please tap one of the buttons.")
# Consent must be true: organisation admins and whoever runs the bot's server can read it too.
WHO_ELSE_SEES = N_(
    "The people who run this bot and its computer (the server) can see it too. Nobody else can."
)
# Easy-read versions of the consent details (the questions' own are in the table).
EASY = (
    P_("easy", "What we keep: the name you give us, your language and your answers here."),
    P_("easy", "Who sees it: your panel's coordinators and your organisation's admins."),
    P_(
        "easy",
        "The people who run this bot and its computer (the server) can see it too. "
        "Nobody else can.",
    ),
)


def data(mode: str, step: str, value: str = "") -> str:
    """A question's button, while joining or from /settings."""
    return (JoiningAnswer if mode == JOINING else SettingsAnswer)(step, value).pack()


def text_of(t: Translator, row: Question, *, panel: str = "", coordinator: bool = False) -> str:
    lines = row.for_coordinators if coordinator and row.for_coordinators else row.asked
    return row.gap.join(
        t(line, panel=escape(panel)) if "{panel}" in line else t(line) for line in lines
    )


def buttons(
    t: Translator, row: Question, mode: str, me: Member, *, first_name: str = ""
) -> list[list[InlineKeyboardButton]]:
    """The question's buttons, one a row (languages two a row), then "Why do you ask?"."""
    if row.literal and {o.value for o in row.options} == set(LAUNCH_LANGUAGES):
        rows = language_rows({o.value: data(mode, row.step, o.value) for o in row.options})
    elif row.kind is Kind.MANY:
        return choose_many(t, row, mode, me)
    else:
        rows = [
            [button(_label(t, row, o.label), data(mode, row.step, o.value))] for o in row.options
        ]
    if row.offer_name:
        kept = me.display_name if me.display_name and mode == JOINING else None
        name, value = (kept, KEPT_NAME) if kept else (first_name, TELEGRAM_NAME)
        if name:
            rows.insert(
                0, [button(t("Call me {name}", name=name[:30]), data(mode, row.step, value))]
            )
    return rows + _why(t, row, mode)


def choose_many(
    t: Translator, row: Question, mode: str, me: Member
) -> list[list[InlineKeyboardButton]]:
    """Tick any (a tick shows what is chosen), "Something else", Done."""
    chosen = set(row.value(me) or []) if row.value else set()
    rows = [
        [
            button(
                ("✓ " if o.value in chosen else "") + _label(t, row, o.label),
                data(mode, row.step, o.value),
            )
        ]
        for o in row.options
    ]
    if row.side:
        rows.append([button(t("Something else"), data(mode, row.step, OTHER))])
    rows.append([button(t("Done"), data(mode, row.step, DONE))])
    return rows + _why(t, row, mode)


def _label(t: Translator, row: Question, label: str) -> str:
    return label if row.literal else t(label)


def _why(t: Translator, row: Question, mode: str) -> list[list[InlineKeyboardButton]]:
    return [[button(t("Why do you ask?"), data(mode, row.step, WHY))]] if row.why else []


async def ask(
    update: Update,
    t: Translator,
    row: Question,
    mode: str,
    me: Member,
    last_row: list[InlineKeyboardButton],
    *,
    panel: str = "",
    coordinator: bool = False,
) -> None:
    """Send the question, with the form's Back/Stop row last."""
    user = update.effective_user
    rows = buttons(t, row, mode, me, first_name=user.first_name if user else "")
    await reply(
        update,
        text_of(t, row, panel=panel, coordinator=coordinator),
        reply_markup=InlineKeyboardMarkup([*rows, last_row]),
    )


async def take_typed(update: Update, context: PanelContext, row: Question) -> bool:
    """Typed words at a question: stored (True), or a kind word on what to do instead (False;
    at a question answered by tapping, the caller asks it again)."""
    message, member = update.effective_message, context.member
    assert message is not None and member is not None
    if row.typed is None:
        await reply(update, context.t(TAP_A_BUTTON))
        return False
    if message.text is None:
        await reply(update, context.t(NOT_WORDS))
        return False
    try:
        await row.typed(context.session, member.telegram_id, message.text)
    except InvalidAnswer:
        await reply(update, context.t(row.mistake or NOT_WORDS))
        return False
    return True


def consent_details(t: Translator) -> str:
    return "\n\n".join(
        [
            t("What we keep: the name you give us, your language and your answers here."),
            t("Who sees it: your panel's coordinators and your organisation's admins."),
            t(WHO_ELSE_SEES),
            t("To see it at any time, type /mydata."),
            t("To delete it at any time, type /forgetme."),
            t("Is that OK?"),
        ]
    )


TOLD_ABOUT_PAYMENT = N_(
    "We told your coordinator you are not sure how to be paid. They will talk to you about it."
)


async def payment_notice(update: Update, context: PanelContext, user_id: int) -> None:
    """Joining or /settings: "Not sure: please talk to me" reaches the coordinators, with Reply
    (bot/services/member_requests.py), once while it is unanswered."""
    now = context.runtime.clock.now()
    if await member_requests.ask_about_payment(context.session, user_id, now=now):
        await context.session.commit()
        await reply(update, context.t(TOLD_ABOUT_PAYMENT))
