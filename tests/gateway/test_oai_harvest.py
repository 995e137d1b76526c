"""Harvesters harvest the catalog over /oai: Sickle (a client biocross did not write) and biocross's
own OAI-PMH adapter, against the real gateway on a loopback port, with the catalog published and
re-published by the real harvest writer (full runs: datestamps survive a re-harvest of unchanged
records; changed, new and withdrawn ones get new datestamps)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from sickle import Sickle

from adapters.http import HttpClient
from adapters.testing import build_adapter, collect, serve
from adapters.toolkits.oaipmh import OaiPmhAdapter
from fixtures.corpus import build_corpus
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from indexer.names import resources_alias
from indexer.writer import HarvestWriter
from schemas.harvest import HarvestMode
from schemas.resource import Resource
from schemas.settings import Settings

OAI = "{http://www.openarchives.org/OAI/2.0/}"
LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)


@dataclass
class Harvest:
    """What Sickle saw: live records (id → title), deleted ids, and the first page's responseDate."""

    live: dict[str, str]
    deleted: set[str]
    response_date: str


def sickle_harvest(endpoint: str, **params: str) -> Harvest:
    """A complete ListRecords harvest with Sickle (synchronous: run it in a thread)."""
    client = Sickle(endpoint, max_retries=0, timeout=30)
    records = client.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **params)
    response_date = records.oai_response.xml.findtext(f"{OAI}responseDate")
    live: dict[str, str] = {}
    deleted: set[str] = set()
    for record in records:
        if record.header.deleted:
            deleted.add(record.header.identifier)
        else:
            live[record.header.identifier] = record.metadata["title"][0]
    return Harvest(live, deleted, response_date)


async def full_run(es: AsyncElasticsearch, prefix: str, source: str, resources: list[Resource]) -> dict[str, Any]:
    writer = HarvestWriter(es, prefix, source, resources[0].institution, HarvestMode.FULL, uuid.uuid4().hex,
                           safety_valve=0.5)
    await writer.begin()
    for resource in resources:
        await writer.add(resource)
    return await writer.finish(ok=True, checkpoint=None, stats={})


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[Resource]]:
    by_source: dict[str, list[Resource]] = {}
    for resource in build_corpus():
        if resource.institution in ("riken-brc", "jcrb"):
            by_source.setdefault(resource.provenance.source, []).append(resource)
    return by_source


@pytest.fixture(scope="module")
async def harvest_settings(settings: Settings) -> Settings:
    prefix = f"{settings.es.index_prefix}-oaih"
    return settings.model_copy(update={"es": settings.es.model_copy(update={"index_prefix": prefix})})


@pytest.fixture(scope="module")
async def endpoint(harvest_settings: Settings) -> AsyncIterator[str]:
    async with serve(create_app(harvest_settings, limits=LIMITS)) as url:
        yield f"{url}/oai"


async def catalog_count(es: AsyncElasticsearch, prefix: str) -> int:
    await es.indices.refresh(index=resources_alias(prefix))
    return int((await es.count(index=resources_alias(prefix)))["count"])


async def test_sickle_and_the_own_adapter_harvest_the_catalog(
        es: AsyncElasticsearch, harvest_settings: Settings, endpoint: str, corpus: dict[str, list[Resource]]) -> None:
    prefix = harvest_settings.es.index_prefix
    for source, resources in corpus.items():
        assert (await full_run(es, prefix, source, resources))["outcome"] == "published"
    total = await catalog_count(es, prefix)
    assert total == sum(len(r) for r in corpus.values()) > 200
    await asyncio.sleep(1.1)  # datestamps have second granularity

    first = await asyncio.to_thread(sickle_harvest, endpoint)
    assert len(first.live) == total and not first.deleted

    # A re-harvest: both sources again, riken with 3 records changed, 2 gone and 1 new; jcrb unchanged.
    await asyncio.sleep(1.1)
    riken = list(corpus["riken"])
    changed = [r.model_copy(update={"name": f"{r.name} (renamed)"}) for r in riken[:3]]
    gone = riken[3:5]
    new = riken[0].model_copy(update={"catalog_id": "RBRC99998", "name": "A strain new in this harvest"})
    for resource in [*changed, new]:
        resource.provenance = resource.provenance.model_copy(update={"content_hash": resource.content_hash()})
    assert (await full_run(es, prefix, "riken", [*changed, *riken[5:], new]))["outcome"] == "published"
    assert (await full_run(es, prefix, "jcrb", corpus["jcrb"]))["outcome"] == "published"
    assert await catalog_count(es, prefix) == total + 1  # withdrawn records stay, as deleted

    oai = "oai:127.0.0.1:"
    since = await asyncio.to_thread(sickle_harvest, endpoint, **{"from": first.response_date})
    assert since.live == {oai + r.id: r.name for r in [*changed, new]}
    assert since.deleted == {oai + r.id for r in gone}

    again = await asyncio.to_thread(sickle_harvest, endpoint)
    assert len(again.live) + len(again.deleted) == total + 1
    assert again.deleted == {oai + r.id for r in gone}

    # biocross's own OAI-PMH toolkit harvests one institution's set back (round trip), then only the changes.
    async with HttpClient() as http:
        adapter = build_adapter(OaiPmhAdapter, http, "biocross-riken", institution="riken-brc", endpoint=endpoint,
                                sets=["institution:riken-brc"], local_id=r"^oai:[^:]+:riken-brc:(.+)$",
                                mapping={"catalog_id": "header.local_id", "name": "dc:title",
                                         "resource_type": "dc:type", "description.en": "dc:description@en",
                                         "description.ja": "dc:description@ja"})
        full = await collect(adapter.run())
        assert full.finished.ok and not full.rejections
        live = {r.id for r in [*changed, *riken[5:], new]}
        assert {r.id for r in full.resources} == live
        names = {r.id: r.name for r in full.resources}
        assert all(names[r.id] == r.name for r in [*changed, *riken[5:], new])
        assert {d.catalog_id for d in full.deletions} == {r.id.split(":", 1)[1] for r in gone}
        assert all(r.resource_type == o.resource_type for r in full.resources
                   for o in [next(x for x in [*changed, *riken[5:], new] if x.id == r.id)])
        assert full.finished.checkpoint is not None
        await asyncio.sleep(1.1)
        quiet = await collect(adapter.run(HarvestMode.INCREMENTAL, full.finished.checkpoint))
        assert quiet.finished.ok and not quiet.resources and not quiet.deletions
