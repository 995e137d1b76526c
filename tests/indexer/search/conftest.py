"""The fixture corpus indexed once per test session, through the real publish path."""

from __future__ import annotations

from collections import defaultdict

import pytest
from elasticsearch import AsyncElasticsearch

from fixtures.corpus import build_corpus
from indexer.analysis.synonyms import SynonymTable
from indexer.publish import bulk_index_resources, create_generation, publish_generation
from indexer.search.service import SearchService
from schemas.resource import Resource
from schemas.settings import Settings


@pytest.fixture(scope="session")
def corpus() -> list[Resource]:
    return build_corpus()


@pytest.fixture(scope="session")
async def search_prefix(es: AsyncElasticsearch, settings: Settings, corpus: list[Resource]) -> str:
    prefix = f"{settings.es.index_prefix}-search"
    by_source: dict[str, list[Resource]] = defaultdict(list)
    for r in corpus:
        by_source[r.provenance.source].append(r)
    for source, resources in by_source.items():
        index = await create_generation(es, prefix, source)
        await bulk_index_resources(es, index, resources)
        await publish_generation(es, prefix, source, index)
    return prefix


@pytest.fixture(scope="session")
async def service(es: AsyncElasticsearch, search_prefix: str) -> SearchService:
    return SearchService(es, search_prefix, SynonymTable.load())
