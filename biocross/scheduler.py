"""The scheduler: harvest each adapter on its configured interval, never two runs of one adapter at
once — even with several scheduler processes — thanks to a lease per adapter in Elasticsearch."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from adapters.http import HttpClient
from adapters.registry import Registry
from biocross.harvest import SourceSpec, harvest_source
from indexer.locks import LeaseLock
from indexer.store import HarvestStore, ensure_system_indices
from schemas.harvest import HarvestMode, RunRecord

log = logging.getLogger(__name__)


def scheduler_id() -> str:
    """Who holds a lease: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def due(store: HarvestStore, spec: SourceSpec, now: datetime) -> bool:
    """Whether ``spec`` has no finished run within its schedule interval."""
    runs = await store.recent_runs(spec.name, size=5)
    finished = [r for r in runs if r.get("finished_at")]
    if not finished:
        return True
    last = datetime.fromisoformat(finished[0]["finished_at"])
    return now - last >= spec.config.schedule


async def run_due(es: AsyncElasticsearch, prefix: str, registry: Registry, specs: list[SourceSpec], *,
                  owner: str | None = None, lease: timedelta = timedelta(hours=2), **harvest_options: Any) -> list[RunRecord]:
    """One scheduler tick: harvest every due adapter whose lease we can take. Returns the runs made."""
    await ensure_system_indices(es, prefix)
    store = HarvestStore(es, prefix)
    owner = owner or scheduler_id()
    runs: list[RunRecord] = []
    async with HttpClient() as http:
        for spec in specs:
            if not spec.config.enabled or not await due(store, spec, datetime.now(UTC)):
                continue
            lock = LeaseLock(es, prefix, f"harvest:{spec.name}", owner, lease)
            if not await lock.acquire():
                log.info("[%s] another scheduler is harvesting it", spec.name)
                continue
            try:
                # Re-check under the lease: another scheduler may have just finished a run.
                if not await due(store, spec, datetime.now(UTC)):
                    continue
                first = not await store.recent_runs(spec.name, size=1)
                mode = HarvestMode.FULL if first else HarvestMode.INCREMENTAL
                runs.append(await harvest_source(es, prefix, registry, http, spec, mode, **harvest_options))
            finally:
                await lock.release()
    return runs


async def run_forever(es: AsyncElasticsearch, prefix: str, registry: Registry, specs: list[SourceSpec], *,
                      tick: float = 60.0, **harvest_options: Any) -> None:
    """Tick until cancelled."""
    while True:
        try:
            await run_due(es, prefix, registry, specs, **harvest_options)
        except Exception:
            log.exception("scheduler tick failed")
        await asyncio.sleep(tick)
