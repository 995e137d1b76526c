"""Elasticsearch restarted in the middle of a harvest: the published catalog survives, the run fails
cleanly (no hang, no exception escaping), and the next run publishes. Uses its own node (ports 9252/9352)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from biocross.localnode import LocalNode
from indexer.client import make_client
from indexer.names import resources_alias
from pipeline.jsonsource import specs_for
from schemas.harvest import HarvestMode
from schemas.settings import EsSettings, LocalNodeSettings


@pytest.fixture(scope="module")
def second_node() -> Iterator[LocalNode]:
    node = LocalNode(LocalNodeSettings(port=9252, transport_port=9352, heap="512m"))
    node.start()
    yield node
    node.stop()


@pytest.fixture
async def es2(second_node: LocalNode) -> AsyncIterator[AsyncElasticsearch]:
    client = make_client(EsSettings(url=second_node.url, request_timeout=10))
    yield client
    await client.options(ignore_status=404).indices.delete(index="restart*", expand_wildcards="all")
    await client.close()


async def test_elasticsearch_restart_mid_harvest(second_node: LocalNode, es2: AsyncElasticsearch,
                                                 json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    prefix = "restart"
    catalog.fill(100)
    [first] = await harvest_all(es2, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert first["outcome"] == "published"

    catalog.fill(1400, start=101)
    catalog.delay = 0.1
    harvest = asyncio.create_task(harvest_all(es2, prefix, registry, specs_for(url, registry), HarvestMode.FULL))
    pages = catalog.pages_served
    while catalog.pages_served < pages + 5:
        await asyncio.sleep(0.05)
    await asyncio.to_thread(second_node.stop)
    await asyncio.to_thread(second_node.start)
    [run] = await asyncio.wait_for(harvest, timeout=180)
    assert run["outcome"] in ("failed", "published")  # failed while down, or resumed via client retries

    await es2.indices.refresh(index=resources_alias(prefix))
    live = (await es2.count(index=resources_alias(prefix), query={"term": {"withdrawn": False}}))["count"]
    assert live in (100, 1500)  # the old catalog or the complete new one, never a partial one
    catalog.delay = 0.0
    [again] = await harvest_all(es2, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert again["outcome"] == "published"
    await es2.indices.refresh(index=resources_alias(prefix))
    assert (await es2.count(index=resources_alias(prefix), query={"term": {"withdrawn": False}}))["count"] == 1500
