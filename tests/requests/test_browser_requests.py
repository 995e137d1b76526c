"""The usage-request paths in headless Chromium (Debian's build, driven by Playwright) against the
real app on 127.0.0.1: a researcher fills the cart, sends the form, follows the emailed link and sees
the status page; a staff member logs in, opens the inbox and approves. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from fixtures.browser import chromium, served, shot
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.settings import Settings


@pytest.fixture
async def base_url(rq_settings: Settings) -> AsyncIterator[str]:
    """The real app on a free loopback port."""
    async with served(create_app(rq_settings, limits=GatewayLimits(rate=10_000.0, burst=100_000))) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium."""
    async with chromium() as launched:
        yield launched


async def new_page(browser: Browser, problems: list[str], locale: str) -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page


async def test_researcher_and_staff_paths_in_chromium(base_url: str, browser: Browser, flow: Any, mailer: Any,
                                                      smtp: Any, staff: Any) -> None:
    problems: list[str] = []
    researcher = "browser.researcher@lab.example"
    page = await new_page(browser, problems, "en-GB")
    for rid in (flow.HELA_RIKEN, flow.HELA_JCRB):
        await page.goto(f"{base_url}/resources/{rid}?lang=en")
        await page.click("#add-to-cart")
    await page.goto(f"{base_url}/cart")
    await expect(page.locator("#cart-count")).to_have_text("2")
    await shot(page, "requests-01-cart")
    await page.click("#request-link")
    await expect(page.locator("h1")).to_have_text("Usage request")
    await page.click("#submit-request")  # empty: every required field is flagged, nothing is lost
    await expect(page.locator("#form-errors")).to_be_visible()
    await expect(page.locator("#e-name")).to_have_text("This field is required.")
    for field, value in flow.form(researcher, "en").items():
        if field in ("language", "website"):
            continue
        await page.fill(f"#f-{field}", value)
    await page.check("#f-agree_riken-brc")
    await page.check("#f-agree_jcrb")
    await page.select_option("#f-language", "en")
    await shot(page, "requests-02-form")
    await page.click("#submit-request")
    await expect(page.locator("#sent-notice")).to_contain_text(researcher)
    await shot(page, "requests-03-sent")

    await mailer.deliver_pending()
    [verify_mail] = smtp.inbox.to(researcher)
    await page.goto(base_url + flow.link_in(verify_mail, "verify"))
    await page.click("#confirm-email")  # opening the link alone confirms nothing
    await expect(page.locator("#notice")).to_be_visible()
    await expect(page.locator("[data-status=email_verified]")).to_have_count(2)
    await shot(page, "requests-04-status")

    desk = await new_page(browser, problems, "ja-JP")
    await desk.goto(f"{base_url}/portal/")
    await expect(desk).to_have_url(re.compile(r"/portal/login\?next="))
    await desk.fill("#f-username", staff["riken"].username)
    await desk.fill("#f-password", "correct horse battery staple")
    await desk.click("#login")
    await expect(desk.locator("h1")).to_have_text("利用申請")
    row = desk.locator("table.inbox a", has_text="-riken-brc").first
    await shot(desk, "requests-05-inbox")
    await row.click()
    await desk.click("#action-start_review")
    await expect(desk.locator("#status")).to_have_text("審査中")
    await desk.fill("#f-comment", "MTA を確認しました。")
    await desk.click("#action-approve")
    await expect(desk.locator("#status")).to_have_text("承認")
    await shot(desk, "requests-06-approved")

    await page.reload()
    await expect(page.locator("#req-riken-brc [data-status=approved]")).to_have_text("Approved")
    # The one expected console line: the empty form answered 400 (shown again with its errors).
    assert [p for p in problems if "status of 400" not in p] == [], problems
