"""Harvest health for the portals: per source its latest run, a short history, rejections by reason,
and the quarantined records themselves, scoped to the institutions a caller may see.

Reads tolerate a prefix that never harvested (no system indices yet: empty answers), and turn
Elasticsearch failures into :class:`SearchUnavailableError`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError

from indexer.errors import SearchUnavailableError, SourceNotFoundError
from indexer.names import harvest_runs_index, quarantine_index
from schemas.usage import QuarantinedRecord, RejectionPage, RunSummary, SourceHealth

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Institutions a caller may see; ``None`` means every institution (administrators).
Scope = frozenset[str] | None
MAX_SOURCES = 500
HISTORY = 10


async def guarded(call: Awaitable[T]) -> T:
    """Await an Elasticsearch call, turning transport and API errors into SearchUnavailableError."""
    try:
        return await call
    except BadRequestError:
        raise  # the query's fault (the gateway answers 400), not an outage
    except (TransportError, ApiError) as exc:
        log.warning("harvest/usage read failed: %s", type(exc).__name__)
        raise SearchUnavailableError("harvest and usage records are temporarily unavailable") from exc


def accept_hint(run: RunSummary) -> str | None:
    """The command that publishes a held run, or None when the run is not held."""
    return f"biocross harvest --accept {run.run_id}" if run.outcome == "held" else None


def _run(source: dict[str, Any]) -> RunSummary:
    known = RunSummary.model_fields
    return RunSummary.model_validate({k: v for k, v in source.items() if k in known})


class HarvestHealthService:
    """Read-side API over ``{prefix}-harvest-runs`` and ``{prefix}-quarantine``. One per application."""

    def __init__(self, es: AsyncElasticsearch, prefix: str) -> None:
        self.es = es
        self.runs = harvest_runs_index(prefix)
        self.quarantine = quarantine_index(prefix)

    async def _search(self, index: str, **body: Any) -> dict[str, Any]:
        resp = await guarded(self.es.search(index=index, ignore_unavailable=True, allow_no_indices=True, **body))
        return dict(resp.body)

    async def sources(self, scope: Scope) -> dict[str, str]:
        """Source name → institution slug, for every source with a run that ``scope`` may see."""
        query: dict[str, Any] = {"match_all": {}} if scope is None else {"terms": {"institution": sorted(scope)}}
        body = await self._search(self.runs, size=0, query=query, aggs={"s": {
            "terms": {"field": "source", "size": MAX_SOURCES, "order": {"_key": "asc"}},
            "aggs": {"i": {"terms": {"field": "institution", "size": 1}}}}})
        buckets = body.get("aggregations", {}).get("s", {}).get("buckets", [])
        return {b["key"]: (b["i"]["buckets"][0]["key"] if b["i"]["buckets"] else "") for b in buckets}

    async def _check(self, scope: Scope, source: str) -> str:
        visible = await self.sources(scope)
        if source not in visible:
            raise SourceNotFoundError(f"no harvest source {source!r}")
        return visible[source]

    async def source_health(self, scope: Scope, source: str) -> SourceHealth:
        """Latest run, history and rejections of one visible source (else SourceNotFoundError)."""
        institution = await self._check(scope, source)
        return await self._health(source, institution)

    async def _health(self, source: str, institution: str) -> SourceHealth:
        body = await self._search(self.runs, query={"term": {"source": source}}, size=HISTORY,
                                  sort=[{"started_at": "desc"}])
        history = [_run(h["_source"]) for h in body["hits"]["hits"]]
        if not history:
            raise SourceNotFoundError(f"no harvest source {source!r}")
        return SourceHealth(source=source, institution=institution, latest=history[0], history=history,
                            rejections=await self.rejection_counts(source), accept_hint=accept_hint(history[0]))

    async def overview(self, scope: Scope) -> list[SourceHealth]:
        """Health of every source ``scope`` may see, by source name."""
        return [await self._health(source, institution) for source, institution in (await self.sources(scope)).items()]

    async def rejection_counts(self, source: str) -> dict[str, int]:
        """Quarantined records of ``source`` counted by reason, most frequent first."""
        body = await self._search(self.quarantine, size=0, query={"term": {"source": source}},
                                  aggs={"r": {"terms": {"field": "reason", "size": 50}}})
        return {b["key"]: b["doc_count"] for b in body.get("aggregations", {}).get("r", {}).get("buckets", [])}

    async def rejections(self, scope: Scope, source: str, reason: str | None = None, size: int = 100
                         ) -> RejectionPage:
        """The newest quarantined records of one visible source, optionally of one reason."""
        await self._check(scope, source)
        filters: list[dict[str, Any]] = [{"term": {"source": source}}]
        if reason:
            filters.append({"term": {"reason": reason}})
        body = await self._search(self.quarantine, query={"bool": {"filter": filters}}, size=size,
                                  sort=[{"rejected_at": {"order": "desc", "unmapped_type": "date"}}],
                                  track_total_hits=True)
        known = QuarantinedRecord.model_fields
        records = [QuarantinedRecord.model_validate({k: v for k, v in h["_source"].items() if k in known})
                   for h in body["hits"]["hits"]]
        return RejectionPage(source=source, reason=reason, total=body["hits"]["total"]["value"], records=records)
