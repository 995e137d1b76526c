"""A harvest killed with SIGKILL leaves the published catalog as it was and resumes from its checkpoint."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from indexer.names import resources_alias
from indexer.store import HarvestStore
from pipeline.jsonsource import adapter_toml, specs_for
from schemas.harvest import HarvestMode
from schemas.settings import Settings


async def _live_count(es: AsyncElasticsearch, prefix: str) -> int:
    await es.indices.refresh(index=resources_alias(prefix))
    return int((await es.count(index=resources_alias(prefix), query={"term": {"withdrawn": False}}))["count"])


async def test_sigkill_mid_harvest_then_resume(es: AsyncElasticsearch, settings: Settings, json_source: tuple[Any, str],
                                               registry: Any, tmp_path: Path) -> None:
    catalog, url = json_source
    prefix = f"{settings.es.index_prefix}-crash"
    catalog.fill(100)
    await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert await _live_count(es, prefix) == 100

    catalog.fill(900, start=101)  # the next full harvest has 20 pages of 50
    catalog.delay = 0.15
    config = tmp_path / "adapters.toml"
    config.write_text(adapter_toml(url))
    env = {**os.environ, "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": prefix}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "biocross.cli", "harvest", "--full", "--config",
                                                str(config), env=env, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    served_before = catalog.pages_served
    while catalog.pages_served < served_before + 8:
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()

    # The published catalog is what it was; the killed run left a resume point.
    assert await _live_count(es, prefix) == 100
    _, in_flight = await HarvestStore(es, prefix).checkpoint("jcrbtest")
    assert in_flight is not None and in_flight["checkpoint"]["extra"]["next_params"]

    catalog.delay = 0.0
    pages_at_resume = catalog.pages_served
    [run] = await harvest_all(es, prefix, registry, specs_for(url, registry), HarvestMode.FULL)
    assert run["run_id"] == in_flight["run_id"] and run["outcome"] == "published"
    assert catalog.pages_served - pages_at_resume < 20  # resumed, not restarted
    assert await _live_count(es, prefix) == 1000
