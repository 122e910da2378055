"""/results for coordinators: the answers as text and a chart, a spreadsheet without names,
and "Share with the panel", which asks for "You said, we did" (a one-step form on the engine,
step "pshare:<poll>") before its preview (handlers/polls/we_did.py).

Buttons: "pr:1:<op>:<poll>" (v view, s share, x export), and under the results a coordinator's
changes to the question ("pc", handlers/polls/changes.py).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import PanelContext
from bot.i18n import N_
from bot.services import audit, poll_results, spreadsheet
from bot.services.access import NotAllowed
from bot.services.poll_rules import PollError
from handlers import forms
from handlers.chat.common import answer_expired, button, reply
from handlers.chat.plain_words import NO_PANEL_ROLE
from handlers.forms import Accepts, Form, Step
from handlers.polls import we_did
from handlers.polls.asked import actor_of, results_command, results_data
from handlers.polls.buttons import RESULTS, ResultsTap, change_rows
from handlers.polls.messages import chart, results_messages
from handlers.polls.we_did import NOT_SHAREABLE, WRITE_WE_DID

SHARING = "pshare:"


async def on_results_button(update: Update, context: PanelContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    tapped = ResultsTap.unpack(query.data)
    t = context.t
    if tapped is None or tapped.op not in ("v", "s", "x") or tapped.poll >= 10**18:
        await answer_expired(query, context)
        return
    op, poll_id = tapped.op, tapped.poll
    actor = await actor_of(context, update)
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
    # The coordinator's way on: a new closing time, a reminder (handlers/polls/changes.py).
    changing = [
        [button(label, data)]
        for label, data in change_rows(t, result.poll, context.runtime.clock.now())
    ]
    if op == "v":
        messages = results_messages(t, result)
        rows = []
        if result.shareable:
            rows.append([button(t("Share with the panel"), results_data("s", poll_id))])
        if not result.hidden:
            rows.append([button(t("Download the answers"), results_data("x", poll_id))])
        rows += changing
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
        markup = InlineKeyboardMarkup(changing)
        await reply(update, results_messages(t, result)[0], reply_markup=markup)
    elif op == "s" and not result.shareable:
        await reply(update, t(NOT_SHAREABLE))
    elif op == "s":
        await _ask_we_did(update, context, poll_id)
    else:
        answers = await poll_results.export_answers(context.session, actor, poll_id)
        await update.effective_chat.send_document(
            spreadsheet.csv_bytes([[t("Answer")], *answers]),
            filename=f"answers-{poll_id}.csv",
            caption=t("The answers, in random order. Nothing says who gave them."),
        )


async def _ask_we_did(update: Update, context: PanelContext, poll_id: int) -> None:
    """Share: "You said, we did" is typed next, unless one was left half-done (carry on?)."""
    assert context.member is not None
    if await forms.carry_on_offered(update, context, we_did.FORM):
        return
    t = context.t
    await forms.wait(context, SHARING_FORM, str(poll_id))
    await reply(
        update,
        t(WRITE_WE_DID)
        + "\n"
        + t('Members will get the results with your message, under "You said, we did".'),
        reply_markup=InlineKeyboardMarkup([forms.stop_buttons(t, SHARING_FORM)]),
    )


async def on_share_text(update: Update, context: PanelContext, step: str) -> None:
    """Typed words after Share (the engine's one message handler)."""
    message = update.effective_message
    assert message is not None
    t = context.t
    poll_id = int(step) if step.isdecimal() and step.isascii() and len(step) < 19 else None
    text = (message.text or "").strip()
    if poll_id is None:
        await forms.discard(context, SHARING_FORM)
        return
    if not text or len(text) > we_did.MAX_TEXT:
        await reply(update, t(we_did.TOO_LONG))
        return
    # A preview with the plain-language check comes first; see handlers/polls/we_did.py.
    await we_did.start(update, context, poll_id, text)


SHARING_FORM = forms.register(
    Form(
        name="share_results",
        prefix=SHARING,
        stopped=N_("OK. Nothing was sent."),
        # The step is the poll's number: "pshare:<poll>". Opened by Share in /results.
        steps=(Step("we_did", Accepts.TEXT, "We will meet on Mondays from March."),),
        receive=on_share_text,
    )
)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("results", results_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_results_button, pattern=rf"^{RESULTS}:"),
    ]
