"""Claim notices sent through the outbox, written in each person's language when sent."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Claim, ClaimLine, Member
from bot.delivery import Delivery, Outgoing
from bot.i18n import Translator, translator
from bot.services import claim_rules
from bot.services.outbox import ClaimedMessage
from bot.services.outbox_keys import Kind
from bot.services.vocabularies import expense_kinds, payments
from handlers.claims.buttons import AnswerQuestion


def _person(member: Member) -> Translator:
    return translator(member.language or "en", member.easy_read)


async def _load(session: AsyncSession, row: ClaimedMessage) -> tuple[Claim, Member] | None:
    claim = await session.get(
        Claim, int(row.payload["claim_id"]), options=[selectinload(Claim.lines)]
    )
    member = await session.get(Member, row.member_id) if row.member_id else None
    if claim is None or member is None:
        return None
    return claim, member


async def member_update(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
    found = await _load(session, row)
    if found is None:
        return None
    claim, member = found
    t = _person(member)
    event = row.payload.get("event")
    line = next((x for x in claim.lines if x.id == row.payload.get("line_id")), None)
    lines: list[str] = []
    buttons = None
    if line is not None:
        what = t(expense_kinds.label_of(line.kind))
        amount = t.money(line.amount, claim.currency)
        if event == "approve":
            lines.append(t("Good news: {what}, {amount}, is approved.", what=what, amount=amount))
        elif event == "reject":
            lines.append(t("Sorry: {what}, {amount}, is not approved.", what=what, amount=amount))
            lines.append(t("Why: {reason}", reason=escape(line.reject_reason or "")))
        elif event == "ask":
            lines.append(
                t(
                    "Your coordinator has a question about {what}, {amount}:",
                    what=what,
                    amount=amount,
                )
            )
            lines.append(escape(line.question or ""))
            buttons = [
                [
                    {
                        "text": t("Answer the question"),
                        "callback_data": AnswerQuestion(line.id).pack(),
                    }
                ]
            ]
    if event == "paid":
        lines.append(
            t(
                "Claim {n} is paid: {amount}, by {method}.",
                n=claim.id,
                amount=t.money(claim_rules.approved_total(claim), claim.currency),
                method=t(payments.method_label(claim.payment_method)),
            )
        )
    elif row.payload.get("claim_changed") and row.payload.get("status") == "approved":
        lines.append(
            t(
                "Claim {n} is approved: {amount}. We will tell you when it is paid.",
                n=claim.id,
                amount=t.money(claim_rules.approved_total(claim), claim.currency),
            )
        )
    elif row.payload.get("claim_changed") and row.payload.get("status") == "rejected":
        lines.append(
            t(
                "Claim {n} is not approved. Ask your coordinator if you are not sure why.",
                n=claim.id,
            )
        )
    if not lines:
        return None
    return Outgoing(text="\n".join(lines), buttons=buttons)


async def coordinator_notice(session: AsyncSession, row: ClaimedMessage) -> Outgoing | None:
    found = await _load(session, row)
    if found is None:
        return None
    claim, coordinator = found
    t = _person(coordinator)
    claimant = await session.get(Member, claim.member_id)
    name = escape(claimant.display_name or "?") if claimant else "?"
    if row.payload.get("event") == "answered":
        text = t(
            "{name} answered your question about claim {n}. Type /review to see it.",
            name=name,
            n=claim.id,
        )
    else:
        text = t(
            "New claim {n} from {name}: {amount}. Type /review to check it.",
            n=claim.id,
            name=name,
            amount=t.money(claim_rules.claimed_total(claim), claim.currency),
        )
    if any(isinstance(x, ClaimLine) and x.duplicate_of for x in claim.lines):
        text += "\n" + t("Part of it looks the same as an earlier claim.")
    return Outgoing(text=text)


def renderers() -> dict[str, Any]:
    return {Kind.CLAIM_UPDATE: member_update, Kind.CLAIM_REVIEW: coordinator_notice}


def register(delivery: Delivery) -> None:
    for kind, renderer in renderers().items():
        delivery.register(kind, renderer)
