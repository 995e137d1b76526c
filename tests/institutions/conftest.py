"""Fixtures of the institution adapter tests: the real demo sources on loopback (see ``demosources``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from institutions.demosources import SEED, TOTAL, Sources, StartSources, running_sources

from adapters.registry import Registry, builtin_adapters


@pytest.fixture(scope="session")
def adapter_registry() -> Registry:
    """The built-in adapter types (toolkits and institution adapters)."""
    return Registry(builtin_adapters())


@pytest.fixture
async def start_sources(adapter_registry: Registry) -> AsyncIterator[StartSources]:
    """Start fresh demo sources (mutate and break them at will); stopped at teardown."""
    async with AsyncExitStack() as stack:

        async def start(total: int = TOTAL, seed: int = SEED, **options: Any) -> Sources:
            return await stack.enter_async_context(running_sources(adapter_registry, total, seed, **options))

        yield start


@pytest.fixture(scope="module")
async def shared_sources(adapter_registry: Registry) -> AsyncIterator[Sources]:
    """Demo sources shared by a module's read-only tests (never mutate or break these)."""
    async with running_sources(adapter_registry) as sources:
        yield sources
