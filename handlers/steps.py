"""The questions of onboarding, each one short message with big buttons.

Shared by onboarding (mode "j", joining: each answer leads to the next question) and by
/settings (mode "s": each answer goes back to the settings list).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import PanelContext
from bot.i18n import N_, P_, Translator
from bot.languages import LANGUAGE_NAMES, LAUNCH_LANGUAGES
from bot.services.onboarding import Step
from bot.services.profile import ACCESS_NEEDS
from handlers.common import button, callback_data, reply

FEATURE = "ob"
VERSION = 1
JOINING, SETTINGS = "j", "s"

ACCESS_LABELS = {
    "step_free": N_("Step-free access"),
    "hearing_loop": N_("Hearing loop"),
    "bsl": N_("BSL interpreter"),
    "large_print": N_("Large print"),
    "easy_read": N_("Easy read papers"),
    "quiet_space": N_("A quiet space"),
    "support_worker": N_("A support worker or carer is coming with me"),
}
REMINDER_LABELS = {
    "all": N_("All reminders"),
    "day_before": N_("Only the day before"),
    "none": N_("No reminders"),
}
PAYMENT_LABELS = {
    "bank": N_("Bank transfer"),
    "vouchers": N_("Vouchers"),
    "decline": N_("I do not want to be paid"),
    "unsure": N_("Not sure: please talk to me"),
}
QUIET_PRESETS = {"22-8": (22 * 60, 8 * 60), "21-9": (21 * 60, 9 * 60)}
QUIET_LABELS = {
    "none": N_("No, any time is fine"),
    "22-8": N_("Not from 10pm to 8am"),
    "21-9": N_("Not from 9pm to 9am"),
}

WHY = {
    Step.NAME: N_(
        "We use your name when we write to you and in meetings. "
        "It can be a nickname. Your panel's coordinators and admins see it."
    ),
    Step.REMINDERS: N_(
        "Reminders help you not miss a meeting. "
        "We can remind you a week before, a day before and 2 hours before."
    ),
    Step.ACCESS: N_(
        "We tell the coordinator what you need. Then they can get it ready before the meeting."
    ),
    Step.PAYMENT: N_(
        "Panels pay people for their time. "
        "We need to know how you want to get the money. You can change this later."
    ),
}

# What we keep, said plainly: the answers include access needs and how to be paid.
CONSENT_QUESTION = N_(
    "To help you, we need to keep your name and your answers. "
    "Your answers say what you need at meetings and how you want to be paid. Is that OK?"
)
# Consent must be true: organisation admins and whoever runs the bot's server can read it too.
WHO_ELSE_SEES = N_(
    "The people who run this bot and its computer (the server) can see it too. Nobody else can."
)

ADVICE = N_("For free advice before you choose, ask Citizens Advice or your benefits adviser.")

# Messages with an easy-read version (written in the English catalogue under context "easy").
EASY = (
    P_(
        "easy",
        "To help you, we need to keep your name and your answers. "
        "Your answers say what you need at meetings and how you want to be paid. Is that OK?",
    ),
    P_("easy", "What should we call you? Type a first name or a nickname."),
    P_("easy", "How should we remind you about meetings?"),
    P_("easy", "Do you need anything to take part in meetings? Tap all that apply, then Done."),
    P_("easy", "How would you like to be paid for your time?"),
    P_("easy", "Payments can affect some benefits. Vouchers are not always safer."),
    P_(
        "easy",
        "For free advice before you choose, ask Citizens Advice or your benefits adviser.",
    ),
    P_("easy", "Are there times when we should not send you messages? For example at night."),
    P_("easy", "Would you like easy read messages? They are shorter and simpler."),
    P_("easy", "What we keep: the name you give us, your language and your answers here."),
    P_("easy", "Who sees it: your panel's coordinators and your organisation's admins."),
    P_(
        "easy",
        "The people who run this bot and its computer (the server) can see it too. "
        "Nobody else can.",
    ),
)


def data(mode: str, step: Step, value: str = "") -> str:
    return callback_data(FEATURE, VERSION, mode, step.value, value)


def why_button(t: Translator, mode: str, step: Step) -> list[InlineKeyboardButton]:
    return [button(t("Why do you ask?"), data(mode, step, "why"))]


def column(*buttons: InlineKeyboardButton) -> list[list[InlineKeyboardButton]]:
    return [[b] for b in buttons]


async def ask(
    update: Update,
    context: PanelContext,
    step: Step,
    mode: str,
    *,
    panel_name: str = "",
    coordinator: bool = False,
    access_needs: list[str] | None = None,
) -> None:
    """Send the question for `step`."""
    t = context.t
    rows: list[list[InlineKeyboardButton]]
    if step == Step.LANGUAGE:
        text = t("Which language would you like? Tap one.")
        langs = [button(LANGUAGE_NAMES[code], data(mode, step, code)) for code in LAUNCH_LANGUAGES]
        rows = [langs[i : i + 2] for i in range(0, len(langs), 2)]
    elif step == Step.ABOUT:
        name = escape(panel_name)
        lines = [
            t("You are invited to help run {panel} as a coordinator.", panel=name)
            if coordinator
            else t("You are invited to join {panel}.", panel=name),
            t("In a panel, people who use services help to make them better."),
            t("I will tell you about meetings. I can explain hard words."),
            t("You can also share your views and claim your expenses here."),
        ]
        text = "\n\n".join(lines)
        rows = [[button(t("Next"), data(mode, step, "next"))]]
    elif step == Step.CONSENT:
        text = t(CONSENT_QUESTION)
        rows = consent_buttons(t, mode)
    elif step == Step.NAME:
        first_name = update.effective_user.first_name if update.effective_user else ""
        text = "\n".join(
            [
                t("What should we call you? Type a first name or a nickname."),
                t("It does not have to be your full name."),
            ]
        )
        rows = []
        if first_name:
            rows.append([button(t("Call me {name}", name=first_name[:30]), data(mode, step, "tg"))])
        rows.append(why_button(t, mode, step))
    elif step == Step.EASY_READ:
        text = t("Would you like easy read messages? They are shorter and simpler.")
        rows = column(
            button(t("Yes, easy read"), data(mode, step, "yes")),
            button(t("No, thank you"), data(mode, step, "no")),
        )
    elif step == Step.REMINDERS:
        text = t("How should we remind you about meetings?")
        rows = column(
            *(button(t(label), data(mode, step, key)) for key, label in REMINDER_LABELS.items()),
            *why_button(t, mode, step),
        )
    elif step == Step.QUIET:
        text = "\n".join(
            [
                t("Are there times when we should not send you messages? For example at night."),
                t("Tap one, or type your own times, like 22:00-07:00."),
            ]
        )
        rows = column(
            *(button(t(label), data(mode, step, key)) for key, label in QUIET_LABELS.items())
        )
    elif step == Step.ACCESS:
        text = t("Do you need anything to take part in meetings? Tap all that apply, then Done.")
        rows = access_rows(t, mode, access_needs or [])
    elif step == Step.ACCESS_OTHER:
        text = t("Please type what you need. Keep it short.")
        rows = []
    else:  # Step.PAYMENT
        text = "\n\n".join(
            [
                t("How would you like to be paid for your time?"),
                t("Payments can affect some benefits. Vouchers are not always safer."),
                t(ADVICE),
            ]
        )
        rows = column(
            *(button(t(label), data(mode, step, key)) for key, label in PAYMENT_LABELS.items()),
            *why_button(t, mode, step),
        )
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def consent_buttons(t: Translator, mode: str) -> list[list[InlineKeyboardButton]]:
    return column(
        button(t("Yes, that is OK"), data(mode, Step.CONSENT, "yes")),
        button(t("No"), data(mode, Step.CONSENT, "no")),
        button(t("Tell me more"), data(mode, Step.CONSENT, "more")),
    )


def access_rows(t: Translator, mode: str, chosen: list[str]) -> list[list[InlineKeyboardButton]]:
    rows = [
        [
            button(
                ("✓ " if need in chosen else "") + t(ACCESS_LABELS[need]),
                data(mode, Step.ACCESS, need),
            )
        ]
        for need in ACCESS_NEEDS
    ]
    rows.append([button(t("Something else"), data(mode, Step.ACCESS, "other"))])
    rows.append([button(t("Done"), data(mode, Step.ACCESS, "done"))])
    rows.append(why_button(t, mode, Step.ACCESS))
    return rows


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
