"""The playground in a real headless browser (Debian's chromium, driven by Playwright): a new
person joins from the invite link, answers a meeting invitation, downloads the calendar file,
sends a photo, and sees a reminder after moving the bot's clock on; a member answers the demo
question and the coordinator sees the demo claim's receipt. Screenshots are kept in
tests/artifacts/playground/ (ignored by git) for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.emulator.driver import TINY_PNG
from bot.i18n import Translator
from bot.playground.server import Playground
from bot.services.poll_answers import Outcome
from handlers.polls.answers import OUTCOMES
from tests.browser_fixtures import PHONE, WAIT_MS, browser, layla_joins_in_arabic, shots
from tests.playground_fixtures import playground

__all__ = ["browser", "playground", "shots"]  # the fixtures, used by name

pytestmark = pytest.mark.browser


async def test_a_new_person_joins_answers_an_invitation_and_sees_a_reminder_after_fast_forward(
    browser: Any, playground: Playground, shots: Any, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    en = Translator("en")
    context = await browser.new_context(viewport=PHONE, accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{playground.url}#1006")  # Sam, who has only the invite link
    chat = page.locator("#messages")
    await expect(page.get_by_label("Chat as")).to_have_value("1006")
    await shots(page, "invite-link")

    await page.get_by_role("button", name="Start").click()
    await expect(chat).to_contain_text(en("Which language would you like? Tap one."))
    for label in (
        "English",
        en("Next"),
        en("Yes, that is OK"),
        en("Call me {name}", name="Sam"),
        en("No, thank you"),
        en("All reminders"),
        en("No, any time is fine"),
    ):
        await chat.get_by_role("button", name=label, exact=True).last.click()
        await expect(chat.get_by_role("button", name=label, exact=True)).to_have_count(0)
    # Ticking an access need changes the buttons in place; the page shows the change. Only the
    # buttons changed, so there is no "(edited)": Telegram's apps do not mark such an edit.
    await chat.get_by_role("button", name=en("Hearing loop"), exact=True).click()
    ticked = page.get_by_role("button", name="✓ " + en("Hearing loop"), exact=True)
    await expect(ticked).to_be_visible()
    await expect(chat.locator("li", has=ticked)).not_to_contain_text("(edited)")
    await shots(page, "ticked-buttons-not-edited")
    await chat.get_by_role("button", name=en("Done"), exact=True).click()
    await chat.get_by_role("button", name=en("Vouchers"), exact=True).click()
    await expect(chat).to_contain_text(en("All done, {name}!", name="Sam"))
    keyboard = page.get_by_role("group", name="Reply keyboard")
    await expect(keyboard.get_by_role("button", name=en("Meetings"))).to_be_visible()
    # The person list says so at once: Sam is a member now, and the invite is no longer offered.
    await expect(page.get_by_label("Chat as").locator("option:checked")).to_have_text(
        "Sam: member, English"
    )
    await expect(page.locator("#person-about")).not_to_contain_text("not joined")
    await expect(page.get_by_role("button", name="Start")).to_be_hidden()

    # Joining brings the invitations to the meetings still to come, with calendar files.
    invitation = chat.locator("li", has_text="Planning day").filter(
        has=page.get_by_role("button", name=en("Coming"))
    )
    await expect(invitation).to_have_count(1, timeout=WAIT_MS)
    await shots(page, "invitation")
    # Keyboard only: the answer buttons are real buttons, reached by focus and pressed with Enter.
    await invitation.get_by_role("button", name=en("Coming")).focus()
    await page.keyboard.press("Enter")
    await expect(invitation).to_contain_text(  # the invitation itself, edited in place
        en("Your answer: {answer}", answer=en("Coming"))
    )
    # Named after the meeting and its day, three days from now.
    named = re.compile(r"planning-day-\d{4}-\d{2}-\d{2}\.ics")
    calendar = chat.get_by_role("link", name=re.compile(f"Download {named.pattern}"))
    async with page.expect_download() as download_info:
        await calendar.click()
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert named.fullmatch(download.suggested_filename)
    assert "SUMMARY:Planning day" in saved.read_text()

    # Keyboard only: type a command and press Enter.
    await page.get_by_label("Message", exact=True).fill("/meetings")
    await page.keyboard.press("Enter")
    await expect(chat.locator("li.me").last).to_have_text("You: /meetings")

    # A photo from the page reaches the bot, which answers it.
    picture = tmp_path / "receipt.png"
    picture.write_bytes(TINY_PNG)
    before = await chat.locator("li.bot").count()
    await page.set_input_files("#photo", str(picture))
    await expect(chat.get_by_role("img", name="The picture you sent")).to_be_visible()
    await expect(chat.locator("li.bot")).not_to_have_count(before, timeout=WAIT_MS)

    # Move the bot's clock on a day at a time until the reminder for the meeting arrives.
    reminder = chat.locator("li.bot", has_text=en("Reminder:")).filter(has_text="Planning day")
    status = page.locator("#clock-status")
    for _ in range(3):
        await status.evaluate("node => { node.textContent = '' }")
        await page.get_by_role("button", name="Forward 1 day").click()
        await expect(status).to_contain_text("The clock moved on")
        try:
            await expect(reminder).to_have_count(1, timeout=2000)
            break
        except AssertionError:
            continue  # not due yet: move on another day
    await expect(reminder).to_have_count(1, timeout=WAIT_MS)
    # Screen readers hear it: new messages are put in a polite live region.
    await expect(page.locator("#announcer[aria-live=polite]")).to_contain_text(
        "Panelbot: " + en("Reminder:")
    )
    await reminder.scroll_into_view_if_needed()
    await shots(page, "reminder")
    await context.close()


async def test_right_to_left_chats_render_right_to_left_on_a_phone_and_a_desktop(
    browser: Any, playground: Playground, shots: Any
) -> None:
    from playwright.async_api import expect

    ur = Translator("ur")
    for name, viewport in (("phone", PHONE), ("desktop", {"width": 1280, "height": 900})):
        context = await browser.new_context(viewport=viewport)
        page = await context.new_page()
        await page.goto(f"{playground.url}#1003")  # Amina writes in Urdu
        invitation = page.locator("#messages li.bot").filter(has_text="Planning day").first
        await expect(invitation).to_have_attribute("dir", "rtl", timeout=WAIT_MS)
        await expect(invitation).to_have_attribute("lang", "ur")  # for the screen reader's voice
        await expect(invitation.get_by_role("button", name=ur("Coming"))).to_be_visible()
        await expect(page.get_by_label("Message", exact=True)).to_have_attribute("dir", "rtl")
        # The whole page fits the screen: nothing to scroll sideways.
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
        await shots(page, f"urdu-{name}")
        # The first Tab reaches the skip link, which takes the keyboard to the message box.
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.get_by_label("Message", exact=True)).to_be_focused()
        # The coordinator can be chosen with the keyboard alone.
        await page.get_by_label("Chat as").focus()
        await page.get_by_label("Chat as").select_option("1001")
        await expect(page.locator("#chat-subtitle")).to_have_text("You are Priya")
        await context.close()


async def test_a_member_answers_the_demo_question_and_the_coordinator_sees_the_claims_receipt(
    browser: Any, playground: Playground, shots: Any
) -> None:
    from playwright.async_api import expect

    en, pl = Translator("en"), Translator("pl")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{playground.url}#1002")  # Agnieszka writes in Polish
    chat = page.locator("#messages")
    question = chat.locator("li.bot", has_text=pl("📊 A question from your panel:"))
    await expect(question).to_have_count(1, timeout=WAIT_MS)
    await question.scroll_into_view_if_needed()
    await shots(page, "question")
    await question.get_by_role("button", name=f"4 {pl('Good')}", exact=True).click()
    # An anonymous answer is held and written later with others' (README, threat model).
    await expect(chat).to_contain_text(pl(OUTCOMES[Outcome.HELD]), timeout=WAIT_MS)
    await expect(question.get_by_role("button")).to_have_count(0, timeout=WAIT_MS)

    await page.get_by_label("Chat as").select_option("1001")  # Priya, the coordinator
    await expect(page.locator("#chat-subtitle")).to_have_text("You are Priya")
    await page.get_by_label("Message", exact=True).fill("/review")
    await page.keyboard.press("Enter")
    assert playground.demo is not None
    caption = en("Receipt for item {n} of claim {claim}", n=1, claim=playground.demo.claim_id)
    picture = page.get_by_role("img", name="A picture from Panelbot")
    receipt = chat.locator("li.bot").filter(has=picture)
    await expect(receipt).to_contain_text(caption, timeout=WAIT_MS)
    await expect(receipt.get_by_role("link", name="Save the picture")).to_be_visible()
    card = chat.locator("li.bot", has_text="Morag").filter(
        has=page.get_by_role("button", name=en("Approve item {n}", n=1))
    )
    await expect(card).to_have_count(1, timeout=WAIT_MS)
    await receipt.scroll_into_view_if_needed()
    await shots(page, "claim-review")
    await context.close()


async def test_mydata_and_forgetme_read_well_on_a_phone_in_english_and_arabic(
    browser: Any, playground: Playground, shots: Any
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    chat = page.locator("#messages")
    message_box = page.get_by_label("Message", exact=True)

    async def send(text: str) -> None:
        await message_box.fill(text)
        await page.keyboard.press("Enter")

    # Morag (Scottish Gaelic in the demo) has a claim with a receipt; Priya speaks English.
    en = Translator("en")
    await page.goto(f"{playground.url}#1001")
    await send("/mydata")
    summary = chat.locator("li.bot", has_text=en("Here is what we keep about you."))
    await expect(summary).to_have_count(1, timeout=WAIT_MS)
    await expect(chat.get_by_role("link", name="Download my-panelbot-data.json")).to_be_visible()
    await summary.scroll_into_view_if_needed()
    await shots(page, "mydata-english")
    await send("/forgetme")
    question = chat.locator("li.bot", has_text=en("If you say yes, we will delete:"))
    await expect(question).to_have_count(1, timeout=WAIT_MS)
    await question.scroll_into_view_if_needed()
    await shots(page, "forgetme-question-english")
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0

    # Layla joins in Arabic, sees her data, and forgets it.
    ar = Translator("ar")
    await page.get_by_label("Chat as").select_option("1007")
    await layla_joins_in_arabic(page, chat)
    await send("/mydata")
    summary = chat.locator("li.bot", has_text=ar("Here is what we keep about you."))
    await expect(summary).to_have_count(1, timeout=WAIT_MS)
    await expect(summary).to_have_attribute("dir", "rtl")
    await expect(summary).to_contain_text(ar("Answers to meeting invitations: {n}", n=0))
    await summary.scroll_into_view_if_needed()
    await shots(page, "mydata-arabic")
    await send("/forgetme")
    question = chat.locator("li.bot", has_text=ar("If you say yes, we will delete:"))
    await expect(question).to_have_count(1, timeout=WAIT_MS)
    await question.scroll_into_view_if_needed()
    await shots(page, "forgetme-question-arabic")
    await question.get_by_role("button", name=ar("Yes, delete everything")).click()
    done = chat.locator("li.bot", has_text=ar("Done. We deleted your data."))
    await expect(done).to_have_count(1, timeout=WAIT_MS)
    await done.scroll_into_view_if_needed()
    await shots(page, "forgetme-done-arabic")
    await context.close()
