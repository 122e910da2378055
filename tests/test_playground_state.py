"""The playground tells the truth about the demo as it changes: who is a member now, who has
finished joining, which messages Telegram would mark "edited", and what falls due while the
clock is moved on (each message at its own time, none skipped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.db import Member
from bot.emulator.playground_api import shows_edited
from bot.i18n import Translator
from bot.playground.server import Playground
from tests.playground_fixtures import playground, wait_view

__all__ = ["playground"]  # the fixture, used by name

PRIYA, AGNIESZKA, AMINA = 1001, 1002, 1003
# The ways a meeting reminder begins (handlers/meetings/reminder_words.py), by how soon it is.
REMINDER_IDS = (
    "Reminder: <b>{title}</b> starts {time_left}, at {time}.",
    "Reminder: <b>{title}</b> is today at {time}.",
    "Reminder: <b>{title}</b> is tomorrow at {time} ({day}).",
    "Reminder: <b>{title}</b> is {time_left}, on {day} at {time}.",
)


def reminder_start(t: Translator, title: str = "Planning day") -> str:
    """How every reminder for the meeting begins in t's language, as the chat shows it (no
    tags). The same for all four wordings: the test stops if a translation differs."""
    starts = {
        t(msgid, title="\0", time_left="", time="", day="").split("\0")[0] for msgid in REMINDER_IDS
    }
    assert len(starts) == 1 and starts != {""}, starts
    return starts.pop().replace("<b>", "") + title


async def _people(http: aiohttp.ClientSession, base: str) -> dict[str, dict[str, Any]]:
    async with http.get(f"{base}_playground/people") as response:
        return {p["name"]: p for p in (await response.json())["result"]["people"]}


async def _send(http: aiohttp.ClientSession, base: str, user: int, text: str) -> int:
    async with http.post(f"{base}_emulator/send", json={"user_id": user, "text": text}) as sent:
        return int((await sent.json())["result"]["message_id"])


async def _tap(http: aiohttp.ClientSession, base: str, user: int, message: dict[str, Any]) -> None:
    data = message["buttons"][0][0]["callback_data"]
    tap = {"user_id": user, "message_id": message["id"], "data": data}
    async with http.post(f"{base}_emulator/tap", json=tap) as response:
        assert response.status == 200


async def test_the_person_list_follows_a_newcomer_who_joins(playground: Playground) -> None:
    """Sam starts as "new, not joined yet"; once the service has made him a member (as joining
    does at its last step) the list says so, and the page no longer offers him the invite."""
    from bot.db import Consent, Membership, Role

    base = playground.url
    assert playground.demo is not None and playground.application is not None
    async with aiohttp.ClientSession() as http:
        before = await _people(http, base)
        assert before["Sam"]["state"] == "new, not joined yet" and not before["Sam"]["joined"]
        assert before["Agnieszka"]["state"] == "member" and before["Agnieszka"]["joined"]
        assert before["Priya"]["state"] == "coordinator"
        now = playground.clock.now()
        async with playground.application.runtime.db.session() as session:
            sam = Member(
                telegram_id=1006, created_at=now, language="en", display_name="Sam",
                consent=Consent.GIVEN, consent_at=now,
            )  # fmt: skip
            session.add(sam)
            await session.flush()
            session.add(
                Membership(
                    panel_id=playground.demo.panel_id,
                    member_id=sam.id,
                    role=Role.MEMBER,
                    joined_at=now,
                )
            )
        after = await _people(http, base)
    assert after["Sam"]["state"] == "member" and after["Sam"]["joined"]
    assert "not joined" not in after["Sam"]["about"]


async def test_a_member_in_the_middle_of_a_form_has_still_finished_joining(
    playground: Playground,
) -> None:
    """Agnieszka starts a claim (a form that waits for her typing): the coordinator's /members
    still says she finished joining, not "Still joining"."""
    en = Translator("en")
    base = playground.url
    assert playground.application is not None
    async with aiohttp.ClientSession() as http:
        asked = await _send(http, base, AGNIESZKA, "/claim")
        await wait_view(
            http,
            base,
            AGNIESZKA,
            lambda v: any(m["from_bot"] and m["id"] > asked for m in v["messages"]),
        )
        async with playground.application.runtime.db.session() as session:
            step = await session.scalar(
                select(Member.conversation_step).where(Member.telegram_id == AGNIESZKA)
            )
        assert step, "the claim form keeps a step on the member: the case this test is about"
        asked = await _send(http, base, PRIYA, "/members")
        view = await wait_view(
            http,
            base,
            PRIYA,
            lambda v: any("Agnieszka" in m["text"] for m in v["messages"] if m["id"] > asked),
        )
    roster = next(m["text"] for m in view["messages"] if "Agnieszka" in m["text"])
    agnieszka = roster[roster.index("Agnieszka") :].split("\n\n")[0]
    assert en("Finished joining") in agnieszka and en("Still joining") not in agnieszka


def test_only_edits_that_change_the_words_are_marked_edited() -> None:
    sent = {"message_id": 1, "text": "Can you come?", "reply_markup": {"inline_keyboard": [[]]}}
    buttons_gone = {"message_id": 1, "text": "Can you come?", "edit_date": 5}
    reworded = {"message_id": 1, "text": "Can you come? You said: Coming", "edit_date": 6}
    assert not shows_edited({**sent})
    assert not shows_edited({**buttons_gone, "edit_history": [sent], "deleted": False})
    assert shows_edited({**reworded, "edit_history": [sent, buttons_gone]})


async def test_a_tap_that_only_removes_buttons_is_not_marked_edited(playground: Playground) -> None:
    """The demo question (an anonymous rating): Agnieszka's answer takes the buttons off the
    question and leaves its words, so Telegram would not mark it "edited"; the page's view
    agrees. Every change still counts in "edits", so the page redraws it."""
    pl = Translator("pl")
    base = playground.url
    heading = pl("📊 A question from your panel:")

    def question(view: dict[str, Any]) -> dict[str, Any] | None:
        return next((m for m in view["messages"] if heading in m["text"]), None)

    async with aiohttp.ClientSession() as http:
        view = await wait_view(http, base, AGNIESZKA, lambda v: (q := question(v)) and q["buttons"])
        before = question(view)
        assert before is not None
        await _tap(http, base, AGNIESZKA, before)
        view = await wait_view(http, base, AGNIESZKA, lambda v: not question(v)["buttons"])  # type: ignore[index]
    after = question(view)
    assert after is not None and after["edits"] >= 1
    assert after["text"] == before["text"] and not after["edited"]


async def test_moving_the_clock_on_stops_at_each_reminder_on_the_way(
    playground: Playground,
) -> None:
    """The planning day is in three days at 14:00. One jump of four days passes both its
    day-before and its two-hours-before reminder: Amina gets each, and the answer says where the
    clock stopped. (A jump straight to the end sent neither: one was out of date, and the
    meeting had begun.)"""
    ur = Translator("ur")
    base = playground.url
    # Every reminder starts with its word and the title; the words for when come after.
    reminder = reminder_start(ur)

    def reminders(view: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in view["messages"] if m["text"].startswith(reminder)]

    async with aiohttp.ClientSession() as http:
        await wait_view(http, base, AMINA, lambda v: len(v["messages"]) >= 3)
        async with http.post(f"{base}_playground/clock", json={"days": 4}) as response:
            moved = (await response.json())["result"]
        view = await wait_view(http, base, AMINA, lambda v: len(reminders(v)) >= 2)
    stops = moved["stops"]
    times = [datetime.fromisoformat(stop["at"]) for stop in stops]
    assert len(stops) >= 2 and times == sorted(times)
    assert moved["sent"] == sum(stop["sent"] for stop in stops) >= len(reminders(view))
    assert all(stop["text"] for stop in stops)
