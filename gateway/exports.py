"""``GET /api/export``: every match of a search, streamed as CSV, JSON Lines or a Darwin Core Archive.

Exports have no silent cap: rows come from :meth:`indexer.search.catalog.CatalogFeed.export` (a point
in time walked with ``search_after``) and go out with chunked transfer as they arrive, in constant
memory. An export link works from any search page: the page's own parameters (``lang``, ``cursor``,
``page_size``) are ignored and ``sort`` is honoured. Exports are expensive, so they have their own
budget: a process runs at most ``GatewayLimits.export_slots`` at once (more get a 429 with
``Retry-After``, so concurrent large downloads cannot starve search), and each costs
``GatewayLimits.export_cost`` tokens of the client's API bucket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from multidict import MultiDict

from gateway.errors import RateLimitedError
from gateway.export import stream_export
from gateway.keys import BUCKETS, LIMITS, SETTINGS
from gateway.params import ExportOptions, parse_pair
from indexer.search.catalog import CatalogFeed
from schemas.search import SearchQuery

#: Search-page parameters an export link may carry and that mean nothing for an export.
PAGE_ONLY = frozenset({"lang", "cursor", "page_size", "page"})
EXPORT_RETRY_AFTER = 10


class ExportSlots:
    """How many exports one process runs at once; ``hold`` refuses beyond that instead of queueing."""

    def __init__(self, slots: int) -> None:
        self.free = slots

    @contextmanager
    def hold(self) -> Iterator[None]:
        """One slot for the duration of an export; :class:`RateLimitedError` when none is free."""
        if self.free <= 0:
            raise RateLimitedError(EXPORT_RETRY_AFTER)
        self.free -= 1
        try:
            yield
        finally:
            self.free += 1


EXPORT_SLOTS = web.AppKey("export_slots", ExportSlots)
EXPORT_FEED = web.AppKey("export_feed", CatalogFeed)


async def _limited(rows: AsyncIterator[dict[str, Any]], limit: int | None) -> AsyncIterator[dict[str, Any]]:
    sent = 0
    async for row in rows:
        if limit is not None and sent >= limit:
            break
        sent += 1
        yield row
        if sent % 1000 == 0:
            await asyncio.sleep(0)  # let searches run between batches


async def export(request: web.Request) -> web.StreamResponse:
    """``GET /api/export?format=csv|jsonl|dwca&...``: every resource matching the search, streamed."""
    query = MultiDict((k, v) for k, v in request.query.items() if k not in PAGE_ONLY)
    search, options = parse_pair(SearchQuery, ExportOptions, query)
    limits = request.app[LIMITS]
    # The request already paid one token in the rate-limit middleware; an export costs more.
    wait = request.app[BUCKETS].take(request.remote or "unknown", cost=max(0, limits.export_cost - 1))
    if wait:
        raise RateLimitedError(wait)
    with request.app[EXPORT_SLOTS].hold():
        rows = request.app[EXPORT_FEED].export(search)
        try:
            public_url = request.app[SETTINGS].gateway.public_url.rstrip("/")
            return await stream_export(request, _limited(rows, options.limit), options.format, public_url)
        finally:
            await rows.aclose()  # closes the point in time at once, also when the client went away
