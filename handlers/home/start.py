"""/start and /help: the first thing a person sees, and what the bot can do for them."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import PanelContext
from bot.db import Role
from bot.services import members
from handlers.chat.commands import publish_commands_for_person
from handlers.chat.common import button, reply
from handlers.chat.languages import language_keyboard
from handlers.chat.menu_labels import keyboard_for
from handlers.chat.text import split_lines
from handlers.home.buttons import START, StartHelp, StartLanguage


async def _help_text(context: PanelContext, telegram_id: int | None) -> str:
    _ = context.t
    lines = [
        _("Here is what I can do."),
        "",
        _("/menu: show the big buttons."),
        _("/meetings: your meetings, and your answers."),
        _("/claim: get back what you spent, or claim paid time."),
        _("/expenses: your claims, and where your money is."),
        _("/explain: explain a word, like /explain agenda."),
        _("/feedback: tell us what you think. You can stay anonymous."),
        _("/settings: change your answers."),
        _("/language: choose the language I write in."),
        _("/mydata: see what we keep about you."),
        _("/forgetme: delete your data."),
        _("/leave: leave a panel."),
        _("/help: see this list again."),
        "",
        _("If something goes wrong, you will not lose what you sent. Just try again."),
    ]
    member = context.member
    if (member and member.roles & {Role.COORDINATOR, Role.ADMIN}) or context.has_admin_rights():
        lines += [
            "",
            _("For coordinators:"),
            _("/members: who is in your panel and what they need."),
            _("/newmeeting: plan a meeting and invite everyone."),
            _("/broadcast: send news to your panel."),
            _("/broadcasts: news you sent, and news waiting to go."),
            _("/attendance: who is coming to a meeting, and what they need."),
            _("/review: check claims one at a time."),
            _("/export: download claims for finance."),
            _("/invite: a new invite link."),
            _("/jargon: words members asked about that I could not explain."),
            _("/addterm: add your own explanation of a word."),
            _("/checktext: check a message is easy to read."),
            _("/newpoll: ask the panel a question."),
            _("/results: see the answers to your questions."),
            _("/minanswers: how many answers before results show."),
            _("/helplines: the help lines members see after feedback."),
        ]
    if telegram_id is not None:
        for panel, name in await members.coordinators_for(context.session, telegram_id):
            lines.append(
                _("Your coordinator for {panel} is {name}.", panel=escape(panel), name=escape(name))
            )
    return "\n".join(lines)


async def start(update: Update, context: PanelContext) -> None:
    _ = context.t  # (someone half-way through joining is answered by handlers/joining)
    member = context.member
    if member and member.consent == "given" and (member.roles or member.is_admin):
        # Someone in a panel: their menu, with a short welcome, and their command list.
        name = escape(member.display_name or "")
        welcome = _("Welcome back, {name}!", name=name) if name else _("Hello! I am panelbot.")
        text = welcome + "\n\n" + _("Here is your menu. Tap a button.")
        await reply(update, text, reply_markup=keyboard_for(_, member))
        await publish_commands_for_person(context)
        return
    if member and member.display_name:
        greeting = _("Welcome back, {name}!", name=escape(member.display_name))
    else:
        greeting = _("Hello! I am panelbot.")
    text = "\n\n".join(
        [
            greeting,
            _("I help people who take part in a lived-experience panel."),
            _("A panel is a group of people who share their experience to make services better."),
            _("To join a panel, open the invite link from your coordinator."),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(_("Choose a language"), StartLanguage().pack())],
            [button(_("What can you do?"), StartHelp().pack())],
        ]
    )
    await reply(update, text, reply_markup=keyboard)


async def help_command(update: Update, context: PanelContext) -> None:
    user = update.effective_user
    # A panel with many coordinators can make the list longer than one message.
    for part in split_lines(await _help_text(context, user.id if user else None)):
        await reply(update, part)


async def start_menu_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    if StartLanguage.unpack(query.data):
        await reply(
            update,
            context.t("Which language would you like? Tap one."),
            reply_markup=language_keyboard(),
        )
    else:
        for part in split_lines(await _help_text(context, query.from_user.id)):
            await reply(update, part)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CallbackQueryHandler(
            start_menu_button, pattern=rf"^{START}:1:({StartLanguage.ACTION}|{StartHelp.ACTION})$"
        ),
    ]
