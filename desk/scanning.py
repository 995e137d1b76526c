"""Reading every document of a desk index that matches a query, a page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from elasticsearch import AsyncElasticsearch

PAGE = 500


async def scan_sources(es: AsyncElasticsearch, index: str, query: dict[str, Any], *,
                       page: int = PAGE) -> AsyncIterator[dict[str, Any]]:
    """The ``_source`` of every document of ``index`` matching ``query``, oldest first (``created_at``,
    then ``id``), paged with ``search_after`` so no page is skipped while documents are written."""
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
