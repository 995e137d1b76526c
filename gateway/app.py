"""The gateway application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import ES, SETTINGS
from gateway.routes import setup_routes
from indexer.client import make_client
from schemas.settings import Settings


async def _elasticsearch(app: web.Application) -> AsyncIterator[None]:
    app[ES] = make_client(app[SETTINGS].es)
    yield
    await app[ES].close()


def create_app(settings: Settings) -> web.Application:
    """Build the gateway with ``settings`` injected; one Elasticsearch client per app."""
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_elasticsearch)
    setup_routes(app)
    return app
