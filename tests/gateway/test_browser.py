"""A new user in headless Chromium (Debian's build, driven by Playwright) against the real app served
on 127.0.0.1: searches in Japanese and English, uses autocomplete, a facet and paging, opens a
detail page, switches language and fills the cart. Screenshots go to test-artifacts/screenshots/.

If the browser cannot start, this test fails: pages are tested in a real browser or not at all.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from fixtures.browser import chromium, served, shot
from gateway.app import create_app
from schemas.settings import Settings

from .conftest import TEST_LIMITS


@pytest.fixture
async def base_url(gw_settings: Settings) -> AsyncIterator[str]:
    """The real app on a free loopback port."""
    async with served(create_app(gw_settings, limits=TEST_LIMITS)) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium."""
    async with chromium() as launched:
        yield launched


async def search(page: Page, text: str) -> None:
    box = page.locator("#q")
    await box.fill(text)
    await box.press("Enter")
    await page.wait_for_load_state("domcontentloaded")


async def test_a_new_user_searches_filters_pages_and_fills_the_cart(base_url: str, browser: Browser) -> None:
    context = await browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    await page.goto(base_url + "/")
    await expect(page.locator("html")).to_have_attribute("lang", "ja")
    await page.keyboard.press("Tab")
    await expect(page.locator(".skip-link")).to_be_focused()

    # Japanese query: synonyms and per-character matching find the diabetic mouse models.
    await search(page, "マウス 糖尿病")
    results = page.locator("ol.groups > li")
    await expect(results.first).to_be_visible()
    await expect(page.locator("ol.groups")).to_contain_text(re.compile("糖尿病|diabet"))
    await shot(page, "search-ja")

    # Autocomplete fills the datalist as the user types.
    await page.locator("#q").fill("")
    await page.locator("#q").press_sequentially("hel", delay=30)
    await expect(page.locator("#q-suggestions option[value='HeLa']")).to_have_count(1)

    # English query: one entity, holdings at two institutions.
    await search(page, "HeLa")
    first = results.first
    await expect(first.locator("h3")).to_contain_text("HeLa")
    await expect(first.locator("mark").first).to_have_text(re.compile("hela", re.IGNORECASE))
    await expect(first.locator("table.holdings tbody tr")).to_have_count(2)

    # A facet link adds a filter.
    await page.locator("aside.facets a.facet-link", has_text="JCRB").first.click()
    await expect(page).to_have_url(re.compile(r"institution=jcrb"))
    await expect(page.locator("a.facet-link.selected")).to_have_count(1)
    await shot(page, "search-facet")

    # Removing the filter, then paging with the cursor.
    await page.locator("a.facet-link.selected").click()
    await expect(page).not_to_have_url(re.compile(r"institution="))
    await search(page, "mouse")
    first_titles = await results.locator("h3").all_inner_texts()
    await page.locator("#next-page").click()
    await expect(page).to_have_url(re.compile(r"cursor="))
    second_titles = await results.locator("h3").all_inner_texts()
    assert second_titles and not set(first_titles) & set(second_titles)
    await shot(page, "search-page-2")

    # Detail page, then the language switch.
    await search(page, "HeLa")
    await results.first.locator("h3 a").click()
    await expect(page.locator("h1")).to_have_text("HeLa")
    await expect(page.locator(".resource")).to_contain_text("JCRB9004")
    await shot(page, "detail-ja")
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#add-to-cart")).to_have_text("Add to cart")
    await shot(page, "detail-en")

    # Two resources from two institutions into the cart.
    await page.locator("#add-to-cart").click()
    await expect(page.locator("#cart-count")).to_have_text("1")
    await page.locator("table.holdings a", has_text="JCRB9004").click()
    await expect(page.locator("h1")).to_have_text("HeLa")
    await page.locator("#add-to-cart").click()
    await expect(page.locator("#cart-count")).to_have_text("2")
    await page.locator("#cart-link").click()
    await expect(page.locator(".cart-group")).to_have_count(2)
    await shot(page, "cart")

    await page.goto(base_url + "/institutions/riken-brc")
    await shot(page, "institution")
    await page.goto(base_url + "/api/docs")
    await shot(page, "api-docs")
    assert not problems, problems
    await context.close()
