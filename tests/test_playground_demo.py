"""The playground's demo poll and claim over plain HTTP: a member answers the poll and it is stored
without her name, the results, chart and spreadsheet come and download, and the coordinator
reviews the demo claim with its receipt and exports it."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.db import Claim, ClaimStatus, PollParticipant, PollResponse
from bot.i18n import Translator
from bot.playground import demo
from bot.playground.server import Playground
from tests.playground_fixtures import AGNIESZKA, PRIYA, playground, wait_view

__all__ = ["playground"]  # the fixture, used by name

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


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
        # No results yet, but a way on: a later closing time, or a reminder.
        labels = [b["text"] for row in replies[0]["buttons"] for b in row]
        assert labels == [en("Keep it open longer"), en("Remind people who have not answered")]
        assert not any(m.get("photo") for m in replies)

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
