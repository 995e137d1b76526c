"""Retiring and renaming sources, and per-record withdrawal protection, on the real CP932 JCM export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from desk.mappings import REQUESTS_MAPPING
from indexer.indices import ensure_index
from indexer.names import requests_index, resources_alias, usage_index
from indexer.sources import reinstate_source, rename_source, retire_source
from indexer.usage.events import USAGE_MAPPING
from pipeline.realsources import FileSource, Served, catalog_id, jcm_export, jcm_lines, jcm_toml, live_ids, specs
from schemas.harvest import HarvestMode
from schemas.settings import Settings

FULL = HarvestMode.FULL


@pytest.fixture
def prefix(settings: Settings, request: pytest.FixtureRequest) -> str:
    return f"{settings.es.index_prefix}-{request.node.name[5:25].replace('_', '')}"


async def holdings_per_id(es: AsyncElasticsearch, prefix: str) -> dict[str, int]:
    """How many documents the read alias has for each record id (more than one = duplicate holdings)."""
    await es.indices.refresh(index=resources_alias(prefix))
    resp = await es.search(index=resources_alias(prefix), size=0,
                           aggs={"ids": {"terms": {"field": "id", "size": 1000}}})
    return {b["key"]: b["doc_count"] for b in resp["aggregations"]["ids"]["buckets"]}


async def test_retire_withdraws_keeps_history_and_refuses_harvests(es: AsyncElasticsearch, prefix: str,
                                                                   serve: Any, registry: Any) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    await harvest_all(es, prefix, registry, sources, FULL)
    before = await live_ids(es, prefix, "jcm-export")
    run = await retire_source(es, prefix, "jcm-export")
    assert run["outcome"] == "retired" and set(run["withdrawn_ids"]) == before
    assert {w["reason"] for w in run["withdrawals"]} == {"source jcm-export retired"}
    assert await live_ids(es, prefix, "jcm-export") == set()
    assert set(await holdings_per_id(es, prefix)) == before  # history kept: withdrawn, still there

    [refused] = await harvest_all(es, prefix, registry, sources, FULL)
    assert refused["outcome"] == "failed" and refused["error_kind"] == "config" and "retired" in refused["errors"]
    assert await live_ids(es, prefix, "jcm-export") == set()
    await reinstate_source(es, prefix, "jcm-export")
    [back] = await harvest_all(es, prefix, registry, sources, FULL)
    assert back["outcome"] == "published" and await live_ids(es, prefix, "jcm-export") == before


async def test_renamed_adapter_is_held_then_migrated_to_one_holding_per_record(
        es: AsyncElasticsearch, prefix: str, serve: Any, registry: Any) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    url = await serve(source.app())
    await harvest_all(es, prefix, registry, specs(jcm_toml(url, name="jcm-old"), registry), FULL)
    before = await live_ids(es, prefix, "jcm-old")

    # the maintainer renames the table in adapters.toml and harvests: no duplicate holdings appear
    renamed = specs(jcm_toml(url, name="jcm-brc"), registry)
    [held] = await harvest_all(es, prefix, registry, renamed, FULL)
    assert held["outcome"] == "held" and "biocross sources rename jcm-old jcm-brc" in held["errors"]
    assert set((await holdings_per_id(es, prefix)).values()) == {1}

    run = await rename_source(es, prefix, "jcm-old", "jcm-brc")
    assert run["outcome"] == "renamed" and run["indexed"] == 20
    assert await live_ids(es, prefix, "jcm-brc") == before and await live_ids(es, prefix, "jcm-old") == set()
    assert set((await holdings_per_id(es, prefix)).values()) == {1}

    [after] = await harvest_all(es, prefix, registry, renamed, FULL)  # the next run carries on from the move
    assert after["outcome"] == "published" and after["withdrawn"] == 0
    assert set((await holdings_per_id(es, prefix)).values()) == {1} and len(await holdings_per_id(es, prefix)) == 20
    [old] = await harvest_all(es, prefix, registry, specs(jcm_toml(url, name="jcm-old"), registry), FULL)
    assert old["outcome"] == "failed" and "renamed" in old["errors"]  # the old name cannot come back by accident


async def test_rename_after_both_names_published_keeps_one_holding(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                                    registry: Any) -> None:
    lines = jcm_lines()
    source = FileSource({"/old.csv": Served(jcm_export()), "/jcm.csv": Served(jcm_export(lines[:19]))})
    url = await serve(source.app())
    await harvest_all(es, prefix, registry, specs(jcm_toml(url, name="jcm-old").replace("/jcm.csv", "/old.csv"),
                                                  registry), FULL)
    [new] = await harvest_all(es, prefix, registry, specs(jcm_toml(url, name="jcm-brc"), registry), FULL)
    from indexer.runs import accept_run

    await accept_run(es, prefix, new["run_id"])  # an operator published the duplicates anyway
    assert max((await holdings_per_id(es, prefix)).values()) == 2

    run = await rename_source(es, prefix, "jcm-old", "jcm-brc")
    counts = await holdings_per_id(es, prefix)
    assert set(counts.values()) == {1} and len(counts) == 20
    only_old = {f"riken-brc:{catalog_id(line)}" for line in lines[19:]}
    assert set(run["withdrawn_ids"]) == only_old  # held under the old name only: withdrawn, listed
    assert await live_ids(es, prefix, "jcm-brc") == {f"riken-brc:{catalog_id(line)}" for line in lines[1:19]}


async def test_withdrawing_a_record_in_use_is_listed_for_the_maintainer(es: AsyncElasticsearch, prefix: str,
                                                                       serve: Any, registry: Any) -> None:
    lines = jcm_lines()
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    await harvest_all(es, prefix, registry, sources, FULL)
    requested, viewed = f"riken-brc:{catalog_id(lines[20])}", f"riken-brc:{catalog_id(lines[19])}"
    await ensure_index(es, requests_index(prefix), REQUESTS_MAPPING)
    await es.index(index=requests_index(prefix), id="req-1", refresh="wait_for", document={
        "id": "req-1", "institution": "riken-brc", "status": "under_review",
        "items": [{"id": requested, "catalog_id": "x", "name": "x", "resource_type": "microbe"}]})
    await ensure_index(es, usage_index(prefix), USAGE_MAPPING)
    await es.index(index=usage_index(prefix), refresh="wait_for", document={
        "kind": "view", "at": datetime.now(UTC).isoformat(), "channel": "web", "lang": "en",
        "resource_id": viewed, "institution": "riken-brc"})

    source.files["/jcm.csv"] = Served(jcm_export(lines[:18]))  # 3 of 20 go: under the valve, published
    [run] = await harvest_all(es, prefix, registry, sources, FULL)
    assert run["outcome"] == "published" and run["withdrawn"] == 3
    protected = {p["id"]: p for p in run["protected"]}
    assert set(protected) == {requested, viewed}
    assert protected[requested]["open_requests"] == ["req-1"] and protected[viewed]["recent_views"] == 1
    assert "in use" in run["errors"]
