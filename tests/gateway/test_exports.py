"""Complete exports: from any search page, every match, larger than any old cap, in CSV, JSON Lines
and a Darwin Core Archive, streamed; exports have their own concurrency limit and cost."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch
from lxml import etree

from adapters.http import HttpClient
from adapters.testing import build_adapter, collect, serve
from adapters.toolkits.dwca import DwcaAdapter
from fixtures.corpus import make_resource
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.resource import LocalizedText, resource_id
from schemas.settings import Settings

Client = TestClient[Any, Any]
BIG = 12_000
_INSTITUTIONS = [("riken-brc", "RBRC", "mouse_strain"), ("jcrb", "JCRB", "cell_line"), ("naro", "MAFF", "microbe")]


def export_links(page: str) -> dict[str, str]:
    """The page's export links by label."""
    links = re.findall(r'<a href="(/api/export\?[^"]+)">([^<]+)</a>', page)
    return {label: html.unescape(href) for href, label in links}


def next_link(page: str) -> str:
    match = re.search(r'<a href="([^"]+)" rel="next" id="next-page">', page)
    assert match, "no next page"
    return html.unescape(match.group(1))


async def test_export_links_of_page_three_with_sort_and_language_return_every_match(client: Client) -> None:
    url = "/?q=mouse&sort=name&lang=en&page_size=5"
    for _ in range(2):  # to page 3, which carries a cursor
        page = await client.get(url, headers={"Accept": "text/html"})
        assert page.status == 200
        url = next_link(await page.text())
    page = await client.get(url, headers={"Accept": "text/html"})
    text = await page.text()
    assert page.status == 200 and "cursor=" in url and "lang=en" in url and "sort=name" in url
    links = export_links(text)
    assert set(links) == {"CSV", "JSON Lines", "Darwin Core Archive"}
    total = (await (await client.get("/api/search", params={"q": "mouse"})).json())["total_holdings"]
    assert total > 100

    response = await client.get(links["CSV"])
    assert response.status == 200, await response.text()
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert len(rows) == len({r["id"] for r in rows}) == total
    names = [r["name"].casefold() for r in rows]
    assert names[0] <= names[len(names) // 2] <= names[-1]  # sort=name is honoured

    response = await client.get(links["JSON Lines"])
    assert response.status == 200
    lines = [json.loads(line) for line in (await response.text()).splitlines()]
    assert len(lines) == len({line["id"] for line in lines}) == total

    for extra in ("page=3", "page_size=7", "lang=ja", "cursor=not-a-cursor"):
        assert (await client.get(f"/api/export?q=mouse&format=jsonl&{extra}")).status == 200


@pytest.fixture(scope="module")
async def big_settings(es: AsyncElasticsearch, settings: Settings) -> Settings:
    """A catalog of 12,000 generated holdings (over the old 10,000-row cap), indexed the real way."""
    prefix = f"{settings.es.index_prefix}-big"
    corpus = []
    for i in range(BIG):
        institution, letters, kind = _INSTITUTIONS[i % 3]
        corpus.append(make_resource(
            institution=institution, catalog_id=f"{letters}{i:06d}", resource_type=kind, name=f"Generated holding {i}",
            description=LocalizedText(en=f"Holding number {i}, generated for export tests; " * 4)))
    await publish_corpus(es, prefix, corpus)
    return settings.model_copy(update={"es": settings.es.model_copy(update={"index_prefix": prefix})})


@pytest.fixture
async def big(big_settings: Settings) -> AsyncIterator[Client]:
    limits = GatewayLimits(rate=10_000.0, burst=100_000, export_slots=1)
    async with TestClient(TestServer(create_app(big_settings, limits=limits))) as test_client:
        yield test_client


async def test_export_of_a_catalog_over_ten_thousand_returns_every_row(big: Client) -> None:
    response = await big.get("/api/export", params={"format": "csv"})
    assert response.status == 200 and response.headers.get("Transfer-Encoding") == "chunked"
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert len(rows) == len({r["id"] for r in rows}) == BIG

    response = await big.get("/api/export", params={"format": "jsonl", "sort": "updated"})
    lines = (await response.text()).splitlines()
    assert len(lines) == len({json.loads(line)["id"] for line in lines}) == BIG

    response = await big.get("/api/export", params={"format": "dwca", "institution": "jcrb"})
    assert response.status == 200 and response.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    assert set(archive.namelist()) == {"meta.xml", "eml.xml", "occurrence.txt"}
    meta = etree.fromstring(archive.read("meta.xml"))
    core = meta.find("{http://rs.tdwg.org/dwc/text/}core")
    assert core is not None and core.get("rowType") == "http://rs.tdwg.org/dwc/terms/Occurrence"
    terms = [f.get("term") for f in core.iter("{http://rs.tdwg.org/dwc/text/}field")]
    occurrence = archive.read("occurrence.txt").decode().splitlines()
    header, body = occurrence[0].split("\t"), [line.split("\t") for line in occurrence[1:]]
    assert len(header) == len(terms) and all(len(row) == len(terms) for row in body)
    assert len(body) == BIG // 3 and {row[header.index("institutionCode")] for row in body} == {"jcrb"}
    assert terms[header.index("catalogNumber")] == "http://rs.tdwg.org/dwc/terms/catalogNumber"


async def test_exports_have_their_own_concurrency_limit_and_search_goes_on(big: Client) -> None:
    # Identity encoding: the rows overflow the socket buffers, so the unread export holds its slot.
    first = await big.get("/api/export", params={"format": "jsonl"}, headers={"Accept-Encoding": "identity"})
    assert first.status == 200
    await first.content.read(1024)
    second = await big.get("/api/export", params={"format": "csv"})
    assert second.status == 429 and int(second.headers["Retry-After"]) > 0
    assert (await second.json())["type"] == "https://biocross.example/problems/rate-limited"
    search = await big.get("/api/search", params={"q": "Generated holding 7"})
    assert search.status == 200 and (await search.json())["total_holdings"] > 0
    rest = await first.read()
    assert len(rest.splitlines()) >= BIG - 10
    for _ in range(50):  # the slot is given back once the first export has finished
        third = await big.get("/api/export", params={"format": "csv", "limit": "3"})
        if third.status == 200:
            break
        await asyncio.sleep(0.1)
    assert third.status == 200 and len((await third.read()).decode("utf-8-sig").splitlines()) == 4


async def test_an_export_costs_more_of_the_rate_budget_than_a_search(big_settings: Settings) -> None:
    limits = GatewayLimits(rate=0.001, burst=70, export_cost=30)
    async with TestClient(TestServer(create_app(big_settings, limits=limits))) as tight:
        for _ in range(2):
            response = await tight.get("/api/export", params={"format": "csv", "limit": "1"})
            assert response.status == 200
            await response.read()
        refused = await tight.get("/api/export", params={"format": "csv", "limit": "1"})
        assert refused.status == 429 and refused.headers["Retry-After"]
        assert (await tight.get("/api/search", params={"q": "holding"})).status == 200  # 10 tokens left for searches


async def test_the_darwin_core_archive_is_read_back_by_the_own_dwca_toolkit(big_settings: Settings) -> None:
    limits = GatewayLimits(rate=10_000.0, burst=100_000)
    async with serve(create_app(big_settings, limits=limits)) as url, HttpClient() as http:
        adapter = build_adapter(DwcaAdapter, http, "biocross-jcrb", institution="jcrb",
                                endpoint=f"{url}/api/export?format=dwca&institution=jcrb",
                                mapping={"catalog_id": "catalogNumber", "name": "organismName",
                                         "species.scientific_name": "scientificName",
                                         "description.en": "occurrenceRemarks", "resource_type": {"const": "cell_line"}})
        out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert len(out.resources) == BIG // 3 and not out.rejections
    assert {r.id for r in out.resources} == {resource_id("jcrb", f"JCRB{i:06d}") for i in range(1, BIG, 3)}
    first = min(out.resources, key=lambda r: r.catalog_id)
    assert first.name == "Generated holding 1" and first.species is not None
    assert first.description.en and first.description.en.startswith("Holding number 1, generated")


async def test_export_of_a_relaxed_search_holds_what_the_page_shows(client: Client) -> None:
    query = {"q": "HeLa zzqxnotaword"}
    found = await (await client.get("/api/search", params=query)).json()
    assert found["dropped_terms"] and found["total_holdings"] > 0  # the page left the unknown word out
    rows = (await (await client.get("/api/export", params={**query, "format": "jsonl"})).text()).splitlines()
    assert len(rows) == found["total_holdings"]
    shown = {h["id"] for g in found["groups"] for h in g["holdings"]}
    assert shown <= {json.loads(row)["id"] for row in rows}
