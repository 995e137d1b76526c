"""Full and incremental harvests through the real pipeline into real Elasticsearch."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from indexer.names import resources_alias
from indexer.search.service import SearchService
from indexer.store import HarvestStore
from indexer.writer import accept_run
from pipeline.jsonsource import specs_for
from schemas.harvest import HarvestMode
from schemas.settings import Settings


async def _live(es: AsyncElasticsearch, prefix: str) -> set[str]:
    await es.indices.refresh(index=resources_alias(prefix))
    resp = await es.search(index=resources_alias(prefix), query={"term": {"withdrawn": False}}, size=1000, source=["catalog_id"])
    return {h["_source"]["catalog_id"] for h in resp["hits"]["hits"]}


async def test_full_then_changes_then_full_again(es: AsyncElasticsearch, settings: Settings, json_source: tuple[Any, str],
                                                 registry: Any) -> None:
    catalog, url = json_source
    prefix = f"{settings.es.index_prefix}-pipe1"
    catalog.fill(120)
    catalog.records["BAD1"] = {"id": "", "name": "no id", "kind": "cell_line", "species": "Homo sapiens"}
    [run] = await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert run["outcome"] == "published", run
    assert run["indexed"] == 120 and run["rejected"] == 1, run
    assert len(await _live(es, prefix)) == 120

    store = HarvestStore(es, prefix)
    total, rejected = await store.rejections("jcrbtest")
    assert total == 1 and rejected[0]["reason"] == "missing_id" and rejected[0]["payload"]["name"] == "no id"

    # adds, updates, deletes at the source, then a full harvest: deleted records are withdrawn, kept for history
    for i in range(1, 11):
        del catalog.records[f"JCRB{i:04d}"]
    catalog.records["JCRB0050"]["name"] = "Cell line 50 (renamed)"
    catalog.fill(5, start=500)
    [run2] = await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert run2["outcome"] == "published" and run2["withdrawn"] == 10
    live = await _live(es, prefix)
    assert len(live) == 115 and "JCRB0001" not in live and "JCRB0500" in live
    old = await es.search(index=resources_alias(prefix), query={"term": {"id": "jcrb:JCRB1"}})
    assert old["hits"]["hits"][0]["_source"]["withdrawn"] is True
    suggested = [s.casefold() for s in await SearchService(es, prefix).suggest("cell line 1", size=20)]
    assert "cell line 11" in suggested and not {f"cell line {i}" for i in range(1, 11)} & set(suggested)
    renamed = await es.search(index=resources_alias(prefix), query={"term": {"id": "jcrb:JCRB50"}})
    assert renamed["hits"]["hits"][0]["_source"]["resource"]["name"] == "Cell line 50 (renamed)"


async def test_incremental_rewrites_only_changed_records(es: AsyncElasticsearch, settings: Settings,
                                                         json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    prefix = f"{settings.es.index_prefix}-pipe2"
    catalog.fill(80)
    await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    catalog.records["JCRB0003"]["name"] = "changed"
    catalog.fill(2, start=900)
    [run] = await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.INCREMENTAL)
    assert run["outcome"] == "updated"
    assert run["indexed"] == 3 and run["unchanged"] == 79
    assert len(await _live(es, prefix)) == 82


async def test_safety_valve_holds_a_shrunken_source_until_accepted(es: AsyncElasticsearch, settings: Settings,
                                                                   json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    prefix = f"{settings.es.index_prefix}-pipe3"
    catalog.fill(100)
    await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    for i in range(1, 81):
        del catalog.records[f"JCRB{i:04d}"]
    [held] = await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert held["outcome"] == "held" and "safety valve" in held["errors"]
    assert len(await _live(es, prefix)) == 100  # the published catalog is untouched
    await accept_run(es, prefix, held["run_id"])
    assert len(await _live(es, prefix)) == 20


async def test_a_failing_source_leaves_the_catalog_and_other_sources_alone(
        es: AsyncElasticsearch, settings: Settings, json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    prefix = f"{settings.es.index_prefix}-pipe4"
    catalog.fill(200)
    await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    catalog.broken_after_page = catalog.pages_served + 2
    dead = specs_for("http://127.0.0.1:9/nothing", registry, name="deadsource")
    runs = await harvest_all(es, prefix, registry, specs_for(url, registry) + dead, HarvestMode.FULL)
    assert [r["outcome"] for r in runs] == ["failed", "failed"]
    assert "404" in runs[0]["errors"] or "not found" in runs[0]["errors"].lower()
    assert len(await _live(es, prefix)) == 200
