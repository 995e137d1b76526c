"""Result cards and the pager on a catalog where one material has 56 holdings (the "rice" page that
used to list them all): five holdings per card with a link to the rest, a light page, and page
numbers that reach the same results as the next links. HTML over the real app, then Chromium."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch
from playwright.async_api import Browser, expect

from fixtures.browser import chromium, served, shot
from fixtures.corpus import RICE, make_resource
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from schemas.resource import LocalizedText, Resource
from schemas.settings import Settings

from .conftest import TEST_LIMITS

Client = TestClient[Any, Any]
HTML = {"Accept": "text/html"}
INSTITUTIONS = ["naro", "riken-brc", "jcrb", "nies"]


def rice_catalog() -> list[Resource]:
    """Sasanishiki held 56 times (one material), and 60 other rice lines of one holding each."""
    desc = LocalizedText(ja="イネ品種「ササニシキ」。東北地方の在来系統に由来する。", en="Rice cultivar Sasanishiki, a Tohoku landrace line.")
    out = [make_resource(institution=INSTITUTIONS[i % 4], catalog_id=f"SASA{i:03d}", resource_type="plant", species=RICE,
                         name="Sasanishiki", synonyms=["ササニシキ"], description=desc) for i in range(56)]
    out += [make_resource(institution="naro", catalog_id=f"LINE{i:03d}", resource_type="plant", species=RICE,
                          name=f"Tsukuba rice line {i:02d}", description=LocalizedText(en=f"Rice breeding line number {i}."))
            for i in range(60)]
    return out


@pytest.fixture(scope="module")
async def rice_settings(es: AsyncElasticsearch, settings: Settings) -> Settings:
    prefix = f"{settings.es.index_prefix}-rice"
    await publish_corpus(es, prefix, rice_catalog())
    return settings.model_copy(update={"es": settings.es.model_copy(update={"index_prefix": prefix})})


@pytest.fixture
async def rice(rice_settings: Settings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(rice_settings, limits=TEST_LIMITS))) as client:
        yield client


async def get(client: Client, url: str) -> str:
    response = await client.get(url, headers=HTML)
    text = await response.text()
    assert response.status == 200, text[:300]
    return text


def result_links(text: str) -> list[str]:
    return re.findall(r'<h3><a href="(/resources/[^"]+)"', text)


def link(text: str, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', text)
    assert found, f"no {rel} link"
    return html.unescape(found.group(1))


async def test_a_card_lists_five_holdings_and_links_the_others(rice: Client) -> None:
    text = await get(rice, "/?q=Sasanishiki&lang=en")
    card = text[text.index('<li class="group">'):text.index("</li>", text.index('<li class="group">'))]
    assert card.count("<tr><td>") == 5
    more = re.search(r'<p class="more-holdings"><a href="([^"]+)">\+ 51 more holdings', card)
    assert more and more.group(1).endswith("#other-holdings")
    entity_page = await get(rice, html.unescape(more.group(1)).split("#")[0])
    assert len(set(re.findall(r"SASA\d{3}", entity_page))) == 56  # every holding: the record and the 55 others
    ja = await get(rice, "/?q=ササニシキ&lang=ja")
    assert "ほか 51 件の保有" in ja


async def test_a_page_of_twenty_results_stays_under_40_kb(rice: Client) -> None:
    text = await get(rice, "/?q=rice&sort=name&lang=en")  # Sasanishiki first, then 19 lines
    assert len(result_links(text)) == 20 and "+ 51 more holdings" in text
    assert len(text.encode()) <= 40 * 1024, len(text.encode())


async def test_the_pager_numbers_pages_and_a_number_reaches_what_next_links_reach(rice: Client) -> None:
    first = await get(rice, "/?q=rice&page_size=5&lang=en")  # 61 materials: 13 pages
    nav = first[first.index('<nav class="pager" aria-label="Pages">'):first.index("</nav>", first.index('class="pager"'))]
    assert '<span aria-current="page" aria-label="Page 1">1</span>' in nav
    assert re.findall(r'aria-label="Page (\d+)"', nav) == ["1", "2", "3", "13"] and "…" in nav
    second = await get(rice, link(first, "next"))
    third = await get(rice, link(second, "next"))
    assert '<span aria-current="page" aria-label="Page 3">3</span>' in third
    page_three = re.search(r'<a href="([^"]+)" aria-label="Page 3">3</a>', first)
    assert page_three
    jumped = await get(rice, html.unescape(page_three.group(1)))
    assert result_links(jumped) == result_links(third) and len(result_links(jumped)) == 5
    assert '<span aria-current="page" aria-label="Page 3">3</span>' in jumped
    six = await get(rice, "/?q=rice&page_size=5&page=6&lang=en")
    assert re.findall(r'aria-label="Page (\d+)"', six) == ["1", "4", "5", "6", "7", "8", "13"]
    assert result_links(await get(rice, link(six, "prev"))) == result_links(await get(rice, "/?q=rice&page_size=5&page=5"))


async def test_a_page_number_past_the_window_is_a_clear_400(rice: Client) -> None:
    response = await rice.get("/api/search", params={"q": "rice", "page": "9999"})
    assert response.status == 400
    body = await response.json(content_type=None)
    assert "page numbers end at page 500" in str(body)


@pytest.fixture
async def rice_url(rice_settings: Settings) -> AsyncIterator[str]:
    async with served(create_app(rice_settings, limits=TEST_LIMITS)) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_in_a_browser_page_three_by_number_equals_next_twice(rice_url: str, browser: Browser) -> None:
    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.goto(rice_url + "/?q=rice&page_size=5&lang=en")
    pager = page.get_by_role("navigation", name="Pages")
    await expect(pager.locator('[aria-current="page"]')).to_have_text("1")
    await page.locator("#next-page").click()
    await page.locator("#next-page").click()
    await expect(pager.locator('[aria-current="page"]')).to_have_text("3")
    by_next = await page.locator("ol.groups h3").all_inner_texts()
    await page.goto(rice_url + "/?q=rice&page_size=5&lang=en")
    await page.get_by_role("link", name="Page 3", exact=True).click()
    await expect(page).to_have_url(re.compile(r"page=3"))
    await expect(page.get_by_role("navigation", name="Pages").locator('[aria-current="page"]')).to_have_text("3")
    assert await page.locator("ol.groups h3").all_inner_texts() == by_next and len(by_next) == 5
    await expect(page.locator("ol.groups li.group").first.locator("table.holdings tbody tr")).to_have_count(1)
    await shot(page, "search-pager-page-3")
    await context.close()
