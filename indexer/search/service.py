"""The search service: typed queries in, typed grouped results out.

Results are grouped by entity (one material, all its holdings). Paging is by ``search_after`` over
resources in a total order; an entity is shown at the position of its best holding (its *head*),
and a later holding of an entity already shown is skipped. That gives deep, stable paging where
each entity appears exactly once, which Elasticsearch's ``collapse`` cannot do with ``search_after``
on relevance.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from indexer.analysis.analyze import analyze_query
from indexer.analysis.normalize import normalize_text
from indexer.analysis.synonyms import SynonymTable
from indexer.errors import InvalidSearchError, NotFoundError, SearchUnavailableError
from indexer.names import resources_alias
from indexer.search.builder import FACET_FIELDS, base_query, facet_aggs, facet_filters, sort_clause, with_filters
from indexer.search.cursor import decode_cursor, encode_cursor
from indexer.search.highlight import fold_needles, highlight
from schemas.search import EntityGroup, FacetBucket, Holding, SearchQuery, SearchResponse

log = logging.getLogger(__name__)

_HIT_SOURCE = ["id", "entity_key"]
#: What a holding row needs; the full resource is fetched for each page's entity heads only.
_HOLDING_SOURCE = ["id", "entity_key", "availability", "resource.institution", "resource.catalog_id",
                   "resource.name", "resource.resource_type", "resource.availability", "resource.source_url"]
MAX_HOLDINGS_PER_ENTITY = 50


def _holding(source: dict[str, Any], matched: bool) -> Holding:
    r = source["resource"]
    return Holding(id=source["id"], institution=r["institution"], catalog_id=r["catalog_id"], name=r["name"],
                   resource_type=r["resource_type"], availability=source.get("availability") or r["availability"],
                   source_url=r.get("source_url"), matched=matched)


class SearchService:
    """Read-side API over the resources alias. One per application; cheap to share."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, synonyms: SynonymTable | None = None, *,
                 cursor_keys: Sequence[bytes] | None = None) -> None:
        """``cursor_keys`` sign (the first) and verify (any) cursors; without them a random key of
        this instance is used, so its cursors die with it."""
        self.es = es
        self.alias = resources_alias(prefix)
        self.synonyms = synonyms if synonyms is not None else SynonymTable.load()
        self.cursor_keys = list(cursor_keys) if cursor_keys else [secrets.token_bytes(32)]

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

    async def search(self, query: SearchQuery) -> SearchResponse:
        """One page of entity groups, with facets and a cursor for the next page."""
        after = decode_cursor(query, self.cursor_keys)
        filters = facet_filters(query)
        filter_list = list(filters.values())
        base = base_query(query, self.synonyms)
        sort = sort_clause(query)
        batch = max(query.page_size * 3, 30)
        heads: list[dict[str, Any]] = []
        shown: set[str] = set()
        matched_ids: set[str] = set()
        response_meta: dict[str, Any] | None = None
        exhausted = False
        for _round in range(20):
            body: dict[str, Any] = {"query": base, "sort": sort, "size": batch, "_source": _HIT_SOURCE,
                                    "track_total_hits": True}
            if filter_list:
                body["post_filter"] = {"bool": {"filter": filter_list}}
            if after is not None:
                body["search_after"] = after
            if response_meta is None:
                body["aggs"] = facet_aggs(filters)
            resp = await self._call(self.es.search(index=self.alias, **body))
            if response_meta is None:
                response_meta = resp.body
            hits = resp["hits"]["hits"]
            head_of = await self._heads(base, filter_list, sort, hits) if after is not None else None
            full = False
            for position, hit in enumerate(hits):
                after = hit["sort"]
                src = hit["_source"]
                matched_ids.add(src["id"])
                key = src["entity_key"]
                if key in shown or (head_of is not None and head_of.get(key) != src["id"]):
                    continue
                shown.add(key)
                heads.append(hit)
                if len(heads) == query.page_size:
                    full = True
                    exhausted = position == len(hits) - 1 and len(hits) < batch
                    break
            if full:
                break
            if len(hits) < batch:
                exhausted = True
                break
        assert response_meta is not None
        groups = await self._groups(query, heads, matched_ids, base, filter_list)
        return SearchResponse(
            total_holdings=response_meta["hits"]["total"]["value"],
            total_entities=response_meta["aggregations"]["entities"]["count"]["value"],
            groups=groups,
            facets={
                name: [FacetBucket(value=str(b["key"]), count=b["doc_count"])
                       for b in response_meta["aggregations"][f"facet_{name}"]["values"]["buckets"]]
                for name in FACET_FIELDS
            },
            next_cursor=None if exhausted or not heads else encode_cursor(query, after or [], self.cursor_keys[0]),
            query_terms=analyze_query(query.q).terms if query.q else [],
        )

    async def _heads(self, base: dict[str, Any], filters: list[dict[str, Any]], sort: list[dict[str, Any]],
                     hits: list[dict[str, Any]]) -> dict[str, str]:
        """Best holding id of each entity in ``hits`` (same query, filters and order)."""
        keys = list(dict.fromkeys(h["_source"]["entity_key"] for h in hits))
        if not keys:
            return {}
        resp = await self._call(self.es.search(
            index=self.alias, query=with_filters(base, [*filters, {"terms": {"entity_key": keys}}]),
            collapse={"field": "entity_key"}, sort=sort, size=len(keys), source_includes=["id", "entity_key"],
        ))
        return {h["_source"]["entity_key"]: h["_source"]["id"] for h in resp["hits"]["hits"]}

    async def _groups(self, query: SearchQuery, heads: list[dict[str, Any]], matched_ids: set[str],
                      base: dict[str, Any], filters: list[dict[str, Any]]) -> list[EntityGroup]:
        if not heads:
            return []
        keys = [h["_source"]["entity_key"] for h in heads]
        visible: list[dict[str, Any]] = [{"terms": {"entity_key": keys}}]
        if not query.include_withdrawn:
            visible.append({"term": {"withdrawn": False}})
        size = min(len(keys) * MAX_HOLDINGS_PER_ENTITY, 5000)
        head_ids = [h["_source"]["id"] for h in heads]
        msearch = await self._call(self.es.msearch(searches=[
            {"index": self.alias},
            {"query": {"bool": {"filter": visible}}, "size": size, "sort": [{"institution": "asc"}, {"id": "asc"}],
             "_source": _HOLDING_SOURCE},
            {"index": self.alias},
            {"query": with_filters(base, [*filters, {"terms": {"entity_key": keys}}]), "size": size, "_source": ["id"]},
            {"index": self.alias},
            {"query": {"terms": {"id": head_ids}}, "size": len(head_ids), "_source": ["id", "resource"]},
        ]))
        all_holdings, matching, full = msearch["responses"]
        resources = {h["_source"]["id"]: h["_source"]["resource"] for h in full.get("hits", {}).get("hits", [])}
        matched_ids |= {h["_source"]["id"] for h in matching.get("hits", {}).get("hits", [])}
        by_key: dict[str, list[Holding]] = {}
        for hit in all_holdings.get("hits", {}).get("hits", []):
            src = hit["_source"]
            by_key.setdefault(src["entity_key"], []).append(_holding(src, src["id"] in matched_ids))
        needles = self._needles(query.q)
        groups: list[EntityGroup] = []
        for head in heads:
            src = head["_source"]
            resource = resources.get(src["id"])
            if resource is None:  # vanished between the two queries (a generation swap): skip it
                continue
            holdings = by_key.get(src["entity_key"], [])
            holdings.sort(key=lambda h: (h.id != src["id"], not h.matched, h.institution, h.id))
            if not holdings:
                holdings = [_holding({**src, "resource": resource}, True)]
            description = resource["description"].get("en") or resource["description"].get("ja") or ""
            groups.append(EntityGroup(
                entity_key=src["entity_key"], title=resource["name"], resource_type=resource["resource_type"],
                species=(resource.get("species") or {}).get("scientific_name"), score=head.get("_score"),
                highlight={"name": highlight(resource["name"], needles),
                           "description": highlight(description, needles)} if needles else {},
                holdings=holdings, resource=resource,
            ))
        return groups

    def _needles(self, q: str) -> frozenset[str]:
        if not q:
            return frozenset()
        aq = analyze_query(q)
        needles = [t for t in q.split() if len(t) >= 2] + list(aq.ja_words)
        for alt in self.synonyms.expand(aq):
            needles += [f.norm for f in alt.forms if f.norm]
        return fold_needles(needles)

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
        return [_holding(h["_source"], True) for h in resp["hits"]["hits"]]

    async def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Autocomplete: names and ids starting with ``prefix``."""
        text = normalize_text(prefix)[:80]
        if not text:
            return []
        resp = await self._call(self.es.search(index=self.alias, size=0, suggest={
            "names": {"prefix": text, "completion": {"field": "suggest", "size": size, "skip_duplicates": True,
                                                     "contexts": {"state": ["live"]}}}}))
        options = resp["suggest"]["names"][0]["options"]
        return [o["text"] for o in options]
