"""The catalog as a feed for other systems: OAI-PMH listings, sitemaps, complete exports.

Listings walk the resources alias with ``search_after`` over a total order, so every page is one
cheap query and nothing is kept between requests (a harvester's resumption token carries the sort
values). OAI-PMH listings are in datestamp order (``changed_at``, then ``id``): a record that changes
during a harvest moves behind the harvester's position and is delivered again, never missed, and a
harvester that restarts from its highest datestamp loses nothing. Withdrawn records are listed too
(the provider shows them as deleted). Exports hold a point in time so one export sees one catalog
state from its first row to its last, however long it streams.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from indexer.analysis.synonyms import SynonymTable
from indexer.errors import SearchUnavailableError
from indexer.names import resources_alias
from indexer.search.builder import base_query, facet_filters, sort_clause, with_filters
from schemas.search import SearchQuery

_FEED_SOURCE = ["id", "withdrawn", "changed_at", "harvested_at", "institution", "resource_type", "resource"]
_FEED_SORT: list[dict[str, Any]] = [{"changed_at": {"order": "asc", "unmapped_type": "date"}}, {"id": "asc"}]
EXPORT_BATCH = 1000
PIT_KEEP_ALIVE = "5m"  # between two batches of one export (a slow client)


@dataclass(frozen=True, slots=True)
class FeedSelection:
    """Which records a listing covers: an institution, a resource type, a datestamp range
    (``since`` inclusive, ``before`` exclusive)."""

    institution: str | None = None
    resource_type: str | None = None
    since: datetime | None = None
    before: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One record as the feed sees it."""

    id: str
    withdrawn: bool
    changed_at: str | None
    institution: str
    resource_type: str
    resource: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of a listing, how many the whole listing holds, and where the next page starts."""

    records: list[FeedRecord]
    total: int
    after: list[Any] | None


def _record(source: dict[str, Any]) -> FeedRecord:
    return FeedRecord(id=source["id"], withdrawn=bool(source.get("withdrawn")),
                      changed_at=source.get("changed_at") or source.get("harvested_at"),
                      institution=source["institution"], resource_type=source["resource_type"],
                      resource=source["resource"])


def _selection_query(selection: FeedSelection) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    if selection.institution:
        filters.append({"term": {"institution": selection.institution}})
    if selection.resource_type:
        filters.append({"term": {"resource_type": selection.resource_type}})
    if selection.since or selection.before:
        bounds: dict[str, str] = {}
        if selection.since:
            bounds["gte"] = selection.since.isoformat()
        if selection.before:
            bounds["lt"] = selection.before.isoformat()
        filters.append({"range": {"changed_at": bounds}})
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


class CatalogFeed:
    """Read-side API for harvesters, crawlers and exports. One per application."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, synonyms: SynonymTable | None = None) -> None:
        self.es = es
        self.alias = resources_alias(prefix)
        self.synonyms = synonyms if synonyms is not None else SynonymTable.load()

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except EsNotFoundError as exc:
            raise SearchUnavailableError("the catalog index does not exist yet (no harvest published)") from exc
        except (TransportError, ApiError) as exc:
            raise SearchUnavailableError("the catalog is temporarily unavailable") from exc

    async def page(self, selection: FeedSelection, after: list[Any] | None, size: int) -> FeedPage:
        """The ``size`` records of ``selection`` after the sort values ``after``, in datestamp order."""
        body: dict[str, Any] = {"query": _selection_query(selection), "sort": _FEED_SORT, "size": size + 1,
                                "_source": _FEED_SOURCE, "track_total_hits": True}
        if after is not None:
            body["search_after"] = after
        resp = await self._call(self.es.search(index=self.alias, **body))
        hits = resp["hits"]["hits"]
        more = len(hits) > size  # one record beyond the page says whether another page follows
        hits = hits[:size]
        return FeedPage(records=[_record(h["_source"]) for h in hits], total=int(resp["hits"]["total"]["value"]),
                        after=hits[-1]["sort"] if more else None)

    async def get(self, resource_id: str) -> FeedRecord | None:
        """One record (withdrawn ones too), or None."""
        resp = await self._call(self.es.search(index=self.alias, query={"term": {"id": resource_id}}, size=1,
                                               source_includes=_FEED_SOURCE))
        hits = resp["hits"]["hits"]
        return _record(hits[0]["_source"]) if hits else None

    async def overview(self) -> tuple[str | None, list[str], list[str]]:
        """The earliest datestamp, and the institutions and resource types that have records."""
        resp = await self._call(self.es.search(index=self.alias, size=0, aggs={
            "earliest": {"min": {"field": "changed_at"}},
            "institutions": {"terms": {"field": "institution", "size": 500}},
            "types": {"terms": {"field": "resource_type", "size": 100}},
        }))
        aggs = resp["aggregations"]
        earliest = aggs["earliest"].get("value_as_string")
        return (earliest, sorted(b["key"] for b in aggs["institutions"]["buckets"]),
                sorted(b["key"] for b in aggs["types"]["buckets"]))

    async def live_ids(self, after: str | None, size: int) -> list[tuple[str, str | None]]:
        """Ids (and datestamps) of live records in id order, starting after ``after``."""
        body: dict[str, Any] = {"query": {"term": {"withdrawn": False}}, "sort": [{"id": "asc"}], "size": size,
                                "_source": ["id", "changed_at"]}
        if after is not None:
            body["search_after"] = [after]
        resp = await self._call(self.es.search(index=self.alias, **body))
        return [(h["_source"]["id"], h["_source"].get("changed_at")) for h in resp["hits"]["hits"]]

    async def export(self, query: SearchQuery) -> AsyncGenerator[dict[str, Any], None]:
        """Every resource matching ``query`` in its order, none left out: ``search_after`` inside a
        point in time (closed at the end, also when the consumer stops early)."""
        filters = list(facet_filters(query).values())
        q = with_filters(base_query(query, self.synonyms), filters)
        pit = await self._call(self.es.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE))
        pit_id: str = pit["id"]
        after: list[Any] | None = None
        try:
            while True:
                body: dict[str, Any] = {"query": q, "sort": sort_clause(query), "size": EXPORT_BATCH,
                                        "_source": ["resource"], "track_total_hits": False,
                                        "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}}
                if after is not None:
                    body["search_after"] = after
                resp = await self._call(self.es.search(**body))
                pit_id = resp.get("pit_id") or pit_id
                hits = resp["hits"]["hits"]
                for hit in hits:
                    yield hit["_source"]["resource"]
                if len(hits) < EXPORT_BATCH:
                    return
                after = hits[-1]["sort"]
        finally:
            with suppress(TransportError, ApiError):  # it expires by itself after PIT_KEEP_ALIVE
                await self.es.close_point_in_time(id=pit_id)
