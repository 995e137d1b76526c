"""The gateway against the real cluster: the fixture corpus indexed once under its own prefix, and
a real app served by aiohttp's TestServer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch

from fixtures.corpus import build_corpus, make_resource
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.resource import Resource
from schemas.settings import Settings

#: A record the institution withdrew: still shown on its detail page, with a notice.
WITHDRAWN_ID = "riken-brc:RBRC9999"

#: Generous enough that no test but the rate-limit one ever meets the limit.
TEST_LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)


@pytest.fixture(scope="session")
def gw_corpus() -> list[Resource]:
    """The fixture corpus (HeLa at two institutions, hostile text, ~500 records)."""
    return build_corpus()


@pytest.fixture(scope="session")
async def gw_settings(es: AsyncElasticsearch, settings: Settings, gw_corpus: list[Resource]) -> Settings:
    """Settings whose index prefix holds the corpus, published through the real path."""
    prefix = f"{settings.es.index_prefix}-gw"
    gone = make_resource(catalog_id="RBRC09999", name="Withdrawn gateway test strain")
    await publish_corpus(es, prefix, gw_corpus, withdrawn=[gone])
    return settings.model_copy(update={"es": settings.es.model_copy(update={"index_prefix": prefix})})


@pytest.fixture(scope="session")
async def client(gw_settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    """One real app on a TestServer for the session (cookies persist: use ``fresh_client`` for carts)."""
    async with TestClient(TestServer(create_app(gw_settings, limits=TEST_LIMITS))) as test_client:
        yield test_client


@pytest.fixture
async def fresh_client(gw_settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    """A new app and client with an empty cookie jar."""
    async with TestClient(TestServer(create_app(gw_settings, limits=TEST_LIMITS))) as test_client:
        yield test_client
