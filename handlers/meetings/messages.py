"""What members and coordinators are sent about meetings, rendered in each person's language
at the moment the outbox sends it (so a language change or a cancellation is always respected)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Answer, Meeting, MeetingStatus, Member, ReminderChoice
from bot.delivery import Delivery, Outgoing
from bot.i18n import N_, Translator, translator
from bot.services import (
    calendar,
    meeting_queries,
    meeting_rules,
    outbox,
    outbox_keys,
    text_versions,
)
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from bot.services.reminders import nearest as nearest_reminder
from bot.services.text_versions import Words
from handlers.chat.request_buttons import reply_row
from handlers.chat.text_versions import not_translated
from handlers.meetings.button_records import (
    ON_CHANGE,
    ON_INVITATION,
    ON_REMINDER,
    AnswerOn,
    DidYouCome,
)
from handlers.meetings.reminder_words import reminder_heading

ACCESS_WORDS = {
    "step_free": N_("step-free access"),
    "hearing_loop": N_("hearing loop"),
    "bsl": N_("BSL interpreter"),
    "parking": N_("parking"),
    "quiet_room": N_("quiet room"),
}
SUPPORT_WORDS = {
    "travel": N_("Help with travel"),
    "interpreter": N_("An interpreter"),
    "large_print": N_("Large print papers"),
    "companion": N_("Someone to come with me"),
}
INTERPRETER_FOR = N_("An interpreter for {language}")


def support_words(
    t: Translator, needs: list[str], other: str | None, interpreter: str | None
) -> list[str]:
    """The support a member asked for, in words: the interpreter with its language, and their
    own words last (escaped, kept in reading order)."""
    words = [
        t(INTERPRETER_FOR, language=escape(interpreter))
        if need == "interpreter" and interpreter
        else t(SUPPORT_WORDS[need])
        for need in needs
        if need in SUPPORT_WORDS
    ]
    if other:
        words.append(t.isolate(escape(other)))
    return words


ANSWER_LABELS = {
    Answer.COMING: N_("Coming"),
    Answer.MAYBE: N_("Maybe"),
    Answer.CANT: N_("Can't come"),
    Answer.SUPPORT: N_("I need support to come"),
}


def when(t: Translator, meeting: Meeting, zone: str) -> str:
    tz = ZoneInfo(zone)
    return t(
        "{day} at {time}",
        day=t.date(meeting.starts_at.astimezone(tz)),
        time=t.time(meeting.starts_at, tz),
    )


def details(t: Translator, meeting: Meeting, zone: str) -> list[str]:
    """When, how long, where, access, agenda and pay: the body of every meeting message."""
    lines = [t("When: {when}", when=when(t, meeting, zone))]
    lines.append(
        t.ngettext("It lasts {n} minute.", "It lasts {n} minutes.", meeting.duration_minutes)
    )
    if meeting.address:
        lines.append(t("Where: {address}", address=escape(meeting.address)))
    if meeting.map_url:
        lines.append(t("Map: {link}", link=escape(meeting.map_url)))
    if meeting.online_url:
        lines.append(t("Online: {link}", link=escape(meeting.online_url)))
    if meeting.access:
        words = ", ".join(t(ACCESS_WORDS[a]) for a in meeting.access if a in ACCESS_WORDS)
        lines.append(t("Access: {words}", words=words))
    if meeting.agenda:
        lines += ["", t("What we will talk about:"), t.quote(escape(meeting.agenda))]
    if meeting.paid:
        lines += ["", t("You will be paid for your time at this meeting.")]
    return lines


async def localised(
    session: AsyncSession, meeting: Meeting, language: str
) -> tuple[Meeting, Words]:
    """The meeting with its title, agenda and address in `language` where the coordinator gave
    them: an unsaved copy, so nothing is written back."""
    words = await text_versions.words(session, text_versions.MEETING, meeting.id, language)
    return with_words(meeting, words.texts), words


def with_words(meeting: Meeting, texts: dict[str, str]) -> Meeting:
    if not texts:
        return meeting
    fields = {c.key: getattr(meeting, c.key) for c in sa_inspect(Meeting).column_attrs}
    for name in text_versions.FIELDS[text_versions.MEETING]:
        if texts.get(name) and fields.get(name):
            fields[name] = texts[name]
    return Meeting(**fields)


def invitation_text(t: Translator, meeting: Meeting, zone: str, words: Words | None = None) -> str:
    lines = [t("New meeting: <b>{title}</b>", title=escape(meeting.title))]
    lines += [*(not_translated(t, words) if words else []), ""]
    lines += details(t, meeting, zone)
    lines += ["", t("Can you come? Tap one answer.")]
    return "\n".join(lines)


def answer_buttons(
    t: Translator, meeting_id: int, on: str, chosen: Answer | None = None
) -> list[list[dict[str, str]]]:
    """One button an answer, the member's own ticked; `on` names the message they are on."""
    return [
        [
            {
                "text": ("✓ " if a == chosen else "") + t(ANSWER_LABELS[a]),
                "callback_data": AnswerOn(meeting_id, on, a.value).pack(),
            }
        ]
        for a in Answer
    ]


def calendar_file(
    t: Translator, meeting: Meeting, zone: str, clock: Clock, reminders: ReminderChoice | None
) -> tuple[bytes, str]:
    """The meeting's .ics, named after it, with an alarm when the member's last reminder comes
    (the panel's default reminders when the member is not known)."""
    ics = calendar.meeting_ics(
        meeting,
        zone,
        now=clock.now(),
        alarm_before=nearest_reminder(reminders or ReminderChoice.ALL),
        words=calendar.Words(join=t("Join the meeting online:")),
    )
    return ics, calendar.file_name(meeting, zone)


def _person(member: Member | None) -> Translator:
    if member is None:
        return translator("en")
    return translator(member.language or "en", member.easy_read)


def renderers(clock: Clock) -> dict[str, Any]:
    """Outbox kinds for meetings and how to render each."""

    async def load(session: AsyncSession, row: ClaimedMessage) -> Any:
        return await meeting_queries.meeting_for_sending(
            session, int(row.payload["meeting_id"]), row.member_id
        )

    async def invite(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None or found[0].status != MeetingStatus.SCHEDULED:
            return None
        meeting, panel, _, member = found
        t = _person(member)
        meeting, words = await localised(session, meeting, t.language)
        data, name = calendar_file(t, meeting, panel.timezone, clock, member and member.reminders)
        return Outgoing(
            text=invitation_text(t, meeting, panel.timezone, words),
            buttons=answer_buttons(t, meeting.id, ON_INVITATION),
            follow_up=data,
            follow_up_name=name,
            follow_up_caption=t("Add this to your calendar."),
        )

    async def changed(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None or found[0].status != MeetingStatus.SCHEDULED:
            return None
        meeting, panel, _, member = found
        if int(row.payload.get("sequence", meeting.sequence)) != meeting.sequence:
            return None  # changed again since: the newer notice says it all
        t = _person(member)
        meeting, words = await localised(session, meeting, t.language)
        lines = [t("The meeting <b>{title}</b> has changed.", title=escape(meeting.title))]
        lines += [*not_translated(t, words), ""]
        lines += details(t, meeting, panel.timezone)
        lines += ["", t("Can you still come? Tap one answer.")]
        data, name = calendar_file(t, meeting, panel.timezone, clock, member and member.reminders)
        return Outgoing(
            text="\n".join(lines),
            buttons=answer_buttons(t, meeting.id, ON_CHANGE),
            follow_up=data,
            follow_up_name=name,
            follow_up_caption=t("Your calendar file, with the change."),
        )

    async def cancelled(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None:
            return None
        meeting, panel, _, member = found
        t = _person(member)
        meeting, _ = await localised(session, meeting, t.language)
        text = "\n".join(
            [
                t(
                    "The meeting <b>{title}</b> on {when} is cancelled.",
                    title=escape(meeting.title),
                    when=when(t, meeting, panel.timezone),
                ),
                t("Sorry for any trouble. We will tell you about the next one."),
            ]
        )
        data, name = calendar_file(t, meeting, panel.timezone, clock, member and member.reminders)
        return Outgoing(
            text=text,
            follow_up=data,
            follow_up_name=name,
            follow_up_caption=t("This file takes the meeting out of your calendar."),
        )

    async def reminder(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None:
            return None
        meeting, panel, rsvp, member = found
        if not meeting_rules.reminder_still_wanted(meeting, rsvp, clock.now()):
            return None
        # After downtime, send only the latest of the reminders that fell due, not all three.
        prefix = outbox_keys.meeting_reminders(meeting.id, member.id)
        if await outbox.later_one_due(session, row, key_prefix=prefix, now=clock.now()):
            return None
        t = _person(member)
        meeting, words = await localised(session, meeting, t.language)
        heading = reminder_heading(t, meeting.title, meeting.starts_at, panel.timezone, clock.now())
        lines = [heading]
        lines += [*not_translated(t, words), ""]
        lines += details(t, meeting, panel.timezone)
        if rsvp is None or rsvp.answer is None:
            lines += ["", t("Can you come? Tap one answer.")]
        chosen = rsvp.answer if rsvp else None
        return Outgoing(
            text="\n".join(lines), buttons=answer_buttons(t, meeting.id, ON_REMINDER, chosen)
        )

    async def support(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None:
            return None
        meeting, panel, _, coordinator = found
        t = _person(coordinator)
        listing = await meeting_queries.support_request(session, int(row.payload["rsvp_id"]))
        if listing is None:
            return None
        name, needs, other, interpreter = listing
        words = support_words(t, needs, other, interpreter)
        text = t(
            "{name} needs support to come to <b>{title}</b> on {when}: {needs}",
            name=escape(name or "?"),
            title=escape(meeting.title),
            when=when(t, meeting, panel.timezone),
            needs=", ".join(words) or t("not said yet"),
        )
        request = row.payload.get("request_id")  # notes queued before requests have none
        return Outgoing(text=text, buttons=[reply_row(t, int(request))] if request else None)

    async def followup(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None:
            return None
        meeting, _, rsvp, member = found
        if meeting.status != MeetingStatus.SCHEDULED or rsvp is None or rsvp.attended is not None:
            return None
        t = _person(member)
        meeting, _ = await localised(session, meeting, t.language)
        data = [
            [
                {
                    "text": t("Yes, I came"),
                    "callback_data": DidYouCome(meeting.id, "yes").pack(),
                }
            ],
            [
                {
                    "text": t("No, I could not come"),
                    "callback_data": DidYouCome(meeting.id, "no").pack(),
                }
            ],
        ]
        text = t("Did you come to <b>{title}</b> today?", title=escape(meeting.title))
        return Outgoing(text=text, buttons=data)

    async def paper(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
        found = await load(session, row)
        if found is None or found[0].status != MeetingStatus.SCHEDULED:
            return None
        meeting, _, _, member = found
        papers = meeting.papers or []
        index = int(row.payload.get("index", -1))
        if not 0 <= index < len(papers):
            return None
        t = _person(member)
        meeting, _ = await localised(session, meeting, t.language)
        caption = t("A paper for the meeting {title}.", title=escape(meeting.title))
        if papers[index].get("kind") == "photo":
            return Outgoing(text=caption, photo=papers[index]["file_id"])
        return Outgoing(text=caption, document=papers[index]["file_id"])

    return {
        Kind.MEETING_PAPER: paper,
        Kind.MEETING_FOLLOWUP: followup,
        Kind.MEETING_INVITE: invite,
        Kind.MEETING_CHANGED: changed,
        Kind.MEETING_CANCELLED: cancelled,
        Kind.MEETING_REMINDER: reminder,
        Kind.MEETING_SUPPORT: support,
    }


def register(delivery: Delivery, clock: Clock) -> None:
    for kind, renderer in renderers(clock).items():
        delivery.register(kind, renderer)
