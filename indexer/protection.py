"""Per-record withdrawal protection: which of the records a run withdraws someone is using right now.

The safety valve guards a source's share of live records; this guards single records. A withdrawal
of a record with an open usage request, or one viewed within the last days, is listed in the run
report for the maintainer (the record is still withdrawn as the source says: the source is the
authority, but nobody learns of it by accident).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.names import requests_index, usage_index
from schemas.requests import RequestStatus
from schemas.usage import UsageEventKind

#: Statuses in which a request still waits for the institution or the requester.
OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.EMAIL_VERIFIED, RequestStatus.UNDER_REVIEW,
                 RequestStatus.NEEDS_INFORMATION, RequestStatus.APPROVED)
MAX_REQUESTS = 10_000


async def _open_requests(es: AsyncElasticsearch, prefix: str, institution: str, ids: set[str]) -> dict[str, list[str]]:
    resp = await es.options(ignore_status=404).search(
        index=requests_index(prefix), ignore_unavailable=True, allow_no_indices=True, size=MAX_REQUESTS,
        query={"bool": {"filter": [{"term": {"institution": institution}},
                                   {"terms": {"status": [str(s) for s in OPEN_STATUSES]}}]}},
        source_includes=["id", "items.id", "status"])
    found: dict[str, list[str]] = defaultdict(list)
    for hit in resp.body.get("hits", {}).get("hits", []):
        doc = hit["_source"]
        for item in doc.get("items", []):
            if item.get("id") in ids:
                found[item["id"]].append(str(doc.get("id", hit["_id"])))
    return found


async def _recent_views(es: AsyncElasticsearch, prefix: str, ids: list[str], days: int) -> dict[str, int]:
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    views: dict[str, int] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        resp = await es.options(ignore_status=404).search(
            index=usage_index(prefix), ignore_unavailable=True, allow_no_indices=True, size=0,
            query={"bool": {"filter": [{"term": {"kind": UsageEventKind.VIEW.value}},
                                       {"terms": {"resource_id": chunk}}, {"range": {"at": {"gte": since}}}]}},
            aggs={"r": {"terms": {"field": "resource_id", "size": len(chunk)}}})
        for bucket in resp.body.get("aggregations", {}).get("r", {}).get("buckets", []):
            views[bucket["key"]] = bucket["doc_count"]
    return views


async def protected_withdrawals(es: AsyncElasticsearch, prefix: str, institution: str, ids: Iterable[str], *,
                                days: int = 30) -> list[dict[str, Any]]:
    """Of the withdrawn ``ids``, those with open usage requests or recent views, with the evidence."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    requests = await _open_requests(es, prefix, institution, set(wanted))
    views = await _recent_views(es, prefix, wanted, days) if days else {}
    out = []
    for rid in wanted:
        if rid in requests or rid in views:
            why = []
            if rid in requests:
                why.append(f"open usage request {', '.join(requests[rid])}")
            if rid in views:
                why.append(f"viewed {views[rid]} time(s) in the last {days} days")
            out.append({"id": rid, "open_requests": requests.get(rid, []), "recent_views": views.get(rid, 0),
                        "reason": "; ".join(why)})
    return out
