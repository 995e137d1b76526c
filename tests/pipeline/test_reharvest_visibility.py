"""Readers never see a half-built catalog: while a full re-harvest of a 100,000-record source runs, a
concurrent search loop sees that source's count stay whole and gets no errors."""

from __future__ import annotations

import asyncio
from typing import Any

from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from indexer.names import resources_alias
from pipeline.jsonsource import specs_for
from schemas.harvest import HarvestMode
from schemas.settings import Settings

SIZE = 100_000


async def test_search_during_full_reharvest_of_100k(es: AsyncElasticsearch, settings: Settings,
                                                    json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    catalog.records.update({f"JCRB{i:06d}": {"id": f"JCRB{i:06d}", "name": f"Cell line {i}", "kind": "cell_line",
                                            "species": "Homo sapiens"} for i in range(1, SIZE + 1)})
    prefix = f"{settings.es.index_prefix}-vis"
    specs = specs_for(url, registry)
    specs[0].config.paging.page_size = 1000
    [first] = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL, chunk_size=2000)
    assert first["outcome"] == "published" and first["indexed"] == SIZE

    counts: list[int] = []
    errors: list[BaseException] = []
    done = asyncio.Event()

    async def search_loop() -> None:
        while not done.is_set():
            try:
                resp = await es.count(index=resources_alias(prefix),
                                      query={"bool": {"filter": [{"term": {"source": "jcrbtest"}},
                                                                 {"term": {"withdrawn": False}}]}})
                counts.append(int(resp["count"]))
            except Exception as exc:  # noqa: BLE001 - the assertion below reports any error
                errors.append(exc)
            await asyncio.sleep(0.05)

    loop = asyncio.create_task(search_loop())
    [second] = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL, chunk_size=2000)
    await asyncio.sleep(0.3)
    done.set()
    await loop
    assert second["outcome"] == "published"
    assert not errors
    assert len(counts) > 20 and min(counts) == SIZE == max(counts)
