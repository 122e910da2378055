"""The `panelbot` command: run the bot, apply migrations, start the local Bot API emulator, and
set up panels, invites and admins from the server's terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy.exc import SQLAlchemyError

from bot import cli_expenses, cli_members
from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Placeholder used in printed links when the bot's username is not known.
UNKNOWN_BOT = "<your_bot_username>"
GET_ME_TIMEOUT_SECONDS = 5.0
# How long a coordinator link works unless told (kept in step with bot/services/panels.py,
# which this module does not import at start-up so `panelbot --help` stays quick).
COORDINATOR_LINK_DAYS = 2
# Telegram user ids are positive and fit in the database's 64-bit column.
MAX_TELEGRAM_ID = 2**63 - 1


class CommandError(Exception):
    """A mistake in what the operator asked for, worded as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit code 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        print(f"panelbot: {message}. See: {self.prog} --help", file=sys.stderr)
        raise SystemExit(2)


def _fail(message: str) -> int:
    print(f"panelbot: {message}", file=sys.stderr)
    return 2


async def _migrate(settings: Settings) -> None:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def migrate_or_explain(settings: Settings) -> None:
    """Bring the database up to date, turning connection faults into one readable line."""
    settings.check_database_url()
    try:
        asyncio.run(_migrate(settings))
    except (OSError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ConfigError(
            f"cannot open the database at DATABASE_URL ({reason}). Check the address and that "
            "the database server is running."
        ) from None


def _run(settings: Settings) -> None:
    from telegram import Update
    from telegram.error import InvalidToken

    from bot import startup
    from bot.app import build_application

    settings.check_token()
    settings.check_webhook()
    migrate_or_explain(settings)
    startup.check_token_accepted(settings)
    _use_fast_event_loop()
    application = build_application(settings)
    try:
        if settings.panelbot_webhook_url:
            application.run_webhook(
                allowed_updates=Update.ALL_TYPES, **startup.webhook_options(settings)
            )
        else:
            # run_polling stops cleanly on SIGINT and SIGTERM and finishes the update in hand.
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:  # refused between the check and the start: still one line
        raise startup.refused_token() from None


def _use_fast_event_loop() -> None:
    """uvloop where it is installed (not on Windows): the same asyncio, with the loop itself in
    C. Under load the bot spent about a seventh of its CPU in asyncio's own Python code."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _playground(settings: Settings, host: str, port: int) -> None:
    import contextlib
    import signal

    from bot.playground.server import serve

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not available on Windows
                loop.add_signal_handler(sig, stop.set)
        await serve(host, port, settings.panelbot_data_dir, stop)

    try:
        asyncio.run(main())
    except OSError as error:  # most often: the port is taken
        raise ConfigError(f"cannot start the playground on {host}:{port} ({error}).") from None


def _emulator(port: int) -> None:
    from bot.emulator.__main__ import main as emulator_main

    emulator_main(["--port", str(port)])


# ------------------------------------------------------------------ panels, invites and admins


def _whole_number(lowest: int, highest: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lowest or (highest is not None and value > highest):
            limit = f"from {lowest} to {highest}" if highest is not None else f"{lowest} or more"
            raise argparse.ArgumentTypeError(f"{text!r} must be {limit}")
        return value

    return parse


def _operator() -> Any:
    """Whoever runs the server acts with full rights and no member record of their own."""
    from bot.services.access import Actor

    return Actor(telegram_id=0, member_id=None, is_admin=True)


async def _bot_username(settings: Settings, given: str | None) -> str | None:
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


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [list(header), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


async def _panel_create(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import panels

    new = await panels.create_panel(
        session,
        _operator(),
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
        f"  It works once, until {_when(new.coordinator_invite.expires_at)}. For another: "
        f"panelbot invite create {panel.id} --role coordinator",
        *(["", *_placeholder_help(args.settings, username)] if not username else []),
    ]


async def _panel_list(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from bot.services import panels

    rows = await panels.list_panels(session)
    if not rows:
        return ['No panels yet. Make one with: panelbot panel create "NAME"']
    return _table(
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


async def _existing_panel(session: AsyncSession, panel_id: int) -> Any:
    from bot.db import Panel

    panel = await session.get(Panel, panel_id)
    if panel is None:
        raise CommandError(f"there is no panel {panel_id}. See them with: panelbot panel list")
    return panel


async def _invite_create(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.db import Role
    from bot.services import panels

    panel = await _existing_panel(session, args.panel_id)
    expires_at = now + timedelta(days=args.expires_days) if args.expires_days else None
    invite = await panels.create_invite(
        session,
        _operator(),
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
        f"{uses}, expires {_when(invite.expires_at)}.",
        f"  {_link(username, invite.code)}",
        f"  code: {invite.code}",
        *_placeholder_help(args.settings, username),
    ]


async def _invite_revoke(
    session: AsyncSession, args: argparse.Namespace, now: datetime
) -> list[str]:
    from bot.services import panels

    invite = await panels.revoke_invite(session, _operator(), args.code, now=now)
    if invite.revoked_at != now:
        return [f"Invite {invite.code} was already revoked on {_when(invite.revoked_at)}."]
    return [f"Invite {invite.code} is revoked. Its link no longer works."]


async def _invite_list(session: AsyncSession, args: argparse.Namespace, now: datetime) -> list[str]:
    from bot.services import panels

    panel = await _existing_panel(session, args.panel_id)
    invites = await panels.list_invites(session, _operator(), panel.id)
    if not invites:
        return [
            f"Panel {panel.id} has no invites. Make one with: panelbot invite create {panel.id}"
        ]
    rows = [
        (
            invite.code,
            invite.role,
            f"{invite.uses}/{invite.max_uses if invite.max_uses is not None else '-'}",
            _when(invite.expires_at),
            _when(invite.revoked_at) if invite.revoked_at else "no",
        )
        for invite in invites
    ]
    return _table(("CODE", "ROLE", "USES/MAX", "EXPIRES", "REVOKED"), rows)


Action = Callable[["AsyncSession", argparse.Namespace, datetime], Awaitable[list[str]]]

ACTIONS: dict[tuple[str, str], Action] = {
    ("panel", "create"): _panel_create,
    ("panel", "list"): _panel_list,
    ("admin", "add"): _admin_add,
    ("invite", "create"): _invite_create,
    ("invite", "revoke"): _invite_revoke,
    ("invite", "list"): _invite_list,
    **cli_expenses.ACTIONS,
    **cli_members.ACTIONS,
}


PRINTS_LINKS = {("panel", "create"), ("invite", "create")}


async def _run_action(settings: Settings, args: argparse.Namespace) -> list[str]:
    from bot.clock import Clock
    from bot.db.engine import Database

    if (args.command, args.action) in PRINTS_LINKS:
        # Asked before the transaction opens, so a slow network never holds a database lock.
        args.bot_username_found = await _bot_username(settings, args.bot_username)
    db = Database.from_url(settings.database_url)
    try:
        async with db.session() as session:
            return await ACTIONS[(args.command, args.action)](session, args, Clock().now())
    finally:
        await db.dispose()


def _manage(settings: Settings, args: argparse.Namespace) -> int:
    """Run one set-up command: migrations first, then one transaction; one line on any error."""
    from bot.services.access import NotAllowed

    migrate_or_explain(settings)
    # A failed getMe is reported in one line below; PTB's own traceback would only confuse.
    logging.getLogger("telegram").setLevel(logging.CRITICAL + 1)
    args.settings = settings
    try:
        lines = asyncio.run(_run_action(settings, args))
    except (CommandError, LookupError, ValueError, NotAllowed) as error:
        return _fail(_sentence(str(error)))
    except (OSError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return _fail(f"the database refused this ({reason}). Nothing was changed.")
    print("\n".join(lines))
    return 0


def _sentence(message: str) -> str:
    """Service messages are sentences; keep them on one line."""
    return " ".join(message.split()) or "that did not work"


def _add_management_commands(commands: Any) -> None:
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
        type=_whole_number(1, 30),
        default=COORDINATOR_LINK_DAYS,
        help=f"days the single-use coordinator link works (default: {COORDINATOR_LINK_DAYS})",
    )
    panel_actions.add_parser("list", help="list panels with their active member counts")

    admin = commands.add_parser("admin", help="give or take away a Telegram user's full rights")
    admin_actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = admin_actions.add_parser("add", help="make a Telegram user a panelbot admin")
    add.add_argument(
        "telegram_user_id", metavar="TELEGRAM_USER_ID", type=_whole_number(1, MAX_TELEGRAM_ID)
    )
    cli_members.add_commands(commands, admin_actions, _whole_number, MAX_TELEGRAM_ID)

    invite = commands.add_parser("invite", help="create, revoke and list invite links")
    invite_actions = invite.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = invite_actions.add_parser("create", help="create an invite link for a panel")
    new.add_argument("panel_id", metavar="PANEL_ID", type=_whole_number(1))
    new.add_argument("--role", choices=("member", "coordinator"), default="member")
    new.add_argument(
        "--expires-days",
        metavar="N",
        type=_whole_number(1, 3650),
        help=f"coordinator links: default {COORDINATOR_LINK_DAYS}; member links: never",
    )
    new.add_argument("--max-uses", metavar="N", type=_whole_number(1, 1_000_000))
    new.add_argument("--bot-username", metavar="NAME", help="the bot's @username for links")
    revoke = invite_actions.add_parser("revoke", help="stop an invite link from working")
    revoke.add_argument("code", metavar="CODE")
    listing = invite_actions.add_parser("list", help="list a panel's invites")
    listing.add_argument("panel_id", metavar="PANEL_ID", type=_whole_number(1))


def _glossary_check(locales: Path | None) -> int:
    from bot.services.glossary_check import check

    result = check(locales) if locales else check()
    print("language  entries  common entries translated")
    for language, count in result.counts.items():
        done, total = result.common[language]
        print(f"{language:<9} {count:>7}  {done}/{total}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if result.warnings:
        print(f"{len(result.warnings)} warning(s): facts to check again.")
    print(f"{len(result.problems)} problem(s)." if result.problems else "The glossary is valid.")
    return 1 if result.problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="panelbot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="bring the database up to date and exit")
    emulator = commands.add_parser("emulator", help="run the local Telegram Bot API emulator")
    emulator.add_argument("--port", type=int, default=8081)
    playground = commands.add_parser(
        "playground", help="try the bot in a browser: no token, no internet"
    )
    playground.add_argument("--host", default="127.0.0.1")
    playground.add_argument("--port", type=int, default=8080)
    glossary = commands.add_parser("glossary", help="check the glossary files")
    glossary_check = glossary.add_subparsers(dest="action", required=True).add_parser(
        "check", help="validate every glossary file and show translation coverage"
    )
    glossary_check.add_argument(
        "--locales", metavar="DIR", type=Path, help="check another locales folder"
    )
    backup = commands.add_parser("backup", help="copy the SQLite database to a file (0600)")
    backup.add_argument("path", metavar="PATH", help="a new file, or a folder to put it in")
    _add_management_commands(commands)
    cli_expenses.add_commands(commands, _whole_number)
    args = parser.parse_args(argv)
    # Whatever panelbot writes (database, receipts, exports, backups) holds people's data:
    # for the bot's own account only. bot/storage.py sets the modes explicitly as well.
    os.umask(0o077)

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "emulator":
            _emulator(args.port)
            return 0
        if args.command == "glossary":
            return _glossary_check(args.locales)
        settings = load_settings()
        if args.command == "migrate":
            migrate_or_explain(settings)
            print("panelbot: the database is up to date.")
            return 0
        if args.command == "backup":
            from bot import backup as backup_command

            return backup_command.run(settings, Path(args.path))
        if args.command == "playground":
            _playground(settings, args.host, args.port)
            return 0
        management = ("panel", "admin", "invite", *cli_expenses.COMMANDS, *cli_members.COMMANDS)
        if args.command in management:
            return _manage(settings, args)
        _run(settings)
        return 0
    except ConfigError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
