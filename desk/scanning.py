"""Reading every document a query matches, oldest first, in pages (``search_after``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from elasticsearch import AsyncElasticsearch

#: Documents per page of a scan.
PAGE = 500


async def scan_oldest_first(es: AsyncElasticsearch, index: str, query: dict[str, Any], *,
                            page: int = PAGE) -> AsyncIterator[dict[str, Any]]:
    """The ``_source`` of every document of ``index`` matching ``query``, by ``created_at`` then ``id``."""
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"query": query, "size": page, "sort": [{"created_at": "asc"}, {"id": "asc"}]}
        if after is not None:
            body["search_after"] = after
        hits = (await es.search(index=index, **body))["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < page:
            return
        after = hits[-1]["sort"]
