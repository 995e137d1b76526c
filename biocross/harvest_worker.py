"""One source's harvest in its own process: ``python -m biocross.harvest_worker`` (used by
``harvest_in_processes``). Reads one JSON job on stdin, writes JSON lines on stdout: progress lines
while it works, then one ``run`` line with the run record. Settings come from the environment."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

from adapters.config import parse_adapters_toml
from adapters.http import HttpClient
from adapters.registry import load_registry
from biocross.harvest import SourceSpec, harvest_source
from biocross.logs import configure_logging
from indexer.client import make_client
from schemas.harvest import HarvestMode, RunRecord
from schemas.settings import Settings


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


async def _run(job: dict[str, Any], settings: Settings) -> RunRecord:
    registry = load_registry()
    configs = parse_adapters_toml(job["toml"], registry, origin=job.get("origin", "adapters.toml"))
    spec = SourceSpec(job["name"], configs[job["name"]])
    es = make_client(settings.es)
    try:
        async with HttpClient() as http:
            return await harvest_source(
                es, settings.es.index_prefix, registry, http, spec, HarvestMode(job["mode"]),
                chunk_size=job["chunk_size"], safety_valve=job["safety_valve"], policy=settings.harvest,
                progress=lambda name, stats: _emit({"type": "progress", "name": name, "stats": stats}))
    finally:
        await es.close()


def main() -> None:
    """Entry point of the worker process."""
    settings = Settings()
    configure_logging(settings.log.format, logging.WARNING)
    job = json.loads(sys.stdin.read())
    run = asyncio.run(_run(job, settings))
    _emit({"type": "run", "run": run})


if __name__ == "__main__":
    main()
