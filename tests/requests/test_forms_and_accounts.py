"""The request form (per-field errors with the input kept, conditional requirements, CSRF, the
honeypot) and staff accounts (logout, disabled accounts)."""

from __future__ import annotations

import html
from typing import Any

from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from fixtures.corpus import build_corpus
from gateway.keys import ACCOUNTS, REQUESTS
from schemas.accounts import StaffRole
from schemas.settings import Settings


def _bsl2_resource() -> str:
    """A resource of the fixture corpus at biosafety level 2."""
    return next(r.id for r in build_corpus() if r.distribution and r.distribution.biosafety_level == 2)


async def test_invalid_form_comes_back_with_input_and_per_field_errors(app_client: Any, flow: Any) -> None:
    await flow.fill_cart(app_client, flow.HELA_RIKEN, flow.HUMAN_SPECIMEN)
    text = await flow.page(app_client, "/requests/new?lang=en")
    data = {"csrf_token": flow.csrf_of(text), **flow.form("not-an-email", "en", name="Taro <b>Test</b>",
                                                           purpose="", country="x" * 150)}
    data["agree_riken-brc"] = "on"  # but not tsukuba-biobank's conditions
    response = await app_client.post("/requests/new?lang=en", data=data, headers={"Accept": "text/html"})
    page = await response.text()
    assert response.status == 400
    assert 'value="Taro &lt;b&gt;Test&lt;/b&gt;"' in page  # kept, and escaped
    assert html.escape("1-1-1 Tennodai, Tsukuba, Ibaraki 305-8577") in page
    assert 'id="f-agree_riken-brc" name="agree_riken-brc" checked' in page
    errors = {field: message for field, message in (
        ("email", "Enter a valid email address."), ("purpose", "This field is required."),
        ("country", "This is too long (at most 100 characters)."),
        ("ethics_approval", "An ethics approval number is required for human specimens."),
        ("agree_tsukuba-biobank", "You must accept this institution&#39;s distribution conditions."))}
    for field, message in errors.items():
        assert f'<p class="field-error" id="e-{field}">{message}</p>' in page, field
    assert 'id="e-name"' not in page and 'id="e-agree_riken-brc"' not in page

    japanese = await app_client.post("/requests/new?lang=ja", data=data, headers={"Accept": "text/html"})
    assert "この項目は必須です。" in await japanese.text()


async def test_biosafety_acknowledgement_required_from_bsl2(app_client: Any, flow: Any) -> None:
    await flow.fill_cart(app_client, _bsl2_resource())
    page = await flow.submit(app_client, "bsl@lab.example", status=400)
    assert 'id="e-biosafety_ack"' in page
    await flow.submit(app_client, "bsl@lab.example", biosafety_ack="on")


async def test_csrf_missing_is_403_and_honeypot_is_dropped_silently(app_client: Any, flow: Any) -> None:
    await flow.fill_cart(app_client, flow.HELA_JCRB)
    text = await flow.page(app_client, "/requests/new")
    data = {**flow.form("bot@spam.example"), "agree_jcrb": "on"}
    refused = await app_client.post("/requests/new", data=data, allow_redirects=False)
    assert refused.status == 403 and refused.content_type == "application/problem+json"
    trapped = await app_client.post("/requests/new", allow_redirects=False,
                                    data={**data, "csrf_token": flow.csrf_of(text), "website": "http://spam.example"})
    assert trapped.status == 303 and trapped.headers["Location"] == "/requests/sent"
    store = app_client.server.app[REQUESTS].store
    await store.refresh()
    assert await store.find_by_email("bot@spam.example") == []


async def test_submissions_are_rate_limited_per_email(rq_settings: Settings, flow: Any) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from gateway.app import create_app

    limited = rq_settings.model_copy(update={"requests": rq_settings.requests.model_copy(
        update={"submissions_per_email_hour": 1, "submissions_per_client_hour": 3})})
    async with TestClient(TestServer(create_app(limited))) as client:
        await flow.fill_cart(client, flow.HELA_JCRB)
        await flow.submit(client, "eager@lab.example")
        await flow.fill_cart(client, flow.HELA_JCRB)
        page = await flow.submit(client, "eager@lab.example", status=429)
        assert 'id="e-email"' in page
        await flow.submit(client, "other.person@lab.example")
        response = await client.post("/requests/new", data={"csrf_token": "x"}, allow_redirects=False)
        assert response.status == 403  # CSRF comes first
        page = await flow.page(client, f"/resources/{flow.HELA_JCRB}")
        fourth = await client.post("/requests/new", data={"csrf_token": flow.csrf_of(page)}, allow_redirects=False)
        assert fourth.status == 429 and "Retry-After" in fourth.headers


async def test_logout_and_disabled_account(app_client: Any, new_client: Any, flow: Any, es: AsyncElasticsearch,
                                           rq_settings: Settings) -> None:
    store = AccountStore(es, rq_settings.es.index_prefix)
    await store.add("leaver", "leaver@inst.example", StaffRole.STAFF, "leaver password 1", institutions=["naro"])
    token = await store.create_token("leaver", "lims")
    client = await new_client()
    await flow.login(client, "leaver", "leaver password 1")
    assert (await client.get("/portal/", allow_redirects=False)).status == 200
    cookie = next(c for c in client.session.cookie_jar if c.key == "biocross_staff")
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert (await app_client.get("/api/portal/requests", headers=flow.bearer(token))).status == 200
    await client.server.app[ACCOUNTS].set_disabled("leaver")
    assert (await client.get("/portal/", allow_redirects=False)).status == 303
    assert (await app_client.get("/api/portal/requests", headers=flow.bearer(token))).status == 401
    await client.server.app[ACCOUNTS].set_disabled("leaver", False)
    page = await flow.page(client, "/portal/")
    logout = await client.post("/portal/logout", data={"csrf_token": flow.csrf_of(page)}, allow_redirects=False)
    assert logout.status == 303
    assert (await client.get("/portal/", allow_redirects=False)).status == 303
