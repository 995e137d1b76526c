"""Cold start: ``biocross serve`` to its first successful search, and the demo command on a warm cache."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from bench.indices import DEMO_PREFIX, HARVEST_PREFIX, drop_prefix
from bench.procs import ROOT, child_env, free_port, spawn, stop, wait_http
from indexer.client import make_client
from indexer.store import ensure_system_indices
from schemas.settings import EsSettings

BIOCROSS = str(ROOT / ".venv" / "bin" / "biocross")
PROBE = "/api/search?q=HeLa"


def serve_to_first_search(es_url: str, logs: Path, repeats: int = 3) -> dict[str, Any]:
    """Launch ``biocross serve`` (the real CLI) ``repeats`` times; seconds until ``PROBE`` answers 200."""
    times = []
    for _ in range(repeats):
        port = free_port()
        env = child_env(BIOCROSS_ES_URL=es_url, BIOCROSS_ES_INDEX_PREFIX=HARVEST_PREFIX, BIOCROSS_GATEWAY_PORT=str(port))
        started = time.monotonic()
        proc = spawn([BIOCROSS, "serve"], env, logs / "serve.log")
        try:
            answered = wait_http(f"http://127.0.0.1:{port}{PROBE}", 120, proc, interval=0.01)
        finally:
            stop(proc)
        times.append(round(answered - started, 3))
    return {"command": "biocross serve", "probe": PROBE, "seconds": times, "median_s": statistics.median(times)}


async def _prepare_demo_prefix(es_url: str) -> None:
    es = make_client(EsSettings(url=es_url, index_prefix=DEMO_PREFIX))
    try:
        await drop_prefix(es, DEMO_PREFIX)
        # Same workaround as bench.harvest_child: a fresh prefix trips the system-index creation race.
        await ensure_system_indices(es, DEMO_PREFIX)
        await es.cluster.health(index=f"{DEMO_PREFIX}-*", wait_for_status="green", timeout="30s")
    finally:
        await es.close()


async def _drop_demo_prefix(es_url: str) -> None:
    es = make_client(EsSettings(url=es_url, index_prefix=DEMO_PREFIX))
    try:
        await drop_prefix(es, DEMO_PREFIX)
    finally:
        await es.close()


def demo_to_first_search(es_url: str, logs: Path, total: int, timeout: float) -> dict[str, Any]:
    """``biocross demo --total N`` with Elasticsearch running and its distribution cached: seconds to a search."""
    asyncio.run(_prepare_demo_prefix(es_url))
    port, sources_port = free_port(), free_port()
    env = child_env(BIOCROSS_ES_URL=es_url, BIOCROSS_ES_INDEX_PREFIX=DEMO_PREFIX, BIOCROSS_GATEWAY_PORT=str(port))
    started = time.monotonic()
    proc = spawn([BIOCROSS, "demo", "--total", str(total), "--sources-port", str(sources_port)], env, logs / "demo.log")
    try:
        answered = wait_http(f"http://127.0.0.1:{port}{PROBE}", timeout, proc, interval=0.1)
    finally:
        stop(proc)
        asyncio.run(_drop_demo_prefix(es_url))
    return {"command": f"biocross demo --total {total}", "probe": PROBE, "seconds": round(answered - started, 1),
            "note": "Elasticsearch already running and cached; index prefix bench-d (system indices pre-created)"}
