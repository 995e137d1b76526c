"""The administrators' dashboard: usage and request statistics as tables (the charts draw them).

Searches and views come from ``{prefix}-usage-events``; requests per institution and month and the
time from verification to decision come from the request documents (their event history), so no
request data is copied. Unverified requests (still ``submitted``) are not counted.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.errors import NotFoundError
from indexer.health import HarvestHealthService, guarded
from indexer.names import requests_index, usage_index
from schemas.requests import RequestStatus
from schemas.usage import Table, UsageEventKind

#: The dashboard's tables, in display order (also the names of their CSV exports).
TABLES = ("searches-per-day", "top-queries", "zero-result-queries", "most-viewed", "views-per-institution",
          "requests-per-month", "time-to-decision", "harvest-health")
DAYS = 30
TOP = 20
DECISIONS = ("approve", "reject")
PAGE = 1000


def _buckets(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    buckets: list[dict[str, Any]] = body.get("aggregations", {}).get(name, {}).get("buckets", [])
    return buckets


class DashboardService:
    """Builds every dashboard table. One per application."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, health: HarvestHealthService) -> None:
        self.es = es
        self.events = usage_index(prefix)
        self.requests = requests_index(prefix)
        self.health = health

    async def _search(self, index: str, **body: Any) -> dict[str, Any]:
        resp = await guarded(self.es.search(index=index, ignore_unavailable=True, allow_no_indices=True, **body))
        return dict(resp.body)

    async def tables(self, now: datetime | None = None) -> list[Table]:
        """Every table of the dashboard, in display order."""
        return [await self.table(name, now) for name in TABLES]

    async def table(self, name: str, now: datetime | None = None) -> Table:
        """One table by name; :class:`NotFoundError` for an unknown name."""
        now = now or datetime.now(UTC)
        builders: dict[str, Callable[[], Awaitable[Table]]] = {
            "searches-per-day": lambda: self.searches_per_day(now),
            "top-queries": lambda: self.top_queries(zero=False),
            "zero-result-queries": lambda: self.top_queries(zero=True),
            "most-viewed": self.most_viewed, "views-per-institution": self.views_per_institution,
            "requests-per-month": self.requests_per_month, "time-to-decision": self.time_to_decision,
            "harvest-health": self.harvest_health,
        }
        if name not in builders:
            raise NotFoundError(f"no dashboard table {name!r}")
        return await builders[name]()

    async def searches_per_day(self, now: datetime) -> Table:
        """Searches (and zero-result searches) on each of the last 30 days, oldest first, UTC days."""
        first = now.date() - timedelta(days=DAYS - 1)
        body = await self._search(self.events, size=0, query={"bool": {"filter": [
            {"term": {"kind": UsageEventKind.SEARCH.value}}, {"range": {"at": {"gte": first.isoformat()}}}]}},
            aggs={"d": {"date_histogram": {"field": "at", "calendar_interval": "day", "format": "yyyy-MM-dd"},
                        "aggs": {"z": {"filter": {"term": {"zero_result": True}}}}}})
        found = {b["key_as_string"]: (b["doc_count"], b["z"]["doc_count"]) for b in _buckets(body, "d")}
        days = [(first + timedelta(days=n)).isoformat() for n in range(DAYS)]
        return Table(name="searches-per-day", columns=["day", "searches", "zero_result"],
                     rows=[[d, *found.get(d, (0, 0))] for d in days])

    async def top_queries(self, *, zero: bool) -> Table:
        """The most frequent query texts (lower-cased), or those that found nothing."""
        filters: list[dict[str, Any]] = [{"term": {"kind": UsageEventKind.SEARCH.value}},
                                         {"range": {"result_count": {"gte": 0}}}]
        must_not = [{"term": {"query_norm": ""}}]
        if zero:
            filters.append({"term": {"zero_result": True}})
        body = await self._search(self.events, size=0, query={"bool": {"filter": filters, "must_not": must_not}},
                                  aggs={"q": {"terms": {"field": "query_norm", "size": TOP,
                                                        "order": [{"_count": "desc"}, {"_key": "asc"}]}}})
        return Table(name="zero-result-queries" if zero else "top-queries", columns=["query", "searches"],
                     rows=[[b["key"], b["doc_count"]] for b in _buckets(body, "q")])

    async def most_viewed(self) -> Table:
        """The most viewed resources, with their institution."""
        body = await self._search(self.events, size=0, query={"term": {"kind": UsageEventKind.VIEW.value}},
                                  aggs={"r": {"terms": {"field": "resource_id", "size": TOP,
                                                        "order": [{"_count": "desc"}, {"_key": "asc"}]},
                                              "aggs": {"i": {"terms": {"field": "institution", "size": 1}}}}})
        rows: list[list[str | int | float | None]] = [
            [b["key"], b["i"]["buckets"][0]["key"] if b["i"]["buckets"] else "", b["doc_count"]]
            for b in _buckets(body, "r")]
        return Table(name="most-viewed", columns=["resource", "institution", "views"], rows=rows)

    async def views_per_institution(self) -> Table:
        """Detail views per holding institution."""
        body = await self._search(self.events, size=0, query={"term": {"kind": UsageEventKind.VIEW.value}},
                                  aggs={"i": {"terms": {"field": "institution", "size": 200,
                                                        "order": [{"_count": "desc"}, {"_key": "asc"}]}}})
        return Table(name="views-per-institution", columns=["institution", "views"],
                     rows=[[b["key"], b["doc_count"]] for b in _buckets(body, "i")])

    async def requests_per_month(self) -> Table:
        """Verified usage requests per institution and month of submission (UTC)."""
        body = await self._search(self.requests, size=0, query={"bool": {"must_not": [
            {"term": {"status": RequestStatus.SUBMITTED.value}}]}},
            aggs={"i": {"terms": {"field": "institution", "size": 200, "order": {"_key": "asc"}},
                        "aggs": {"m": {"date_histogram": {"field": "created_at", "calendar_interval": "month",
                                                          "format": "yyyy-MM", "min_doc_count": 1}}}}})
        rows: list[list[str | int | float | None]] = []
        for inst in _buckets(body, "i"):
            rows += [[inst["key"], month["key_as_string"], month["doc_count"]] for month in inst["m"]["buckets"]]
        return Table(name="requests-per-month", columns=["institution", "month", "requests"], rows=rows)

    async def time_to_decision(self) -> Table:
        """Per institution: decided requests and the median hours from email verification to the
        first approval or rejection."""
        hours: dict[str, list[float]] = defaultdict(list)
        after: list[Any] | None = None
        while True:
            body = await self._search(
                self.requests, size=PAGE, sort=[{"id": "asc"}], query={"terms": {"status": [
                    s.value for s in (RequestStatus.APPROVED, RequestStatus.SHIPPED, RequestStatus.COMPLETED,
                                      RequestStatus.REJECTED, RequestStatus.WITHDRAWN)]}},
                source=["institution", "events.action", "events.at"], **({"search_after": after} if after else {}))
            hits = body["hits"]["hits"]
            for hit in hits:
                elapsed = _decision_hours(hit["_source"].get("events", []))
                if elapsed is not None:
                    hours[hit["_source"]["institution"]].append(elapsed)
            if len(hits) < PAGE:
                break
            after = hits[-1]["sort"]
        return Table(name="time-to-decision", columns=["institution", "decided", "median_hours"],
                     rows=[[inst, len(v), round(statistics.median(v), 2)] for inst, v in sorted(hours.items())])

    async def harvest_health(self) -> Table:
        """The latest run of every source."""
        rows: list[list[str | int | float | None]] = []
        for h in await self.health.overview(None):
            run = h.latest
            rows.append([h.source, h.institution, run.outcome, run.started_at.isoformat(), run.run_id, run.seen,
                         run.indexed, run.rejected, run.live_after, sum(h.rejections.values())])
        return Table(name="harvest-health", columns=["source", "institution", "outcome", "started_at", "run_id",
                                                     "seen", "indexed", "rejected", "live_after", "quarantined"],
                     rows=rows)


def _decision_hours(events: list[dict[str, Any]]) -> float | None:
    verified = next((e["at"] for e in events if e.get("action") == "verify"), None)
    decided = next((e["at"] for e in events if e.get("action") in DECISIONS), None)
    if verified is None or decided is None:
        return None
    delta = datetime.fromisoformat(decided) - datetime.fromisoformat(verified)
    return delta.total_seconds() / 3600

