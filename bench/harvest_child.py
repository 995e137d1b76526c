"""The harvesting process of the harvest benchmark (its RSS is sampled by the parent).

    python -m bench.harvest_child --sources http://127.0.0.1:PORT --out result.json

Runs exactly what ``biocross harvest --full`` / the demo run: ``harvest_all`` over the five simulated
institutions' adapters (demo configuration), all five at once, into the index prefix of
``BIOCROSS_ES_INDEX_PREFIX``, and writes counts and timings as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import psutil
from elasticsearch import AsyncElasticsearch

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import SourceSpec, harvest_all, harvest_in_processes
from demo.config import demo_config
from indexer.client import make_client
from indexer.store import ensure_system_indices
from schemas.harvest import HarvestMode
from schemas.settings import Settings

CHUNK_SIZE = 1000


async def _prepare_system_indices(es: AsyncElasticsearch, prefix: str) -> None:
    """Create the bookkeeping indices once and wait until their shards are started.

    Workaround, not part of the measurement: with five writers starting at once on a *fresh* prefix,
    ``ensure_system_indices`` lets the callers that lost the create race read an index whose shard is
    still recovering (HTTP 503 ``no_shard_available_action_exception``), which aborts the harvest.
    """
    await ensure_system_indices(es, prefix)
    await es.cluster.health(index=f"{prefix}-*", wait_for_status="green", timeout="30s")


async def harvest(sources: str) -> dict[str, Any]:
    """Full harvest of every demo adapter; timings cover ``harvest_all`` (fetch, map, analyse, bulk, publish)."""
    settings = Settings()
    toml = demo_config(sources)
    registry = load_registry()
    configs = parse_adapters_toml(toml, registry, origin="bench adapters")
    names = list(configs)
    es = make_client(settings.es)
    rss_before = psutil.Process().memory_info().rss
    try:
        await _prepare_system_indices(es, settings.es.index_prefix)
        started = time.perf_counter()
        if settings.harvest.workers > 1:
            # What `biocross harvest` and the demo run: one worker process per source, `workers` at a time.
            runs = await harvest_in_processes(settings, toml, names, HarvestMode.FULL,
                                              workers=settings.harvest.workers, origin="bench adapters")
        else:  # BIOCROSS_HARVEST_WORKERS=1: as `biocross harvest`, every source in this one process
            runs = await harvest_all(es, settings.es.index_prefix, registry, [SourceSpec(n, configs[n]) for n in names],
                                     HarvestMode.FULL, concurrency=settings.harvest.concurrency,
                                     chunk_size=settings.harvest.bulk_chunk,
                                     safety_valve=settings.harvest.safety_valve, policy=settings.harvest)
        seconds = time.perf_counter() - started
    finally:
        await es.close()
    indexed = sum(r["indexed"] for r in runs)
    return {
        "prefix": settings.es.index_prefix, "sources": len(names), "workers": settings.harvest.workers,
        "chunk_size": settings.harvest.bulk_chunk,
        "seconds": round(seconds, 2), "indexed": indexed, "records_per_s": round(indexed / seconds, 1),
        "seen": sum(r["seen"] for r in runs), "rejected": sum(r["rejected"] for r in runs),
        "rss_after_imports_mb": round(rss_before / 2**20, 1),
        "runs": [{k: r[k] for k in ("source", "outcome", "seen", "indexed", "rejected", "index", "errors")} for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", required=True, help="base URL of the simulated sources")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(harvest(args.sources))
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
