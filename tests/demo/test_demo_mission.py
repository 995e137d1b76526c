"""The demo runs the whole mission, as a newcomer runs it: ``biocross demo`` in its own process (real
simulated sources, a real harvest, the gateway, its loopback SMTP server and outbox worker, seeded
staff accounts), then, in headless Chromium, a researcher fills the cart from two institutions,
submits, opens the verification link from ``/demo/mailbox``, and each institution's staff account
(password read from the ready banner) sees its own request in ``/portal/``."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, expect

from fixtures.browser import chromium, shot
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 240.0
INSTITUTIONS = ("riken-brc", "jcrb")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningDemo:
    """A started demo: its URL, the passwords of its banner, and its output so far."""

    url: str
    passwords: dict[str, str]
    banner: str
    smtp_port: int


@pytest.fixture(scope="module")
def demo(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    """``biocross demo --total 1500`` on free ports, on this run's cluster under its own prefix."""
    port, smtp_port, sources_port = _free_port(), _free_port(), _free_port()
    log = tmp_path_factory.mktemp("demo") / "demo.err"
    env = {**os.environ, "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": f"{settings.es.index_prefix}-demo",
           "BIOCROSS_GATEWAY_PORT": str(port), "BIOCROSS_MAIL_PORT": str(smtp_port), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "biocross.cli", "demo", "--total", "1500",
                                 "--sources-port", str(sources_port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            if "(Ctrl-C to stop)" in text:
                break
            assert proc.poll() is None, f"the demo exited ({proc.returncode}):\n{text}"
            time.sleep(0.5)
        else:
            pytest.fail(f"the demo did not become ready within {READY_TIMEOUT:.0f}s:\n{text}")
        passwords = dict(re.findall(r"^\s{4}(\S+)\s+(\S+)\s+\(", text, re.M))
        yield RunningDemo(f"http://127.0.0.1:{port}", passwords, text, smtp_port)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def _page(browser: Browser, locale: str) -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return await context.new_page()


async def _available_holding(http: aiohttp.ClientSession, url: str, institution: str) -> str:
    """The id of one available holding (not a human specimen, which needs an ethics approval) of ``institution`` (found with the public API)."""
    async with http.get(f"{url}/api/search", params={"institution": institution, "availability": "available"}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    for group in body["groups"]:
        for holding in group["holdings"]:
            if (holding["institution"] == institution and holding["availability"] == "available"
                    and holding["resource_type"] != "human_specimen"):
                return str(holding["id"])
    raise AssertionError(f"no available holding of {institution} in the demo")


def test_banner_names_every_url_and_account(demo: RunningDemo) -> None:
    for path in ("/", "/api/search", "/demo/mailbox", "/portal/", "/admin"):
        assert f"{demo.url}{path}" in demo.banner, path
    assert set(demo.passwords) == {"staff-riken-brc", "staff-jcrb", "staff-tsukuba-biobank", "staff-naro",
                                   "staff-nies", "admin"}
    assert len(set(demo.passwords.values())) == 6 and all(len(p) >= 16 for p in demo.passwords.values())


async def test_mailbox_exists_only_in_the_demo(demo: RunningDemo, settings: Settings) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from gateway.app import create_app

    async with aiohttp.ClientSession() as http, http.get(f"{demo.url}/demo/mailbox.json") as r:
        assert r.status == 200
        assert "mails" in await r.json()
    async with TestClient(TestServer(create_app(settings))) as client:  # what `biocross serve` runs
        for path in ("/demo/mailbox", "/demo/mailbox.json"):
            assert (await client.get(path)).status == 404


async def test_request_from_two_institutions_reaches_both_portals(demo: RunningDemo, browser: Browser) -> None:
    researcher = f"demo.researcher.{os.getpid()}@lab.example"
    async with aiohttp.ClientSession() as http:
        holdings = [await _available_holding(http, demo.url, slug) for slug in INSTITUTIONS]

    page = await _page(browser, "en-GB")
    for rid in holdings:
        await page.goto(f"{demo.url}/resources/{rid}?lang=en")
        await page.click("#add-to-cart")
    await page.goto(f"{demo.url}/cart")
    await expect(page.locator("#cart-count")).to_have_text("2")
    await page.click("#request-link")
    fields = {"name": "Hanako Tsukuba", "email": researcher, "affiliation": "University of Tsukuba",
              "position": "Assistant professor", "country": "Japan", "purpose": "Study of cell metabolism.",
              "planned_use": "Culture and RNA-seq.", "shipping_address": "1-1-1 Tennodai, Tsukuba, Ibaraki 305-8577"}
    for field, value in fields.items():
        await page.fill(f"#f-{field}", value)
    for slug in INSTITUTIONS:
        await page.check(f"#f-agree_{slug}")
    if await page.locator("#f-biosafety_ack").count():
        await page.check("#f-biosafety_ack")
    await page.click("#submit-request")
    submitted = time.monotonic()
    notice = page.locator("#sent-notice")
    await expect(notice).to_contain_text(researcher)
    # The page says what is true: queued until the demo's outbox worker has handed it to SMTP.
    await expect(notice).to_have_attribute("data-mail-state", "sent", timeout=20_000)
    await shot(page, "demo-01-sent")

    mailbox = await _page(browser, "ja-JP")
    await mailbox.goto(f"{demo.url}/demo/mailbox")
    mail = mailbox.locator("article.demo-mail", has=mailbox.locator(".mail-to", has_text=researcher)).first
    await expect(mail).to_be_visible()
    await shot(mailbox, "demo-02-mailbox")
    await mail.locator("a[href*='/verify/']").first.click()
    await mailbox.click("#confirm-email")  # opening the link alone confirms nothing
    await expect(mailbox.locator("[data-status=email_verified]")).to_have_count(2)

    for slug in INSTITUTIONS:
        desk = await _page(browser, "ja-JP")
        await desk.goto(f"{demo.url}/portal/")
        await desk.fill("#f-username", f"staff-{slug}")
        await desk.fill("#f-password", demo.passwords[f"staff-{slug}"])
        await desk.click("#login")
        await expect(desk.locator("table.inbox")).to_be_visible()
        own = desk.locator("table.inbox a", has_text=f"-{slug}")
        await expect(own).to_have_count(1)
        other = next(s for s in INSTITUTIONS if s != slug)
        await expect(desk.locator("table.inbox a", has_text=f"-{other}")).to_have_count(0)
        await shot(desk, f"demo-03-portal-{slug}")
        await desk.context.close()
    assert time.monotonic() - submitted < 30, "the staff saw the requests within 30 s of submitting"

    # The staff were told by mail too: the demo's outbox worker delivers to its own SMTP server.
    wanted = {f"staff-{slug}@staff.demo.invalid" for slug in INSTITUTIONS}
    deadline = time.monotonic() + 20
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(f"{demo.url}/demo/mailbox.json") as r:
                mails = (await r.json())["mails"]
            told = {to for m in mails for to in m["to"]} & wanted
            if told == wanted or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    assert told == wanted, [m["to"] for m in mails]
    assert any(researcher in m["to"] and any("/verify/" in link for link in m["links"]) for m in mails)
