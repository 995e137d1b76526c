"""Recording usage from views: one call after a search or a detail view. Never slows or fails the
request (the writer only buffers), and records no personal data (no address, account or cookie)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.i18n import choose_language
from gateway.keys import METRICS, USAGE
from indexer.usage.events import FILTER_FIELDS, search_event, view_event
from schemas.search import SearchQuery, SearchResponse


def record_search(request: web.Request, query: SearchQuery, result: SearchResponse, channel: str) -> None:
    """Count a search: first pages with a query text or a filter only (paging and the bare landing
    page are not searches)."""
    if query.cursor is not None or not (query.q or any(getattr(query, name) for name in FILTER_FIELDS)):
        return
    metrics = request.app[METRICS]
    metrics.searches.inc()
    if result.total_holdings == 0:
        metrics.zero_results.inc()
    request.app[USAGE].record(search_event(query, result.total_holdings, channel=channel,
                                           lang=choose_language(request)))


def record_view(request: web.Request, resource: dict[str, Any], channel: str) -> None:
    """Count a resource detail view."""
    request.app[USAGE].record(view_event(str(resource.get("id", request.match_info.get("id", ""))),
                                         str(resource.get("institution", "")), channel=channel,
                                         lang=choose_language(request)))
