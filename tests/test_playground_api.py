"""The playground over plain HTTP, as its page uses it: who you can be, a chat ready to show,
taps and their answers, photos, file downloads and the fast-forward clock."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import signal
import sys
import zipfile
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.db import Answer, Claim, ClaimStatus, Member, PollParticipant, PollResponse, Rsvp
from bot.emulator.driver import TINY_PNG
from bot.emulator.playground_api import direction, entities_to_html
from bot.i18n import Translator
from bot.playground import demo
from bot.playground.server import Playground
from tests.playground_fixtures import playground, wait_view

__all__ = ["playground"]  # the fixture, used by name

PRIYA, AGNIESZKA, AMINA = 1001, 1002, 1003
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


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
        saved = pl("Thank you. We saved your answer: {answer}.", answer=pl("Coming"))
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
    return int(callback_data.split(":")[3])  # mt:1:rsvp:<meeting>:<answer>


async def test_fast_forward_moves_the_bots_clock_and_a_reminder_arrives_in_urdu(
    playground: Playground,
) -> None:
    ur = Translator("ur")
    base = playground.url
    reminder = _plain(ur("Reminder: <b>{title}</b>", title="Planning day"))

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


# ------------------------------------------------------------------ the demo poll and claim


async def _send(http: aiohttp.ClientSession, base: str, user: int, text: str) -> int:
    """Type a message as `user`; returns its message id."""
    async with http.post(f"{base}_emulator/send", json={"user_id": user, "text": text}) as sent:
        return int((await sent.json())["result"]["message_id"])


async def _tap(
    http: aiohttp.ClientSession, base: str, user: int, message: dict[str, Any], label: str
) -> None:
    """Tap the button with this label on a message, as the page does."""
    data = next(b["callback_data"] for row in message["buttons"] for b in row if b["text"] == label)
    tap = {"user_id": user, "message_id": message["id"], "data": data}
    async with http.post(f"{base}_emulator/tap", json=tap) as response:
        assert response.status == 200


def _after(view: dict[str, Any], message_id: int) -> list[dict[str, Any]]:
    return [m for m in view["messages"] if m["id"] > message_id and m["from_bot"]]


async def _download(http: aiohttp.ClientSession, base: str, file: dict[str, Any]) -> bytes:
    async with http.get(f"{base}{file['url'][1:]}?download=1") as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        return await response.read()


async def _results(
    http: aiohttp.ClientSession, base: str, wanted: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The coordinator's /results for the demo question: the view and the bot's replies."""
    asked = await _send(http, base, PRIYA, "/results")
    view = await wait_view(http, base, PRIYA, lambda v: any(m["buttons"] for m in _after(v, asked)))
    choice = next(m for m in _after(view, asked) if m["buttons"])
    await _tap(http, base, PRIYA, choice, demo.POLL_QUESTION)
    view = await wait_view(http, base, PRIYA, lambda v: wanted(_after(v, choice["id"])))
    return view, _after(view, choice["id"])


async def test_a_member_answers_the_demo_poll_and_it_is_stored_without_her_name(
    playground: Playground,
) -> None:
    """Two demo members have answered; the coordinator sees the results are hidden until a
    third answer. Agnieszka taps a rating in the page; then the results, a chart and a
    spreadsheet of the answers come, and each file downloads through the page's API."""
    en, pl = Translator("en"), Translator("pl")
    base = playground.url
    hidden = en.ngettext(
        "Results show when {n} person has answered. This keeps answers anonymous.",
        "Results show when {n} people have answered. This keeps answers anonymous.",
        3,
    )
    async with aiohttp.ClientSession() as http:
        _, replies = await _results(http, base, lambda got: got)
        assert hidden in replies[0]["text"] and demo.POLL_QUESTION in replies[0]["text"]
        assert en.ngettext("{n} answer so far.", "{n} answers so far.", 2) in replies[0]["text"]
        assert not replies[0]["buttons"] and not any(m.get("photo") for m in replies)

        heading = pl("📊 A question from your panel:")
        view = await wait_view(
            http,
            base,
            AGNIESZKA,
            lambda v: any(m["text"].startswith(heading) for m in v["messages"]),
            timeout=20,
        )
        question = next(m for m in view["messages"] if m["text"].startswith(heading))
        assert demo.POLL_QUESTION in question["text"]
        assert pl("Your answer is anonymous. Nobody can see who said what.") in question["text"]
        await _tap(http, base, AGNIESZKA, question, f"4 {pl('Good')}")
        thanks = pl(
            "Thank you. We got your answer. We save it later with other people's answers. "
            "Then nobody can tell which is yours. If something goes wrong first, we will ask "
            "you again."
        )
        view = await wait_view(
            http, base, AGNIESZKA, lambda v: any(thanks == m["text"] for m in v["messages"])
        )
        answered = next(m for m in view["messages"] if m["id"] == question["id"])
        assert not answered["buttons"]  # the answer buttons are gone, so no second answer

        # The question closes (a week on): the three answers are written as one group, and
        # the results show: counts in words, and the same as a chart.
        async with http.post(f"{base}_playground/clock", json={"days": 7}) as response:
            assert (await response.json())["ok"]
        view, replies = await _results(http, base, lambda got: any(m.get("photo") for m in got))
        counts = next(m for m in replies if m["buttons"])
        assert (
            en("{label}: {count} ({percent}%)", label=f"4 {en('Good')}", count=2, percent=67)
            in (counts["text"])
        )
        chart = next(m for m in replies if m.get("photo"))
        assert chart["photo"]["mime_type"] == "image/png" and chart["photo"]["name"] == "photo.png"
        assert (await _download(http, base, chart["photo"])).startswith(PNG)
        async with http.get(f"{base}{chart['photo']['url'][1:]}") as shown:
            assert shown.headers["Content-Type"] == "image/png"  # the page's <img> shows it

        await _tap(http, base, PRIYA, counts, en("Download the answers"))
        view = await wait_view(
            http, base, PRIYA, lambda v: any(m.get("document") for m in _after(v, chart["id"]))
        )
        sheet = next(m for m in _after(view, chart["id"]) if m.get("document"))
        assert sheet["document"]["name"].endswith(".csv")
        rows = list(
            csv.reader(
                io.StringIO((await _download(http, base, sheet["document"])).decode("utf-8-sig"))
            )
        )
    assert sorted(rows[1:]) == [["2"], ["4"], ["4"]]

    assert playground.application is not None and playground.demo is not None
    agnieszka = playground.demo.member_ids[AGNIESZKA]
    async with playground.application.runtime.db.session() as session:
        state = await session.scalar(
            select(PollParticipant.state).where(
                PollParticipant.poll_id == playground.demo.poll_id,
                PollParticipant.member_id == agnieszka,
            )
        )
        responses = (
            await session.scalars(
                select(PollResponse).where(PollResponse.poll_id == playground.demo.poll_id)
            )
        ).all()
    assert state == "answered"
    assert sorted(r.rating or 0 for r in responses) == [2, 4, 4]
    assert all(r.member_id is None for r in responses)


async def test_the_coordinator_reviews_the_demo_claim_with_its_receipt_and_exports_it(
    playground: Playground,
) -> None:
    en = Translator("en")
    base = playground.url
    assert playground.demo is not None
    claim_id = playground.demo.claim_id
    async with aiohttp.ClientSession() as http:
        # The notice of the new claim came through the outbox when the playground started.
        await wait_view(
            http, base, PRIYA, lambda v: any("/review" in m["text"] for m in v["messages"])
        )
        asked = await _send(http, base, PRIYA, "/review")
        view = await wait_view(
            http, base, PRIYA, lambda v: any(m["buttons"] for m in _after(v, asked))
        )
        replies = _after(view, asked)
        receipt = replies[0]
        assert receipt.get("photo"), replies
        assert receipt["text"] == en("Receipt for item {n} of claim {claim}", n=1, claim=claim_id)
        ticket = await _download(http, base, receipt["photo"])
        card = next(m for m in replies if m["buttons"])
        assert "Morag" in card["text"] and "£6.40" in card["text"] and "£3.00" in card["text"]
        labels = [b["text"] for row in card["buttons"] for b in row]
        assert en("Approve item {n}", n=1) in labels and en("Reject item {n}", n=2) in labels

        asked = await _send(http, base, PRIYA, "/export")
        view = await wait_view(
            http, base, PRIYA, lambda v: any(m["buttons"] for m in _after(v, asked))
        )
        choice = next(m for m in _after(view, asked) if m["buttons"])
        await _tap(http, base, PRIYA, choice, f"{en('This tax year')}, CSV")
        view = await wait_view(
            http,
            base,
            PRIYA,
            lambda v: sum(1 for m in _after(v, choice["id"]) if m.get("document")) == 2,
        )
        table, archive = (m["document"] for m in _after(view, choice["id"]) if m.get("document"))
        assert table["name"].endswith(".csv") and archive["name"].endswith("-receipts.zip")
        exported = (await _download(http, base, table)).decode("utf-8-sig")
        with zipfile.ZipFile(io.BytesIO(await _download(http, base, archive))) as files:
            kept = files.read(f"claim-{claim_id}-item-1-1.jpg")
    assert ticket.startswith(JPEG) and kept == ticket  # the photo the member sent, kept by the bot
    # Kept apart from the real bot's files, whose members have the same ids as the demo's.
    [copy] = playground.files_dir.glob("receipts/*/*.jpg")
    assert copy.read_bytes() == ticket and not (playground.data_dir / "receipts").exists()
    assert exported.count("Morag") >= 2 and "6.40" in exported and "3.00" in exported
    assert playground.application is not None
    async with playground.application.runtime.db.session() as session:
        claim = await session.get(Claim, claim_id)
    assert claim is not None and claim.status == ClaimStatus.SUBMITTED
