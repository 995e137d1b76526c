"""The Elasticsearch request bodies the search service sends, built in one place.

The benchmark's direct baseline sends exactly these bodies (``bench.querymix``), so a change here
changes both sides of the comparison.

A numbered result page is **two** requests (see docs/search.md for the measurements behind it):

1. ``page_body``: ``collapse`` on ``entity_key`` (each entity once, at the position of its best
   holding) paged with ``from``/``size``, with the facets and the entity count as aggregations;
2. ``holdings_body``: every visible holding of the page's entities, scored by the same text query as
   a ``should`` (a holding that matched scores > 0, the others 0): a ``terms`` aggregation per entity
   (its count) with ``top_hits`` (its first holdings, the matching ones first).

A single request (``collapse`` + ``inner_hits``) was measured 1.0–14× slower in Elasticsearch: every
inner hit is a search of its own that runs the whole text query again.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from indexer.analysis.normalize import fold_kana
from indexer.analysis.synonyms import SynonymTable
from indexer.search.builder import base_query, facet_aggs, facet_filters, sort_clause, with_filters
from schemas.search import SearchQuery

#: Holdings listed on a result card (the rest are counted and listed on the entity's page).
CARD_HOLDINGS = 5
#: Entities reachable by page number (``from`` + ``size``); beyond it, next-page cursors only. The
#: index allows 50,000 (``max_result_window``); collapse cost grows with ``from``.
PAGE_WINDOW = 10_000
#: The fields a holding row needs.
HOLDING_SOURCE = ["id", "entity_key", "availability", "resource.institution", "resource.catalog_id",
                  "resource.name", "resource.resource_type", "resource.availability", "resource.source_url"]
HEAD_SOURCE = ["id", "entity_key", "resource"]


def _collapsed(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int],
               extra: list[dict[str, Any]], base: dict[str, Any] | None = None) -> dict[str, Any]:
    filters = list(facet_filters(query).values())
    scoring = base if base is not None else base_query(query, synonyms, drop)
    body: dict[str, Any] = {"query": with_filters(scoring, extra), "sort": sort_clause(query),
                            "_source": HEAD_SOURCE, "collapse": {"field": "entity_key"}}
    if filters:
        body["post_filter"] = {"bool": {"filter": filters}}
    return body


def page_body(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int], offset: int,
              base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The page request: ``page_size`` + 1 entities from ``offset`` (the extra one tells whether
    there is a next page), totals, facets and the entity count. ``base``: ``base_query(query,
    synonyms, drop)`` when the caller already has it (it is the costly part to build)."""
    body = _collapsed(query, synonyms, drop, [], base)
    body.update({"from": offset, "size": query.page_size + 1, "track_total_hits": True,
                 "aggs": facet_aggs(facet_filters(query))})
    return body


def holdings_body(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int],
                  keys: list[str], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The visible holdings of the entities ``keys`` (within the selected facets): per entity
    (aggregation ``per_entity``) their count and the first :data:`CARD_HOLDINGS`, matching ones first
    (they score > 0)."""
    parts = (base if base is not None else base_query(query, synonyms, drop))["bool"]
    filters = [{"terms": {"entity_key": keys}}, *parts["filter"], *facet_filters(query).values()]
    first = {"top_hits": {"size": CARD_HOLDINGS, "_source": HOLDING_SOURCE, "track_scores": True,
                          "sort": [{"_score": "desc"}, {"institution": "asc"}, {"id": "asc"}]}}
    return {"query": {"bool": {"filter": filters, "should": parts.get("must", [])}}, "size": 0, "track_total_hits": False,
            "aggs": {"per_entity": {"terms": {"field": "entity_key", "size": max(1, len(keys))}, "aggs": {"first": first}}}}


def scan_body(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int], after: list[Any],
              size: int, *, aggs: bool) -> dict[str, Any]:
    """Beyond the window: resources (not entities) in page order after ``after`` (``search_after``)."""
    filters = facet_filters(query)
    body: dict[str, Any] = {"query": base_query(query, synonyms, drop), "sort": sort_clause(query), "size": size,
                            "search_after": after, "_source": ["id", "entity_key"], "track_total_hits": aggs}
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    if aggs:
        body["aggs"] = facet_aggs(filters)
    return body


def heads_body(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int], keys: list[str]) -> dict[str, Any]:
    """Beyond the window: the head (best holding) of each of ``keys``."""
    body = _collapsed(query, synonyms, drop, [{"terms": {"entity_key": keys}}])
    body.update({"size": len(keys), "track_total_hits": False})
    return body


def suggest_prefixes(prefix: str) -> list[str]:
    """What autocomplete looks up for ``prefix``: as typed, and with hiragana as katakana."""
    text = " ".join(unicodedata.normalize("NFKC", prefix).split())[:80]
    return list(dict.fromkeys([text, fold_kana(text)])) if text else []


def suggest_body(prefixes: list[str], size: int) -> dict[str, Any]:
    """The completion request of autocomplete (live records only: the ``state`` context)."""
    return {"size": 0, "suggest": {
        f"p{i}": {"prefix": p, "completion": {"field": "suggest", "size": size, "skip_duplicates": True,
                                              "contexts": {"state": ["live"]}}}
        for i, p in enumerate(prefixes)}}
