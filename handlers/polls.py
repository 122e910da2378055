"""Answering polls (buttons or a typed reply, or skip) and, for coordinators, /results with a
chart, sharing "You said, we did" and a spreadsheet of answers without names.

Buttons: "pa:1:<op>:<poll>:<arg>" for members (c choose, t toggle, d done, r rate, w write,
s skip), "pr:1:<op>:<poll>" for coordinators (v view, s share, x export). Choices of a
"several choices" question live only in the buttons themselves until Done, so nothing about an
answer is stored anywhere before it is stored anonymously.
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext, current_member
from bot.db import Poll
from bot.delivery import _keyboard
from bot.i18n import N_, translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import (
    access,
    anonymous,
    audit,
    poll_answers,
    poll_asking,
    poll_results,
    poll_rules,
    profile,
    spreadsheet,
)
from bot.services.access import NotAllowed
from bot.services.poll_answers import Outcome
from bot.services.poll_rules import PollError
from handlers import we_did
from handlers.anonymous_steps import HeldStep, enter_anonymous_step, leave_anonymous_step
from handlers.common import (
    answer_expired,
    button,
    callback_data,
    parse_callback,
    remove_buttons,
    reply,
)
from handlers.forms import Form, Where, register
from handlers.glossary import NO_PANEL_ROLE
from handlers.poll_messages import (
    ANSWER,
    ANSWER_VERSION,
    RATING_WORDS,
    answer_buttons,
    chart,
    localised,
    results_messages,
)

RESULTS, RESULTS_VERSION = "pr", 1
# Anything but a command, except /cancel: other commands (/help) still work mid-answer.
TYPED = ~filters.COMMAND | filters.Regex(r"^/cancel\b")
ANSWERING, SHARING = "pa:", "pshare:"
ANSWERING_FORM = register(
    Form(
        name="poll_answer",
        prefix=ANSWERING,
        stopped=N_("OK. You can answer later with the buttons on the question."),
        where=Where.HELD,
    )
)
SHARING_FORM = register(
    Form(name="share_results", prefix=SHARING, stopped=N_("OK. Nothing was sent."))
)
OUTCOMES = {
    Outcome.SAVED: N_("Thank you. We got your answer."),
    Outcome.HELD: N_(
        "Thank you. We got your answer. We save it later with other people's answers. "
        "Then nobody can tell which is yours. If something goes wrong first, we will ask "
        "you again."
    ),
    Outcome.SKIPPED: N_("OK. You skipped this question."),
    Outcome.ALREADY: N_("You have already answered this question. Thank you."),
    Outcome.CLOSED: N_("Sorry, this question has closed."),
    Outcome.NOT_ASKED: N_("This question is not for you. Type /help to see what you can do."),
    Outcome.INVALID: N_("Please tap one of the answers."),
}
NOT_SHAREABLE = N_(
    "These results cannot go to members. Too few people answered, or everyone gave the same "
    "answer. Then members could tell what each person said."
)
TEXT = "text"
WRITE_PROMPT = N_("Type your answer and send it.")
TYPE_HINTS = {
    "one": N_("Please type the number of your answer, like 2."),
    "many": N_("Please type the numbers of your answers, like 1, 3."),
    "rating": N_("Please type a number from 1 to 5. 1 is very poor. 5 is very good."),
    "text": N_("Please type your answer in words."),
}


def _is_number(text: str) -> bool:
    return text.isdecimal() and len(text) < 4


def parse_typed(poll: Poll, text: str) -> dict[str, Any] | None:
    """A typed answer as the service wants it, or None if it cannot be understood.
    Numbers may be in any script (int() reads Arabic-Indic digits too)."""
    text = text.strip()
    if poll.kind == "text":
        return {"text": text} if text else None
    if poll.kind == "rating":
        if _is_number(text) and int(text) in poll_rules.RATINGS:
            return {"rating": int(text)}
        for language in LAUNCH_LANGUAGES:
            t = translator(language)
            for value, word in RATING_WORDS.items():
                if t(word).casefold() == text.casefold():
                    return {"rating": value}
        return None
    lowered = [o.casefold() for o in poll.options]
    picked: list[int] = []
    pieces = text.replace(",", " ").split() if poll.kind == "many" else [text]
    if poll.kind == "many" and not all(_is_number(p) for p in pieces):
        pieces = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]
    for piece in pieces:
        if _is_number(piece) and 1 <= int(piece) <= len(poll.options):
            picked.append(int(piece) - 1)
        elif piece.casefold() in lowered:
            picked.append(lowered.index(piece.casefold()))
        else:
            return None
    return {"choices": picked} if picked else None


async def _remove_buttons(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(BadRequest):
            await remove_buttons(query, context)


async def _record(update: Update, context: PanelContext, poll_id: int, **answer: Any) -> Outcome:
    assert update.effective_user is not None
    outcome, _ = await poll_answers.answer(
        context.session,
        update.effective_user.id,
        poll_id,
        now=context.runtime.clock.now(),
        hold=context.runtime.hold,
        **answer,
    )
    return outcome


async def on_answer_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    args = parse_callback(query.data, ANSWER, ANSWER_VERSION)
    t = context.t
    if (
        args is None
        or len(args) != 3
        or args[0] not in ("c", "t", "d", "r", "w", "s")
        or not all(_is_number(a) or (a.isdecimal() and len(a) < 19) for a in args[1:])
        or not all(a.isascii() for a in args[1:])
    ):
        await answer_expired(query, context)
        return
    op, poll_id, arg = args[0], int(args[1]), int(args[2])
    poll = await context.session.get(Poll, poll_id)
    if poll is None:
        await answer_expired(query, context)
        return
    if op in ("t", "w") and not await poll_answers.is_asked(
        context.session, poll, update.effective_user.id
    ):
        await query.answer(t(OUTCOMES[Outcome.NOT_ASKED]), show_alert=True)
        return
    if op == "t":
        if not 0 <= arg < 2 ** len(poll.options) or poll.kind != "many":
            await answer_expired(query, context)
            return
        with contextlib.suppress(BadRequest):
            shown, _ = await localised(context.session, poll, t.language)  # their choices
            await query.edit_message_reply_markup(_keyboard(answer_buttons(t, shown, arg)))
        await query.answer()  # after the edit, so the ticks are there when the spinner stops
        return
    if op == "w":
        await query.answer()
        member = context.member
        if member is None:
            return
        # Which poll someone is typing for stays off their row (bot.services.anonymous).
        await enter_anonymous_step(context, f"{ANSWERING}{poll.id}")
        await reply(
            update,
            t(WRITE_PROMPT if poll.kind == TEXT else TYPE_HINTS[poll.kind])
            + "\n"
            + t("To stop, type /cancel."),
        )
        return
    answer: dict[str, Any]
    if op == "c":
        answer = {"choices": [arg]}
    elif op == "d":
        if arg == 0:
            await query.answer(t("Tap at least one answer, or tap Skip."), show_alert=True)
            return
        answer = {"choices": [i for i in range(len(poll.options)) if arg & (1 << i)]}
    elif op == "r":
        answer = {"rating": arg}
    else:
        answer = {"skip": True}
    outcome = await _record(update, context, poll_id, **answer)
    if outcome == Outcome.INVALID:
        await query.answer(t(OUTCOMES[outcome]), show_alert=True)
        return
    await query.answer()
    await _remove_buttons(update, context)
    await reply(update, t(OUTCOMES[outcome]))


class _Step(filters.MessageFilter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, message: Message) -> bool:
        member = current_member()
        return bool(member and (member.conversation_step or "").startswith(self.prefix))


def _step_id(context: PanelContext, prefix: str, *, held: bool = False) -> int | None:
    member = context.member
    if member is None:
        return None
    step = (anonymous.step(member.telegram_id) if held else member.conversation_step) or ""
    value = step.removeprefix(prefix) if step.startswith(prefix) else ""
    return int(value) if value.isdecimal() and value.isascii() and len(value) < 19 else None


async def _stop(context: PanelContext) -> None:
    assert context.member is not None
    await profile.set_step(context.session, context.member.telegram_id, None)
    await context.session.commit()


async def on_typed_answer(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    t = context.t
    poll_id = _step_id(context, ANSWERING, held=True)
    poll = await context.session.get(Poll, poll_id) if poll_id else None
    if poll is None:
        await leave_anonymous_step(context)
        await reply(update, t(OUTCOMES[Outcome.NOT_ASKED]))
        return
    if (message.text or "").strip().casefold() == "/cancel":
        await leave_anonymous_step(context)
        await reply(update, t("OK. You can answer later with the buttons on the question."))
        return
    shown, _ = await localised(context.session, poll, t.language)  # their language's choices
    answer = (
        (parse_typed(shown, message.text) or parse_typed(poll, message.text))
        if message.text
        else None
    )
    if answer is None:
        await reply(update, t(TYPE_HINTS[poll.kind]))
        return
    outcome = await _record(update, context, poll.id, **answer)
    if outcome == Outcome.INVALID:
        await reply(update, t(TYPE_HINTS[poll.kind]))
        return
    await leave_anonymous_step(context)
    await reply(update, t(OUTCOMES[outcome]))


# ------------------------------------------------------------------------------ results


async def _actor(context: PanelContext, update: Update) -> access.Actor:
    assert update.effective_user is not None
    return await access.actor_for(
        context.session, update.effective_user.id, context.runtime.settings.panelbot_admins
    )


def _data(op: str, poll_id: int) -> str:
    return callback_data(RESULTS, RESULTS_VERSION, op, poll_id)


async def results_command(update: Update, context: PanelContext) -> None:
    t = context.t
    actor = await _actor(context, update)
    panels = await access.coordinated_panels(context.session, actor)
    if not panels:
        access.refuse(context.session, actor, "/results")
        await reply(update, t(NO_PANEL_ROLE))
        return
    found = await poll_asking.recent(context.session, actor, [p for p, _ in panels])
    if not found:
        await reply(update, t("You have not asked any questions yet. Type /newpoll to ask one."))
        return
    rows = [[button(p.question[:60], _data("v", p.id))] for p in found]
    await reply(update, t("Which question?"), reply_markup=InlineKeyboardMarkup(rows))


async def on_results_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    args = parse_callback(query.data, RESULTS, RESULTS_VERSION)
    t = context.t
    if (
        args is None
        or len(args) != 2
        or args[0] not in ("v", "s", "x")
        or not (args[1].isdecimal() and args[1].isascii() and len(args[1]) < 19)
    ):
        await answer_expired(query, context)
        return
    op, poll_id = args[0], int(args[1])
    actor = await _actor(context, update)
    try:
        result = await poll_results.results(context.session, actor, poll_id)
    except (NotAllowed, PollError):
        await query.answer(t(NO_PANEL_ROLE), show_alert=True)
        return
    if op in ("v", "x") and not result.hidden:
        # Who saw or downloaded the answers, and when; never the answers themselves.
        audit.read(
            context.session,
            "poll_results" if op == "v" else "poll_answers_export",
            at=context.runtime.clock.now(),
            actor_id=actor.member_id,
            panel_id=result.poll.panel_id,
            poll=poll_id,
        )
        await context.session.commit()
    await query.answer()
    if op == "v":
        messages = results_messages(t, result)
        rows = []
        if result.shareable:
            rows.append([button(t("Share with the panel"), _data("s", poll_id))])
        if not result.hidden:
            rows.append([button(t("Download the answers"), _data("x", poll_id))])
        for index, text in enumerate(messages):
            last = index == len(messages) - 1
            markup = InlineKeyboardMarkup(rows) if last and rows else None
            await reply(update, text, reply_markup=markup)
        image = chart(t, result)
        if image is not None:
            await update.effective_chat.send_photo(
                image, caption=t("A chart of the answers. The numbers are in the message above.")
            )
    elif result.hidden:
        await reply(update, results_messages(t, result)[0])
    elif op == "s" and not result.shareable:
        await reply(update, t(NOT_SHAREABLE))
    elif op == "s":
        assert context.member is not None
        await profile.set_step(context.session, context.member.telegram_id, f"{SHARING}{poll_id}")
        await context.session.commit()
        await reply(
            update,
            t("What will you do because of these answers? Type a short message.")
            + "\n"
            + t('Members will get the results with your message, under "You said, we did".')
            + "\n"
            + t("To stop, type /cancel."),
        )
    else:
        answers = await poll_results.export_answers(context.session, actor, poll_id)
        await update.effective_chat.send_document(
            spreadsheet.csv_bytes([[t("Answer")], *answers]),
            filename=f"answers-{poll_id}.csv",
            caption=t("The answers, in random order. Nothing says who gave them."),
        )


async def on_share_text(update: Update, context: PanelContext) -> None:
    message = update.effective_message
    assert message is not None
    t = context.t
    poll_id = _step_id(context, SHARING)
    text = (message.text or "").strip()
    if poll_id is None:
        await _stop(context)
        return
    if text.casefold() == "/cancel":
        await _stop(context)
        await reply(update, t("OK. Nothing was sent."))
        return
    if not text or len(text) > 2000:
        await reply(update, t("Please type a message of up to 2000 letters."))
        return
    # A preview with the plain-language check comes first; see handlers/we_did.py.
    await we_did.start(update, context, poll_id, text)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("results", results_command, filters=private),
        CallbackQueryHandler(on_answer_button, pattern=r"^pa:"),
        CallbackQueryHandler(on_results_button, pattern=r"^pr:"),
        MessageHandler(private & TYPED & HeldStep(ANSWERING), on_typed_answer),
        MessageHandler(private & TYPED & _Step(SHARING), on_share_text),
        *we_did.handlers(),
    ]
