"""Issue 20's walk on a phone (390x844), in the playground's real browser: Layla joins in Arabic,
answers the planning day's invitation with a support need (an interpreter, and which language),
the coordinator answers it with Reply and Layla reads the answer; after the meeting, "Yes, I came"
offers "Claim for this meeting" and the claim for her time goes in one tap per question; then the
coordinator opens the demo question's results, which has too few answers to show, and keeps it
open longer with one tap on a plain date. Screenshots are kept in tests/artifacts/playground/
(ignored by git)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.i18n import Translator
from bot.playground import demo
from bot.playground.server import Playground
from tests.browser_fixtures import PHONE, WAIT_MS, browser, layla_joins_in_arabic, shots
from tests.playground_fixtures import PRIYA, playground

__all__ = ["browser", "playground", "shots"]  # the fixtures, used by name

pytestmark = pytest.mark.browser

LAYLA = 1007


class Phone:
    """One phone-sized page, and the few things a person does on it."""

    def __init__(self, page: Any, shots: Any) -> None:
        self.page, self._shots = page, shots
        self.chat = page.locator("#messages")

    async def send(self, text: str) -> None:
        await self.page.get_by_label("Message", exact=True).fill(text)
        await self.page.keyboard.press("Enter")

    async def tap(self, label: str) -> None:
        from playwright.async_api import expect

        button = self.chat.get_by_role("button", name=label, exact=True).last
        await expect(button).to_be_visible(timeout=WAIT_MS)
        await button.click()

    async def be(self, telegram_id: int, name: str) -> None:
        from playwright.async_api import expect

        await self.page.get_by_label("Chat as").select_option(str(telegram_id))
        await expect(self.page.locator("#chat-subtitle")).to_have_text(f"You are {name}")

    async def sees(self, text: str) -> Any:
        from playwright.async_api import expect

        found = self.chat.locator("li.bot", has_text=text).last
        await expect(found).to_be_visible(timeout=WAIT_MS)
        return found

    async def shot(self, name: str) -> None:
        await self.chat.locator("li").last.scroll_into_view_if_needed()
        await self._shots(self.page, name)


async def test_join_support_answered_claim_after_coming_and_a_reopened_question(
    browser: Any, playground: Playground, shots: Any
) -> None:
    from playwright.async_api import expect

    ar, en = Translator("ar"), Translator("en")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{playground.url}#{LAYLA}")
    phone = Phone(page, shots)
    await layla_joins_in_arabic(page, phone.chat)
    await phone.shot("layla-joined")

    # The invitation: she needs support to come, an interpreter, and says which language.
    invitation = phone.chat.locator("li.bot", has_text="Planning day").filter(
        has=page.get_by_role("button", name=ar("I need support to come"))
    )
    await expect(invitation).to_have_count(1, timeout=WAIT_MS)
    await invitation.get_by_role("button", name=ar("I need support to come")).click()
    await phone.tap(ar("An interpreter"))
    await phone.sees(
        ar(
            "Which language do you need an interpreter for? "
            "Type it, like Arabic, Polish or British Sign Language."
        )
    )
    await phone.shot("which-language")
    await phone.send("العربية السورية")
    await phone.tap(ar("Done"))
    await phone.sees(ar("Thank you. We told the coordinator what you need."))
    await phone.shot("support-sent")

    # Priya, the coordinator, gets the note with the language and Reply; she answers.
    await phone.be(PRIYA, "Priya")
    note = await phone.sees("Layla needs support to come to Planning day")
    await expect(note).to_contain_text(
        en("An interpreter for {language}", language="العربية السورية")
    )
    await phone.shot("coordinator-support-note")
    await note.get_by_role("button", name=en("Reply"), exact=True).click()
    await phone.send("We booked an Arabic interpreter. See you there.")
    await phone.shot("coordinator-replied")

    # Layla reads the answer in the bot, in Arabic.
    await phone.be(LAYLA, "Layla")
    answer = await phone.sees("We booked an Arabic interpreter.")
    await expect(answer).to_have_attribute("dir", "rtl")
    await phone.shot("layla-reads-the-answer")

    # After the meeting: "Did you come?" "Yes, I came" offers the claim for this meeting.
    status = page.locator("#clock-status")
    asked = phone.chat.locator("li.bot", has=page.get_by_role("button", name=ar("Yes, I came")))
    for _ in range(5):
        await page.get_by_role("button", name="Forward 1 day").click()
        await expect(status).to_contain_text("The clock moved on")
        if await asked.count():
            break
    await expect(asked).to_have_count(1, timeout=WAIT_MS)
    await asked.get_by_role("button", name=ar("Yes, I came")).click()
    await phone.sees(ar("Thank you for coming."))
    await phone.shot("claim-offered")
    await phone.tap(ar("Claim for this meeting"))
    length = ar(
        "{length} (the meeting's length)",
        length=ar.ngettext("{n} hour", "{n} hours", 2, n=2),
    )
    await phone.tap(length)
    await phone.tap(ar("No note"))
    await phone.sees(ar("Meeting: {title}", title="Planning day"))
    await phone.shot("claim-summary")
    await phone.tap(ar("Send claim"))
    await phone.sees(ar("We got your claim. Your coordinator will check it."))
    await phone.shot("claim-sent")

    # The demo question has two answers: too few to show. Priya keeps it open (or opens it
    # again, if the days forwarded have closed it) and picks a plain date on a whole hour.
    en = Translator("en")
    await phone.be(PRIYA, "Priya")
    await phone.send("/results")
    await phone.tap(demo.POLL_QUESTION)
    await phone.sees(en("Results show when 3 people have answered."))
    await phone.shot("results-too-few")
    labels = (en("Keep it open longer"), en("Open it again"))
    more = phone.chat.get_by_role("button", name=re.compile("|".join(map(re.escape, labels))))
    await expect(more.last).to_be_visible(timeout=WAIT_MS)
    await more.last.click()
    offer = await phone.sees(en("When should the question close? Tap a time."))
    times = offer.get_by_role("button")
    await expect(times).to_have_count(3, timeout=WAIT_MS)
    when = await times.nth(1).inner_text()
    assert re.fullmatch(r"\w+, \d{1,2} \w+ \d{4} at \d\d:00", when.strip()), when
    await times.nth(1).click()
    told = phone.chat.locator("li.bot", has_text=re.compile("closes on " + re.escape(when.strip())))
    await expect(told.filter(has_not=phone.chat.get_by_role("button"))).to_have_count(
        1, timeout=WAIT_MS
    )
    await phone.shot("question-kept-open")
    await context.close()
