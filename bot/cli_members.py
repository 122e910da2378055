"""`panelbot member remove|role` and `panelbot admin remove`: the operator takes people off a
panel, changes their role or takes admin rights away. Kept apart from bot/cli.py so that file
stays small; the rules (and what removal keeps) are in bot/services/removal.py."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.cli_common import MAX_TELEGRAM_ID, server_operator, whole_number

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

COMMANDS = ("member",)


async def _member_remove(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import removal

    member_id = await removal.member_id_for(session, args.telegram_user_id)
    person, panel = await removal.remove_member(
        session, server_operator(), args.panel_id, member_id, now=now
    )
    return [
        f"Telegram user {person.telegram_id} ({person.name or 'no name'}) is no longer in panel "
        f"{args.panel_id} ({panel}). They will be told; their claims are kept."
    ]


async def _member_role(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from bot.db import Role
    from bot.services import removal

    member_id = await removal.member_id_for(session, args.telegram_user_id)
    old = await removal.set_role(
        session, server_operator(), args.panel_id, member_id, Role(args.role), now=now
    )
    if old == args.role:
        return [f"Telegram user {args.telegram_user_id} was already a {args.role} there."]
    return [f"Telegram user {args.telegram_user_id} is now a {args.role} of panel {args.panel_id}."]


async def _admin_remove(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import removal

    user = args.telegram_user_id
    removed = await removal.remove_admin(session, user, now=now)
    lines = [
        f"Telegram user {user} is no longer a panelbot admin."
        if removed
        else f"Telegram user {user} was not made an admin with `panelbot admin add`."
    ]
    if user in args.settings.panelbot_admins:
        lines.append(
            f"They are still an admin through PANELBOT_ADMINS: take {user} out of it and "
            "restart the bot."
        )
    return lines


ACTIONS = {
    ("member", "remove"): _member_remove,
    ("member", "role"): _member_role,
    ("admin", "remove"): _admin_remove,
}


def add_commands(commands: Any, admin_actions: Any) -> None:
    telegram_id = whole_number(1, MAX_TELEGRAM_ID)
    member = commands.add_parser("member", help="remove someone from a panel or change their role")
    actions = member.add_subparsers(dest="action", required=True, metavar="ACTION")
    remove = actions.add_parser("remove", help="take someone off a panel (their claims stay)")
    remove.add_argument("panel_id", metavar="PANEL_ID", type=whole_number(1))
    remove.add_argument("telegram_user_id", metavar="TELEGRAM_USER_ID", type=telegram_id)
    role = actions.add_parser("role", help="make someone a member or a coordinator of a panel")
    role.add_argument("panel_id", metavar="PANEL_ID", type=whole_number(1))
    role.add_argument("telegram_user_id", metavar="TELEGRAM_USER_ID", type=telegram_id)
    role.add_argument("role", choices=("member", "coordinator"))

    gone = admin_actions.add_parser("remove", help="take panelbot admin rights away")
    gone.add_argument("telegram_user_id", metavar="TELEGRAM_USER_ID", type=telegram_id)
