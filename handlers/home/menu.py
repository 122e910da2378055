"""The member's home: big reply-keyboard buttons, so nobody has to type a command.

The menu knows no feature: `bot/app.py` hands it what each button opens (`Routes`) and what
follows the menu itself (the latest news), so no feature imports another through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import PanelContext
from handlers.chat.menu_labels import LABELS, keyboard_for, label_for

Action = Callable[[Update, PanelContext], Awaitable[None]]
Routes = Mapping[str, Action]  # a menu label (its msgid) -> what tapping it does


class _MenuButton(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(message.text) and label_for(message.text or "") is not None


def handlers(routes: Routes, after_menu: Action) -> list[BaseHandler[Any, Any, Any]]:
    missing = LABELS - routes.keys()
    if missing:
        raise ValueError(f"menu buttons that open nothing: {sorted(missing)}")

    async def show_menu(update: Update, context: PanelContext) -> None:
        t, member = context.t, context.member
        if member is None or member.consent != "given":
            await update.effective_chat.send_message(  # type: ignore[union-attr]
                t("To join a panel, open the invite link from your coordinator.")
            )
            return
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            t("Here is your menu. Tap a button."), reply_markup=keyboard_for(t, member)
        )
        await after_menu(update, context)

    async def on_menu_button(update: Update, context: PanelContext) -> None:
        assert update.effective_message is not None
        label = label_for(update.effective_message.text or "")
        if label is not None:
            await routes[label](update, context)

    return [
        CommandHandler("menu", show_menu),
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & _MenuButton(), on_menu_button),
    ]
