"""`panelbot panel|admin|invite`: the server operator sets up panels from a terminal."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Invite, Member, Panel, Role
from bot.db.engine import Database
from bot.emulator.server import BotApiEmulator
from tests import factories
from tests.conftest import TOKEN

CODE = r"[A-Za-z0-9_-]{20,64}"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


Panelbot = Callable[..., Awaitable[Result]]


@pytest.fixture
def panelbot(tmp_path: Path, database_url: str) -> Panelbot:
    """Run `python -m bot ...` in a clean environment against the test's database."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    clean.pop("DATABASE_URL", None)

    async def run(*args: str, **env: str) -> Result:
        # Asynchronous, so an emulator in this test's event loop can answer the subprocess.
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=tmp_path,
            env={**clean, "DATABASE_URL": database_url, **env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode is not None
        return Result(process.returncode, stdout.decode(), stderr.decode())

    return run


def one_error_line(result: Result) -> str:
    assert result.returncode == 2, result
    assert result.stdout == "", result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("panelbot: ")
    return lines[0]


async def invite_for(db: Database, code: str) -> Invite | None:
    async with db.session() as session:
        return await session.scalar(select(Invite).where(Invite.code == code))


async def test_panel_create_prints_the_id_and_both_links_and_list_shows_it(
    panelbot: Panelbot, db: Database
) -> None:
    result = await panelbot(
        "panel", "create", "Carers Voice", "--timezone", "Europe/Warsaw", "--language", "pl"
    )
    assert result.returncode == 0, result.stderr
    panel_id = int(re.search(r"^Panel (\d+) created", result.stdout, re.M).group(1))  # type: ignore[union-attr]
    member_part, coordinator_part = result.stdout.split("Coordinator invite link")
    (member_code,) = re.findall(
        rf"https://t\.me/<your_bot_username>\?start=({CODE})$", member_part, re.M
    )
    (coordinator_code,) = re.findall(
        rf"https://t\.me/<your_bot_username>\?start=({CODE})$", coordinator_part, re.M
    )
    assert f"code: {coordinator_code}" in coordinator_part
    # Without a token or --bot-username, it says how to fill in the username.
    assert "Replace <your_bot_username> with your bot's username" in result.stdout

    member_invite = await invite_for(db, member_code)
    coordinator_invite = await invite_for(db, coordinator_code)
    assert member_invite is not None and member_invite.role == Role.MEMBER
    assert coordinator_invite is not None and coordinator_invite.role == Role.COORDINATOR
    assert member_invite.panel_id == coordinator_invite.panel_id == panel_id
    async with db.session() as session:
        panel = await session.get(Panel, panel_id)
    assert panel is not None
    assert (panel.name, panel.timezone, panel.default_language) == (
        "Carers Voice",
        "Europe/Warsaw",
        "pl",
    )

    listing = await panelbot("panel", "list")
    assert listing.returncode == 0, listing.stderr
    header, row = listing.stdout.strip().splitlines()
    assert header.split() == ["ID", "NAME", "TIME", "ZONE", "LANGUAGE", "ACTIVE", "MEMBERS"]
    assert row.split() == [str(panel_id), "Carers", "Voice", "Europe/Warsaw", "pl", "0"]


async def test_panel_list_with_no_panels_says_how_to_make_one(panelbot: Panelbot) -> None:
    result = await panelbot("panel", "list")
    assert result.returncode == 0, result.stderr
    assert "No panels yet" in result.stdout


async def test_the_bot_username_comes_from_telegram_or_the_option(
    panelbot: Panelbot, emulator: BotApiEmulator
) -> None:
    asked = await panelbot(
        "panel",
        "create",
        "Carers Voice",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
    )
    assert asked.returncode == 0, asked.stderr
    assert len(re.findall(rf"https://t\.me/panelbot_test_bot\?start={CODE}", asked.stdout)) == 2
    assert "<your_bot_username>" not in asked.stdout

    given = await panelbot("invite", "create", "1", "--bot-username", "@carers_bot")
    assert given.returncode == 0, given.stderr
    assert re.search(rf"https://t\.me/carers_bot\?start={CODE}", given.stdout)

    # A token that Telegram cannot be asked with falls back to the placeholder, quickly.
    unreachable = await panelbot(
        "invite",
        "create",
        "1",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
    )
    assert unreachable.returncode == 0, unreachable.stderr
    assert re.search(rf"https://t\.me/<your_bot_username>\?start={CODE}", unreachable.stdout)
    assert "could not ask Telegram" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


async def test_admin_add_makes_a_stored_admin(panelbot: Panelbot, db: Database) -> None:
    result = await panelbot("admin", "add", "123456789")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Telegram user 123456789 is now a panelbot admin."
    again = await panelbot("admin", "add", "123456789")
    assert again.stdout.strip() == "Telegram user 123456789 was already a panelbot admin."
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 123456789))
    assert member is not None and member.is_admin


async def test_invite_create_list_and_revoke(panelbot: Panelbot, db: Database) -> None:
    assert (await panelbot("panel", "create", "Carers Voice")).returncode == 0

    before = datetime.now().astimezone()
    made = await panelbot(
        "invite",
        "create",
        "1",
        "--role",
        "member",
        "--max-uses",
        "3",
        "--expires-days",
        "7",
        "--bot-username",
        "carers_bot",
    )
    assert made.returncode == 0, made.stderr
    (code,) = re.findall(rf"https://t\.me/carers_bot\?start=({CODE})", made.stdout)
    invite = await invite_for(db, code)
    assert invite is not None
    assert (invite.panel_id, invite.role, invite.max_uses, invite.uses) == (
        1,
        Role.MEMBER,
        3,
        0,
    )
    assert invite.expires_at is not None
    assert timedelta(days=7) <= invite.expires_at - before < timedelta(days=7, minutes=5)

    listing = await panelbot("invite", "list", "1")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.strip().splitlines()
    assert lines[0].split() == ["CODE", "ROLE", "USES/MAX", "EXPIRES", "REVOKED"]
    assert len(lines) == 4  # the two made with the panel, and this one
    row = next(line for line in lines if line.startswith(code))
    assert row.split()[1:3] == ["member", "0/3"]
    assert row.split()[-1] == "no"

    revoked = await panelbot("invite", "revoke", code)
    assert revoked.returncode == 0, revoked.stderr
    assert f"Invite {code} is revoked" in revoked.stdout
    invite = await invite_for(db, code)
    assert invite is not None and invite.revoked_at is not None
    listing = await panelbot("invite", "list", "1")
    row = next(line for line in listing.stdout.splitlines() if line.startswith(code))
    assert row.split()[-1] == "UTC"  # the time it was revoked, not "no"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("invite", "create", "99"), "there is no panel 99"),
        (("invite", "list", "99"), "there is no panel 99"),
        (("invite", "create", "seven"), "'seven' is not a whole number"),
        (("invite", "create", "1", "--max-uses", "0"), "--max-uses"),
        (("invite", "create", "1", "--role", "boss"), "invalid choice: 'boss'"),
        (
            ("invite", "create", "1", "--role", "coordinator", "--max-uses", "3"),
            "A coordinator invite works only once.",
        ),
        (("invite", "revoke", "no-such-code"), "There is no invite with that code."),
        (("panel", "create", "X", "--timezone", "Mars/Olympus"), "'Mars/Olympus' is not a time"),
        (("panel", "create", "X", "--language", "fr"), "The language must be one of"),
        (("panel", "create", "   "), "A panel name needs 1 to 200 characters."),
        (("admin", "add", "Priya"), "'Priya' is not a whole number"),
        (("admin", "add", "-5"), "'-5' must be from 1"),
        (("panel",), "required: ACTION"),
    ],
)
async def test_bad_input_prints_one_line_and_exits_2(
    panelbot: Panelbot, db: Database, clock: FrozenClock, args: tuple[str, ...], expected: str
) -> None:
    await factories.create_panel(db, clock)
    line = one_error_line(await panelbot(*args))
    assert expected in line
    async with db.session() as session:
        assert len((await session.scalars(select(Panel))).all()) == 1
        assert len((await session.scalars(select(Invite))).all()) == 2


async def test_an_unreachable_database_is_one_line(panelbot: Panelbot) -> None:
    line = one_error_line(
        await panelbot("panel", "list", DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    )
    assert "cannot open the database" in line


def test_invite_codes_never_start_with_a_dash_so_the_command_line_can_revoke_them() -> None:
    from bot.services.panels import new_code

    codes = [new_code() for _ in range(3000)]  # about 47 would start with "-" by chance
    assert not [code for code in codes if code.startswith("-")]
    assert len(set(codes)) == len(codes)
