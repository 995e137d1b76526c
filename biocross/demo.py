"""The demo: one command from a fresh clone to a running gateway."""

from __future__ import annotations

from aiohttp import web

from biocross.localnode import LocalNode
from gateway.app import create_app
from schemas.settings import EsSettings, Settings


def run_demo(settings: Settings) -> None:
    """Start the local Elasticsearch node, then serve the gateway until interrupted."""
    node = LocalNode(settings.local_node)
    status = node.start()
    print(f"Elasticsearch {status.es_version} ready at {node.url}")
    settings = settings.model_copy(update={"es": EsSettings.model_validate({**settings.es.model_dump(), "url": node.url})})
    host, port = settings.gateway.host, settings.gateway.port

    async def _announce(_: web.Application) -> None:
        print(f"\nbiocross is ready: http://{host}:{port}/api/health/ready  (Ctrl-C to stop)")

    app = create_app(settings)
    app.on_startup.append(_announce)
    web.run_app(app, host=host, port=port, print=None)
