"""The playground: the real bot, the Bot API emulator and a chat page, in one process.

The emulator's aiohttp app also serves the page (static HTML, CSS and JS: no build step) and two
playground endpoints: who you can be, and the bot's clock. The bot runs with an OffsetClock, so
the page can move time forward and then drain the outbox at once, and reminders appear.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from babel import Locale
from babel.dates import format_datetime
from sqlalchemy import select

from bot.app import build_application
from bot.clock import OffsetClock
from bot.config import Settings, load_settings
from bot.context import PanelbotApplication
from bot.db import Member, Membership, migrate
from bot.db.engine import Database
from bot.emulator.playground_api import ChatApiEmulator
from bot.languages import LANGUAGE_NAMES, RIGHT_TO_LEFT
from bot.playground import demo
from bot.services import outbox
from bot.services.anonymous import Hold

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TOKEN = "100000:playground-token"  # any well-formed token: the emulator accepts it
BOT_USERNAME = "panelbot_playground_bot"
MAX_JUMP = timedelta(days=31)
MAX_STOPS = 500  # a month of reminders, closings and retries, with room to spare


@dataclass
class Playground:
    database_url: str
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    tick_seconds: float | None = 1.0
    clock: OffsetClock = field(default_factory=OffsetClock)
    emulator: ChatApiEmulator | None = None
    application: PanelbotApplication | None = None
    demo: demo.Demo | None = None

    @property
    def files_dir(self) -> Path:
        """The bot's files (receipts) in the playground. Not the real bot's data dir: demo
        members have the same ids as real ones, and a visitor's /forgetme there deletes files."""
        return self.data_dir / "playground-files"

    @property
    def url(self) -> str:
        assert self.emulator is not None
        return f"http://{self.emulator.host}:{self.emulator.port}/"

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self.emulator = ChatApiEmulator(bot_username=BOT_USERNAME, extra_routes=self._routes)
        await self.emulator.start(self.host, self.port)
        shutil.rmtree(self.files_dir, ignore_errors=True)  # made anew, like the database
        self.files_dir.mkdir(parents=True)
        settings = self._settings()
        db = Database.from_url(settings.database_url)
        await migrate.upgrade(db.engine)
        hold = Hold()
        async with db.session() as session:
            self.demo = await demo.seed(
                session,
                self.clock.now(),
                demo.Demo(
                    data_dir=self.files_dir,
                    upload_photo=self.emulator.keep_user_photo,
                    hold=hold,
                ),
            )
        for person in self.demo.people:
            self.emulator.add_user(person.telegram_id, person.name, language_code=person.language)
        application = build_application(
            settings, clock=self.clock, db=db, tick_seconds=self.tick_seconds
        )
        application.runtime.hold = hold
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=10)
        self.application = application

    async def stop(self) -> None:
        application, self.application = self.application, None
        if application is not None:
            assert application.updater is not None
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
        if self.emulator is not None:
            await self.emulator.stop()

    def _settings(self) -> Settings:
        assert self.emulator is not None
        return load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=self.emulator.base_url,
            telegram_file_base_url=self.emulator.base_file_url,
            database_url=self.database_url,
            panelbot_data_dir=self.files_dir,
            panelbot_admins="",
            panelbot_webhook_url="",
        )

    # ---------------------------------------------------------------------------- clock

    def clock_view(self) -> dict[str, Any]:
        zone = self.demo.timezone if self.demo else "UTC"
        now = self.clock.now()
        return {
            "now": now.isoformat(),
            "text": format_datetime(
                now, "EEEE d MMMM yyyy, HH:mm", tzinfo=ZoneInfo(zone), locale="en_GB"
            ),
            "timezone": zone,
            "ahead_seconds": int(self.clock.offset.total_seconds()),
        }

    async def fast_forward(self, delta: timedelta) -> dict[str, Any]:
        """Move the bot's clock on by `delta` as if that time had passed: the clock stops at
        each moment a message falls due on the way and sends what is due then, as the tick
        would have. A jump straight to the end would send only the last of several reminders
        for a meeting (an earlier one is out of date by then) and none due before it started."""
        assert self.application is not None
        end, ahead = self.clock.now() + delta, self.clock.offset + delta
        stops: list[dict[str, Any]] = []
        for _ in range(MAX_STOPS):
            async with self.application.runtime.db.session() as session:
                due = await outbox.next_due(session, after=self.clock.now(), until=end)
            if due is None:
                break
            self.clock.advance(due - self.clock.now())
            sent = await self._send_due()
            if sent:
                stops.append({**self._moment(due), "sent": sent})
        # Exactly `delta` ahead of real time in the end, however long the stops took.
        self.clock.advance(max(ahead - self.clock.offset, timedelta(0)))
        sent = await self._send_due()
        if sent:
            stops.append({**self._moment(self.clock.now()), "sent": sent})
        return {**self.clock_view(), "sent": sum(s["sent"] for s in stops), "stops": stops}

    async def _send_due(self) -> int:
        """Send everything due now; how many messages went."""
        assert self.application is not None and self.application.runtime.delivery is not None
        delivery = self.application.runtime.delivery
        # A tick's drain may be running with the old time: let it finish, then drain again.
        while delivery.busy:  # noqa: ASYNC110 - Delivery offers no event to wait on
            await asyncio.sleep(0.05)
        report = await delivery.drain()  # closings fall due here
        await self.application.runtime.flush_anonymous()  # then the answers they release
        return report.sent + (await delivery.drain()).sent

    def _moment(self, when: datetime) -> dict[str, str]:
        zone = ZoneInfo(self.demo.timezone if self.demo else "UTC")
        text = format_datetime(when, "EEEE d MMMM, HH:mm", tzinfo=zone, locale="en_GB")
        return {"at": when.isoformat(), "text": text}

    # ---------------------------------------------------------------------------- page

    async def people_view(self) -> dict[str, Any]:
        """Who the visitor can be, each as they stand now: someone who joined from the invite
        link is a member from then on, and someone removed is no longer one."""
        assert self.demo is not None and self.application is not None
        async with self.application.runtime.db.session() as session:
            rows = await session.execute(
                select(Member.telegram_id, Membership.role, Membership.active)
                .join(Membership, Membership.member_id == Member.id)
                .where(Membership.panel_id == self.demo.panel_id)
            )
            roles = {telegram_id: (role, active) for telegram_id, role, active in rows.all()}
        english = Locale("en")
        people = []
        for person in self.demo.people:
            role, active = roles.get(person.telegram_id, (None, False))
            joined = role is not None and active
            if joined:
                state, about = str(role), person.about
                if not person.joined:  # they joined here, from the invite link
                    about = f"{person.name} joined from the invite link. Try the menu or /meetings."
            elif role is not None:
                state, about = "removed", f"{person.name} is no longer in the panel."
            else:
                state, about = "new, not joined yet", person.about
            people.append(
                {
                    "id": person.telegram_id,
                    "name": person.name,
                    "language": person.language,
                    "language_name": LANGUAGE_NAMES[person.language],
                    "language_english": english.languages.get(person.language, person.language),
                    "dir": "rtl" if person.language in RIGHT_TO_LEFT else "ltr",
                    "role": str(role or person.role),
                    "state": state,
                    "joined": joined,
                    "about": about,
                    # The invite link is how a newcomer starts; it is the same link after.
                    "start": None if person.joined else f"/start {self.demo.member_invite}",
                }
            )
        return {"panel": self.demo.panel_name, "bot_username": BOT_USERNAME, "people": people}

    def _routes(self, app: web.Application) -> None:
        async def index(request: web.Request) -> web.FileResponse:
            return web.FileResponse(STATIC / "index.html")

        async def people(request: web.Request) -> web.Response:
            return web.json_response({"ok": True, "result": await self.people_view()})

        async def clock(request: web.Request) -> web.Response:
            return web.json_response({"ok": True, "result": self.clock_view()})

        async def advance(request: web.Request) -> web.Response:
            try:
                body = await request.json()
                delta = timedelta(
                    hours=float(body.get("hours", 0)), days=float(body.get("days", 0))
                )
            except (ValueError, TypeError, AttributeError):
                return _refuse('send JSON like {"hours": 1} or {"days": 1}')
            if not timedelta(0) < delta <= MAX_JUMP:
                return _refuse("move forward by more than nothing and at most 31 days")
            return web.json_response({"ok": True, "result": await self.fast_forward(delta)})

        app.router.add_get("/", index)
        app.router.add_static("/static/", STATIC, append_version=False)
        app.router.add_get("/_playground/people", people)
        app.router.add_get("/_playground/clock", clock)
        app.router.add_post("/_playground/clock", advance)


def _refuse(description: str) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=400)


def fresh_database_url(data_dir: Path) -> str:
    """A new SQLite file each start: the emulator's chats live in memory, so an old database
    would hold people and sent messages that no chat shows any more."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "playground.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def serve(host: str, port: int, data_dir: Path, stop: asyncio.Event) -> None:
    playground = Playground(fresh_database_url(data_dir), data_dir, host=host, port=port)
    await playground.start()
    print(f"panelbot playground is running. Open {playground.url} in your browser.", flush=True)
    print("It uses no token and no internet. Stop it with Ctrl-C.", flush=True)
    try:
        await stop.wait()
    finally:
        await playground.stop()
