"""The playground on a phone-sized screen (390x844): the hints and clock stay on screen, calendar
days stay whole, and an Arabic member leaves a claim for the menu, carries on, goes Back and
stops. Screenshots are kept in tests/artifacts/playground/ (ignored by git)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.i18n import Translator
from bot.playground.server import Playground
from tests.browser_fixtures import PHONE, WAIT_MS, browser, layla_joins_in_arabic, shots
from tests.playground_fixtures import playground
from tests.test_playground_state import reminder_start

__all__ = ["browser", "playground", "shots"]  # the fixtures, used by name

pytestmark = pytest.mark.browser


def _in_view(box: dict[str, float] | None) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


async def test_on_a_phone_the_hints_and_clock_are_on_screen_and_calendar_days_stay_whole(
    browser: Any, playground: Playground, shots: Any
) -> None:
    """At 390x844 without scrolling: who you are with its hint, the clock with its buttons and
    its hint, and the message box. The date picker's two-digit days stay on one line. Moving the
    clock on a week stops at each reminder due on the way and says where it stopped."""
    from playwright.async_api import expect

    en = Translator("en")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{playground.url}#1001")  # Priya, the coordinator
    await expect(page.locator("#chat-subtitle")).to_have_text("You are Priya")
    hint = page.locator("#person-about")
    await expect(hint).to_contain_text("coordinator")
    on_screen = (
        hint,
        page.locator("#clock-hint"),
        page.get_by_role("button", name="Forward 1 hour"),
        page.get_by_role("button", name="Forward 1 day"),
        page.get_by_role("button", name="Forward 1 week"),
        page.get_by_label("Message", exact=True),
    )
    for control in on_screen:
        await expect(control).to_be_visible()
        assert _in_view(await control.bounding_box()), f"{control} is off the screen"
    assert await page.evaluate("window.scrollY") == 0
    await shots(page, "phone-first-screen")

    # The date picker: a month of day buttons, seven to a row.
    await page.get_by_label("Message", exact=True).fill("/newmeeting")
    await page.keyboard.press("Enter")
    chat = page.locator("#messages")
    await expect(chat).to_contain_text(en("What is the meeting called? Type a short title."))
    await page.get_by_label("Message", exact=True).fill("Garden party")
    await page.keyboard.press("Enter")
    calendar = chat.locator("li.bot").last
    await expect(calendar.get_by_role("button", name="Mon", exact=True)).to_be_visible()
    days = calendar.locator(".inline-keyboard button")
    lines = await days.evaluate_all(
        """buttons => buttons.filter(b => /^[0-9]{2}$/.test(b.textContent)).map(b => {
            const range = document.createRange();
            range.selectNodeContents(b);
            return [b.textContent, range.getClientRects().length];
        })"""
    )
    assert lines and all(count == 1 for _, count in lines), f"days broken over lines: {lines}"
    await shots(page, "date-picker")
    await chat.get_by_role("button", name=en("Stop"), exact=True).last.click()

    # A week on passes the planning day's reminders: the clock stops at each, and Agnieszka
    # gets both the day-before and the two-hours-before one, in Polish.
    await page.get_by_label("Chat as").select_option("1002")
    await expect(page.locator("#chat-subtitle")).to_have_text("You are Agnieszka")
    status = page.locator("#clock-status")
    await page.get_by_role("button", name="Forward 1 week").click()
    await expect(status).to_contain_text("The clock moved on 1 week. It stopped")
    assert _in_view(await status.bounding_box())
    # Case-sensitive: the online catch-up's reminder asks "How did the planning day go?".
    starts = re.compile("^" + re.escape(reminder_start(Translator("pl"))))
    reminders = chat.locator("li.bot .text").filter(has_text=starts)
    await expect(reminders).to_have_count(2, timeout=WAIT_MS)
    await shots(page, "forward-a-week")
    # "When" lists the moments the clock stopped, each with what it sent.
    await page.get_by_text("When", exact=True).click()
    stops = page.locator("#clock-stops-list li")
    await expect(stops.first).to_be_visible()
    assert await stops.count() >= 2
    await shots(page, "forward-a-week-when")
    await reminders.last.scroll_into_view_if_needed()
    await shots(page, "reminders")
    await context.close()


async def test_an_arabic_member_leaves_a_claim_for_the_menu_carries_on_goes_back_and_stops(
    browser: Any, playground: Playground, shots: Any
) -> None:
    """The form engine's rules as a phone shows them, right to left: a menu tap mid-claim does
    what it says and keeps the claim, "Carry on" brings it back, Back goes to the question
    before, /cancel stops it with the menu back."""
    from playwright.async_api import expect

    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    chat = page.locator("#messages")
    message_box = page.get_by_label("Message", exact=True)

    async def send(text: str) -> None:
        await message_box.fill(text)
        await page.keyboard.press("Enter")

    async def shot(name: str) -> None:
        await chat.locator("li").last.scroll_into_view_if_needed()
        await shots(page, name)

    ar = Translator("ar")
    await page.goto(f"{playground.url}#1007")
    await layla_joins_in_arabic(page, chat)

    await send(ar("Expenses"))
    first = chat.locator("li.bot").last
    await expect(first.get_by_role("button", name=ar("Stop"), exact=True)).to_be_visible()
    choices = first.get_by_role("button")
    await choices.first.click()  # the first answer offered, whatever it is
    second = chat.locator("li.bot").last
    await expect(second.get_by_role("button", name=ar("Back"), exact=True)).to_be_visible()
    await expect(second).to_have_attribute("dir", "rtl")
    question = await second.inner_text()
    await shot("claim-second-question-back-and-stop")

    await send(ar("Meetings"))
    await expect(chat).to_contain_text(
        ar("Your claim is saved. Tap Expenses to carry on with it."), timeout=WAIT_MS
    )
    await shot("menu-tap-keeps-the-claim")
    await send(ar("Expenses"))
    offer = chat.get_by_role("button", name=ar("Carry on"), exact=True).last
    await expect(offer).to_be_visible()
    await shot("carry-on-offered")
    await offer.click()
    again = chat.locator("li.bot").last
    await expect(again.get_by_role("button", name=ar("Back"), exact=True)).to_be_visible()
    assert (await again.inner_text()).split("\n")[0] == question.split("\n")[0]

    await again.get_by_role("button", name=ar("Back"), exact=True).click()
    await expect(chat.locator("li.bot").last.get_by_role("button", name=ar("Back"))).to_have_count(
        0
    )  # the first question: Stop only
    await shot("back-to-the-first-question")
    await send("/cancel")
    await expect(chat).to_contain_text(ar("OK. Your claim was not sent."), timeout=WAIT_MS)
    await shot("cancel-stops-the-claim")
    await context.close()
