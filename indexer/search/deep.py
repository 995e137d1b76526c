"""Pages beyond the numbered window: ``search_after`` over resources, each entity at its head.

``collapse`` pages with ``from``/``size`` only, so past :data:`~indexer.search.bodies.PAGE_WINDOW`
entities the service walks resources in page order after the cursor's sort values (one request),
asks for the head and first holdings of the entities met (a second, collapsed request), and shows an
entity where its head is; an entity whose head came before the cursor was shown on an earlier page.
Three requests per page (more only when a batch holds fewer new heads than a page), next links only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indexer.analysis.analyze import analyze_query
from indexer.search.bodies import heads_body, scan_body
from indexer.search.cursor import encode_cursor
from indexer.search.results import facets
from schemas.search import SearchQuery, SearchResponse

if TYPE_CHECKING:
    from indexer.search.service import SearchService


async def deep_page(service: SearchService, query: SearchQuery, drop: frozenset[int], after: list[Any]) -> SearchResponse:
    """The page after the resource whose sort values are ``after``."""
    send, synonyms = service.send, service.synonyms
    batch = max(query.page_size * 3, 30)
    chosen: list[dict[str, Any]] = []
    shown: set[str] = set()
    meta: dict[str, Any] | None = None
    exhausted = False
    for _round in range(20):
        resp = await send(scan_body(query, synonyms, drop, after, batch, aggs=meta is None))
        if meta is None:
            meta = resp.body
        hits = resp["hits"]["hits"]
        keys = [k for k in dict.fromkeys(h["_source"]["entity_key"] for h in hits) if k not in shown]
        heads: dict[str, dict[str, Any]] = {}
        if keys:
            found = await send(heads_body(query, synonyms, drop, keys))
            heads = {h["_source"]["entity_key"]: h for h in found["hits"]["hits"]}
        full = False
        for position, hit in enumerate(hits):
            after = hit["sort"]
            entity = hit["_source"]["entity_key"]
            head = heads.get(entity)
            if entity in shown or head is None or head["_source"]["id"] != hit["_source"]["id"]:
                continue
            shown.add(entity)
            chosen.append(head)
            if len(chosen) == query.page_size:
                full = True
                exhausted = position == len(hits) - 1 and len(hits) < batch
                break
        if full:
            break
        if len(hits) < batch:
            exhausted = True
            break
    assert meta is not None
    groups = await service.groups(query, drop, chosen)
    return SearchResponse(
        total_holdings=meta["hits"]["total"]["value"], total_entities=meta["aggregations"]["entities"]["count"]["value"],
        groups=groups, facets=facets(meta["aggregations"]),
        next_cursor=None if exhausted or not groups else encode_cursor(query, after, service.cursor_keys[0]),
        query_terms=analyze_query(query.q).terms if query.q else [],
    )
