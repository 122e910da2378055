"""The `panelbot` command: run the bot, apply migrations, or start the local Bot API emulator."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_settings


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

    from bot.app import build_application

    settings.check_token()
    migrate_or_explain(settings)
    application = build_application(settings)
    if settings.panelbot_webhook_url:
        application.run_webhook(
            listen="0.0.0.0",
            port=settings.panelbot_webhook_port,
            webhook_url=settings.panelbot_webhook_url,
            secret_token=settings.panelbot_webhook_secret or None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        # run_polling stops cleanly on SIGINT and SIGTERM and finishes the update in hand.
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def _emulator(port: int) -> None:
    from bot.emulator.__main__ import main as emulator_main

    emulator_main(["--port", str(port)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="panelbot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="bring the database up to date and exit")
    emulator = commands.add_parser("emulator", help="run the local Telegram Bot API emulator")
    emulator.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)

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
        settings = load_settings()
        if args.command == "migrate":
            migrate_or_explain(settings)
            print("panelbot: the database is up to date.")
            return 0
        _run(settings)
        return 0
    except ConfigError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
