"""The Elasticsearch request bodies the search service sends, built in one place.

The benchmark's direct baseline sends exactly these bodies (``bench.querymix``), so a change here
changes both sides of the comparison.

A result page is **one** request: ``collapse`` on ``entity_key`` (each entity once, at the position of
its best holding) paged with ``from``/``size``, facets and the entity count as aggregations, and an
``inner_hits`` per entity with its first holdings. To show holdings of an entity that do not match
the query themselves (and count them), the page query also matches every visible resource with score
0 and ``min_score`` keeps only real matches for the page, its totals and its facets; the inner hits
(which Elasticsearch runs with the query but without ``min_score``) then see every visible holding of
the entity, the matching ones first (score > 0).
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
#: A matching resource scores above this; every other visible one scores exactly 0.
MIN_SCORE = 1e-9
#: The fields a holding row needs.
HOLDING_SOURCE = ["id", "entity_key", "availability", "resource.institution", "resource.catalog_id",
                  "resource.name", "resource.resource_type", "resource.availability", "resource.source_url"]
HEAD_SOURCE = ["id", "entity_key", "resource"]
_EVERY_VISIBLE = {"constant_score": {"filter": {"match_all": {}}, "boost": 0.0}}


def page_query(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int]) -> tuple[dict[str, Any], bool]:
    """The page's query and whether it is scored (has text). A scored query also matches every
    visible resource with score 0 (see the module docstring); ``min_score`` must go with it."""
    base = base_query(query, synonyms, drop)
    must = base["bool"].pop("must", None)
    if must is None:
        return base, False
    base["bool"]["should"] = [*must, _EVERY_VISIBLE]
    base["bool"]["minimum_should_match"] = 1
    return base, True


def _inner_hits() -> dict[str, Any]:
    return {"name": "holdings", "size": CARD_HOLDINGS, "track_scores": True, "_source": HOLDING_SOURCE,
            "sort": [{"_score": "desc"}, {"institution": "asc"}, {"id": "asc"}]}


def _collapsed(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int],
               extra: list[dict[str, Any]]) -> dict[str, Any]:
    scoring, scored = page_query(query, synonyms, drop)
    filters = list(facet_filters(query).values())
    body: dict[str, Any] = {"query": with_filters(scoring, extra), "sort": sort_clause(query), "_source": HEAD_SOURCE,
                            "collapse": {"field": "entity_key", "inner_hits": _inner_hits()}}
    if scored:
        body["min_score"] = MIN_SCORE
    if filters:
        body["post_filter"] = {"bool": {"filter": filters}}
    return body


def page_body(query: SearchQuery, synonyms: SynonymTable | None, drop: frozenset[int], offset: int) -> dict[str, Any]:
    """The one request of a numbered page: ``page_size`` + 1 entities from ``offset`` (the extra
    one tells whether there is a next page), totals, facets and the entity count."""
    body = _collapsed(query, synonyms, drop, [])
    body.update({"from": offset, "size": query.page_size + 1, "track_total_hits": True,
                 "aggs": facet_aggs(facet_filters(query))})
    return body


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
    """Beyond the window: the head (best holding) and first holdings of each of ``keys``."""
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
