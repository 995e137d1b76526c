"""Saved searches against the real stack: the search page's save form, the confirmation mail through
the real SMTP server, a publish that adds a matching resource, the mailer's digest pass, RFC 8058
one-click unsubscription, and what Elasticsearch holds of the address."""

from __future__ import annotations

import html
import json
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from biocross.mailer import Mailer
from fixtures.corpus import build_corpus
from gateway.app import create_app
from gateway.keys import LINKS, SAVED
from gateway.ratelimit import GatewayLimits
from indexer.documents import resource_to_doc
from indexer.names import saved_searches_index
from indexer.publish import bulk_index_resources, create_generation, publish_generation
from schemas.resource import Resource
from schemas.search import SearchQuery
from schemas.settings import Settings

Client = TestClient[Any, Any]
PUBLIC_URL = "http://biocross.test"
HTML = {"Accept": "text/html"}
#: A word no fixture resource contains: only the resources published by the test match it.
WORD = "quokkacyte"


@pytest.fixture(scope="module")
async def ss_settings(es: AsyncElasticsearch, settings: Settings, smtp: Any) -> Settings:
    """The corpus under this module's own prefix (the test publishes more into it), mail to the
    loopback SMTP server."""
    prefix = f"{settings.es.index_prefix}-ss"
    by_source: dict[str, list[Resource]] = defaultdict(list)
    for resource in build_corpus():
        by_source[resource.provenance.source].append(resource)
    for source, resources in by_source.items():
        index = await create_generation(es, prefix, source)
        await bulk_index_resources(es, index, resources)
        await publish_generation(es, prefix, source, index)
    return settings.model_copy(update={
        "es": settings.es.model_copy(update={"index_prefix": prefix}),
        "gateway": settings.gateway.model_copy(update={"public_url": PUBLIC_URL}),
        "requests": settings.requests.model_copy(update={"mail_retry_seconds": 0.0}),
        "mail": settings.mail.model_copy(update={"host": "127.0.0.1", "port": smtp.port}),
    })


@pytest.fixture
async def client(ss_settings: Settings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(ss_settings, limits=GatewayLimits(rate=10_000.0, burst=100_000)))
                          ) as test_client:
        yield test_client


def _new_resources(word: str) -> list[Resource]:
    """Resources named with ``word`` (two at RIKEN BRC, one at JCRB), as a new source publishes them."""
    base = next(r for r in build_corpus() if r.id == "riken-brc:RCB7")
    out = []
    for institution, catalog_id in (("riken-brc", "RCB99001"), ("jcrb", "JCRB99001"), ("riken-brc", "RCB99002")):
        data = base.model_dump(mode="json", exclude={"id", "entity_key"})
        data.update(institution=institution, catalog_id=catalog_id, name=f"{word.capitalize()} line {catalog_id}",
                    synonyms=[], xrefs=[])
        data["provenance"] = {**data["provenance"], "source": "saved-search-test"}
        out.append(Resource.model_validate(data))
    return out


async def _publish(es: AsyncElasticsearch, prefix: str, resources: list[Resource]) -> None:
    """A new generation of the test source: every resource but the last live, the last withdrawn."""
    index = await create_generation(es, prefix, "saved-search-test")
    await bulk_index_resources(es, index, resources[:-1])
    await es.index(index=index, id=resources[-1].id, document=resource_to_doc(resources[-1], withdrawn=True))
    await publish_generation(es, prefix, "saved-search-test", index)


async def _save(client: Client, address: str, query: str, *, language: str = "en", honeypot: str = "") -> str:
    page = await client.get(query, headers=HTML)
    text = await page.text()
    assert page.status == 200, text[:500]
    form = re.search(r'<form method="post" action="/saved-searches".*?</form>', text, re.S)
    assert form, "no save form on the search page"
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    data = {**{k: html.unescape(v) for k, v in fields.items()}, "email": address, "language": language,
            "website": honeypot}
    response = await client.post("/saved-searches", data=data, allow_redirects=False, headers=HTML)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/saved-searches/sent"
    return data["search"]


async def _stored(es: AsyncElasticsearch, settings: Settings) -> list[dict[str, Any]]:
    index = saved_searches_index(settings.es.index_prefix)
    await es.indices.refresh(index=index)
    return [h["_source"] for h in (await es.search(index=index, size=100))["hits"]["hits"]]


def _link(message: Any, kind: str) -> str:
    match = re.search(rf"{re.escape(PUBLIC_URL)}(/saved-searches/{kind}/\S+)", message.get_content())
    assert match, f"no {kind} link in {message.get_content()!r}"
    return match.group(1)


async def test_save_confirm_digest_then_one_click_unsubscribe(client: Client, es: AsyncElasticsearch,
                                                              ss_settings: Settings, smtp: Any) -> None:
    address = f"saver-{time.time_ns()}@uni.example"
    mailer = Mailer.build(ss_settings, es)
    saved_query = await _save(client, address, f"/?q={WORD.upper()}&institution=riken-brc&sort=name&page_size=10")
    assert "sort" not in saved_query and "page_size" not in saved_query

    # Elasticsearch holds the query and the state, and the address only as ciphertext and a keyed hash.
    [doc] = [d for d in await _stored(es, ss_settings) if d["status"] == "pending"]
    assert address not in json.dumps(doc) and doc["email"].startswith("pd1:")
    assert doc["query"] == {"q": WORD.upper(), "institution": ["riken-brc"]}
    assert doc["email_hmac"] and doc["last_digest_at"] is None

    await mailer.mailer_pass()
    [verify] = smtp.inbox.to(address)
    assert "confirm" in verify["Subject"].lower()
    confirm = _link(verify, "confirm")

    # Opening the link (as a mail scanner does) only shows the button.
    page = await client.get(confirm, headers=HTML)
    text = await page.text()
    assert page.status == 200 and 'id="confirm-saved"' in text
    assert (await _stored(es, ss_settings))[0]["status"] == "pending"
    refused = await client.post(confirm, data={}, allow_redirects=False, headers=HTML)
    assert refused.status == 403  # no CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert token
    done = await client.post(confirm, data={"csrf_token": token.group(1)}, headers=HTML)
    assert done.status == 200 and 'data-state="confirmed"' in await done.text()
    assert (await _stored(es, ss_settings))[0]["status"] == "verified"

    await mailer.mailer_pass()
    assert len(smtp.inbox.to(address)) == 1, "nothing new yet: no digest"

    await _publish(es, ss_settings.es.index_prefix, _new_resources(WORD))
    await mailer.mailer_pass()
    mails = smtp.inbox.to(address)
    assert len(mails) == 2
    digest = mails[1]
    body = digest.get_content()
    assert f"{PUBLIC_URL}/resources/riken-brc:RCB99001" in body and "Quokkacyte line RCB99001" in body
    assert "JCRB99001" not in body, "the institution filter of the saved search applies"
    assert "RCB99002" not in body, "withdrawn records are not announced"
    assert "1 new resource(s)" in body and f"{PUBLIC_URL}/?q={WORD.upper()}&institution=riken-brc" in body
    unsubscribe = _link(digest, "unsubscribe")
    assert digest["List-Unsubscribe"] == f"<{PUBLIC_URL}{unsubscribe}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    await mailer.mailer_pass()
    assert len(smtp.inbox.to(address)) == 2, "a second pass sends nothing"

    # The mail client's one-click POST (no session, no CSRF token) removes the saved search.
    async with TestClient(TestServer(create_app(ss_settings))) as mail_client:
        one_click = await mail_client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status == 200
        assert await _stored(es, ss_settings) == []
        again = await mail_client.get(unsubscribe, headers=HTML)
        assert 'data-state="unsubscribed"' in await again.text()


async def test_japanese_save_and_honeypot(client: Client, es: AsyncElasticsearch, ss_settings: Settings,
                                          smtp: Any) -> None:
    bot, person = f"bot-{time.time_ns()}@uni.example", f"hanako-{time.time_ns()}@uni.example"
    before = len(await _stored(es, ss_settings))
    await _save(client, bot, "/?q=HeLa", honeypot="http://spam.example")
    assert len(await _stored(es, ss_settings)) == before, "a filled honeypot stores nothing"
    await _save(client, person, "/?q=HeLa&lang=ja", language="ja")
    await Mailer.build(ss_settings, es).mailer_pass()
    [mail] = smtp.inbox.to(person)
    assert "確認" in mail["Subject"] and not smtp.inbox.to(bot)
    page = await client.get(_link(mail, "confirm") + "?lang=ja", headers=HTML)
    assert "検索の保存を確定" in await page.text()
    bad = await client.post("/saved-searches", headers=HTML, data={"email": person, "search": "q=x"})
    assert bad.status == 403, "saving needs the page's CSRF token"


async def test_forged_expired_and_swapped_links_are_refused(client: Client, ss_settings: Settings) -> None:
    links = client.server.app[LINKS]
    unsubscribe_token = links.saved_unsubscribe_token("some-id")
    confirm_token = links.saved_confirm_token("some-id")
    forged = confirm_token[:-3] + ("AAA" if not confirm_token.endswith("AAA") else "BBB")

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - (ss_settings.requests.verify_link_hours + 1) * 3600

    old = URLSafeTimedSerializer(list(reversed(ss_settings.gateway.signing_keys())), signer=PastSigner)
    expired = old.dumps("some-id", salt="biocross-saved-confirm")
    other_key = URLSafeTimedSerializer("x" * 64).dumps("some-id", salt="biocross-saved-unsubscribe")
    for path, reason in [(f"/saved-searches/confirm/{forged}", "not valid"),
                         (f"/saved-searches/confirm/{unsubscribe_token}", "not valid"),
                         (f"/saved-searches/confirm/{expired}", "expired"),
                         (f"/saved-searches/unsubscribe/{other_key}", "not valid"),
                         (f"/saved-searches/unsubscribe/{confirm_token}", "not valid")]:
        for method in ("GET", "POST"):
            response = await client.request(method, path, headers={"Accept": "application/json"})
            body = await response.text()
            assert response.status == 400, (path, method, body[:300])
            assert reason in body


async def test_confirmation_mail_waits_while_smtp_is_down(client: Client, es: AsyncElasticsearch,
                                                          ss_settings: Settings, private_smtp: Any) -> None:
    address = f"patient-{time.time_ns()}@uni.example"
    settings = ss_settings.model_copy(update={"mail": ss_settings.mail.model_copy(update={"port": private_smtp.port})})
    await _save(client, address, "/?q=mouse")
    private_smtp.stop()
    await Mailer.build(settings, es).mailer_pass()
    [doc] = [d for d in await _stored(es, ss_settings) if d["has_pending_mail"] and d["outbox"][0]["attempts"]]
    assert doc["outbox"][0]["last_error"] and doc["outbox"][0]["sent_at"] is None
    private_smtp.start()
    await Mailer.build(settings, es).mailer_pass()
    assert len(private_smtp.inbox.to(address)) == 1, "the queued mail goes out once the server is back"


async def test_a_search_never_confirmed_is_deleted_once_its_link_has_expired(client: Client, es: AsyncElasticsearch,
                                                                            ss_settings: Settings) -> None:
    saved = client.server.app[SAVED]
    stamp = time.time_ns()
    forgotten = await saved.save(f"forgot-{stamp}@uni.example", "en", SearchQuery(q="mouse"))
    confirmed = await saved.save(f"kept-{stamp}@uni.example", "en", SearchQuery(q="mouse"))
    await saved.confirm(confirmed.id)
    index = saved_searches_index(ss_settings.es.index_prefix)
    assert forgotten.id not in await saved.drop_unconfirmed()
    assert await es.exists(index=index, id=forgotten.id), "its link is still valid: it can still be confirmed"
    expired = forgotten.created_at + timedelta(hours=ss_settings.requests.verify_link_hours, minutes=1)
    assert forgotten.id in await saved.drop_unconfirmed(expired)
    assert not await es.exists(index=index, id=forgotten.id), "the address is not kept for a search nobody confirmed"
    assert await es.exists(index=index, id=confirmed.id)
