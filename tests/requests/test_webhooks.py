"""Webhooks end to end: an administrator registers a loopback receiver in the admin pages; a
verified request and a failed harvest become signed deliveries that verify with the
``standardwebhooks`` reference library; a receiver that is down gets retried with backoff until
the delivery is given up, and the administrator sends it again by hand from the delivery log."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch
from standardwebhooks import Webhook

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import SourceSpec, harvest_all
from biocross.mailer import Mailer
from desk.accounts import AccountStore
from desk.webhooks import MAX_ATTEMPTS
from fixtures.corpus import make_resource
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.keys import LINKS, REQUESTS, WEBHOOKS
from indexer.store import ensure_system_indices
from schemas.accounts import StaffRole
from schemas.harvest import HarvestMode
from schemas.settings import Settings

Client = TestClient[Any, Any]
HTML = {"Accept": "text/html"}
PASSWORD = "webhook admin passphrase"
BROKEN = """
[adapters.naro-broken]
type = "csv"
institution = "naro"
endpoint = "http://127.0.0.1:9/export.csv"
retries = 0
[adapters.naro-broken.mapping]
catalog_id = "id"
name = "name"
resource_type = { const = "plant" }
"""
RECEIVED = web.AppKey("received", list)
STATE = web.AppKey("state", dict)


@pytest.fixture
async def receiver() -> AsyncIterator[web.Application]:
    """A webhook receiver on loopback that answers 503 while ``state['down']``."""
    app = web.Application()
    app[RECEIVED], app[STATE] = [], {"down": False}

    async def hook(request: web.Request) -> web.Response:
        body = await request.text()
        if app[STATE]["down"]:
            return web.Response(status=503)
        app[RECEIVED].append((dict(request.headers), body))
        return web.Response(status=204)

    app.router.add_post("/hooks", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    app[STATE]["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    yield app
    await runner.cleanup()


@pytest.fixture
async def wh_settings(es: AsyncElasticsearch, rq_settings: Settings) -> Settings:
    prefix = f"{rq_settings.es.index_prefix}-hooks"
    await publish_corpus(es, prefix, [make_resource()])
    await ensure_system_indices(es, prefix)
    await AccountStore(es, prefix).add("hooks-admin", "hooks@consortium.example", StaffRole.ADMIN, PASSWORD)
    return rq_settings.model_copy(update={"es": rq_settings.es.model_copy(update={"index_prefix": prefix})})


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match
    return match.group(1)


async def form(client: Client, path: str, data: dict[str, Any] | list[tuple[str, str]], *, page: str,
               status: int = 303) -> str:
    token = csrf_of(await (await client.get(page, headers=HTML)).text())
    fields = list(data.items()) if isinstance(data, dict) else list(data)
    response = await client.post(path, data=[("csrf_token", token), *fields], headers=HTML, allow_redirects=False)
    text = await response.text()
    assert response.status == status, text[:1500]
    return text


async def test_signed_events_retried_and_redelivered_by_hand(
        es: AsyncElasticsearch, wh_settings: Settings, receiver: web.Application, flow: Any) -> None:
    mailer = Mailer.build(wh_settings, es)
    async with TestClient(TestServer(create_app(wh_settings))) as admin:
        await form(admin, "/portal/login", {"username": "hooks-admin", "password": PASSWORD}, page="/portal/login")
        registered = await form(admin, "/admin/webhooks", [
            ("url", receiver[STATE]["url"]), ("events", "request.verified"), ("events", "harvest.failed")],
            page="/admin/webhooks", status=200)
        secret = re.search(r'id="endpoint-secret">(whsec_[^<]+)<', registered)
        assert secret, registered[:2000]
        refused = await form(admin, "/admin/webhooks", [("url", "ftp://x"), ("events", "request.verified")],
                             page="/admin/webhooks", status=400)
        assert 'id="error"' in refused

        # A researcher's verified request and a failed harvest: two events for the receiver.
        async with TestClient(TestServer(create_app(wh_settings))) as researcher:
            await flow.fill_cart(researcher, "riken-brc:RBRC99999")
            await flow.submit(researcher, "hooks.researcher@lab.example")
            [request] = await researcher.server.app[REQUESTS].store.find_by_email("hooks.researcher@lab.example")
            token = researcher.server.app[LINKS].verify_token(request.submission_id)
            await flow.confirm(researcher, f"/requests/verify/{token}")
        registry = load_registry()
        specs = [SourceSpec(n, c) for n, c in parse_adapters_toml(BROKEN, registry).items()]
        [run] = await harvest_all(es, wh_settings.es.index_prefix, registry, specs, HarvestMode.FULL)

        await mailer.mailer_pass()
        received = receiver[RECEIVED]
        assert sorted(json.loads(b)["type"] for _h, b in received) == ["harvest.failed",
                                                                                       "request.verified"]
        hook = Webhook(secret.group(1))
        for headers, body in received:
            payload = hook.verify(body, {k.lower(): v for k, v in headers.items()})  # raises if the signature is off
            if payload["type"] == "request.verified":
                assert payload["data"]["request_id"] == request.id and "hooks.researcher" not in body
            else:
                assert payload["data"]["run_id"] == run["run_id"] and payload["data"]["outcome"] == "failed"
        await mailer.mailer_pass()
        assert len(received) == 2  # delivered once each

        # The receiver goes down: a new event is retried pass after pass, then given up.
        receiver[STATE]["down"] = True
        [second] = await harvest_all(es, wh_settings.es.index_prefix, registry, specs, HarvestMode.FULL)
        store = admin.server.app[WEBHOOKS]
        for _ in range(MAX_ATTEMPTS):
            await mailer.mailer_pass()
        [failed] = [d for d in await store.deliveries() if second["run_id"] in d.body]
        assert failed.status == "failed" and len(failed.attempts) == MAX_ATTEMPTS
        assert {a.status_code for a in failed.attempts} == {503}
        log = await (await admin.get("/admin/webhooks", headers=HTML)).text()
        assert f'id="delivery-{failed.id}" data-status="failed"' in log

        # Back up: the administrator sends it again by hand; the same webhook-id arrives, signed anew.
        receiver[STATE]["down"] = False
        await form(admin, f"/admin/webhooks/deliveries/{failed.id}/redeliver", {}, page="/admin/webhooks")
        await mailer.mailer_pass()
        [(headers, body)] = received[2:]
        assert headers["webhook-id"] == failed.id
        assert hook.verify(body, {k.lower(): v for k, v in headers.items()})["data"]["run_id"] == second["run_id"]
        [done] = [d for d in await store.deliveries() if d.id == failed.id]
        assert done.status == "delivered" and done.attempts[-1].manual
        assert "webhook.redeliver" in await (await admin.get("/admin", headers=HTML)).text()
