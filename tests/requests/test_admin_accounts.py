"""Institutions and accounts that an administrator manages, through the real pages: institutions are
data (added in the admin pages, seen by every page and API at once), accounts are invited by mail
and set their own password through a single-use link, passwords are reset and changed, every admin
action is in the audit log, and an institution without an active staff account still gets its
requests at its contact address. Own index prefix, so the session's institutions stay five."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch

from biocross.mailer import Mailer
from desk.accounts import AccountStore
from desk.reminders import queue_reminders
from fixtures.corpus import make_resource
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.keys import INSTITUTIONS, LINKS, LOGIN_THROTTLE, REQUESTS
from gateway.throttle import ThrottlePolicy
from schemas.accounts import StaffRole
from schemas.resource import Provenance
from schemas.settings import Settings

Client = TestClient[Any, Any]
HTML = {"Accept": "text/html"}
ADMIN_PASSWORD = "admin password of the tests"
AIST_ID = "aist-bmd:BMD1"  # BMD0001 after id normalisation
NEW = {"slug": "aist-bmd", "name_ja": "産業技術総合研究所 バイオメディカル研究部門",
       "name_en": "AIST Biomedical Research Institute", "homepage": "https://unit.aist.go.jp/bmd/",
       "contact_email": "desk@aist-bmd.example", "mta_note_ja": "産総研のMTAが必要です。",
       "mta_note_en": "AIST's MTA applies.", "mta_url": "https://unit.aist.go.jp/bmd/mta.pdf", "status": "active"}


@pytest.fixture(scope="module")
async def adm_settings(es: AsyncElasticsearch, rq_settings: Settings) -> Settings:
    """The requests tests' settings (loopback SMTP) under a prefix of this module, with one resource
    of the institution the tests add, and an administrator."""
    prefix = f"{rq_settings.es.index_prefix}-adm"
    settings = rq_settings.model_copy(update={"es": rq_settings.es.model_copy(update={"index_prefix": prefix})})
    resource = make_resource(institution="aist-bmd", catalog_id="BMD0001", name="AIST test cell line",
                             resource_type="cell_line", provenance=Provenance(source="aist_cells"))
    await publish_corpus(es, prefix, [resource, make_resource()])
    await AccountStore(es, prefix).add("chief", "chief@consortium.example", StaffRole.ADMIN, ADMIN_PASSWORD)
    return settings


@pytest.fixture
async def client(adm_settings: Settings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(adm_settings))) as test_client:
        yield test_client


@pytest.fixture
async def new_client(adm_settings: Settings) -> AsyncIterator[Callable[[], Awaitable[Client]]]:
    """Further clients on this module's prefix (each its own app and cookie jar)."""
    opened: list[Client] = []

    async def make() -> Client:
        test_client: Client = TestClient(TestServer(create_app(adm_settings)))
        await test_client.start_server()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        await test_client.close()


@pytest.fixture
def adm_mailer(es: AsyncElasticsearch, adm_settings: Settings) -> Mailer:
    return Mailer.build(adm_settings, es)


async def page(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path, headers=HTML)
    text = await response.text()
    assert response.status == status, text[:1500]
    return text


async def post(client: Client, path: str, data: dict[str, Any], *, status: int = 303, form_page: str | None = None
               ) -> str:
    token = csrf_of(await page(client, form_page or path))
    response = await client.post(path, data={"csrf_token": token, **data}, headers=HTML, allow_redirects=False)
    text = await response.text()
    assert response.status == status, text[:1500]
    return text


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def login(client: Client, username: str, password: str, status: int = 303) -> None:
    await post(client, "/portal/login", {"username": username, "password": password}, status=status)


def link_in(message: Any) -> str:
    match = re.search(r"https?://[^/\s]+(/account/link/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


async def add_institution(client: Client) -> None:
    if "aist-bmd" not in client.server.app[INSTITUTIONS].registry:
        await post(client, "/admin/institutions/new", NEW)


async def test_an_institution_added_in_the_admin_pages_is_everywhere_at_once(client: Client) -> None:
    await login(client, "chief", ADMIN_PASSWORD)
    assert "AIST" not in await page(client, "/admin/institutions")
    # Bad input: the form again with the problems, nothing stored.
    refused = await post(client, "/admin/institutions/new", {**NEW, "contact_email": "not an address",
                                                             "slug": "Bad Slug"}, status=400)
    assert 'id="e-contact_email"' in refused and 'id="e-slug"' in refused
    assert "bad slug" not in (await page(client, "/admin/institutions")).lower()
    await add_institution(client)
    listed = await (await client.get("/api/institutions")).json()
    assert "aist-bmd" in [i["slug"] for i in listed["institutions"]] and len(listed["institutions"]) == 6
    # Its pages and the search facet name it in the page's language, never by its slug.
    ja = await page(client, "/institutions/aist-bmd?lang=ja")
    assert NEW["name_ja"] in ja and "産総研のMTAが必要です。" in ja and NEW["mta_url"] in ja
    search = await page(client, "/?q=AIST&lang=en")
    assert NEW["name_en"] in search and ">aist-bmd<" not in search
    # An edit shows at once; the audit log on the dashboard says who did what.
    await post(client, "/admin/institutions/aist-bmd", {**NEW, "name_en": "AIST Biomedical Research"},
               form_page="/admin/institutions/aist-bmd")
    assert "AIST Biomedical Research<" in await page(client, "/institutions/aist-bmd?lang=en")
    dashboard = await page(client, "/admin?lang=en")
    assert 'data-action="institution.add">institution added<' in dashboard
    assert 'data-action="institution.edit">institution changed<' in dashboard and "chief" in dashboard


async def test_staff_cannot_manage_institutions_or_accounts(client: Client, es: AsyncElasticsearch,
                                                            adm_settings: Settings) -> None:
    await AccountStore(es, adm_settings.es.index_prefix).add(
        "plain-staff", "plain@inst.example", StaffRole.STAFF, ADMIN_PASSWORD, institutions=["riken-brc"])
    await login(client, "plain-staff", ADMIN_PASSWORD)
    for path in ("/admin/institutions", "/admin/institutions/new", "/admin/accounts"):
        assert (await client.get(path, headers=HTML)).status == 403, path


async def test_invitation_by_mail_sets_the_password_once_and_requests_reach_the_contact_until_then(
        client: Client, new_client: Any, adm_mailer: Mailer, smtp: Any, flow: Any) -> None:
    await login(client, "chief", ADMIN_PASSWORD)
    await add_institution(client)
    await post(client, "/admin/accounts", {"username": "aist-staff", "email": "staff@aist-bmd.example",
                                           "display_name": "Aiko", "role": "staff", "institutions": "aist-bmd",
                                           "language": "ja"}, form_page="/admin/accounts")
    assert "Invited" in await page(client, "/admin/accounts?lang=en")

    # A requester's request to the institution goes to its contact address: nobody has accepted yet.
    researcher = "kenji.admin@lab.example"
    requester = await new_client()
    await flow.fill_cart(requester, AIST_ID)
    await flow.submit(requester, researcher)
    found = await requester.server.app[REQUESTS].store.find_by_email(researcher)
    await flow.confirm(requester, f"/requests/verify/{requester.server.app[LINKS].verify_token(found[0].submission_id)}")
    await adm_mailer.deliver_pending()
    [to_contact] = smtp.inbox.to(NEW["contact_email"])
    assert found[0].id in to_contact.get_content()
    # A week later nobody has acted: the reminder goes to the contact address too.
    await adm_mailer.desk.institutions.load()  # what each mailer pass does first
    assert await queue_reminders(adm_mailer.service, datetime.now(UTC) + timedelta(days=8)) >= 1
    await adm_mailer.deliver_pending()
    reminder = [m for m in smtp.inbox.to(NEW["contact_email"]) if "[Reminder]" in str(m["Subject"])]
    assert len(reminder) == 1 and found[0].id in reminder[0].get_content()

    [invitation] = smtp.inbox.to("staff@aist-bmd.example")
    assert found[0].id not in invitation.get_content()
    path = link_in(invitation)
    newcomer = await new_client()
    # Opening the link (a mail scanner does) only shows the form; it can be opened again.
    assert 'id="confirm-password"' in await page(newcomer, path)
    assert 'id="confirm-password"' in await page(newcomer, path)
    short = await post(newcomer, path, {"password": "short", "password_again": "short"}, status=400)
    assert 'id="error"' in short
    done = await post(newcomer, path, {"password": "aiko's own passphrase", "password_again": "aiko's own passphrase"},
                      status=200)
    assert 'id="password-set"' in done
    used = await post(newcomer, path, {"password": "another passphrase!", "password_again": "another passphrase!"},
                      status=400, form_page="/portal/login")  # single use
    assert "not valid any more" in used or "もう使えません" in used
    assert (await newcomer.get(path, headers=HTML)).status == 400
    await login(newcomer, "aist-staff", "aiko's own passphrase")
    assert found[0].id in await page(newcomer, "/portal/")

    # Now the institution has an active staff member: its next request goes to them, not the contact.
    second = await new_client()
    await flow.fill_cart(second, AIST_ID)
    await flow.submit(second, "second.admin@lab.example")
    again = await second.server.app[REQUESTS].store.find_by_email("second.admin@lab.example")
    await flow.confirm(second, f"/requests/verify/{second.server.app[LINKS].verify_token(again[0].submission_id)}")
    await adm_mailer.deliver_pending()
    assert any(again[0].id in m.get_content() for m in smtp.inbox.to("staff@aist-bmd.example"))
    assert not any(again[0].id in m.get_content() for m in smtp.inbox.to(NEW["contact_email"]))

    # Disabling stops the account at once; re-enabling lets it in again. Both are audited.
    await post(client, "/admin/accounts/aist-staff", {"action": "disable"}, form_page="/admin/accounts")
    assert (await newcomer.get("/portal/", headers=HTML, allow_redirects=False)).status == 303
    await login(newcomer, "aist-staff", "aiko's own passphrase", status=401)
    await post(client, "/admin/accounts/aist-staff", {"action": "enable"}, form_page="/admin/accounts")
    await login(newcomer, "aist-staff", "aiko's own passphrase")
    dashboard = await page(client, "/admin?lang=ja")
    for action, words in (("account.invite", "アカウントを招待"), ("account.disable", "アカウントを無効化"),
                          ("account.enable", "アカウントを有効化")):
        assert f'data-action="{action}">{words}<' in dashboard, action
    assert "passphrase" not in dashboard and "/account/link/" not in dashboard


async def test_password_reset_by_mail_and_own_password_change(
        client: Client, es: AsyncElasticsearch, adm_settings: Settings, adm_mailer: Mailer, smtp: Any) -> None:
    await AccountStore(es, adm_settings.es.index_prefix).add(
        "forgetful", "forgetful@inst.example", StaffRole.STAFF, ADMIN_PASSWORD, institutions=["riken-brc"])
    # The same answer for a name that exists and one that does not; only the real one gets mail.
    for who in ("forgetful", "nobody-here"):
        answer = await post(client, "/portal/reset", {"who": who}, status=200)
        assert 'id="reset-sent"' in answer
    await adm_mailer.deliver_pending()
    [reset] = smtp.inbox.to("forgetful@inst.example")
    path = link_in(reset)
    await post(client, path, {"password": "a brand new passphrase", "password_again": "a brand new passphrase"},
               status=200)
    await login(client, "forgetful", ADMIN_PASSWORD, status=401)
    await login(client, "forgetful", "a brand new passphrase")
    # Changing one's own password needs the current one.
    wrong = await post(client, "/portal/password", {"current": "not it", "password": "third passphrase here",
                                                    "password_again": "third passphrase here"}, status=400)
    assert 'id="error"' in wrong
    changed = await post(client, "/portal/password", {"current": "a brand new passphrase",
                                                      "password": "third passphrase here",
                                                      "password_again": "third passphrase here"}, status=200)
    assert 'id="password-changed"' in changed
    await login(client, "forgetful", "third passphrase here")


async def test_the_holder_is_told_once_when_guessing_starts_to_slow_their_logins(
        client: Client, es: AsyncElasticsearch, adm_settings: Settings, adm_mailer: Mailer, smtp: Any) -> None:
    await AccountStore(es, adm_settings.es.index_prefix).add(
        "guessed", "guessed@inst.example", StaffRole.STAFF, ADMIN_PASSWORD, institutions=["riken-brc"])
    # Per-address limits out of the way: the guesses here count against the account only.
    client.server.app[LOGIN_THROTTLE].policy = ThrottlePolicy(free_per_address=100, free_per_pair=100)
    for i in range(5):
        await login(client, "guessed", f"guess {i}", status=401)
    await adm_mailer.deliver_pending()
    assert smtp.inbox.to("guessed@inst.example") == []  # a few typos tell nobody
    for i in range(5, 9):
        await login(client, "guessed", f"guess {i}", status=401)
    await adm_mailer.deliver_pending()
    [warning] = smtp.inbox.to("guessed@inst.example")
    assert "6" in str(warning["Subject"]) + warning.get_content() and "not locked" in warning.get_content()
    await login(client, "guessed", ADMIN_PASSWORD)  # never locked out
