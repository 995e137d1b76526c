"""The baseline process of the harvest benchmark: raw ``async_bulk`` of the harvest's final documents.

    python -m bench.bulk_child --source-alias bench-h-resources --index bench-b-resources-baseline --out r.json

Untimed: reads every document the harvest produced (``search_after`` over the read alias) and
serialises each one to JSON bytes. Timed: create a fresh index with the same settings and mapping
(``resources_index_body()``, refresh off while loading, as a harvest generation), one
``elasticsearch.helpers.async_bulk`` over the pre-serialised documents (chunks of 1,000, as the
harvest), then the refresh a published generation gets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import orjson
import psutil
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from indexer.client import make_client
from indexer.mappings.resources import resources_index_body
from schemas.settings import Settings

CHUNK_SIZE = 1000
PAGE = 5000


async def collect(es: AsyncElasticsearch, alias: str) -> list[tuple[str, bytes]]:
    """Every document behind ``alias`` as (id, JSON bytes), in id order."""
    docs: list[tuple[str, bytes]] = []
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": PAGE, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
        if after is not None:
            body["search_after"] = after
        hits = (await es.search(index=alias, **body))["hits"]["hits"]
        if not hits:
            return docs
        docs.extend((h["_id"], orjson.dumps(h["_source"])) for h in hits)
        after = hits[-1]["sort"]


async def baseline(source_alias: str, index: str) -> dict[str, Any]:
    """Collect, then time the bulk load of the same documents into ``index``."""
    es = make_client(Settings().es)
    try:
        docs = await collect(es, source_alias)
        await es.options(ignore_status=404).indices.delete(index=index)
        body = resources_index_body()
        rss_loaded = psutil.Process().memory_info().rss
        started = time.perf_counter()
        await es.indices.create(index=index, settings={**body["settings"], "refresh_interval": "-1"},
                                mappings=body["mappings"])
        ok, errors = await async_bulk(es, ({"_index": index, "_id": i, "_source": src} for i, src in docs),
                                      chunk_size=CHUNK_SIZE, max_retries=5, raise_on_error=False)
        await es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
        await es.indices.refresh(index=index)
        seconds = time.perf_counter() - started
        count = (await es.count(index=index))["count"]
    finally:
        await es.close()
    return {
        "index": index, "documents": len(docs), "indexed": ok, "errors": len(errors) if isinstance(errors, list) else errors,
        "count_after": count, "chunk_size": CHUNK_SIZE, "seconds": round(seconds, 2),
        "records_per_s": round(len(docs) / seconds, 1),
        "json_bytes": sum(len(s) for _, s in docs), "rss_with_documents_mb": round(rss_loaded / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-alias", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(baseline(args.source_alias, args.index))
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
