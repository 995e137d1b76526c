"""The search service: typed queries in, typed grouped results out.

Results are grouped by entity (one material, all its holdings). A page within the numbered window
(``indexer.search.bodies.PAGE_WINDOW`` entities) is two Elasticsearch requests: ``collapse`` on the
entity key with ``from``/``size``, facets and counts; then each entity's first holdings. Beyond the window
paging goes on with ``search_after`` cursors over resources (``indexer.search.deep``). Each entity
appears exactly once across pages, at the position of its best holding.
"""

from __future__ import annotations

import difflib
import logging
import math
import secrets
from collections.abc import Sequence
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from indexer.analysis.analyze import analyze_query
from indexer.analysis.concepts import default_concepts
from indexer.analysis.synonyms import SynonymTable
from indexer.errors import InvalidSearchError, NotFoundError, SearchUnavailableError
from indexer.names import resources_alias
from indexer.search.bodies import PAGE_WINDOW, holdings_body, page_body, suggest_body, suggest_prefixes
from indexer.search.builder import analyze, base_query, facet_filters, with_filters
from indexer.search.cursor import decode_cursor, encode_cursor
from indexer.search.deep import deep_page
from indexer.search.results import card_holdings, facets, group, holding, needles
from schemas.search import EntityGroup, Holding, SearchQuery, SearchResponse

log = logging.getLogger(__name__)

#: Most holdings of one entity an entity's page lists.
MAX_HOLDINGS_PER_ENTITY = 1000


class SearchService:
    """Read-side API over the resources alias. One per application; cheap to share."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, synonyms: SynonymTable | None = None, *,
                 cursor_keys: Sequence[bytes] | None = None, page_window: int = PAGE_WINDOW) -> None:
        """``cursor_keys`` sign (the first) and verify (any) cursors; without them a random key of
        this instance is used, so its cursors die with it. ``page_window``: entities reachable by
        page number (offset paging); beyond, ``search_after`` cursors."""
        self.es = es
        self.alias = resources_alias(prefix)
        self.synonyms = synonyms if synonyms is not None else SynonymTable.load()
        self.cursor_keys = list(cursor_keys) if cursor_keys else [secrets.token_bytes(32)]
        self._names: dict[str, str] | None = None
        self.page_window = page_window

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except EsNotFoundError as exc:
            raise SearchUnavailableError("the catalog index does not exist yet (no harvest published)") from exc
        except BadRequestError as exc:
            # Elasticsearch refused the query itself: the input's fault (cursors are signed, so only
            # something like an unusable query string gets here), not an outage.
            log.info("search refused by Elasticsearch: %s", type(exc).__name__)
            raise InvalidSearchError("the search could not be run; check the query and start again",
                                     parameter="q") from exc
        except (TransportError, ApiError) as exc:
            log.warning("search failed: %s", type(exc).__name__)
            raise SearchUnavailableError("search is temporarily unavailable") from exc

    async def relaxation(self, query: SearchQuery) -> frozenset[int]:
        """The query concepts a search page leaves out for ``query`` (none when every word finds
        something together), so an export of the page's results relaxes the same way."""
        if not query.q:
            return frozenset()
        strict = base_query(query, self.synonyms)
        live = with_filters(strict, list(facet_filters(query).values()))
        if (await self._call(self.es.count(index=self.alias, query=live)))["count"]:
            return frozenset()
        return (await self._dead_concepts(query))[0]

    async def _dead_concepts(self, query: SearchQuery) -> tuple[frozenset[int], list[str], bool]:
        """Which query concepts a relaxed search leaves out, with their labels (none: nothing to relax).

        The concepts that match no live resource at all; when each matches something but no resource
        matches them all, the most common one (the least specific word, such as "model"), provided
        the rest then find something. The flag tells whether the dropped concepts match nothing.
        """
        _aq, concepts = analyze(query.q, self.synonyms)
        if len(concepts) < 2:
            return frozenset(), [], False
        live = [] if query.include_withdrawn else [{"term": {"withdrawn": False}}]
        searches: list[dict[str, Any]] = []
        for concept in concepts:
            searches += [{"index": self.alias}, {"query": with_filters(concept.clause, live), "size": 0,
                                                 "track_total_hits": True}]
        resp = await self._call(self.es.msearch(searches=searches))
        counts = [r.get("hits", {}).get("total", {}).get("value", 0) for r in resp["responses"]]
        dead = [i for i, count in enumerate(counts) if count == 0]
        if dead:
            if len(dead) == len(concepts):
                return frozenset(), [], False
            return frozenset(dead), [concepts[i].label for i in dead], True
        for i in sorted(range(len(concepts)), key=lambda k: -counts[k])[:3]:
            relaxed = base_query(query, self.synonyms, frozenset({i}))
            if (await self._call(self.es.count(index=self.alias, query=relaxed)))["count"]:
                return frozenset({i}), [concepts[i].label], False
        return frozenset(), [], False

    def _suggestions(self, terms: list[str]) -> list[str]:
        """Vocabulary names close to ``terms`` (a misspelt or unknown word)."""
        names = self._vocabulary_names()
        found: dict[str, None] = {}
        for term in terms:
            key = term.casefold()
            for match in difflib.get_close_matches(key, list(names), n=3, cutoff=0.7):
                found.setdefault(names[match], None)
        return list(found)[:5]

    def _vocabulary_names(self) -> dict[str, str]:
        if self._names is None:
            names: dict[str, str] = {}
            for concept in default_concepts().concepts():
                if concept.id.startswith("ICD10:") and "curated" not in concept.source:
                    continue
                for name in concept.names:
                    names.setdefault(name.casefold(), name)
            self._names = names
        return self._names

    async def search(self, query: SearchQuery) -> SearchResponse:
        """One page of entity groups, with facets and a cursor for the next page.

        Every query term counts. When that finds nothing, the terms that match nothing at all are
        left out and the response names them (``dropped_terms``) with ``suggestions``.
        """
        response = await self._search(query, frozenset())
        if response.total_holdings or not query.q:
            return response
        drop, labels, unknown = await self._dead_concepts(query)
        if not drop:
            response.suggestions = self._suggestions([query.q])  # nothing at all: perhaps a misspelling
            return response
        relaxed = await self._search(query, drop)
        relaxed.dropped_terms = labels
        relaxed.suggestions = self._suggestions(labels) if unknown else []
        return relaxed

    async def send(self, body: dict[str, Any]) -> Any:
        """One search request with ``body`` (as built by ``indexer.search.bodies``) on the read alias."""
        return await self._call(self.es.search(index=self.alias, body=body))

    async def groups(self, query: SearchQuery, drop: frozenset[int], heads: list[dict[str, Any]],
                     base: dict[str, Any] | None = None) -> list[EntityGroup]:
        """The entity groups of collapsed ``heads``, with their card holdings (one request)."""
        if not heads:
            return []
        body = holdings_body(query, self.synonyms, drop, [h["_source"]["entity_key"] for h in heads], base)
        cards = card_holdings(await self.send(body), bool(body["query"]["bool"]["should"]))
        marks = needles(query.q, self.synonyms)
        return [group(head, cards.get(head["_source"]["entity_key"]), marks) for head in heads]

    async def _search(self, query: SearchQuery, drop: frozenset[int]) -> SearchResponse:
        position = decode_cursor(query, self.cursor_keys)
        if query.page is not None:
            if position is not None:
                raise InvalidSearchError("give either a page number or a cursor, not both", parameter="page")
            position = (query.page - 1) * query.page_size
            if position + query.page_size > self.page_window:
                raise InvalidSearchError(f"page numbers end at page {self.page_window // query.page_size}; go further "
                                         "with the next-page links", parameter="page")
        if isinstance(position, list):
            return await deep_page(self, query, drop, position)
        return await self._numbered(query, drop, position or 0)

    async def _numbered(self, query: SearchQuery, drop: frozenset[int], offset: int) -> SearchResponse:
        """A page within the numbered window: one request (see ``indexer.search.bodies``)."""
        if offset + query.page_size > self.page_window:
            raise InvalidSearchError("cursor is malformed")
        base = base_query(query, self.synonyms, drop)  # built once for both requests
        resp = await self.send(page_body(query, self.synonyms, drop, offset, base))
        hits = resp["hits"]["hits"]
        groups = await self.groups(query, drop, hits[:query.page_size], base)
        aggs = resp["aggregations"]
        total_entities = aggs["entities"]["count"]["value"]
        page = offset // query.page_size + 1
        cursor: str | None = None
        last = page if groups else max(1, math.ceil(total_entities / query.page_size))
        if len(hits) > query.page_size:
            following = offset + query.page_size
            after: list[Any] | int = following if following + query.page_size <= self.page_window else hits[query.page_size - 1]["sort"]
            cursor = encode_cursor(query, after, self.cursor_keys[0])
            last = max(page + 1, min(math.ceil(total_entities / query.page_size),
                                          self.page_window // query.page_size))
        return SearchResponse(
            total_holdings=resp["hits"]["total"]["value"], total_entities=total_entities, groups=groups,
            facets=facets(aggs), next_cursor=cursor, page=page, last_page=last,
            query_terms=analyze_query(query.q).terms if query.q else [],
        )

    async def get_resource(self, resource_id: str) -> tuple[dict[str, Any], bool, list[Holding]]:
        """A resource (withdrawn ones too), whether it is withdrawn, and the other holdings of its entity."""
        resp = await self._call(self.es.search(index=self.alias, query={"term": {"id": resource_id}}, size=1,
                                               source_includes=["id", "entity_key", "withdrawn", "availability", "resource"]))
        hits = resp["hits"]["hits"]
        if not hits:
            raise NotFoundError(f"no resource {resource_id!r}")
        src = hits[0]["_source"]
        others = await self.entity_holdings(src["entity_key"])
        return src["resource"], bool(src.get("withdrawn")), [h for h in others if h.id != resource_id]

    async def entity_holdings(self, entity_key: str) -> list[Holding]:
        """Every live holding of an entity."""
        resp = await self._call(self.es.search(
            index=self.alias, size=MAX_HOLDINGS_PER_ENTITY, sort=[{"institution": "asc"}, {"id": "asc"}],
            query={"bool": {"filter": [{"term": {"entity_key": entity_key}}, {"term": {"withdrawn": False}}]}},
            source_includes=["id", "entity_key", "availability", "resource"]))
        return [holding(h["_source"], True) for h in resp["hits"]["hits"]]

    async def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Autocomplete: names, ids and concept labels starting with ``prefix``, in their display form.

        Hiragana input also completes katakana names (まうす → マウス).
        """
        prefixes = suggest_prefixes(prefix)
        if not prefixes:
            return []
        resp = await self.send(suggest_body(prefixes, size))
        found: dict[str, None] = {}
        for i in range(len(prefixes)):
            for option in resp["suggest"][f"p{i}"][0]["options"]:
                found.setdefault(option["text"], None)
        return list(found)[:size]

