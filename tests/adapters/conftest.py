"""Fixtures of the adapter tests: a real HTTP client and real loopback servers (never mocks)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from aiohttp import web

from adapters.http import HttpClient
from adapters.testing import serve

Serve = Callable[[web.Application], Awaitable[str]]


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    """A fresh shared HTTP client per test."""
    async with HttpClient() as client:
        yield client


@pytest.fixture
async def server() -> AsyncIterator[Serve]:
    """Start aiohttp apps on loopback ports; all stopped at teardown."""
    async with AsyncExitStack() as stack:

        async def start(app: web.Application) -> str:
            return await stack.enter_async_context(serve(app))

        yield start
