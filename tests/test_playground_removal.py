"""In the playground, on a phone-sized screen: the coordinator removes a member from the /members
list in English and then in Arabic, and the member removed (who writes in Urdu) reads why in her
own language. Screenshots are kept in tests/artifacts/playground/ (ignored by git)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import Translator
from bot.playground.server import Playground
from tests.playground_fixtures import playground
from tests.test_playground_browser import PHONE, WAIT_MS, browser, shots

__all__ = ["browser", "playground", "shots"]  # the fixtures, used by name

pytestmark = pytest.mark.browser


async def _remove(page: Any, t: Translator, name: str, shots: Any, label: str) -> None:
    from playwright.async_api import expect

    chat = page.locator("#messages")
    await page.get_by_label("Message", exact=True).fill("/members")
    await page.keyboard.press("Enter")
    way_in = chat.get_by_role("button", name=t("Remove someone from the panel"), exact=True)
    await expect(way_in).to_have_count(1, timeout=WAIT_MS)
    await way_in.click()
    await expect(chat).to_contain_text(t("Who should leave the panel? Tap a name."))
    await chat.locator("li.bot").last.scroll_into_view_if_needed()
    await shots(page, f"{label}-names")
    await chat.get_by_role("button", name=name, exact=True).last.click()
    question = t("Remove {name} from {panel}?", name=name, panel="Carers Voice")
    await expect(chat).to_contain_text(question)
    await chat.locator("li.bot").last.scroll_into_view_if_needed()
    await shots(page, f"{label}-are-you-sure")
    await chat.get_by_role("button", name=t("Yes, remove {name}", name=name), exact=True).click()
    done = t("{name} is no longer in {panel}. We told them.", name=name, panel="Carers Voice")
    await expect(chat).to_contain_text(done)
    await chat.locator("li.bot").last.scroll_into_view_if_needed()
    await shots(page, f"{label}-done")


async def test_the_coordinator_removes_members_in_english_and_arabic(
    browser: Any, playground: Playground, shots: Any
) -> None:
    from playwright.async_api import expect

    en, ar, ur = Translator("en"), Translator("ar"), Translator("ur")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{playground.url}#1001")  # Priya, the coordinator
    await expect(page.locator("#chat-subtitle")).to_have_text("You are Priya")
    await _remove(page, en, "Amina", shots, "english")

    # Amina writes in Urdu: she is told in Urdu, right to left.
    await page.get_by_label("Chat as").select_option("1003")
    notice = page.locator("#messages li.bot").filter(
        has_text=ur("You are no longer in {panel}.", panel="Carers Voice")
    )
    await expect(notice).to_have_count(1, timeout=WAIT_MS)
    await expect(notice).to_have_attribute("dir", "rtl")
    await expect(notice).to_contain_text(
        ur("We keep your expense claims. Money we owe you will still be paid.")
    )
    await notice.scroll_into_view_if_needed()
    await shots(page, "urdu-member-told")

    # Priya switches to Arabic and removes Rhys.
    await page.get_by_label("Chat as").select_option("1001")
    await page.get_by_label("Message", exact=True).fill("/language")
    await page.keyboard.press("Enter")
    await page.locator("#messages").get_by_role("button", name="العربية").last.click()
    await expect(page.locator("#messages li.bot").last).to_have_attribute("dir", "rtl")
    await _remove(page, ar, "Rhys", shots, "arabic")
    await context.close()
