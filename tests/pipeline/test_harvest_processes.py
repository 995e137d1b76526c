"""Sources harvested in worker processes (what `biocross harvest` and the demo do) end up exactly as
an in-process harvest would, and a source failing in its worker does not affect the others."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_in_processes
from indexer.names import resources_alias
from pipeline.jsonsource import adapter_toml
from schemas.harvest import HarvestMode
from schemas.settings import EsSettings, Settings


async def test_two_sources_in_two_worker_processes(es: AsyncElasticsearch, settings: Settings,
                                                   json_source: tuple[Any, str]) -> None:
    catalog, url = json_source
    catalog.fill(300)
    prefix = f"{settings.es.index_prefix}-procs"
    # two institutions: one catalog under two source names of one institution would be duplicate holdings (held)
    toml = (adapter_toml(url, "alpha") + adapter_toml(url, "beta").replace('institution = "jcrb"', 'institution = "nibiohn"')
            + adapter_toml("http://127.0.0.1:9/x", "gamma"))
    mine = settings.model_copy(update={"es": EsSettings.model_validate({**settings.es.model_dump(), "index_prefix": prefix})})
    progress: list[str] = []
    runs = await harvest_in_processes(mine, toml, ["alpha", "beta", "gamma"], HarvestMode.FULL, workers=2,
                                      progress=lambda name, _stats: progress.append(name))
    assert [(r["source"], r["outcome"], r["indexed"]) for r in runs] == [
        ("alpha", "published", 300), ("beta", "published", 300), ("gamma", "failed", 0)]
    assert {"alpha", "beta", "gamma"} <= set(progress)
    await es.indices.refresh(index=resources_alias(prefix))
    assert (await es.count(index=resources_alias(prefix)))["count"] == 600
