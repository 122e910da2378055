"""The playground over plain HTTP, as its page uses it: who you can be, a chat ready to show,
taps and their answers, photos, the reply keyboard, safe HTML, file downloads, the fast-forward
clock, and one command that starts it all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.db import Answer, Member, Rsvp
from bot.emulator.driver import TINY_PNG
from bot.emulator.playground_api import direction, entities_to_html
from bot.i18n import Translator
from bot.playground.server import Playground
from tests.playground_fixtures import AGNIESZKA, AMINA, playground, wait_view

__all__ = ["playground"]  # the fixture, used by name


def _plain(html: str) -> str:
    return html.replace("<b>", "").replace("</b>", "")


def _invitation(view: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (m for m in view["messages"] if any("rsvp" in str(row) for row in m["buttons"])), None
    )


async def test_the_page_lists_a_coordinator_and_members_in_several_languages_with_one_rtl(
    playground: Playground,
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(playground.url) as response:
            page = await response.text()
        async with http.get(f"{playground.url}static/playground.js") as script:
            assert script.status == 200
        async with http.get(f"{playground.url}_playground/people") as response:
            people = (await response.json())["result"]["people"]
    assert '<html lang="en">' in page and 'id="messages"' in page and 'role="status"' in page
    roles = {p["role"] for p in people}
    languages = {p["language"] for p in people}
    assert "coordinator" in roles and "member" in roles
    assert {"en", "pl", "ur", "ar"} <= languages
    assert {p["dir"] for p in people if p["language"] in ("ur", "ar")} == {"rtl"}
    newcomer = next(p for p in people if not p["joined"])
    assert newcomer["start"].startswith("/start ")


async def test_a_member_sees_the_invitation_taps_coming_and_downloads_the_calendar_file(
    playground: Playground,
) -> None:
    pl = Translator("pl")
    base = playground.url
    async with aiohttp.ClientSession() as http:
        view = await wait_view(http, base, AGNIESZKA, lambda v: len(v["messages"]) >= 4)
        invitation = _invitation(view)
        assert invitation is not None
        assert invitation["text"].startswith(
            _plain(pl("New meeting: <b>{title}</b>", title="Planning day"))
        )
        assert "<b>Planning day</b>" in invitation["html"] and invitation["dir"] == "ltr"
        calendar = next(m for m in view["messages"] if m.get("document"))
        async with http.get(f"{base}{calendar['document']['url'][1:]}?download=1") as response:
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert calendar["document"]["name"] in response.headers["Content-Disposition"]
            ics = await response.text()
        assert "BEGIN:VCALENDAR" in ics and "SUMMARY:Planning day" in ics

        coming = next(
            b["callback_data"]
            for row in invitation["buttons"]
            for b in row
            if b["callback_data"].endswith(":coming")
        )
        async with http.post(
            f"{base}_emulator/tap",
            json={"user_id": AGNIESZKA, "message_id": invitation["id"], "data": coming},
        ) as response:
            query_id = (await response.json())["result"]["callback_query_id"]
        async with http.get(f"{base}_emulator/answers/{query_id}?timeout=5") as response:
            assert (await response.json())["result"] is not None
        saved = pl("Your answer: {answer}", answer=pl("Coming"))  # the invitation, edited
        await wait_view(
            http, base, AGNIESZKA, lambda v: any(saved in m["text"] for m in v["messages"])
        )
    assert playground.application is not None
    async with playground.application.runtime.db.session() as session:
        rsvp = await session.scalar(
            select(Rsvp)
            .join(Member, Member.id == Rsvp.member_id)
            .where(Member.telegram_id == AGNIESZKA, Rsvp.meeting_id == invitation_meeting(coming))
        )
    assert rsvp is not None and rsvp.answer == Answer.COMING


def invitation_meeting(callback_data: str) -> int:
    return int(callback_data.split(":")[3])  # mt:1:rsvp:<meeting>[:<on>]:<answer>


async def test_fast_forward_moves_the_bots_clock_and_a_reminder_arrives_in_urdu(
    playground: Playground,
) -> None:
    ur = Translator("ur")
    base = playground.url
    # Every reminder starts with its word and the title; the words for when come after.
    tomorrow = ur(
        "Reminder: <b>{title}</b> is tomorrow at {time} ({day}).",
        title="Planning day",
        time="",
        day="",
    )
    reminder = _plain(tomorrow[: tomorrow.index("Planning day") + len("Planning day")])

    def reminded(view: dict[str, Any]) -> bool:
        return any(reminder in m["text"] for m in view["messages"])

    async with aiohttp.ClientSession() as http:
        view = await wait_view(http, base, AMINA, _invitation)
        assert not reminded(view)
        # The meeting is in three days at 14:00: its day-before reminder falls due on the
        # second or third jump, whatever time of day the test runs.
        for _ in range(3):
            async with http.post(f"{base}_playground/clock", json={"days": 1}) as response:
                moved = (await response.json())["result"]
            if moved["sent"]:
                break
        view = await wait_view(http, base, AMINA, reminded)
    assert moved["ahead_seconds"] >= 2 * 86400 and moved["timezone"] == "Europe/London"
    found = next(m for m in view["messages"] if reminder in m["text"])
    assert found["dir"] == "rtl" and found["from_bot"]


async def test_the_clock_refuses_a_jump_backwards_or_too_far(playground: Playground) -> None:
    async with aiohttp.ClientSession() as http:
        for body in ({"hours": -1}, {"days": 40}, {"days": "soon"}, {}):
            async with http.post(f"{playground.url}_playground/clock", json=body) as response:
                assert response.status == 400, body
                assert not (await response.json())["ok"]
    assert playground.clock.offset.total_seconds() == 0


async def test_a_photo_from_the_page_reaches_the_bot_and_shows_in_the_chat(
    playground: Playground,
) -> None:
    base = playground.url
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("user_id", str(AGNIESZKA))
        form.add_field("photo", b"not a picture", filename="x.png", content_type="image/png")
        async with http.post(f"{base}_emulator/photo", data=form) as response:
            assert response.status == 400
        form = aiohttp.FormData()
        form.add_field("user_id", str(AGNIESZKA))
        form.add_field("caption", "My receipt")
        form.add_field("photo", TINY_PNG, filename="receipt.png", content_type="image/png")
        async with http.post(f"{base}_emulator/photo", data=form) as response:
            assert response.status == 200
        view = await wait_view(
            http, base, AGNIESZKA, lambda v: any(m.get("photo") for m in v["messages"])
        )
        photo = next(m for m in view["messages"] if m.get("photo"))
        assert not photo["from_bot"] and photo["text"] == "My receipt"
        async with http.get(f"{base}{photo['photo']['url'][1:]}") as response:
            assert await response.read() == TINY_PNG
        # The bot answers a photo it did not ask for, so the person is never met with silence.
        await wait_view(
            http,
            base,
            AGNIESZKA,
            lambda v: v["messages"][-1]["from_bot"] and v["messages"][-1]["id"] > photo["id"],
        )


async def test_pressing_a_reply_keyboard_button_sends_its_words(playground: Playground) -> None:
    cy = Translator("cy")
    base = playground.url
    rhys = 1004
    async with aiohttp.ClientSession() as http:
        await wait_view(http, base, rhys, _invitation)
        async with http.post(f"{base}_emulator/send", json={"user_id": rhys, "text": "/menu"}):
            pass
        view = await wait_view(http, base, rhys, lambda v: v["keyboard"])
        labels = [label for row in view["keyboard"]["rows"] for label in row]
        assert cy("Meetings") in labels
        assert any(c["command"] == "menu" for c in view["commands"])
        async with http.post(
            f"{base}_emulator/send", json={"user_id": rhys, "text": cy("Meetings")}
        ):
            pass
        view = await wait_view(http, base, rhys, lambda v: _after_pressing(v, cy("Meetings")))
    pressed = next(m for m in view["messages"] if m["text"] == cy("Meetings"))
    assert not pressed["from_bot"]


def _after_pressing(view: dict[str, Any], label: str) -> bool:
    """The list of meetings came after the member's message with the button's words."""
    texts = [(m["from_bot"], m["text"]) for m in view["messages"]]
    if (False, label) not in texts:
        return False
    later = texts[texts.index((False, label)) + 1 :]
    return any(from_bot and "Planning day" in text for from_bot, text in later)


def test_message_text_becomes_safe_html_with_utf16_entity_offsets() -> None:
    text = "👋 <b> Planning day\nsee https://example.org"
    entities = [
        {"type": "bold", "offset": 7, "length": 12},  # "Planning day" after a 2-unit emoji
        {"type": "url", "offset": 24, "length": 19},
    ]
    html = entities_to_html(text, entities)
    assert html == (
        "👋 &lt;b&gt; <b>Planning day</b>\nsee "
        '<a href="https://example.org" rel="noopener noreferrer" target="_blank">'
        "https://example.org</a>"
    )
    link = entities_to_html(
        "tap", [{"type": "text_link", "offset": 0, "length": 3, "url": "javascript:x"}]
    )
    assert 'href="#"' in link
    assert direction("اجتماع جديد: Planning day في القاعة") == "rtl"
    assert direction("میٹنگ کی یاد دہانی") == "rtl" and direction("Reminder") == "ltr"
    # The first letter decides, as on a phone, not the count: a short Arabic heading over a
    # coordinator's longer English answer (isolated, as the translator writes values).
    assert direction("💬 ردّ المنسق: \u2068We booked an Arabic interpreter for you.\u2069") == "rtl"
    assert direction("\u2068العربية\u2069 interpreter") == "ltr"


@pytest.mark.slow
async def test_one_command_with_no_token_starts_the_playground_and_prints_its_address(
    tmp_path: Path,
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANELBOT_"))}
    clean.pop("DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "playground",
        "--port",
        "0",
        cwd=tmp_path,
        env=clean,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = ""
        async with asyncio.timeout(60):
            while "Open http://" not in line:
                raw = await process.stdout.readline()
                assert raw, "the playground stopped before printing its address"
                line = raw.decode()
        address = re.search(r"http://\S+/", line)
        assert address is not None
        async with aiohttp.ClientSession() as http:
            async with http.get(address.group(0)) as response:
                assert response.status == 200
                assert "panelbot playground" in await response.text()
            async with http.get(f"{address.group(0)}_playground/people") as response:
                assert len((await response.json())["result"]["people"]) >= 5
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
    assert (tmp_path / "data" / "playground.sqlite3").exists()


async def test_the_coordinator_sees_who_is_coming_in_the_demo_panel(
    playground: Playground,
) -> None:
    en = Translator("en")
    base = playground.url
    priya = 1001
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}_emulator/send", json={"user_id": priya, "text": "/attendance"}
        ):
            pass
        view = await wait_view(http, base, priya, lambda v: v["messages"][-1]["buttons"])
        choice = view["messages"][-1]
        planning = next(b for row in choice["buttons"] for b in row if "Planning day" in b["text"])
        tap = {"user_id": priya, "message_id": choice["id"], "data": planning["callback_data"]}
        async with http.post(f"{base}_emulator/tap", json=tap):
            pass
        view = await wait_view(http, base, priya, lambda v: "Morag" in v["messages"][-1]["text"])
    listing = view["messages"][-1]["text"]
    assert "Rhys" in listing and en("Help with travel") in listing
