"""Discoverable pages: robots.txt, the sitemap index and its chunks cover every live detail page, and
the JSON-LD of detail pages (Bioschemas BioSample) and of the home page (DataCatalog) carries the
properties its Bioschemas profile requires and recommends."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from lxml import etree

from gateway.app import create_app
from gateway.jsonld import BIOSAMPLE_PROFILE, DATACATALOG_PROFILE
from gateway.ratelimit import GatewayLimits
from gateway.sitemap import SITEMAP_CHUNK
from schemas.resource import Resource
from schemas.settings import Settings

Client = TestClient[Any, Any]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WITHDRAWN_ID = "riken-brc:RBRC9999"  # as in tests/gateway/conftest.py
CONFORMS_TO = "http://purl.org/dc/terms/conformsTo"
# Marginality tables of the profiles (bioschemas.org/profiles/...): "minimum" must be present,
# "recommended" should be. Properties a catalog of holdings cannot honestly state (a licence of the
# aggregated catalog, a citation, a creation date) are left out on purpose and listed as such.
BIOSAMPLE_MINIMUM = {"@context", "@type", "@id", CONFORMS_TO, "description", "identifier", "name", "url"}
BIOSAMPLE_OPTIONAL_GIVEN = {"additionalProperty", "custodian"}
DATACATALOG_MINIMUM = {"@context", "@type", "@id", CONFORMS_TO, "description", "keywords", "name", "provider", "url"}
DATACATALOG_RECOMMENDED = {"about", "alternateName", "citation", "dataset", "dateCreated", "identifier", "license",
                           "sourceOrganization"}
DATACATALOG_NOT_STATED = {"citation", "dateCreated", "license"}


@pytest.fixture
async def small_chunks(gw_settings: Settings) -> AsyncIterator[Client]:
    app = create_app(gw_settings, limits=GatewayLimits(rate=10_000.0, burst=100_000))
    app[SITEMAP_CHUNK] = 100
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def jsonld(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD on the page"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def filled(doc: dict[str, Any], names: set[str]) -> set[str]:
    return {n for n in names if doc.get(n) not in (None, "", [], {})}


async def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client: Client) -> None:
    response = await client.get("/robots.txt")
    assert response.status == 200 and response.content_type == "text/plain"
    text = await response.text()
    assert "Sitemap: http://127.0.0.1:8080/sitemap.xml" in text
    assert {"Disallow: /api/", "Disallow: /portal", "Disallow: /admin", "Disallow: /cart"} <= set(text.splitlines())


async def test_sitemap_index_and_chunks_list_every_live_detail_page(small_chunks: Client,
                                                                    gw_corpus: list[Resource]) -> None:
    response = await small_chunks.get("/sitemap.xml")
    assert response.status == 200 and response.content_type == "application/xml"
    index = etree.fromstring(await response.read())
    assert index.tag == f"{SM}sitemapindex"
    locs = [loc.text or "" for loc in index.iter(f"{SM}loc")]
    assert locs[0] == "http://127.0.0.1:8080/sitemaps/pages.xml"
    assert len(locs) == 1 + -(-len(gw_corpus) // 100)  # one chunk per 100 records
    pages: list[str] = []
    for loc in locs:
        part = urlsplit(loc)
        chunk = await small_chunks.get(part.path + (f"?{part.query}" if part.query else ""))
        assert chunk.status == 200
        urlset = etree.fromstring(await chunk.read())
        assert urlset.tag == f"{SM}urlset"
        entries = urlset.findall(f"{SM}url")
        assert len(entries) <= 100
        pages += [e.findtext(f"{SM}loc") or "" for e in entries]
        assert all(re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", e.findtext(f"{SM}lastmod") or "")
                   for e in entries if "/resources/" in (e.findtext(f"{SM}loc") or ""))
    details = [p for p in pages if "/resources/" in p]
    assert len(details) == len(set(details)) == len(gw_corpus)
    assert not any(WITHDRAWN_ID.replace(":", "%3A") in p for p in details)
    assert "http://127.0.0.1:8080/institutions/jcrb" in pages
    for url in details[:: len(details) // 5]:  # a sample of the listed pages exists
        assert (await small_chunks.get(urlsplit(url).path, headers={"Accept": "text/html"})).status == 200


async def test_detail_pages_carry_a_bioschemas_biosample(client: Client) -> None:
    for holding in ("jcrb:JCRB9004", WITHDRAWN_ID):
        page = await client.get(f"/resources/{holding}", headers={"Accept": "text/html"})
        assert page.status == 200
        doc = jsonld(await page.text())
        assert doc["@type"] == "BioSample" and doc[CONFORMS_TO]["@id"] == BIOSAMPLE_PROFILE
        assert filled(doc, BIOSAMPLE_MINIMUM) == BIOSAMPLE_MINIMUM, holding
        assert filled(doc, BIOSAMPLE_OPTIONAL_GIVEN) == BIOSAMPLE_OPTIONAL_GIVEN
        assert doc["identifier"] == holding and doc["url"].endswith(f"/resources/{holding}")
    hela = jsonld(await (await client.get("/resources/jcrb:JCRB9004", headers={"Accept": "text/html"})).text())
    assert hela["taxonomicRange"]["name"] == "Homo sapiens"


async def test_home_page_carries_a_bioschemas_datacatalog(client: Client) -> None:
    for url in ("/", "/?q=HeLa", "/?sort=bogus"):  # also when the form is shown again with problems
        page = await client.get(url, headers={"Accept": "text/html"})
        doc = jsonld(await page.text())
        assert doc["@type"] == "DataCatalog" and doc[CONFORMS_TO]["@id"] == DATACATALOG_PROFILE
        assert filled(doc, DATACATALOG_MINIMUM) == DATACATALOG_MINIMUM
        assert filled(doc, DATACATALOG_RECOMMENDED) == DATACATALOG_RECOMMENDED - DATACATALOG_NOT_STATED
    assert {d["url"] for d in doc["dataset"]} >= {"http://127.0.0.1:8080/institutions/jcrb"}
    assert doc["potentialAction"]["target"] == "http://127.0.0.1:8080/?q={query}"
