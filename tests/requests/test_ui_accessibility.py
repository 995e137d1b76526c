"""Every page type in headless Debian Chromium at 375 px and 1280 px, in Japanese and English: axe-core
(vendored in tests/data/axe) finds no serious or critical violation, results come first on a phone and
are reached by keyboard in a few Tab presses, the Japanese UI shows no raw code, and Withdraw and
Reject ask for confirmation. Screenshots of each page go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from fixtures.browser import axe_violations, broken_words, chromium, served, shot, ui_text
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.settings import Settings

PASSWORD = "correct horse battery staple"
WIDTHS = {"phone": (375, 740), "desktop": (1280, 900)}
#: Raw codes and English words that must never show in the Japanese UI.
RAW = re.compile(r"(?<![\w@.-])(under_review|email_verified|needs_information|missing_id|invalid_id|published|held|"
                 r"institutional|requester|staff|on_request|full|incremental|Approved|Rejected|Withdrawn|"
                 r"Under review|(?:account|institution|webhook)\.[a-z]+)(?![\w@.-])|メールの言語: en|材料・")


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


async def context_for(browser: Browser, lang: str, width: str) -> BrowserContext:
    w, h = WIDTHS[width]
    context = await browser.new_context(locale="ja-JP" if lang == "ja" else "en-GB", viewport={"width": w, "height": h},
                                        bypass_csp=True, timezone_id="Asia/Tokyo")  # only so axe-core can be injected
    context.set_default_timeout(10_000)
    return context


async def login(page: Page, base_url: str, username: str) -> None:
    await page.goto(f"{base_url}/portal/login")
    await page.fill("#f-username", username)
    await page.fill("#f-password", PASSWORD)
    await page.click("#login")
    await page.wait_for_load_state("domcontentloaded")


async def submit_request(browser: Browser, base_url: str, flow: Any, mailer: Any, smtp: Any) -> str:
    """A researcher sends one request for two institutions; the address of their status page."""
    email = f"a11y-{secrets.token_hex(4)}@lab.example"
    context = await context_for(browser, "en", "desktop")
    page = await context.new_page()
    for rid in (flow.HELA_RIKEN, flow.HELA_JCRB):
        await page.goto(f"{base_url}/resources/{rid}")
        await page.click("#add-to-cart")
        # Added without losing the place: back on the same resource, told so where the button was.
        await expect(page).to_have_url(re.compile(r"#cart-status$"))
        await expect(page.locator("#cart-notice")).to_be_visible()
    await page.goto(f"{base_url}/requests/new")
    for field, value in flow.form(email, "ja").items():
        if field not in ("language", "website"):
            await page.fill(f"#f-{field}", value)
    await page.check("#f-agree_riken-brc")
    await page.check("#f-agree_jcrb")
    await page.select_option("#f-language", "ja")
    await page.click("#submit-request")
    await mailer.deliver_pending()
    [mail] = smtp.inbox.to(email)
    await page.goto(base_url + flow.link_in(mail, "verify"))
    await page.click("#confirm-email")  # opening the link alone confirms nothing
    await page.wait_for_load_state("domcontentloaded")
    url = page.url.split("?")[0]
    await context.close()
    return url


async def test_every_page_type_is_accessible_in_both_languages_and_widths(
        base_url: str, browser: Browser, flow: Any, mailer: Any, smtp: Any, staff: Any) -> None:
    track = await submit_request(browser, base_url, flow, mailer, smtp)
    found: dict[str, list[str]] = {}
    for lang in ("ja", "en"):
        for width in WIDTHS:
            context = await context_for(browser, lang, width)
            page = await context.new_page()

            async def check(name: str, url: str | None = None, *, lang: str = lang, width: str = width,
                            page: Page = page) -> None:
                if url is not None:
                    await page.goto(base_url + url)
                await page.wait_for_load_state("domcontentloaded")
                await shot(page, f"ui-{name}-{lang}-{width}")
                found[f"{name} {lang} {width}"] = await axe_violations(page)
                if width == "desktop":
                    assert await broken_words(page) == [], name
                if lang == "ja":
                    text = await ui_text(page)
                    raw = RAW.findall(text)
                    assert not raw, (name, width, raw)

            await check("search", f"/?lang={lang}")
            await check("results", f"/?q=HeLa&lang={lang}")
            await check("zero-results", f"/?q=zzqxvw&lang={lang}")
            await check("detail", f"/resources/{flow.HELA_RIKEN}?lang={lang}")
            await page.click("#add-to-cart")
            await check("cart", f"/cart?lang={lang}")
            await page.goto(f"{base_url}/requests/new?lang={lang}")
            await page.click("#submit-request")
            await expect(page.locator("#form-errors")).to_be_focused()
            await expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
            await page.click("#form-errors a[href='#f-name']")
            await expect(page.locator("#f-name")).to_be_focused()
            await check("request-form-errors")
            await check("tracking", track.removeprefix(base_url) + f"?lang={lang}")
            await login(page, base_url, staff["riken"].username)
            await check("portal-inbox", f"/portal/?lang={lang}")
            await page.locator("table.inbox a", has_text="-riken-brc").first.click()
            await check("portal-detail")
            await check("harvest-health", f"/portal/harvests?lang={lang}")
            await context.clear_cookies()
            await login(page, base_url, staff["admin"].username)
            await check("dashboard", f"/admin?lang={lang}")
            await context.close()
    assert {page: problems for page, problems in found.items() if problems} == {}


async def test_on_a_phone_results_come_first_and_the_keyboard_reaches_them(base_url: str, browser: Browser) -> None:
    for lang in ("ja", "en"):
        context = await context_for(browser, lang, "phone")
        page = await context.new_page()
        await page.goto(f"{base_url}/?q=mouse&lang={lang}")
        first = page.locator("ol.groups > li h3 a").first
        box = await first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= WIDTHS["phone"][1], box
        await expect(page.locator("#filters-drawer")).not_to_have_attribute("open", "")
        for _press in range(5):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.id") == "skip-results":
                await page.keyboard.press("Enter")
            if await first.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError("the first result is more than 5 Tab presses away")
        await context.close()


async def test_withdraw_and_reject_ask_for_confirmation(base_url: str, browser: Browser, flow: Any, mailer: Any,
                                                        smtp: Any, staff: Any) -> None:
    track = await submit_request(browser, base_url, flow, mailer, smtp)
    context = await context_for(browser, "ja", "phone")
    page = await context.new_page()
    await page.goto(track)
    await page.click("#withdraw-jcrb")
    await expect(page.locator("#confirm-title")).to_be_focused()
    await expect(page.locator("#confirm-yes")).to_have_class(re.compile("danger"))
    await page.click("#confirm-cancel")
    await expect(page.locator("#req-jcrb [data-status=email_verified]")).to_have_count(1)
    await page.click("#withdraw-jcrb")
    await page.click("#confirm-yes")
    await expect(page.locator("#req-jcrb [data-status=withdrawn]")).to_have_text("取り下げ")
    await shot(page, "ui-withdrawn-ja-phone")

    await login(page, base_url, staff["riken"].username)
    await page.locator("table.inbox a", has_text="-riken-brc").first.click()
    await page.click("#action-start_review")
    await expect(page.locator("#status")).to_have_text("審査中")
    await expect(page.locator("#action-reject")).to_have_class(re.compile("danger"))
    await page.fill("#f-comment", "今年度は提供できません。")
    await page.click("#action-reject")
    await expect(page.locator("#confirm-title")).to_be_visible()
    await page.click("#confirm-cancel")
    await expect(page.locator("#status")).to_have_text("審査中")
    await page.fill("#f-comment", "今年度は提供できません。")
    await page.click("#action-reject")
    await shot(page, "ui-reject-confirm-ja-phone")
    await page.click("#confirm-yes")
    await expect(page.locator("#status")).to_have_text("却下")
    await context.close()
