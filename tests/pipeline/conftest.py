"""Fixtures of the harvest pipeline tests: a real loopback JSON source and the adapter registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from adapters.registry import load_registry
from pipeline.jsonsource import Catalog, serve_catalog
from pipeline.realsources import start


@pytest.fixture
async def json_source() -> AsyncIterator[tuple[Catalog, str]]:
    catalog = Catalog()
    runner = web.AppRunner(await serve_catalog(catalog))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield catalog, f"http://127.0.0.1:{port}/api/resources"
    await runner.cleanup()



@pytest.fixture
def registry() -> Any:
    return load_registry(entry_points=False)


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    """Start aiohttp apps on loopback ports (returns each one's base URL); all stopped at teardown."""
    runners: list[web.AppRunner] = []

    async def go(app: web.Application) -> str:
        runner, url = await start(app)
        runners.append(runner)
        return url

    yield go
    for runner in runners:
        await runner.cleanup()
