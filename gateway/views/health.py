"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from aiohttp import web
from elasticsearch import ApiError, TransportError

from gateway.keys import BREAKER, ES

READY_TIMEOUT = 1.5
RETRY_AFTER = 5


def _unavailable(body: dict[str, object], retry_after: int) -> web.Response:
    return web.json_response({**body, "status": "unavailable"}, status=503,
                             headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"})


async def health(request: web.Request) -> web.Response:
    """Liveness always; readiness (``?ready=1`` or ``/api/health/ready``) also checks Elasticsearch,
    within :data:`READY_TIMEOUT`, and reports the circuit breaker (``open``: calls fail fast)."""
    ready = request.match_info.get("probe") == "ready" or request.query.get("ready") == "1"
    body: dict[str, object] = {"status": "ok"}
    if ready:
        breaker = request.app[BREAKER]
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                health = await request.app[ES].cluster.health(timeout="2s")
        except (ApiError, TransportError, TimeoutError):
            retry = breaker.retry_after() if breaker.state != "closed" else RETRY_AFTER
            return _unavailable({"elasticsearch": "unreachable", "circuit": breaker.state}, retry)
        body["elasticsearch"] = health["status"]
        body["circuit"] = breaker.state
        if health["status"] == "red":
            return _unavailable(body, RETRY_AFTER)
    return web.json_response(body)
