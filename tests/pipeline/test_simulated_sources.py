"""The harvest pipeline on the simulated institutions (real HTTP, real Elasticsearch): full, then
incremental with adds, updates and deletes; a source shrinking by 80 % stops at the safety valve."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch
from institutions.demosources import FAST, running_sources

from adapters.registry import Registry, builtin_adapters
from biocross.harvest import SourceSpec, harvest_all
from demo.generator.ledger import expected_dirt
from indexer.names import resources_alias
from indexer.search.service import SearchService
from schemas.harvest import HarvestMode
from schemas.settings import Settings


async def _live(es: AsyncElasticsearch, prefix: str, source: str) -> set[str]:
    await es.indices.refresh(index=resources_alias(prefix))
    ids: set[str] = set()
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 2000, "sort": [{"id": "asc"}], "source_includes": ["catalog_id"],
                                "query": {"bool": {"filter": [{"term": {"source": source}}, {"term": {"withdrawn": False}}]}}}
        if after:
            body["search_after"] = after
        hits = (await es.search(index=resources_alias(prefix), **body))["hits"]["hits"]
        if not hits:
            return ids
        ids |= {h["_source"]["catalog_id"] for h in hits}
        after = hits[-1]["sort"]


async def test_full_incremental_and_safety_valve_on_simulated_sources(es: AsyncElasticsearch, settings: Settings) -> None:
    registry = Registry(builtin_adapters())
    prefix = f"{settings.es.index_prefix}-sim"
    async with running_sources(registry, total=2000) as sources:
        specs = [SourceSpec(name, sources.configs[name].model_copy(update=FAST)) for name in ("naro", "jcrb")]
        runs = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL)
        assert [r["outcome"] for r in runs] == ["published", "published"]
        for run, inst in zip(runs, ("naro", "jcrb"), strict=True):
            ledger = expected_dirt(inst, sources.state)
            assert run["indexed"] == ledger.valid, (inst, run)
            assert len(await _live(es, prefix, run["source"])) == ledger.valid

        naro_before = await _live(es, prefix, "naro")
        sources.state["naro"].mutate(add=7, update=5, delete=4)
        [inc] = await harvest_all(es, prefix, registry, specs[:1], HarvestMode.INCREMENTAL)
        assert inc["outcome"] == "updated" and inc["deleted"] == 4 and inc["withdrawn"] == 4
        after = await _live(es, prefix, "naro")
        assert len(after) == len(naro_before) + 7 - 4
        gone = naro_before - after
        assert len(gone) == 4
        service = SearchService(es, prefix)
        live_id = sorted(after)[0]
        assert live_id in await service.suggest(live_id, size=20)  # display form
        for catalog_id in gone:  # withdrawn records also leave autocomplete
            assert catalog_id not in await service.suggest(catalog_id, size=20)

        sources.state["jcrb"].set_fault("shrink")
        [held] = await harvest_all(es, prefix, registry, specs[1:], HarvestMode.FULL)
        assert held["outcome"] == "held" and "safety valve" in held["errors"]
        assert len(await _live(es, prefix, "jcrb")) == runs[1]["indexed"]  # the published catalog is untouched
