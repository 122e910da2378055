"""What the playground's browser tests share: Debian's chromium driven by Playwright, a place
for screenshots, a phone-sized screen, and the demo's newcomer joining in Arabic."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator

CHROMIUM = os.environ.get("PANELBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS = Path(__file__).parent / "artifacts" / "playground"
PHONE = {"width": 390, "height": 844}
WAIT_MS = 15_000


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        reason = f"chromium is not installed ({CHROMIUM}); install it: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}. CI must run the browser tests.")
        pytest.skip(reason)
    from playwright.async_api import async_playwright, expect

    # Under CI both engines' suites share two cores: give every check the same patience.
    expect.set_options(timeout=WAIT_MS)

    async with async_playwright() as driver:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        # --disable-dev-shm-usage: containers often have a tiny /dev/shm.
        launched = await driver.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield launched
        await launched.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Any:
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"\nscreenshots: {folder}")
    count = 0

    async def shot(page: Any, name: str) -> None:
        nonlocal count
        count += 1
        await page.screenshot(path=str(folder / f"{count:02d}-{name}.png"))

    return shot


async def layla_joins_in_arabic(page: Any, chat: Any) -> None:
    """Layla (the demo's newcomer, 1007, chosen in "Chat as") taps through joining in Arabic."""
    from playwright.async_api import expect

    ar = Translator("ar")
    await page.get_by_role("button", name="Start").click()
    await expect(chat).to_contain_text(ar("Which language would you like? Tap one."))
    for label in (
        "العربية",
        ar("Next"),
        ar("Yes, that is OK"),
        ar("Call me {name}", name="Layla"),
        ar("No, thank you"),
        ar("All reminders"),
        ar("Not from 10pm to 8am"),
    ):
        await chat.get_by_role("button", name=label, exact=True).last.click()
        await expect(chat.get_by_role("button", name=label, exact=True)).to_have_count(0)
    await chat.get_by_role("button", name=ar("Done"), exact=True).last.click()
    await chat.get_by_role("button", name=ar("Vouchers"), exact=True).last.click()
    await expect(chat).to_contain_text(ar("All done, {name}!", name="Layla"), timeout=WAIT_MS)
