"""Two schedulers started at once run each adapter exactly once (lease in Elasticsearch)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from biocross.scheduler import run_due
from indexer.locks import LeaseLock
from indexer.store import HarvestStore
from pipeline.jsonsource import specs_for
from schemas.settings import Settings


async def test_two_schedulers_run_each_adapter_once(es: AsyncElasticsearch, settings: Settings,
                                                    json_source: tuple[Any, str], registry: Any) -> None:
    catalog, url = json_source
    catalog.fill(300)
    prefix = f"{settings.es.index_prefix}-sched"
    specs = specs_for(url, registry, name="alpha") + specs_for(url, registry, name="beta")
    first, second = await asyncio.gather(run_due(es, prefix, registry, specs, owner="scheduler-1"),
                                         run_due(es, prefix, registry, specs, owner="scheduler-2"))
    store = HarvestStore(es, prefix)
    for name in ("alpha", "beta"):
        runs = await store.recent_runs(name)
        assert len(runs) == 1, (name, runs)
    assert len(first) + len(second) == 2
    # Nothing is due any more (schedule 1 day): a second tick harvests nothing.
    assert await run_due(es, prefix, registry, specs, owner="scheduler-3") == []


async def test_lease_is_exclusive_until_released_or_expired(es: AsyncElasticsearch, settings: Settings) -> None:
    prefix = f"{settings.es.index_prefix}-lease"
    a = LeaseLock(es, prefix, "x", "a", timedelta(minutes=5))
    b = LeaseLock(es, prefix, "x", "b", timedelta(minutes=5))
    results = await asyncio.gather(a.acquire(), b.acquire())
    assert sorted(results) == [False, True]
    winner, loser = (a, b) if results[0] else (b, a)
    await winner.release()
    assert await loser.acquire()
    expired = LeaseLock(es, prefix, "y", "c", timedelta(seconds=-1))
    assert await expired.acquire()
    assert await LeaseLock(es, prefix, "y", "d", timedelta(minutes=5)).acquire()
