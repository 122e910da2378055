"""A meeting's live card: the invitation, a change notice, a reminder or a /meetings card, once
answered, shows the member's answer as it is now ("Your answer: Coming"), what would help them
come, and buttons to change it (their own answer ticked).

The message tapped is edited in place; any other copy in the chat catches up when it is next
tapped or opened, and a tap on it acts on the answer saved now, never on what that copy showed."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Message

from bot.db import Answer, Meeting, Rsvp
from bot.i18n import N_, Translator
from bot.services import meeting_queries
from bot.services.text_versions import Words
from handlers.chat.common import button
from handlers.chat.live_card import edit_by_id, edit_card, fits
from handlers.chat.text_versions import not_translated
from handlers.meetings import messages as words
from handlers.meetings.button_records import (
    ON_CHANGE,
    ON_INVITATION,
    ON_LIST,
    ON_REMINDER,
    AnswerOn,
    CalendarFile,
)
from handlers.meetings.reminder_words import reminder_heading

YOUR_ANSWER = N_("Your answer: {answer}")
NOT_ANSWERED = N_("not answered yet")
WHAT_HELPS = N_("What would help you come: {needs}")


def heading(t: Translator, meeting: Meeting, zone: str, on: str, now: datetime) -> str:
    """The first line of the message the card is on, as it would be said now."""
    title = escape(meeting.title)
    if on == ON_INVITATION:
        return t("New meeting: <b>{title}</b>", title=title)
    if on == ON_CHANGE:
        return t("The meeting <b>{title}</b> has changed.", title=title)
    if on == ON_REMINDER and meeting.starts_at > now:
        return reminder_heading(t, meeting.title, meeting.starts_at, zone, now)
    return f"<b>{title}</b>"


def answer_lines(t: Translator, rsvp: Rsvp) -> list[str]:
    answer = t(words.ANSWER_LABELS[rsvp.answer]) if rsvp.answer else t(NOT_ANSWERED)
    lines = [t(YOUR_ANSWER, answer=answer)]
    needs = words.support_words(
        t, list(rsvp.support or []), rsvp.support_other, rsvp.interpreter_language
    )
    if rsvp.answer == Answer.SUPPORT and needs:
        lines.append(t(WHAT_HELPS, needs=", ".join(needs)))
    return lines


def card(
    t: Translator,
    meeting: Meeting,
    own_words: Words,
    zone: str,
    rsvp: Rsvp,
    on: str,
    now: datetime,
) -> tuple[str, InlineKeyboardMarkup]:
    """The card's text and buttons (`meeting` already in the member's language)."""
    lines = [heading(t, meeting, zone, on, now), *not_translated(t, own_words)]
    if on != ON_LIST:
        lines.append("")
    lines += [*words.details(t, meeting, zone), "", *answer_lines(t, rsvp)]
    rows = [
        [button(b["text"], b["callback_data"]) for b in row]
        for row in words.answer_buttons(t, meeting.id, on, rsvp.answer)
    ]
    if on == ON_LIST:
        rows.append([button(t("Calendar file"), CalendarFile(meeting.id).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _built(
    session: AsyncSession, t: Translator, telegram_id: int, meeting_id: int, on: str, now: datetime
) -> tuple[str, InlineKeyboardMarkup] | None:
    found = await meeting_queries.one_of_mine(session, telegram_id, meeting_id)
    if found is None:
        return None
    meeting, rsvp, zone = found
    meeting, own_words = await words.localised(session, meeting, t.language)
    text, markup = card(t, meeting, own_words, zone, rsvp, on, now)
    return (text, markup) if fits(text) else None


async def show(
    query: CallbackQuery,
    session: AsyncSession,
    t: Translator,
    meeting_id: int,
    on: str,
    now: datetime,
) -> None:
    """Edit the tapped message into the meeting's card, as it is now."""
    assert query.from_user is not None
    built = await _built(session, t, query.from_user.id, meeting_id, on, now)
    if built is not None:
        await edit_card(query, *built)


def answered_card(message: object) -> tuple[int, str] | None:
    """The card a list of needs belongs to (it is sent as a reply to it): the card's message id
    and which message it is, read from its answer buttons."""
    card = message.reply_to_message if isinstance(message, Message) else None
    if card is None or card.reply_markup is None:
        return None
    for row in card.reply_markup.inline_keyboard:
        for tapped in row:
            data = tapped.callback_data if isinstance(tapped.callback_data, str) else None
            if (record := AnswerOn.unpack(data)) is not None:
                return card.message_id, record.on
    return None


async def refresh(
    query: CallbackQuery, session: AsyncSession, t: Translator, meeting_id: int, now: datetime
) -> None:
    """After the needs are chosen, the card they were asked from shows them too."""
    found = answered_card(query.message)
    if found is None or query.from_user is None or query.message is None:
        return
    built = await _built(session, t, query.from_user.id, meeting_id, found[1], now)
    if built is not None:
        bot, chat_id = query.get_bot(), query.message.chat.id
        await edit_by_id(bot, chat_id, found[0], *built)
