"""Before any feature sees a message: /cancel stops whatever form is open, and a menu tap or a
command leaves the open form (kept for later) so that it does what was tapped."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import PanelContext
from handlers.chat.menu_labels import label_for
from handlers.forms.engine import pause, stop
from handlers.forms.form import open_form

CANCEL = "/cancel"


def _command(text: str) -> str | None:
    """ "/cancel@panelbot now" -> "/cancel"."""
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0].split("@", 1)[0].casefold()


async def before_features(update: Update, context: PanelContext) -> None:
    message = update.message
    if message is None or message.chat.type != "private":
        return
    text = (message.text or "").strip()
    command = _command(text)
    if command == CANCEL:
        await stop(update, context, open_form(context.member))
        raise ApplicationHandlerStop
    opened = open_form(context.member)
    if opened is None:
        return
    label = label_for(text, context.member)
    if command is not None or label is not None:
        # Opening the same form again needs no "kept" note: it offers to carry on itself.
        again = command in opened.form.opened_by or label in opened.form.opened_by
        await pause(update, context, opened, quietly=again)
