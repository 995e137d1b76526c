"""The fixture corpus indexed once per test session, through the real publish path."""

from __future__ import annotations

import pytest
from elasticsearch import AsyncElasticsearch

from fixtures.corpus import build_corpus
from fixtures.indexing import publish_corpus
from indexer.analysis.synonyms import SynonymTable
from indexer.search.service import SearchService
from schemas.resource import Resource
from schemas.settings import Settings


@pytest.fixture(scope="session")
def corpus() -> list[Resource]:
    return build_corpus()


@pytest.fixture(scope="session")
async def search_prefix(es: AsyncElasticsearch, settings: Settings, corpus: list[Resource]) -> str:
    prefix = f"{settings.es.index_prefix}-search"
    await publish_corpus(es, prefix, corpus)
    return prefix


@pytest.fixture(scope="session")
async def service(es: AsyncElasticsearch, search_prefix: str) -> SearchService:
    return SearchService(es, search_prefix, SynonymTable.load())
