"""A real round trip through the async client: create, bulk, search, aggregate."""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from schemas.settings import Settings


async def test_create_bulk_search_aggregate(es: AsyncElasticsearch, settings: Settings) -> None:
    index = f"{settings.es.index_prefix}-roundtrip"
    await es.indices.create(
        index=index,
        mappings={"properties": {"name": {"type": "text"}, "institution": {"type": "keyword"}}},
        settings={"number_of_shards": 1, "number_of_replicas": 0},
    )
    docs = [
        {"_index": index, "_id": f"riken:{i}", "name": f"strain {i}", "institution": "riken" if i % 3 else "jcrb"}
        for i in range(30)
    ]
    ok, errors = await async_bulk(es, docs, refresh="wait_for")
    assert (ok, errors) == (30, [])

    found = await es.search(index=index, query={"match": {"name": "strain"}}, size=0, track_total_hits=True,
                            aggs={"by_inst": {"terms": {"field": "institution"}}})
    assert found["hits"]["total"]["value"] == 30
    buckets = {b["key"]: b["doc_count"] for b in found["aggregations"]["by_inst"]["buckets"]}
    assert buckets == {"riken": 20, "jcrb": 10}

    one = await es.search(index=index, query={"term": {"_id": "riken:7"}})
    assert one["hits"]["hits"][0]["_source"]["name"] == "strain 7"
