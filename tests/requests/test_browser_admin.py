"""The administrator's part in headless Chromium against the real app: a sixth institution is
added in the admin pages and its staff member invited (the invitation read from the loopback SMTP
server); an adapter for the institution harvests into Elasticsearch; search shows the institution's
name in the page's language; a researcher's request to it reaches its contact address while no
staff account is active; the invited staff member sets a password, logs in and finds the request."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from elasticsearch import AsyncElasticsearch
from playwright.async_api import Browser, Page, expect

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import SourceSpec, harvest_all
from biocross.mailer import Mailer
from desk.accounts import AccountStore
from fixtures.browser import chromium, served, shot
from fixtures.samples.servers import csv_app
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from indexer.store import ensure_system_indices
from schemas.accounts import StaffRole
from schemas.harvest import HarvestMode
from schemas.settings import Settings

ADMIN_PASSWORD = "the consortium's own admin passphrase"
NAME_JA, NAME_EN = "産業技術総合研究所 細胞資源ユニット", "AIST Cell Resource Unit"
CONTACT, STAFF_MAIL = "requests@aist-cells.example", "mika@aist-cells.example"
TOML = """
[adapters.aist-algae]
type = "csv"
institution = "aist-cells"
endpoint = "{url}/export.csv"
[adapters.aist-algae.header_aliases]
id = ["株番号"]
name = ["和名"]
[adapters.aist-algae.mapping]
catalog_id = "id"
name = "name"
resource_type = {{ const = "algae" }}
"""


@pytest.fixture
async def b_settings(es: AsyncElasticsearch, rq_settings: Settings) -> Settings:
    prefix = f"{rq_settings.es.index_prefix}-badm"
    settings = rq_settings.model_copy(update={"es": rq_settings.es.model_copy(update={"index_prefix": prefix})})
    await ensure_system_indices(es, prefix)
    await AccountStore(es, prefix).add("head", "head@consortium.example", StaffRole.ADMIN, ADMIN_PASSWORD)
    return settings


@pytest.fixture
async def source() -> AsyncIterator[str]:
    runner = web.AppRunner(csv_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def new_page(browser: Browser, problems: list[str], locale: str) -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page


async def test_admin_adds_an_institution_invites_its_staff_and_requests_reach_it(
        b_settings: Settings, es: AsyncElasticsearch, source: str, smtp: Any, flow: Any) -> None:
    mailer = Mailer.build(b_settings, es)
    problems: list[str] = []
    async with served(create_app(b_settings, limits=GatewayLimits(rate=10_000.0, burst=100_000))) as base, \
            chromium() as browser:
        admin = await new_page(browser, problems, "ja-JP")
        await admin.goto(f"{base}/portal/login")
        await admin.fill("#f-username", "head")
        await admin.fill("#f-password", ADMIN_PASSWORD)
        await admin.click("#login")
        await admin.goto(f"{base}/admin/institutions")
        await admin.click("#add-institution")
        for field, value in {"slug": "aist-cells", "name_ja": NAME_JA, "name_en": NAME_EN,
                             "homepage": "https://www.aist.go.jp/", "contact_email": CONTACT,
                             "mta_note_ja": "産総研の MTA が必要です。", "mta_note_en": "AIST's MTA applies.",
                             "mta_url": "https://www.aist.go.jp/mta.pdf"}.items():
            await admin.fill(f"#f-{field}", value)
        await shot(admin, "admin-01-institution-form")
        await admin.click("#save-institution")
        await expect(admin.locator("#inst-aist-cells")).to_contain_text(NAME_JA)
        await admin.goto(f"{base}/admin/accounts")
        await admin.fill("#f-username", "mika")
        await admin.fill("#f-display", "Mika")
        await admin.fill("#f-email", STAFF_MAIL)
        await admin.check("#f-institutions input[value=aist-cells]")
        await admin.click("#send-invitation")
        await expect(admin.locator("#account-mika")).to_contain_text("招待済み")
        await shot(admin, "admin-02-invited")

        # An adapter naming the institution harvests it.
        registry = load_registry()
        specs = [SourceSpec(n, c) for n, c in parse_adapters_toml(TOML.format(url=source), registry).items()]
        [run] = await harvest_all(es, b_settings.es.index_prefix, registry, specs, HarvestMode.FULL)
        assert run["outcome"] == "published" and run["indexed"] > 0, run

        researcher = await new_page(browser, problems, "ja-JP")
        await researcher.goto(f"{base}/?institution=aist-cells&lang=ja")
        await expect(researcher.locator("table.holdings td").first).to_have_text(NAME_JA)
        await researcher.goto(f"{base}/?institution=aist-cells&lang=en")
        await expect(researcher.locator("table.holdings td").first).to_have_text(NAME_EN)
        assert "aist-cells" not in await researcher.locator("main").inner_text()  # never the bare slug
        await researcher.locator("table.holdings a").first.click()
        await researcher.click("#add-to-cart")
        await researcher.goto(f"{base}/requests/new?lang=en")
        for field, value in flow.form("ryo@lab.example", "en").items():
            if field not in ("language", "website"):
                await researcher.fill(f"#f-{field}", value)
        await researcher.check("#f-agree_aist-cells")
        await researcher.click("#submit-request")
        await expect(researcher.locator("#sent-notice")).to_be_visible()
        await mailer.deliver_pending()
        [verify] = smtp.inbox.to("ryo@lab.example")
        await researcher.goto(base + flow.link_in(verify, "verify"))
        await researcher.click("#confirm-email")
        await expect(researcher.locator("[data-status=email_verified]")).to_have_count(1)
        await mailer.deliver_pending()
        # Nobody has accepted the invitation yet: the request goes to the institution's contact address.
        [to_contact] = smtp.inbox.to(CONTACT)
        request_id = re.search(r"-aist-cells\b", to_contact.get_content())
        assert request_id, to_contact.get_content()

        # The invited staff member sets a password from the mail and logs in.
        [invitation] = smtp.inbox.to(STAFF_MAIL)
        link = re.search(r"https?://[^/\s]+(/account/link/\S+)", invitation.get_content())
        assert link, invitation.get_content()
        staff = await new_page(browser, problems, "ja-JP")
        await staff.goto(base + link.group(1))
        await expect(staff.locator("#confirm-password")).to_be_visible()
        await staff.fill("#f-password", "mika's very own passphrase")
        await staff.fill("#f-password-again", "mika's very own passphrase")
        await staff.click("#confirm-password")
        await expect(staff.locator("#password-set")).to_be_visible()
        await staff.click("#to-login")
        await staff.fill("#f-username", "mika")
        await staff.fill("#f-password", "mika's very own passphrase")
        await staff.click("#login")
        await expect(staff.locator("h1")).to_have_text("利用申請")
        await expect(staff.locator("table.inbox a", has_text="-aist-cells").first).to_be_visible()
        await shot(staff, "admin-03-staff-inbox")
        admin_dashboard = await admin.goto(f"{base}/admin")
        assert admin_dashboard is not None
        for action in ("institution.add", "account.invite"):  # in words, the code kept as data
            entry = admin.locator(f'#admin-audit [data-action="{action}"]').first
            await expect(entry).to_be_visible()
            await expect(entry).not_to_have_text(action)
    assert problems == [], problems
