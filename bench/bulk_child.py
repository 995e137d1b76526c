"""The baseline process of the harvest benchmark: raw ``async_bulk`` of the harvest's final documents.

    python -m bench.bulk_child --source-alias bench-h-resources --index bench-b-resources-baseline --out r.json

Untimed: reads every document the harvest produced (``search_after`` over the read alias) and
serialises each one to JSON bytes, into a spool file next to ``--out`` (a million documents do not
fit in memory; reading the file back costs little next to the bulk load). Timed: create a fresh index with the same settings and mapping
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
from collections.abc import Iterator
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


async def collect(es: AsyncElasticsearch, alias: str, spool: Path) -> tuple[int, int]:
    """Write every document behind ``alias`` to ``spool`` as ``id<TAB>JSON`` lines, in id order;
    returns (documents, JSON bytes)."""
    count = size = 0
    after: list[Any] | None = None
    with spool.open("wb") as out:
        while True:
            body: dict[str, Any] = {"size": PAGE, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            hits = (await es.search(index=alias, **body))["hits"]["hits"]
            if not hits:
                return count, size
            for hit in hits:
                source = orjson.dumps(hit["_source"])
                out.write(hit["_id"].encode() + b"\t" + source + b"\n")
                count, size = count + 1, size + len(source)
            after = hits[-1]["sort"]


def spooled(spool: Path, index: str) -> Iterator[dict[str, Any]]:
    """The bulk actions of ``spool``, read as they are sent (the ``_source`` stays pre-serialised bytes)."""
    with spool.open("rb") as lines:
        for line in lines:
            doc_id, _, source = line.rstrip(b"\n").partition(b"\t")
            yield {"_index": index, "_id": doc_id.decode(), "_source": source}


async def baseline(source_alias: str, index: str, spool: Path) -> dict[str, Any]:
    """Collect, then time the bulk load of the same documents into ``index``."""
    es = make_client(Settings().es)
    try:
        documents, json_bytes = await collect(es, source_alias, spool)
        await es.options(ignore_status=404).indices.delete(index=index)
        body = resources_index_body()
        rss_loaded = psutil.Process().memory_info().rss
        started = time.perf_counter()
        await es.indices.create(index=index, settings={**body["settings"], "refresh_interval": "-1"},
                                mappings=body["mappings"])
        ok, errors = await async_bulk(es, spooled(spool, index), chunk_size=CHUNK_SIZE, max_retries=5,
                                      raise_on_error=False)
        await es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
        await es.indices.refresh(index=index)
        seconds = time.perf_counter() - started
        count = (await es.count(index=index))["count"]
    finally:
        await es.close()
    return {
        "index": index, "documents": documents, "indexed": ok,
        "errors": len(errors) if isinstance(errors, list) else errors,
        "count_after": count, "chunk_size": CHUNK_SIZE, "seconds": round(seconds, 2),
        "records_per_s": round(documents / seconds, 1),
        "json_bytes": json_bytes, "rss_with_documents_mb": round(rss_loaded / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-alias", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    spool = args.out.with_suffix(".spool")
    try:
        result = asyncio.run(baseline(args.source_alias, args.index, spool))
    finally:
        spool.unlink(missing_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
