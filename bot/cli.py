"""The `panelbot` command: run the bot, apply migrations, start the local Bot API emulator, and
set up panels, invites and admins from the server's terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy.exc import SQLAlchemyError

from bot import cli_expenses, cli_members, cli_panels
from bot.cli_common import CommandError
from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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


Action = Callable[["AsyncSession", argparse.Namespace, datetime], Awaitable[list[str]]]

ACTIONS: dict[tuple[str, str], Action] = {
    **cli_panels.ACTIONS,
    **cli_expenses.ACTIONS,
    **cli_members.ACTIONS,
}
MANAGEMENT_COMMANDS = (*cli_panels.COMMANDS, *cli_expenses.COMMANDS, *cli_members.COMMANDS)


async def _run_action(settings: Settings, args: argparse.Namespace) -> list[str]:
    from bot.clock import Clock
    from bot.db.engine import Database

    if (args.command, args.action) in cli_panels.PRINTS_LINKS:
        # Asked before the transaction opens, so a slow network never holds a database lock.
        args.bot_username_found = await cli_panels.bot_username(settings, args.bot_username)
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
    admin_actions = cli_panels.add_panel_and_admin_commands(commands)
    cli_members.add_commands(commands, admin_actions)
    cli_panels.add_invite_commands(commands)
    cli_expenses.add_commands(commands)
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
        if args.command in MANAGEMENT_COMMANDS:
            return _manage(settings, args)
        _run(settings)
        return 0
    except ConfigError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
