"""The demo: one command from a fresh clone to a searchable catalog on http://127.0.0.1:8080.

Starts the local Elasticsearch node, serves the simulated institution catalogs on loopback, harvests
every institution's adapter with visible progress, then serves the gateway until interrupted.
"""

from __future__ import annotations

import asyncio
import secrets
import sys

from aiohttp import web
from pydantic import SecretStr

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import ConsoleProgress, harvest_in_processes
from biocross.localnode import LocalNode
from demo.server import create_sources_app
from gateway.app import create_app
from indexer.client import make_client
from indexer.store import ensure_system_indices
from schemas.harvest import HarvestMode
from schemas.settings import EsSettings, Settings


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _demo(settings: Settings, total: int, sources_port: int) -> None:
    from adapters.institutions import demo_config

    sources = web.AppRunner(create_sources_app(total, crawl_delay=0.0))
    await sources.setup()
    await web.TCPSite(sources, "127.0.0.1", sources_port).start()
    base = f"http://127.0.0.1:{sources_port}"
    _say(f"simulated institution sources ({total:,} records) at {base}/")

    toml = demo_config(base)
    names = list(parse_adapters_toml(toml, load_registry(), origin="demo adapters"))
    es = make_client(settings.es)
    try:
        await ensure_system_indices(es, settings.es.index_prefix)
    finally:
        await es.close()
    _say(f"harvesting {len(names)} adapters in {settings.harvest.workers} processes: {', '.join(names)}")
    with ConsoleProgress(names) as progress:
        runs = await harvest_in_processes(settings, toml, names, HarvestMode.FULL, workers=settings.harvest.workers,
                                          progress=progress, origin="demo adapters")
    for run in runs:
        _say(f"  {run['source']:<10} {run['outcome']:<10} indexed {run['indexed']:>7,}  rejected {run['rejected']:>5,} "
             f"(quarantined with reasons)")
    indexed = sum(r["indexed"] for r in runs)

    gateway = web.AppRunner(create_app(settings))
    await gateway.setup()
    host, port = settings.gateway.host, settings.gateway.port
    await web.TCPSite(gateway, host, port).start()
    _say(f"\nbiocross is ready: {indexed:,} resources from {len(runs)} institutions.\n"
         f"  search:   http://{host}:{port}/\n"
         f"  API:      http://{host}:{port}/api/search?q=HeLa   (docs: /api/docs)\n"
         f"  sources:  {base}/\n"
         f"  re-harvest (in another terminal): .venv/bin/biocross harvest --config demo/adapters.toml --incremental\n"
         "(Ctrl-C to stop)")
    try:
        await asyncio.Event().wait()
    finally:
        await gateway.cleanup()
        await sources.cleanup()


def run_demo(settings: Settings, *, total: int = 60_000, sources_port: int = 8800) -> None:
    """Run the whole demo in the foreground."""
    node = LocalNode(settings.local_node)
    status = node.start(log=_say)
    _say(f"Elasticsearch {status.es_version} ready at {node.url}")
    es = EsSettings.model_validate({**settings.es.model_dump(), "url": node.url})
    # The demo signs cookies and links with a key of its own run, never a known one.
    gateway = settings.gateway.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(32))})
    settings = settings.model_copy(update={"es": es, "gateway": gateway})
    try:
        asyncio.run(_demo(settings, total, sources_port))
    except KeyboardInterrupt:
        _say("stopped")
