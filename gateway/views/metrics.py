"""``GET /metrics``: Prometheus text exposition (administrators' tokens and direct loopback clients)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from elastic_transport import TransportError
from elasticsearch import ApiError

from gateway.auth import require_metrics_access
from gateway.keys import DESK, METRICS, USAGE
from gateway.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)
GAUGE_TIMEOUT = 1.0


async def metrics(request: web.Request) -> web.Response:
    """Every metric of this gateway; the outbox gauges are read now (kept as it was if that fails)."""
    await require_metrics_access(request)
    collectors = request.app[METRICS]
    try:
        async with asyncio.timeout(GAUGE_TIMEOUT):  # a scrape must not wait for a hung cluster
            status = await request.app[DESK].outbox_status()
        collectors.outbox_pending.set(status.pending)
        collectors.outbox_oldest_age.set(status.oldest_age_seconds())
    except (TransportError, ApiError, TimeoutError) as exc:
        collectors.es_errors.labels("metrics").inc()
        log.warning("outbox gauge not updated: %s", type(exc).__name__)
    writer = request.app[USAGE]
    collectors.usage_dropped.set(writer.dropped)
    collectors.usage_written.set(writer.written)
    return web.Response(body=collectors.exposition(), headers={"Content-Type": CONTENT_TYPE,
                                                               "Cache-Control": "no-store"})
