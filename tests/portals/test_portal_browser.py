"""The staff pages with real harvest runs, quarantined records and requests, in headless Debian
Chromium at 375 px and 1280 px, in Japanese and English: axe-core finds no serious or critical
violation, table cells never break a word at 1280 px, a phone can still read every column (the table
scrolls, the page does not), and the Japanese pages name outcomes, modes and reasons in words."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page

from fixtures.browser import axe_violations, broken_words, chromium, served, shot, ui_text
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.settings import Settings

from .conftest import PASSWORD, RIKEN_SOURCE, Staff

WIDTHS = {"phone": (375, 740), "desktop": (1280, 900)}
RAW = re.compile(r"(?<![\w@.-])(published|updated|held|incremental|full|missing_name|invalid_id|malformed|"
                 r"under_review|approved|rejected)(?![\w@.-])")


@pytest.fixture
async def base_url(pt_settings: Settings) -> AsyncIterator[str]:
    """The real app on a free loopback port."""
    async with served(create_app(pt_settings, limits=GatewayLimits(rate=10_000.0, burst=100_000))) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium."""
    async with chromium() as launched:
        yield launched


async def login(page: Page, base_url: str, username: str) -> None:
    await page.goto(f"{base_url}/portal/login")
    await page.fill("#f-username", username)
    await page.fill("#f-password", PASSWORD)
    await page.click("#login")
    await page.wait_for_load_state("domcontentloaded")


async def test_staff_pages_read_well_on_desktop_and_phone(base_url: str, browser: Browser,
                                                          pt_staff: dict[str, Staff]) -> None:
    found: dict[str, list[str]] = {}
    for lang in ("ja", "en"):
        for width, (w, h) in WIDTHS.items():
            context = await browser.new_context(locale="ja-JP" if lang == "ja" else "en-GB",
                                                viewport={"width": w, "height": h}, bypass_csp=True,
                                                timezone_id="Asia/Tokyo")
            context.set_default_timeout(10_000)
            page = await context.new_page()
            await login(page, base_url, pt_staff["admin"].username)
            for name, url in (("harvest-health", "/portal/harvests"),
                              ("rejections", f"/portal/harvests/{RIKEN_SOURCE}/rejections"),
                              ("portal-inbox-full", "/portal/"), ("dashboard-full", "/admin")):
                await page.goto(f"{base_url}{url}?lang={lang}")
                await shot(page, f"ui-{name}-{lang}-{width}")
                found[f"{name} {lang} {width}"] = await axe_violations(page)
                if width == "desktop":
                    assert await broken_words(page) == [], (name, lang)
                else:  # the page itself never scrolls sideways; wide tables scroll in their own box
                    assert await page.evaluate("document.documentElement.scrollWidth") <= w, (name, lang)
                if lang == "ja":
                    raw = RAW.findall(await ui_text(page))
                    assert not raw, (name, width, raw)
            await context.close()
    assert {page: problems for page, problems in found.items() if problems} == {}
