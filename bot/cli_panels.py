"""`panelbot panel create|list`, `panelbot admin add` and `panelbot invite create|revoke|list`:
the operator sets up panels, their invite links and panelbot admins from the server's terminal.
Links need the bot's username, asked of Telegram (getMe) unless given."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cli_common import (
    MAX_TELEGRAM_ID,
    existing_panel,
    server_operator,
    table,
    when,
    whole_number,
)
from bot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

COMMANDS = ("panel", "admin", "invite")
# Placeholder used in printed links when the bot's username is not known.
UNKNOWN_BOT = "<your_bot_username>"
GET_ME_TIMEOUT_SECONDS = 5.0
# How long a coordinator link works unless told (kept in step with bot/services/panels.py,
# which this module does not import at start-up so `panelbot --help` stays quick).
COORDINATOR_LINK_DAYS = 2


async def bot_username(settings: Settings, given: str | None) -> str | None:
    """--bot-username if given, else ask Telegram (getMe) with the token; None if unknown."""
    if given:
        return given.strip().lstrip("@") or None
    token = settings.token
    if not token:
        return None
    from telegram import Bot
    from telegram.request import HTTPXRequest

    timeout = GET_ME_TIMEOUT_SECONDS
    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout)

    async def ask() -> str | None:
        # `async with` asks getMe on the way in and closes the connection on the way out.
        async with Bot(token, base_url=settings.telegram_api_base_url, request=request) as bot:
            return bot.username or None

    try:
        return await asyncio.wait_for(ask(), timeout=timeout + 1)
    except Exception as error:  # any fault here only means the username stays a placeholder
        print(
            f"panelbot: could not ask Telegram for the bot's username ({type(error).__name__}).",
            file=sys.stderr,
        )
        return None


def _link(username: str | None, code: str) -> str:
    from bot.services.panels import invite_link

    return invite_link(username or UNKNOWN_BOT, code)


def _placeholder_help(settings: Settings, username: str | None) -> list[str]:
    if username:
        return []
    if settings.token:
        hint = "Next time, check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL"
    else:
        hint = "Next time, set TELEGRAM_BOT_TOKEN"
    return [
        f"Replace {UNKNOWN_BOT} with your bot's username from @BotFather (without the @).",
        f"{hint}, or add --bot-username NAME, to get full links.",
    ]


async def _panel_create(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import panels

    new = await panels.create_panel(
        session,
        server_operator(),
        args.name,
        now=now,
        timezone=args.timezone or args.settings.panelbot_timezone,
        language=args.language or args.settings.panelbot_default_language,
        coordinator_link_days=args.coordinator_link_days,
    )
    username = args.bot_username_found
    panel = new.panel
    return [
        f"Panel {panel.id} created: {panel.name} "
        f"(time zone {panel.timezone}, language {panel.default_language}).",
        "",
        "Member invite link (share it with people joining the panel):",
        f"  {_link(username, new.member_invite.code)}",
        "",
        "Coordinator invite link (share it only with coordinators):",
        f"  {_link(username, new.coordinator_invite.code)}",
        f"  code: {new.coordinator_invite.code}",
        f"  It works once, until {when(new.coordinator_invite.expires_at)}. For another: "
        f"panelbot invite create {panel.id} --role coordinator",
        *(["", *_placeholder_help(args.settings, username)] if not username else []),
    ]


async def _panel_list(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from bot.services import panels

    rows = await panels.list_panels(session)
    if not rows:
        return ['No panels yet. Make one with: panelbot panel create "NAME"']
    return table(
        ("ID", "NAME", "TIME ZONE", "LANGUAGE", "ACTIVE MEMBERS"),
        [(p.id, p.name, p.timezone, p.default_language, count) for p, count in rows],
    )


async def _admin_add(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from sqlalchemy import select

    from bot.db import Member
    from bot.services import panels

    already = await session.scalar(
        select(Member.is_admin).where(Member.telegram_id == args.telegram_user_id)
    )
    await panels.add_admin(session, args.telegram_user_id, now=now)
    if already:
        return [f"Telegram user {args.telegram_user_id} was already a panelbot admin."]
    return [f"Telegram user {args.telegram_user_id} is now a panelbot admin."]


async def _invite_create(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.db import Role
    from bot.services import panels

    panel = await existing_panel(session, args.panel_id)
    expires_at = now + timedelta(days=args.expires_days) if args.expires_days else None
    invite = await panels.create_invite(
        session,
        server_operator(),
        panel.id,
        now=now,
        role=Role(args.role),
        expires_at=expires_at,
        max_uses=args.max_uses,
    )
    username = args.bot_username_found
    uses = f"{invite.max_uses} use(s)" if invite.max_uses else "any number of uses"
    return [
        f"New {invite.role} invite for panel {panel.id} ({panel.name}): "
        f"{uses}, expires {when(invite.expires_at)}.",
        f"  {_link(username, invite.code)}",
        f"  code: {invite.code}",
        *_placeholder_help(args.settings, username),
    ]


async def _invite_revoke(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import panels

    invite = await panels.revoke_invite(session, server_operator(), args.code, now=now)
    if invite.revoked_at != now:
        return [f"Invite {invite.code} was already revoked on {when(invite.revoked_at)}."]
    return [f"Invite {invite.code} is revoked. Its link no longer works."]


async def _invite_list(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from bot.services import panels

    panel = await existing_panel(session, args.panel_id)
    invites = await panels.list_invites(session, server_operator(), panel.id)
    if not invites:
        return [
            f"Panel {panel.id} has no invites. Make one with: panelbot invite create {panel.id}"
        ]
    rows = [
        (
            invite.code,
            invite.role,
            f"{invite.uses}/{invite.max_uses if invite.max_uses is not None else '-'}",
            when(invite.expires_at),
            when(invite.revoked_at) if invite.revoked_at else "no",
        )
        for invite in invites
    ]
    return table(("CODE", "ROLE", "USES/MAX", "EXPIRES", "REVOKED"), rows)


ACTIONS = {
    ("panel", "create"): _panel_create,
    ("panel", "list"): _panel_list,
    ("admin", "add"): _admin_add,
    ("invite", "create"): _invite_create,
    ("invite", "revoke"): _invite_revoke,
    ("invite", "list"): _invite_list,
}
# The actions that print invite links, so need the bot's username (see bot_username()).
PRINTS_LINKS = {("panel", "create"), ("invite", "create")}


def add_panel_and_admin_commands(commands: Any) -> Any:
    """`panel` and `admin add`; returns the admin actions, to which bot/cli_members.py adds
    `admin remove`."""
    panel = commands.add_parser("panel", help="create and list panels")
    panel_actions = panel.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = panel_actions.add_parser("create", help="create a panel and its first invites")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--timezone", metavar="TZ", help="like Europe/London (default: setting)")
    create.add_argument("--language", metavar="LANG", help="en, cy, gd, pl, ur or ar")
    create.add_argument("--bot-username", metavar="NAME", help="the bot's @username for links")
    create.add_argument(
        "--coordinator-link-days",
        metavar="N",
        type=whole_number(1, 30),
        default=COORDINATOR_LINK_DAYS,
        help=f"days the single-use coordinator link works (default: {COORDINATOR_LINK_DAYS})",
    )
    panel_actions.add_parser("list", help="list panels with their active member counts")

    admin = commands.add_parser("admin", help="give or take away a Telegram user's full rights")
    admin_actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = admin_actions.add_parser("add", help="make a Telegram user a panelbot admin")
    add.add_argument(
        "telegram_user_id", metavar="TELEGRAM_USER_ID", type=whole_number(1, MAX_TELEGRAM_ID)
    )
    return admin_actions


def add_invite_commands(commands: Any) -> None:
    invite = commands.add_parser("invite", help="create, revoke and list invite links")
    invite_actions = invite.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = invite_actions.add_parser("create", help="create an invite link for a panel")
    new.add_argument("panel_id", metavar="PANEL_ID", type=whole_number(1))
    new.add_argument("--role", choices=("member", "coordinator"), default="member")
    new.add_argument(
        "--expires-days",
        metavar="N",
        type=whole_number(1, 3650),
        help=f"coordinator links: default {COORDINATOR_LINK_DAYS}; member links: never",
    )
    new.add_argument("--max-uses", metavar="N", type=whole_number(1, 1_000_000))
    new.add_argument("--bot-username", metavar="NAME", help="the bot's @username for links")
    revoke = invite_actions.add_parser("revoke", help="stop an invite link from working")
    revoke.add_argument("code", metavar="CODE")
    listing = invite_actions.add_parser("list", help="list a panel's invites")
    listing.add_argument("panel_id", metavar="PANEL_ID", type=whole_number(1))
