"""Fixtures for the simulated sources: a real server on loopback and a real client session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from demo.generator import SourceRegistry
from demo.server import create_sources_app


@dataclass
class RunningSources:
    """A started sources app: its base URL, its registry (Python control API) and a client session."""

    url: str
    registry: SourceRegistry
    http: aiohttp.ClientSession


StartSources = Callable[..., Awaitable[RunningSources]]


@pytest.fixture
async def start_sources() -> AsyncIterator[StartSources]:
    """Return a factory that serves ``create_sources_app(total, seed, **options)`` on 127.0.0.1:0."""
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []

    async def start(total: int = 1000, seed: int = 42, **options: object) -> RunningSources:
        registry = SourceRegistry(total, seed)
        app = create_sources_app(total, seed, registry=registry, **options)  # type: ignore[arg-type]
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        session = aiohttp.ClientSession(raise_for_status=False)
        sessions.append(session)
        return RunningSources(f"http://127.0.0.1:{port}", registry, session)

    yield start
    for session in sessions:
        await session.close()
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def sources(start_sources: StartSources) -> RunningSources:
    """A 1,000-record catalog with seed 42."""
    return await start_sources()
