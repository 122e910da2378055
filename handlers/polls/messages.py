"""What people are sent about polls, rendered in each person's language when the outbox sends
it: questions, reminders, the closing notice and shared results. Also the results text and chart
a coordinator sees with /results."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Member, Panel, Poll
from bot.delivery import Delivery, Outgoing
from bot.i18n import N_, Translator, translator
from bot.services import (
    poll_answers,
    poll_asking,
    poll_results,
    poll_rules,
    poll_storage,
    text_versions,
)
from bot.services.feedback import chunks
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from bot.services.poll_results import Results
from bot.services.text_versions import Words
from handlers.chat.text import MESSAGE_LIMIT, pack
from handlers.chat.text_versions import not_translated
from handlers.polls.buttons import AnswerTap, ResultsTap, change_rows

# After a restart lost answers that were waiting to be saved with others (anonymous_writes).
LOST_ANSWER = N_("Sorry. The bot stopped before it saved your answer. Please answer again.")
# The question was opened again after closing with too few answers to keep (poll_changes).
NOT_KEPT = N_(
    "This question is open again. Too few people answered before, so we could not keep "
    "your answer without showing it was yours. Please answer again."
)
NOT_COUNTED_YET = N_(
    "Some answers are not in the numbers yet. We save answers in groups, to keep them anonymous."
)
RATING_WORDS = {
    1: N_("Very poor"),
    2: N_("Poor"),
    3: N_("OK"),
    4: N_("Good"),
    5: N_("Very good"),
}


def person(member: Member | None) -> Translator:
    if member is None:
        return translator("en")
    return translator(member.language or "en", member.easy_read)


def plain_time(t: Translator, moment: datetime, zone: str) -> str:
    """Like "Monday, 12 January 2026 at 09:00", in the panel's time zone."""
    tz = ZoneInfo(zone)
    return t("{day} at {time}", day=t.date(moment.astimezone(tz)), time=t.time(moment, tz))


def closing_time(t: Translator, poll: Poll, zone: str) -> str:
    return plain_time(t, poll.closes_at, zone)


async def localised(session: AsyncSession, poll: Poll, language: str) -> tuple[Poll, Words]:
    """The poll with its question and choices in `language` where the coordinator gave them:
    an unsaved copy, so nothing is written back."""
    words = await text_versions.words(session, text_versions.POLL, poll.id, language)
    if not words.texts:
        return poll, words
    copy = Poll(**{c.key: getattr(poll, c.key) for c in sa_inspect(Poll).column_attrs})
    copy.question = words.get("question", poll.question) or poll.question
    options = poll_rules.parse_options(words.texts.get("options", ""))
    if len(options) == len(poll.options):
        copy.options = list(options)
    return copy, words


def question_text(
    t: Translator, poll: Poll, zone: str, *, reminder: bool = False, words: Words | None = None
) -> str:
    lines = [
        t("Reminder: please answer this question.")
        if reminder
        else t("📊 A question from your panel:"),
        *(not_translated(t, words) if words else []),
        "",
        f"<b>{escape(poll.question)}</b>",
        "",
    ]
    if poll.kind == "one":
        lines.append(t("Tap one answer."))
    elif poll.kind == "many":
        lines.append(t("Tap all the answers you agree with, then tap Done."))
    elif poll.kind == "rating":
        lines.append(t("Tap a number. 1 is very poor. 5 is very good."))
    else:
        lines.append(t("Tap Write my answer. Then type your answer."))
    if poll.anonymous:
        lines.append(t("Your answer is anonymous. Nobody can see who said what."))
    else:
        lines.append(t("Your name will be kept with your answer."))
    lines.append(t("Please answer by {when}.", when=closing_time(t, poll, zone)))
    return "\n".join(lines)


def answer_data(op: str, poll_id: int, value: int = 0) -> str:
    return AnswerTap(op, poll_id, value).pack()


def answer_buttons(t: Translator, poll: Poll, mask: int = 0) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = []
    if poll.kind == "one":
        rows = [
            [{"text": option[:60], "callback_data": answer_data("c", poll.id, i)}]
            for i, option in enumerate(poll.options)
        ]
    elif poll.kind == "many":
        rows = [
            [
                {
                    "text": ("✓ " if mask & (1 << i) else "") + option[:60],
                    "callback_data": answer_data("t", poll.id, mask ^ (1 << i)),
                }
            ]
            for i, option in enumerate(poll.options)
        ]
        rows.append([{"text": t("Done"), "callback_data": answer_data("d", poll.id, mask)}])
    elif poll.kind == "rating":
        rows = [
            [
                {
                    "text": f"{value} {t(RATING_WORDS[value])}",
                    "callback_data": answer_data("r", poll.id, value),
                }
            ]
            for value in poll_rules.RATINGS
        ]
    label = t("Write my answer") if poll.kind == "text" else t("Type my answer")
    rows.append([{"text": label, "callback_data": answer_data("w", poll.id)}])
    rows.append([{"text": t("Skip this question"), "callback_data": answer_data("s", poll.id)}])
    return rows


def button_lines(t: Translator, poll: Poll) -> list[str]:
    """The answer buttons as lines of text, for a preview: members see them under the question."""
    return [t("The answer buttons:")] + [
        "• " + escape(b["text"]) for row in answer_buttons(t, poll) for b in row
    ]


def labels(t: Translator, poll: Poll) -> list[str]:
    if poll.kind == "rating":
        return [f"{v} {t(RATING_WORDS[v])}" for v in poll_rules.RATINGS]
    return list(poll.options)


def counts_lines(t: Translator, result: Results) -> list[str]:
    """Counts and percentages as text: the chart's numbers, for screen readers too."""
    lines = []
    for label, count in zip(labels(t, result.poll), result.counts, strict=False):
        lines.append(
            t(
                "{label}: {count} ({percent}%)",
                label=escape(label),
                count=count,
                percent=result.percent(count),
            )
        )
    if result.average is not None:
        average = format_decimal(result.average, locale=t.locale)
        lines.append(t("Average: {average} out of 5", average=average))
    return lines


def results_messages(t: Translator, result: Results) -> list[str]:
    """The coordinator's results, packed into messages within Telegram's limit."""
    poll = result.poll
    head = [
        t("Results: <b>{question}</b>", question=escape(poll.question)),
        t.ngettext(
            "{n} answer so far.",
            "{n} answers so far.",
            result.so_far,
        )
        + " "
        + t.ngettext("{n} person was asked.", "{n} people were asked.", result.asked),
    ]
    if poll.closed:
        head.append(t("This question is closed."))
    if result.so_far > result.answered and not result.hidden:
        head.append(t(NOT_COUNTED_YET))
    if result.hidden:
        head.append(
            t.ngettext(
                "Results show when {n} person has answered. This keeps answers anonymous.",
                "Results show when {n} people have answered. This keeps answers anonymous.",
                poll.min_answers,
            )
        )
        return ["\n".join(head)]
    if poll.kind != "text":
        return ["\n".join([*head, "", *counts_lines(t, result)])]
    head += ["", t("The answers, in random order:")]
    blocks = [escape(part) for text in result.texts for part in chunks(text)]
    return pack("\n".join(head), blocks, MESSAGE_LIMIT)


def _plain(text: str) -> str:
    """Matplotlib reads "$...$" as maths; people's "$10 or $20" must stay words."""
    return text.replace("$", r"\$")


def chart(t: Translator, result: Results) -> bytes | None:
    """A bar chart readable on a phone: big type, one bar per answer, the number on each bar."""
    if result.hidden or result.poll.kind == "text" or not result.counts:
        return None
    # Imported here: matplotlib is about 40 MB, and most of the bot's life draws no chart.
    # A Figure on its own draws to memory with Agg; no pyplot, no display, nothing global.
    from matplotlib.figure import Figure

    names = labels(t, result.poll)
    figure = Figure(figsize=(6, 1.2 + 0.8 * len(names)), dpi=120)
    axes = figure.subplots()
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, result.counts, color="#1f5fa8")
    axes.set_yticks(positions, [_plain(n[:30]) for n in names], fontsize=14)
    axes.set_xlim(0, max([*result.counts, 1]) * 1.35)
    for position, count in zip(positions, result.counts, strict=False):
        axes.text(
            count,
            position,
            f" {count} ({result.percent(count)}%)",
            va="center",
            fontsize=14,
        )
    axes.set_title(_plain(result.poll.question[:60]), fontsize=14, loc="left")
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def shared_text(t: Translator, result: Results, we_did: Words | None = None) -> str:
    """The results and "You said, we did", in the member's language where there is a version."""
    poll = result.poll
    we_did = we_did or Words()
    lines = [
        t("📊 Results: <b>{question}</b>", question=escape(poll.question)),
        t.ngettext("{n} person answered.", "{n} people answered.", result.answered),
    ]
    if poll.kind != "text":
        lines += ["", *counts_lines(t, result)]
    lines += ["", t("<b>You said, we did:</b>"), *not_translated(t, we_did)]
    lines.append(escape(we_did.get("text", poll.we_did) or ""))
    lines += ["", t("Thank you for taking part.")]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ renderers


async def _zone(session: AsyncSession, panel_id: int) -> str:
    zone = await session.scalar(select(Panel.timezone).where(Panel.id == panel_id))
    return zone or "Europe/London"


def renderers(clock: Clock) -> dict[str, Any]:
    async def ask(
        session: AsyncSession, row: ClaimedMessage, reminder: bool = False, again: bool = False
    ) -> Any:
        found = await poll_answers.for_member(session, int(row.payload["poll_id"]), row.member_id)
        if found is None:
            return None
        poll, member, state, active = found
        if not active or state != "waiting" or not poll_rules.is_open(poll, clock.now()):
            return None  # answered, skipped, left the panel, or too late
        t = person(member)
        zone = await _zone(session, poll.panel_id)
        poll, words = await localised(session, poll, t.language)
        text = question_text(t, poll, zone, reminder=reminder, words=words)
        if again:
            lost = NOT_KEPT if row.payload.get("reopened") else LOST_ANSWER
            text = t(lost) + "\n\n" + text
        return Outgoing(text=text, buttons=answer_buttons(t, poll))

    async def remind(session: AsyncSession, row: ClaimedMessage) -> Any:
        return await ask(session, row, reminder=True)

    async def ask_again(session: AsyncSession, row: ClaimedMessage) -> Any:
        return await ask(session, row, again=True)

    async def close(session: AsyncSession, row: ClaimedMessage) -> Any:
        now = clock.now()
        poll = await poll_asking.close(session, int(row.payload["poll_id"]), now)
        if poll is None:
            return None
        member = await session.get(Member, row.member_id) if row.member_id else None
        t = person(member)
        answered = await poll_storage.answer_count(session, poll.id)
        rows = [(t("See the results"), ResultsTap("v", poll.id).pack())]
        rows += change_rows(t, poll, now)
        poll, _ = await localised(session, poll, t.language)
        return Outgoing(
            buttons=[[{"text": label, "callback_data": data}] for label, data in rows],
            text="\n".join(
                [
                    t("The question <b>{question}</b> has closed.", question=escape(poll.question)),
                    t.ngettext("{n} person answered.", "{n} people answered.", answered),
                    t("Type /results to see the results."),
                ]
            ),
        )

    async def shared(session: AsyncSession, row: ClaimedMessage) -> Any:
        result = await poll_results.shared_results(
            session, int(row.payload["poll_id"]), row.member_id
        )
        if result is None or result.hidden:
            return None
        member = await session.get(Member, row.member_id) if row.member_id else None
        t = person(member)
        poll, _ = await localised(session, result.poll, t.language)
        we_did = await text_versions.words(session, text_versions.WE_DID, poll.id, t.language)
        return Outgoing(text=shared_text(t, replace(result, poll=poll), we_did))

    return {
        Kind.POLL_ASK: ask,
        Kind.POLL_REMINDER: remind,
        Kind.POLL_AGAIN: ask_again,
        Kind.POLL_CLOSE: close,
        Kind.POLL_SHARED: shared,
    }


def register(delivery: Delivery, clock: Clock) -> None:
    for kind, renderer in renderers(clock).items():
        delivery.register(kind, renderer)
